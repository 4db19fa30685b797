/**
 * Instruments quoted in another currency than the account's base, in a backtest. Cash is kept per
 * currency (a buy of SAP on IBIS debits EUR), equity is in the base currency at the rate of the time,
 * the rate coming from an FX instrument's bars in the same backtest (EUR.USD) or from the connection's
 * fixed table; with neither, the order is refused naming both. A plain reference written here (cash per
 * currency, IB's fixed commission priced in USD and charged in EUR) gives every equity point to the
 * cent; the replay of three sources on one session gives the batch to the cent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { guardBroker } from '../../lib/broker';
import { runPortfolioBacktest } from '../../lib/broker/batch-backtest';
import { randomWalkBars } from '../../bench/synthetic-bars';
import { barsToColumns } from '../../lib/messages/bar-columns';
import { contractFromKey } from '../../lib/messages/instrument';
import { readConnectionConfig } from '../../lib/connection/config';
import { withBacktestOverride } from '../../lib/backtest/options';
import type { BacktestOptions } from '../../lib/backtest/types';
import type { Bar, OrderIntent } from '../../lib/messages';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { FillEngine } from '../../lib/fills/fill-engine';
import { smaCrossTargets } from '../helpers/sma-cross';
import { english } from '../../lib/messages/texts';

const SAP = 'SAP:STK:IBIS:EUR';
const EURUSD = 'EUR:CASH:IDEALPRO:USD';
const options: BacktestOptions = { startingCash: 100_000, commission: 'ib-fixed', fillAt: 'next-open' };

const scaled = (bars: Bar[], k: number): Bar[] =>
  bars.map((b) => ({ ...b, open: b.open * k, high: b.high * k, low: b.low * k, close: b.close * k }));
const aapl = randomWalkBars(300, 7);
/** SAP in EUR, closed on some days AAPL trades. */
const sap = scaled(randomWalkBars(300, 11), 1.5).filter((_, i) => i % 9 !== 4);
/** EUR.USD about 1.1, moving; missing a few days (its last close stays the rate). */
const eurusd = scaled(randomWalkBars(300, 3), 0.011).filter((_, i) => i === 0 || i % 13 !== 6);
const aaplTargets = smaCrossTargets(aapl, 5, 20, 100, 0);
const sapTargets = smaCrossTargets(sap, 5, 20, 60, 0);
const none = (bars: readonly Bar[]) => bars.map(() => null);

interface Series {
  key: string;
  currency: string;
  bars: readonly Bar[];
  targets: ReadonlyArray<OrderIntent | null>;
  /** This series' close is the rate of `currency` (USD per EUR). */
  rateOf?: string;
}

/** IB's fixed stock commission, in USD: 0.005 a share, at least 1.00, at most 1% of the value. */
const ibFixedUsd = (shares: number, valueUsd: number) => Math.min(Math.max(shares * 0.005, 1), valueUsd * 0.01);

/**
 * The account written out plainly. At each distinct time, the series with a bar there go in key order,
 * the FX series last:
 * an order its last signal left fills at this bar's open, its commission priced in USD on the value at
 * the rate known then and charged in the instrument's currency; an FX series' close becomes its rate.
 * Equity = USD cash + every other currency's cash and positions at their rates. Then each signal leaves
 * an order for the difference to its target.
 */
function reference(series: Series[], startUsd: number, fixed: Record<string, number> = {}) {
  // Currency pairs go last: a fill at this time's open is valued at the rate known before it.
  const sorted = [...series].sort((a, b) => (!!a.rateOf !== !!b.rateOf ? (a.rateOf ? 1 : -1) : a.key < b.key ? -1 : 1));
  const times = [...new Set(series.flatMap((s) => s.bars.map((b) => b.time)))].sort((a, b) => a - b);
  const cash: Record<string, number> = { USD: startUsd };
  const rate: Record<string, number> = { USD: 1, ...fixed };
  const state = new Map(sorted.map((s) => [s.key, { at: 0, position: 0, pending: 0, last: NaN, flow: 0 }]));
  const out = {
    time: [] as number[],
    equity: [] as number[],
    fills: 0,
    commissionsUsd: 0,
    local: new Map<string, number>(),
  };
  for (const t of times) {
    for (const s of sorted) {
      const st = state.get(s.key)!;
      const bar = s.bars[st.at];
      if (!bar || bar.time !== t) continue;
      if (st.pending !== 0) {
        const r = rate[s.currency]!;
        const value = st.pending * bar.open;
        const commission = ibFixedUsd(Math.abs(st.pending), Math.abs(value) * r) / r;
        cash[s.currency] = (cash[s.currency] ?? 0) - value - commission;
        st.flow -= value + commission;
        out.commissionsUsd += commission * r;
        st.position += st.pending;
        st.pending = 0;
        out.fills++;
      }
      st.last = bar.close;
      if (s.rateOf) rate[s.rateOf] = bar.close;
    }
    let equity = 0;
    for (const [c, amount] of Object.entries(cash)) equity += amount * rate[c]!;
    for (const s of sorted) {
      const st = state.get(s.key)!;
      if (st.position !== 0) equity += st.position * st.last * rate[s.currency]!;
    }
    out.time.push(t);
    out.equity.push(equity);
    for (const s of sorted) {
      const st = state.get(s.key)!;
      const bar = s.bars[st.at];
      if (!bar || bar.time !== t) continue;
      const target = s.targets[st.at]?.targetQuantity;
      if (target !== undefined) st.pending = target - st.position;
      st.at++;
    }
  }
  // Each instrument's P&L in its own currency (flows plus the open position at its last close).
  for (const s of sorted) {
    const st = state.get(s.key)!;
    out.local.set(s.key, st.flow + st.position * st.last);
  }
  return { ...out, rate };
}

const cents = (x: number) => Math.round(x * 100);

describe('an instrument in EUR in a USD backtest, rated by EUR.USD bars', () => {
  const series: Series[] = [
    { key: 'AAPL', currency: 'USD', bars: aapl, targets: aaplTargets },
    { key: SAP, currency: 'EUR', bars: sap, targets: sapTargets },
    { key: EURUSD, currency: 'USD', bars: eurusd, targets: none(eurusd), rateOf: 'EUR' },
  ];
  const batch = runPortfolioBacktest({
    instruments: [
      { key: 'AAPL', bars: aapl, orders: aaplTargets },
      { key: SAP, bars: barsToColumns(sap), orders: sapTargets },
      { key: EURUSD, bars: eurusd, orders: none(eurusd) },
    ],
    options,
    orderRef: 'sma',
  });

  it('cash per currency, equity in USD at the rate of each point: equal to the plain reference to the cent', () => {
    const ref = reference(series, options.startingCash);
    assert.ok(ref.fills > 20, `${ref.fills} fills`);
    assert.equal(batch.executions.length, ref.fills);
    assert.deepEqual(Array.from(batch.curve.time), ref.time);
    assert.deepEqual(Array.from(batch.curve.equity, cents), ref.equity.map(cents));
    assert.equal(cents(batch.metrics.commissions), cents(ref.commissionsUsd));
    assert.equal(batch.metrics.rejectedOrders, 0);
    const sapFills = batch.executions.filter((e) => e.symbol === SAP);
    assert.ok(sapFills.length > 5);
    const fxBefore = (time: number) => eurusd.filter((b) => b.time < time).at(-1)!.close;
    for (const e of sapFills) {
      assert.equal(e.currency, 'EUR');
      // The rate of a fill at a bar's open is EUR.USD's last close before it, not the close of that bar.
      assert.equal(e.fxRate, fxBefore(e.time));
      assert.ok(e.fxRate! > 0.9 && e.fxRate! < 1.4, `rate ${e.fxRate}`);
      // USD 1.00 minimum, charged in EUR at the fill's rate.
      assert.ok(Math.abs(e.commission * e.fxRate! - 1) < 1e-9, `commission ${e.commission} EUR at ${e.fxRate}`);
    }
    assert.ok(
      batch.executions
        .filter((e) => e.symbol === 'AAPL')
        .every((e) => e.currency === undefined && e.fxRate === undefined),
    );
  });

  it("per instrument in USD: SAP's EUR P&L at the last rate; the parts add up to the account's P&L", () => {
    const ref = reference(series, options.startingCash);
    const row = batch.instruments.find((r) => r.instrument === SAP)!;
    assert.equal(row.currency, 'EUR');
    assert.equal(row.fxRate, eurusd.at(-1)!.close);
    assert.equal(cents(row.pnl), cents(ref.local.get(SAP)! * ref.rate.EUR!));
    const total = batch.instruments.reduce((sum, r) => sum + r.pnl, 0);
    assert.equal(cents(total), cents(batch.metrics.finalEquity - options.startingCash));
    const strategy = batch.strategies.find((s) => s.strategy === 'sma')!;
    assert.equal(cents(strategy.pnl), cents(total));
    // The round trips' P&L are in USD: the closed ones' sum, with SAP's at each exit's rate.
    const sapTrades = batch.trades.filter((t) => t.symbol === SAP);
    assert.ok(sapTrades.length > 2 && sapTrades.every((t) => t.currency === 'EUR'));
  });

  it('three sources replaying on one session give the batch to the cent', async () => {
    const connection = createBacktestConnection(options);
    const session = connection.replay();
    let now = 0;
    session.on('bar', (_key, bar) => {
      now = bar.time;
    });
    const broker = guardBroker(connection.broker, { limits: {}, journalPath: null, clock: () => now });
    const strategy = new StrategyOrders(broker, { source: 'place-order', orderRef: 'sma' });
    const source = async (
      id: string,
      key: string,
      bars: readonly Bar[],
      targets: ReadonlyArray<OrderIntent | null>,
      delay: number,
    ) => {
      session.hold(id);
      await new Promise((resolve) => setTimeout(resolve, delay));
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
    const ended = new Promise<void>((resolve) => session.on('end', () => resolve()));
    await Promise.all([
      source('sap', SAP, sap, sapTargets, 10),
      source('fx', EURUSD, eurusd, none(eurusd), 0),
      source('aapl', 'AAPL', aapl, aaplTargets, 5),
    ]);
    await ended;
    const replayed = session.summary();
    assert.deepEqual(Array.from(replayed.curve.equity), Array.from(batch.curve.equity));
    assert.deepEqual(replayed.trades, batch.trades);
    assert.deepEqual(replayed.metrics, batch.metrics);
    assert.deepEqual(replayed.instruments, batch.instruments);
    assert.deepEqual(replayed.strategies, batch.strategies);
    broker.dispose();
  });
});

describe('other rate sources, and none', () => {
  it('a future in JPY at the fixed rate of the connection: 1 contract 800 points up is JPY 400,000, USD 2,680', () => {
    const NIY = 'NIY:FUT:CME:JPY:20261211';
    const start = Date.UTC(2026, 0, 5);
    const day = 86_400_000;
    const closes = [38_000, 38_200, 38_600, 39_000];
    const bars = closes.map((close, i) => ({
      time: start + i * day,
      open: close,
      high: close + 100,
      low: close - 100,
      close,
      volume: 1000,
    }));
    const result = runPortfolioBacktest({
      instruments: [{ key: NIY, bars, orders: [{ targetQuantity: 1 }, null, null, null] }],
      options: {
        ...options,
        commission: 'none',
        contracts: { NIY: { multiplier: 500, minTick: 5 } },
        fxRates: { JPY: 0.0067 },
      },
    });
    // Bought at the second bar's open (38,200), marked at the last close (39,000): 800 points x 500 JPY.
    assert.equal(cents(result.metrics.finalEquity), cents(100_000 + 800 * 500 * 0.0067));
    assert.equal(result.executions[0]!.currency, 'JPY');
    assert.equal(result.executions[0]!.fxRate, 0.0067);
    assert.equal(cents(result.instruments[0]!.pnl), cents(800 * 500 * 0.0067));
  });

  it('a USD stock in a EUR account: the rate is the inverse of EUR.USD', () => {
    const result = runPortfolioBacktest({
      instruments: [
        { key: 'AAPL', bars: aapl, orders: aaplTargets },
        { key: EURUSD, bars: eurusd, orders: none(eurusd) },
      ],
      options: { ...options, commission: 'none', baseCurrency: 'EUR' },
    });
    // Equity in EUR at the last point: EUR 100,000 start, plus the USD cash and AAPL at 1 / EUR.USD.
    const usd = result.executions.reduce((sum, e) => sum + (e.side === 'BUY' ? -1 : 1) * e.shares * e.price, 0);
    const held = result.executions.reduce((sum, e) => sum + (e.side === 'BUY' ? 1 : -1) * e.shares, 0);
    const lastRate = 1 / eurusd.at(-1)!.close;
    assert.equal(cents(result.metrics.finalEquity), cents(100_000 + (usd + held * aapl.at(-1)!.close) * lastRate));
    assert.ok(result.executions.length > 5 && result.executions.every((e) => e.currency === 'USD'));
    // A USD pair in a EUR account is in USD too (its quote currency), and its rate is its own inverse.
    assert.equal(result.instruments.find((r) => r.instrument === 'AAPL')!.fxRate, lastRate);
  });

  it('no rate: the order is refused naming the FX bars and the fixed rate to add', () => {
    assert.throws(
      () =>
        runPortfolioBacktest({
          instruments: [{ key: SAP, bars: sap, orders: sapTargets }],
          options,
        }),
      (err: Error) => {
        assert.match(
          err.message,
          /SAP:STK:IBIS:EUR is quoted in EUR and the account's base currency is USD, but there is no EUR rate/,
        );
        assert.match(err.message, /EUR:CASH:IDEALPRO:USD/);
        assert.match(err.message, /FX rates, e\.g\. \{"EUR": 1\.1\}/);
        return true;
      },
    );
  });

  it('a what-if of such an order says the same instead of previewing NaN margins', () => {
    const engine = new FillEngine({
      account: 'DBACKTEST',
      startingCash: 100_000,
      accountType: 'cash',
      baseCurrency: 'USD',
    });
    engine.onBar(SAP, sap[0]!);
    const preview = engine.whatIf({ orderId: 1, symbol: SAP, action: 'BUY', totalQuantity: 10, orderType: 'MKT' });
    assert.equal(typeof preview, 'string');
    assert.match(preview as string, /there is no EUR rate/);
    const rated = new FillEngine({
      account: 'DBACKTEST',
      startingCash: 100_000,
      accountType: 'cash',
      baseCurrency: 'USD',
      fxRates: { EUR: 1.1 },
    });
    rated.onBar(SAP, sap[0]!);
    const fits = rated.whatIf({ orderId: 1, symbol: SAP, action: 'BUY', totalQuantity: 10, orderType: 'MKT' });
    assert.equal(typeof fits, 'object');
    assert.equal(
      cents((fits as { after: { initialMargin: number } }).after.initialMargin),
      cents(10 * sap[0]!.close * 1.1),
    );
  });

  it('the connection reads the base currency and the rates, and refuses what is not one', () => {
    const config = readConnectionConfig({
      mode: 'backtest',
      btBaseCurrency: 'eur',
      btFxRates: '{"USD": 0.92, "JPY": 0.0061}',
    });
    assert.equal(config.backtest.baseCurrency, 'EUR');
    assert.deepEqual(config.backtest.fxRates, { USD: 0.92, JPY: 0.0061 });
    assert.deepEqual(config.problems, []);
    const bad = readConnectionConfig({ mode: 'backtest', btBaseCurrency: 'euro', btFxRates: '{"EUR": -1}' });
    assert.equal(bad.backtest.baseCurrency, 'USD');
    assert.deepEqual(bad.backtest.fxRates, {});
    assert.equal(bad.problems.length, 2);
    assert.match(english(bad.problems[0]!), /btBaseCurrency "euro" is not a 3-letter currency code/);
    assert.match(english(bad.problems[1]!), /FX rates: EUR must be a positive number/);
    assert.throws(
      () => withBacktestOverride(options, { fxRates: { EUR: 'x' } }),
      /msg\.backtest\.fxRates: FX rates: EUR must be a positive number/,
    );
    assert.equal(withBacktestOverride(options, { baseCurrency: 'chf' }).baseCurrency, 'CHF');
  });
});
