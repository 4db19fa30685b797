/**
 * Two instruments on one account and one clock. The batch backtest of two series (one with holidays the
 * other trades through) equals a plainly written portfolio reference, point by point; equity points are
 * the distinct timestamps; and two replaying sources on one backtest session (each fed on its own, as two
 * historical-bars nodes do, with place-order's StrategyOrders behind the account guard) give the very
 * same metrics, trades and curve as the batch.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { guardBroker } from '../../lib/broker';
import { runPortfolioBacktest, batchInstruments } from '../../lib/broker/batch-backtest';
import { randomWalkBars } from '../../bench/synthetic-bars';
import { barsToColumns } from '../../lib/messages/bar-columns';
import { contractFromKey } from '../../lib/messages/instrument';
import type { BacktestOptions } from '../../lib/backtest/types';
import type { Bar, OrderIntent } from '../../lib/messages';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { smaCrossTargets } from '../helpers/sma-cross';

const options: BacktestOptions = { startingCash: 100_000, commission: 'none', fillAt: 'next-open' };

/** AAPL trades every day; MSFT misses every 7th day and a run of 5 (a halt), and starts 3 days late. */
const aapl = randomWalkBars(300, 7);
const msft = randomWalkBars(300, 11)
  .map((b) => ({ ...b, open: b.open * 2.5, high: b.high * 2.5, low: b.low * 2.5, close: b.close * 2.5 }))
  .filter((_, i) => i >= 3 && i % 7 !== 0 && !(i >= 150 && i < 155));
const aaplTargets = smaCrossTargets(aapl, 5, 20, 100, 0);
const msftTargets = smaCrossTargets(msft, 5, 20, 40, 0);

interface Series {
  key: string;
  bars: readonly Bar[];
  targets: ReadonlyArray<OrderIntent | null>;
}

/**
 * The portfolio written out plainly: at each distinct time, every instrument with a bar there first
 * fills the order its last signal left at this bar's open, then equity = cash + the positions at their
 * last close; then each signal leaves an order for the difference to its target.
 */
function reference(series: Series[], cash: number): { time: number[]; equity: number[]; fills: number } {
  const times = [...new Set(series.flatMap((s) => s.bars.map((b) => b.time)))].sort((a, b) => a - b);
  const state = series.map(() => ({ at: 0, position: 0, pending: 0, last: NaN }));
  const out = { time: [] as number[], equity: [] as number[], fills: 0 };
  for (const t of times) {
    series.forEach((s, k) => {
      const st = state[k]!;
      const bar = s.bars[st.at];
      if (!bar || bar.time !== t) return;
      if (st.pending !== 0) {
        cash -= st.pending * bar.open;
        st.position += st.pending;
        st.pending = 0;
        out.fills++;
      }
      st.last = bar.close;
    });
    out.time.push(t);
    out.equity.push(cash + series.reduce((sum, _s, k) => sum + (state[k]!.position ? state[k]!.position * state[k]!.last : 0), 0));
    series.forEach((s, k) => {
      const st = state[k]!;
      const bar = s.bars[st.at];
      if (!bar || bar.time !== t) return;
      const target = s.targets[st.at]?.targetQuantity;
      if (target !== undefined) st.pending = target - st.position;
      st.at++;
    });
  }
  return out;
}

const cents = (x: number) => Math.round(x * 100);

describe('two instruments, one clock', () => {
  const batch = runPortfolioBacktest({
    instruments: [
      { key: 'AAPL', bars: aapl, orders: aaplTargets },
      { key: 'MSFT', bars: barsToColumns(msft), orders: msftTargets },
    ],
    options,
    orderRef: 'sma',
  });

  it('the batch equals the plain portfolio reference at every timestamp, one point per distinct time', () => {
    const ref = reference(
      [
        { key: 'AAPL', bars: aapl, targets: aaplTargets },
        { key: 'MSFT', bars: msft, targets: msftTargets },
      ],
      options.startingCash,
    );
    const distinct = new Set([...aapl, ...msft].map((b) => b.time)).size;
    assert.equal(distinct, 300);
    assert.equal(batch.curve.length, distinct, 'equity points = distinct timestamps');
    assert.deepEqual(Array.from(batch.curve.time), ref.time);
    assert.deepEqual(Array.from(batch.curve.equity, cents), ref.equity.map(cents));
    assert.equal(batch.executions.length, ref.fills);
    assert.ok(ref.fills > 20, `${ref.fills} fills`);
    assert.equal(cents(batch.metrics.finalEquity), cents(ref.equity.at(-1)!));
    assert.equal(batch.metrics.bars, distinct);
    assert.deepEqual([...new Set(batch.executions.map((e) => e.symbol))].sort(), ['AAPL', 'MSFT']);
  });

  it('two sources replaying on one session, each at its own pace, give the batch to the cent', async () => {
    const connection = createBacktestConnection(options);
    const session = connection.replay();
    let now = 0;
    session.on('bar', (_key, bar) => {
      now = bar.time;
    });
    const broker = guardBroker(connection.broker, { limits: {}, journalPath: null, clock: () => now });
    const strategy = new StrategyOrders(broker, { source: 'place-order', orderRef: 'sma' });
    const seen: Array<[string, number]> = [];
    const source = async (id: string, key: string, bars: readonly Bar[], targets: ReadonlyArray<OrderIntent | null>, delayEvery: number) => {
      session.hold(id);
      // One source takes a while to load its bars: the other must not run ahead meanwhile.
      await new Promise((resolve) => setTimeout(resolve, delayEvery * 5));
      session.begin(id, key, bars.length);
      try {
        for (let i = 0; i < bars.length; i++) {
          const bar = bars[i]!;
          await session.offer(id, key, bar, async () => {
            seen.push([key, bar.time]);
            // A flow that takes its time on some bars (a delay node, a slow function).
            if (i % delayEvery === 0) await new Promise((resolve) => setImmediate(resolve));
            const order = targets[i];
            if (order) await strategy.submit({ key, contract: contractFromKey(key), order, price: bar.close });
          });
        }
      } finally {
        session.end(id);
      }
    };
    const ended = new Promise<void>((resolve) => session.on('end', () => resolve()));
    await Promise.all([source('aapl', 'AAPL', aapl, aaplTargets, 3), source('msft', 'MSFT', msft, msftTargets, 2)]);
    await ended;
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]![1] >= seen[i - 1]![1], `bar ${i} (${seen[i]![0]}) went out before an earlier time`);
    const replayed = session.summary();
    assert.equal(replayed.curve.length, 300);
    assert.deepEqual(Array.from(replayed.curve.equity), Array.from(batch.curve.equity));
    assert.deepEqual(replayed.trades, batch.trades);
    assert.deepEqual(replayed.metrics, batch.metrics);
    broker.dispose();
  });

  it('bars of one time go in by instrument, not by input or start order: the same executions either way', async () => {
    // Both instruments change their targets on the same days (every 10th), so they fill at the same times.
    const step = aapl[1]!.time - aapl[0]!.time;
    const onDays = (bars: readonly Bar[], quantity: number): Array<OrderIntent | null> =>
      bars.map((b) => {
        const day = Math.round((b.time - aapl[0]!.time) / step);
        return day % 10 === 0 ? { targetQuantity: (day / 10) % 2 ? quantity : 0 } : null;
      });
    const aaplDays = onDays(aapl, 100);
    const msftDays = onDays(msft, 40);
    const run = (first: 'AAPL' | 'MSFT') => {
      const instruments = [
        { key: 'AAPL', bars: aapl, orders: aaplDays },
        { key: 'MSFT', bars: barsToColumns(msft), orders: msftDays },
      ];
      return runPortfolioBacktest({ instruments: first === 'AAPL' ? instruments : instruments.reverse(), options, orderRef: 'sma' });
    };
    const batch = run('AAPL');
    const reversed = run('MSFT');
    const sameTime = batch.executions.filter((e, i) => batch.executions.some((o, j) => j !== i && o.time === e.time && o.symbol !== e.symbol));
    assert.ok(sameTime.length > 0, 'the two instruments fill at the same time somewhere');
    assert.deepEqual(reversed.executions.map((e) => `${e.symbol}@${e.time}`), batch.executions.map((e) => `${e.symbol}@${e.time}`));
    assert.deepEqual(reversed.trades, batch.trades);

    // A replay whose MSFT source begins first.
    const connection = createBacktestConnection(options);
    const session = connection.replay();
    const strategy = new StrategyOrders(connection.broker, { source: 'place-order', orderRef: 'sma' });
    const source = async (id: string, key: string, bars: readonly Bar[], targets: ReadonlyArray<OrderIntent | null>) => {
      session.begin(id, key, bars.length);
      try {
        for (let i = 0; i < bars.length; i++) {
          const bar = bars[i]!;
          await session.offer(id, key, bar, async () => {
            const order = targets[i];
            if (order) await strategy.submit({ key, contract: contractFromKey(key), order, price: bar.close });
          });
        }
      } finally {
        session.end(id);
      }
    };
    session.hold('msft');
    session.hold('aapl');
    const ended = new Promise<void>((resolve) => session.on('end', () => resolve()));
    await Promise.all([source('msft', 'MSFT', msft, msftDays), source('aapl', 'AAPL', aapl, aaplDays)]);
    await ended;
    assert.deepEqual(session.summary().trades, batch.trades);
  });

  it('a message of several instruments: an array of {topic, payload, order} or an object keyed by instrument', () => {
    const parts = [
      { topic: 'AAPL', payload: aapl, order: aaplTargets },
      { topic: 'msft', contract: { symbol: 'MSFT', secType: 'STK', exchange: 'SMART', currency: 'USD' }, payload: barsToColumns(msft), order: msftTargets },
    ];
    const list = batchInstruments({ payload: parts })!;
    assert.deepEqual(list.map((i) => [i.key, i.where]), [['AAPL', 'msg.payload[0]'], ['MSFT', 'msg.payload[1]']]);
    const keyed = batchInstruments({ payload: { AAPL: { payload: aapl, order: aaplTargets }, MSFT: parts[1] } })!;
    assert.deepEqual(keyed.map((i) => [i.key, i.where]), [['AAPL', 'msg.payload.AAPL'], ['MSFT', 'msg.payload.MSFT']]);
    const fromList = runPortfolioBacktest({ instruments: list, options, orderRef: 'sma' });
    assert.deepEqual(fromList.metrics, batch.metrics);
    assert.equal(batchInstruments({ payload: { close: 1 } }), null, 'no batch');
    assert.throws(() => batchInstruments({ payload: [{ topic: 'AAPL', payload: aapl }] }), /msg\.payload\[0\]\.order is missing/);
    assert.throws(() => runPortfolioBacktest({ instruments: [list[0]!, { ...list[0]!, where: 'msg.payload[1]' }], options }), /msg\.payload\[0\] and msg\.payload\[1\] are both AAPL/);
    const short = { ...list[1]!, orders: msftTargets.slice(1) };
    assert.throws(() => runPortfolioBacktest({ instruments: [list[0]!, short], options }), /msg\.payload\[1\]\.order has \d+ entries but msg\.payload\[1\]\.payload has \d+ bars/);
  });

  it('bars out of time order are named, not merged wrongly', () => {
    const swapped = [...msft];
    [swapped[10], swapped[11]] = [swapped[11]!, swapped[10]!];
    assert.throws(
      () => runPortfolioBacktest({ instruments: [{ key: 'AAPL', bars: aapl, orders: aaplTargets }, { key: 'MSFT', bars: swapped, orders: msftTargets }], options }),
      /the bars of MSFT are not in time order at bar 11/,
    );
  });
});

describe('the batch takes the account guard, as a replay does', () => {
  it('an order over the connection limits ends the batch with the rule it broke', () => {
    assert.throws(
      () => runPortfolioBacktest({ instruments: [{ key: 'AAPL', bars: aapl, orders: aaplTargets }], options, limits: { maxOrderQuantity: 50 } }),
      /batch backtest: the order for msg\.order\[\d+\] was refused by the account guard: .*50/,
    );
    const within = runPortfolioBacktest({ instruments: [{ key: 'AAPL', bars: aapl, orders: aaplTargets }], options, limits: { maxOrderQuantity: 100, maxPosition: 100 } });
    assert.ok(within.metrics.trades > 5);
  });

  it('max orders per minute counts on the bars clock (each bar a day apart: never reached)', () => {
    const result = runPortfolioBacktest({ instruments: [{ key: 'AAPL', bars: aapl, orders: aaplTargets }], options, limits: { maxOrdersPerMinute: 1 } });
    assert.ok(result.executions.length > 10);
  });
});

describe("risk-sizer's stopLoss and takeProfit in a batch", () => {
  it('bracket what the entry opens, as place-order does in a replay: the same fills to the cent', async () => {
    // Entries carry levels 2% below and 3% above the signal bar's close; exits (target 0) carry none.
    const withLevels = aaplTargets.map((o, i) => (o?.targetQuantity ? { ...o, stopLoss: Math.round(aapl[i]!.close * 98) / 100, takeProfit: Math.round(aapl[i]!.close * 103) / 100 } : o));
    const batch = runPortfolioBacktest({ instruments: [{ key: 'AAPL', bars: aapl, orders: withLevels }], options, orderRef: 'sma' });
    const exits = batch.executions.filter((e) => /:(stop-loss|take-profit)$/.test(String(e.orderRef)));
    assert.ok(exits.length >= 3, `${exits.length} fills of protective legs`);

    const connection = createBacktestConnection(options);
    const session = connection.replay();
    let now = 0;
    session.on('bar', (_key, bar) => {
      now = bar.time;
    });
    const broker = guardBroker(connection.broker, { limits: {}, journalPath: null, clock: () => now });
    const strategy = new StrategyOrders(broker, { source: 'place-order', orderRef: 'sma' });
    session.begin('aapl', 'AAPL', aapl.length);
    for (let i = 0; i < aapl.length; i++) {
      await session.offer('aapl', 'AAPL', aapl[i]!, async () => {
        const order = withLevels[i];
        if (order) await strategy.submit({ key: 'AAPL', contract: contractFromKey('AAPL'), order, price: aapl[i]!.close });
      });
    }
    session.end('aapl');
    const replayed = session.summary();
    assert.deepEqual(replayed.executions.map((e) => [e.time, e.side, e.shares, e.price, e.orderRef]), batch.executions.map((e) => [e.time, e.side, e.shares, e.price, e.orderRef]));
    assert.deepEqual(replayed.metrics, batch.metrics);
    broker.dispose();
  });
});
