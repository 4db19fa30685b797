/**
 * Drawdown per instrument and per strategy in a backtest's breakdown (lib/backtest/part-drawdown.ts), as
 * the live breakdown defines it: each part's P&L (realized and open, less commissions) marked once per
 * timestamp at the instruments' last closes, its fall from the highest so far, and the largest fall.
 * Checked against a plainly written reference that marks every part at every timestamp from the
 * executions and the bars, and a replay on one backtest session against the batch, to the cent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { runPortfolioBacktest } from '../../lib/broker/batch-backtest';
import { randomWalkBars } from '../../bench/synthetic-bars';
import { barsToColumns } from '../../lib/messages/bar-columns';
import { contractFromKey } from '../../lib/messages/instrument';
import type { BacktestOptions, BacktestSummary } from '../../lib/backtest/types';
import type { Bar, Execution, OrderIntent } from '../../lib/messages';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { smaCrossTargets } from '../helpers/sma-cross';

const options: BacktestOptions = { startingCash: 100_000, commission: 'ib-fixed', fillAt: 'next-open' };

const aapl = randomWalkBars(400, 3);
// MSFT misses every 5th day and starts late: a part is marked only where its instrument has bars.
const msft = randomWalkBars(400, 5)
  .map((b) => ({ ...b, open: b.open * 3, high: b.high * 3, low: b.low * 3, close: b.close * 3 }))
  .filter((_, i) => i >= 4 && i % 5 !== 0);

/** Strategy "trend" trades AAPL on a slow cross; "swing" trades AAPL (where trend is quiet) and MSFT on a fast one. */
function intents(bars: readonly Bar[], withTrend: boolean): Array<OrderIntent | null> {
  const trend = smaCrossTargets(bars, 10, 30, 100, 0);
  const swing = smaCrossTargets(bars, 3, 8, 60, 0);
  return bars.map((_, i) => {
    if (withTrend && trend[i]) return { ...trend[i]!, orderRef: 'trend' };
    return swing[i] ? { ...swing[i]!, orderRef: 'swing' } : null;
  });
}
const aaplIntents = intents(aapl, true);
const msftIntents = intents(msft, false);

const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * Every part marked at every distinct time: its executions up to then as cash flows (price x quantity,
 * less commission) plus its quantities at each instrument's last close; the highest starts at 0.
 */
function reference(series: Array<{ key: string; bars: readonly Bar[] }>, executions: readonly Execution[]) {
  const times = [...new Set(series.flatMap((s) => s.bars.map((b) => b.time)))].sort((a, b) => a - b);
  const closeAt = new Map(series.map((s) => [s.key, new Map(s.bars.map((b) => [b.time, b.close]))]));
  const last = new Map<string, number>();
  const parts = new Map<string, { flow: number; held: Map<string, number>; peak: number; drawdown: number; max: number }>();
  const part = (name: string) => {
    if (!parts.has(name)) parts.set(name, { flow: 0, held: new Map(), peak: 0, drawdown: 0, max: 0 });
    return parts.get(name)!;
  };
  let next = 0;
  for (const t of times) {
    for (const [key, closes] of closeAt) if (closes.has(t)) last.set(key, closes.get(t)!);
    for (; next < executions.length && executions[next]!.time <= t; next++) {
      const e = executions[next]!;
      const signed = e.side === 'BUY' ? e.shares : -e.shares;
      for (const p of [part(`instrument:${e.symbol}`), part(`strategy:${e.orderRef}`)]) {
        p.flow -= signed * e.price + e.commission;
        p.held.set(e.symbol, (p.held.get(e.symbol) ?? 0) + signed);
      }
    }
    for (const p of parts.values()) {
      let pnl = p.flow;
      for (const [key, quantity] of p.held) pnl += quantity * last.get(key)!;
      pnl = cents(pnl);
      p.peak = Math.max(p.peak, pnl);
      p.drawdown = cents(p.peak - pnl);
      p.max = Math.max(p.max, p.drawdown);
    }
  }
  return parts;
}

function falls(summary: BacktestSummary): Record<string, { drawdown: number; maxDrawdown: number }> {
  const out: Record<string, { drawdown: number; maxDrawdown: number }> = {};
  for (const r of summary.instruments) out[`instrument:${r.instrument}`] = { drawdown: r.drawdown, maxDrawdown: r.maxDrawdown };
  for (const r of summary.strategies) out[`strategy:${r.strategy}`] = { drawdown: r.drawdown, maxDrawdown: r.maxDrawdown };
  return out;
}

describe('drawdown per instrument and per strategy', () => {
  const batch = runPortfolioBacktest({
    instruments: [
      { key: 'AAPL', bars: aapl, orders: aaplIntents },
      { key: 'MSFT', bars: barsToColumns(msft), orders: msftIntents },
    ],
    options,
  });

  it('equals a plain reference that marks every part at every timestamp', () => {
    const ref = reference(
      [
        { key: 'AAPL', bars: aapl },
        { key: 'MSFT', bars: msft },
      ],
      batch.executions,
    );
    const expected: Record<string, { drawdown: number; maxDrawdown: number }> = {};
    for (const [name, p] of ref) expected[name] = { drawdown: p.drawdown, maxDrawdown: p.max };
    assert.deepEqual(Object.keys(expected).sort(), ['instrument:AAPL', 'instrument:MSFT', 'strategy:swing', 'strategy:trend']);
    assert.deepEqual(falls(batch), expected);
    // Four different parts, each with a fall of its own.
    const maxima = Object.values(expected).map((f) => f.maxDrawdown);
    assert.ok(maxima.every((m) => m > 0), `every part fell somewhere: ${maxima}`);
    assert.equal(new Set(maxima).size, 4, `the parts differ: ${maxima}`);
    assert.ok(batch.executions.some((e) => e.commission > 0), 'commissions are in the P&L');
  });

  it('a replay of the same portfolio on one backtest session gives the same drawdowns to the cent', async () => {
    const connection = createBacktestConnection(options);
    const session = connection.replay();
    const strategies = new Map(['trend', 'swing'].map((name) => [name, new StrategyOrders(connection.broker, { source: 'place-order', orderRef: name })]));
    const source = async (id: string, key: string, bars: readonly Bar[], orders: ReadonlyArray<OrderIntent | null>) => {
      session.begin(id, key, bars.length);
      try {
        for (let i = 0; i < bars.length; i++) {
          const bar = bars[i]!;
          await session.offer(id, key, bar, async () => {
            const intent = orders[i];
            if (!intent) return;
            const { orderRef, ...order } = intent;
            await strategies.get(String(orderRef))!.submit({ key, contract: contractFromKey(key), order, price: bar.close });
          });
        }
      } finally {
        session.end(id);
      }
    };
    session.hold('aapl');
    session.hold('msft');
    const ended = new Promise<void>((resolve) => session.on('end', () => resolve()));
    await Promise.all([source('aapl', 'AAPL', aapl, aaplIntents), source('msft', 'MSFT', msft, msftIntents)]);
    await ended;
    const replayed = session.summary();
    assert.deepEqual(replayed.trades, batch.trades);
    assert.deepEqual(falls(replayed), falls(batch));
    assert.deepEqual(replayed.instruments, batch.instruments);
    assert.deepEqual(replayed.strategies, batch.strategies);
  });
});
