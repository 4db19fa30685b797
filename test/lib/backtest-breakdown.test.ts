/**
 * The backtest result per instrument: two instruments on one backtest connection, each traded on its
 * own schedule, and a plain reference of what each contributed (P&L realized and open, closed trades,
 * the points it was held, commissions, refused orders). The instruments add up to the account.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { reportMessages } from '../../lib/backtest/report';
import type { Bar } from '../../lib/messages';
import { contractFromKey } from '../../lib/messages/instrument';

const DAY = 86_400_000;
const cents = (x: number) => Math.round(x * 100);

interface Plan {
  key: string;
  /** The strategy trading it (its orders' orderRef). */
  strategy: string;
  /** Close (= next open) of each day. */
  price: (day: number) => number;
  /** Target position decided at the close of a day. */
  target: (day: number) => number | null;
}

const plans: Plan[] = [
  { key: 'AAPL', strategy: 'alpha', price: (d) => 100 + d, target: (d) => (d === 2 ? 100 : d === 6 ? 0 : d === 10 ? 50 : null) },
  { key: 'MSFT', strategy: 'beta', price: (d) => 300 - 2 * d, target: (d) => (d === 4 ? 80 : d === 8 ? 0 : d === 12 ? 1000 : null) },
];
const DAYS = 15;

describe('backtest results per instrument', () => {
  const connection = createBacktestConnection({ startingCash: 100_000, commission: 'ib-fixed' });
  const session = connection.replay();
  const broker = connection.broker;
  let id = 1;
  for (const p of plans) session.begin(p.key, p.key, DAYS);
  for (let day = 0; day < DAYS; day++) {
    for (const p of plans) {
      const price = p.price(day);
      const bar: Bar = { time: day * DAY, open: price, high: price, low: price, close: price, volume: 1 };
      session.onBar(p.key, bar);
      const target = p.target(day);
      if (target === null) continue;
      const held = broker.position(p.key);
      if (target === held) continue;
      broker.placeOrder(id++, contractFromKey(p.key), { action: (target > held ? 'BUY' : 'SELL') as never, totalQuantity: Math.abs(target - held), orderType: 'MKT' as never, orderRef: p.strategy });
    }
  }
  for (const p of plans) session.end(p.key);
  const summary = session.summary();

  /**
   * The reference, per instrument: an order placed at day d's close fills at the instrument's open on
   * day d+1 (the same price as that close here); IB fixed charges max(1, 0.005 x shares) (its 1% cap is
   * not reached). AAPL: 100 bought at 103, sold at 107; 50 bought at 111, marked at 114 (the open P&L
   * carries the commission that opened it). MSFT: 80 bought at 290, sold at 282; the last target (1000
   * shares at 276 = 276,000) exceeds the cash and is refused when placed.
   */
  const fee = (shares: number) => Math.max(1, 0.005 * shares);
  const aaplPnl = 100 * (107 - 103) - fee(100) - fee(100) + 50 * (114 - 111) - fee(50);
  const msftPnl = 80 * (282 - 290) - fee(80) - fee(80);

  it('P&L, trades, commissions and refusals per instrument, as the reference says', () => {
    const aapl = summary.instruments.find((r) => r.instrument === 'AAPL')!;
    const msft = summary.instruments.find((r) => r.instrument === 'MSFT')!;
    assert.equal(cents(aapl.pnl), cents(aaplPnl));
    assert.equal(aapl.trades, 1);
    assert.equal(aapl.winningTrades, 1);
    assert.equal(aapl.position, 50);
    assert.equal(cents(aapl.commissions), cents(fee(100) * 2 + fee(50)));
    assert.equal(aapl.rejectedOrders, 0);
    assert.equal(cents(msft.pnl), cents(msftPnl));
    assert.equal(msft.trades, 1);
    assert.equal(msft.winningTrades, 0);
    assert.equal(msft.position, 0);
    assert.equal(msft.rejectedOrders, 1);
    assert.equal(summary.metrics.rejectedOrders, 1);
    assert.equal(aapl.currency, 'USD');
  });

  it('exposure per instrument: the points it was held at, over all points', () => {
    const points = summary.curve.length;
    assert.equal(points, DAYS, 'one point per timestamp');
    const aapl = summary.instruments.find((r) => r.instrument === 'AAPL')!;
    const msft = summary.instruments.find((r) => r.instrument === 'MSFT')!;
    // A day counts an instrument held at its close, or held into its bar that day (an exit at the open).
    // AAPL: days 3 to 6, day 7 (its exit), days 11 to 14: 9. MSFT: days 5 to 8, day 9 (its exit): 5.
    const aaplPoints = 9;
    const msftPoints = 5;
    assert.equal(aapl.exposurePct, (aaplPoints / points) * 100);
    assert.equal(msft.exposurePct, (msftPoints / points) * 100);
  });

  it('the instruments add up to the account: P&L to final equity less starting cash, returns to the return', () => {
    const total = summary.instruments.reduce((s, r) => s + r.pnl, 0);
    assert.equal(cents(total), cents(summary.metrics.finalEquity - 100_000));
    const returns = summary.instruments.reduce((s, r) => s + r.return, 0);
    assert.ok(Math.abs(returns - summary.metrics.cumulativeReturn) < 1e-12);
    assert.equal(
      summary.instruments.reduce((s, r) => s + r.commissions, 0),
      summary.metrics.commissions,
    );
  });

  it("backtest-report's result carries the breakdown beside the totals", () => {
    const { result } = reportMessages(summary, 'AAPL,MSFT', 100);
    assert.deepEqual(
      result.instruments.map((r) => r.instrument),
      ['AAPL', 'MSFT'],
    );
    assert.equal(result.finalEquity, summary.metrics.finalEquity);
  });

  it('per strategy: each strategy its own instrument here, so the same figures as per instrument', () => {
    for (const [strategy, key] of [
      ['alpha', 'AAPL'],
      ['beta', 'MSFT'],
    ] as const) {
      const byStrategy = summary.strategies.find((r) => r.strategy === strategy)!;
      const byInstrument = summary.instruments.find((r) => r.instrument === key)!;
      assert.deepEqual(byStrategy.instruments, [key]);
      assert.equal(cents(byStrategy.pnl), cents(byInstrument.pnl));
      assert.equal(byStrategy.trades, byInstrument.trades);
      assert.equal(byStrategy.winningTrades, byInstrument.winningTrades);
      assert.equal(byStrategy.exposurePct, byInstrument.exposurePct);
      assert.equal(cents(byStrategy.commissions), cents(byInstrument.commissions));
      assert.equal(byStrategy.rejectedOrders, byInstrument.rejectedOrders);
    }
  });
});

describe('backtest results per strategy: two strategies on one symbol', () => {
  it('each keeps its own P&L, trades and exposure; they add up to the account', () => {
    const connection = createBacktestConnection({ startingCash: 100_000, commission: 'none' });
    const session = connection.replay();
    const broker = connection.broker;
    const price = (d: number) => 100 + d;
    // Decided at day d's close, filled at day d+1's open (= that day's price).
    const orders: Record<number, Array<[string, 'BUY' | 'SELL', number]>> = { 1: [['alpha', 'BUY', 100]], 3: [['beta', 'BUY', 50]], 5: [['alpha', 'SELL', 100]], 8: [['beta', 'SELL', 50]] };
    session.begin('x', 'AAPL', 10);
    let id = 1;
    for (let day = 0; day < 10; day++) {
      session.onBar('AAPL', { time: day * DAY, open: price(day), high: price(day), low: price(day), close: price(day), volume: 1 });
      for (const [ref, action, qty] of orders[day] ?? []) broker.placeOrder(id++, contractFromKey('AAPL'), { action: action as never, totalQuantity: qty, orderType: 'MKT' as never, orderRef: ref });
    }
    session.end('x');
    const summary = session.summary();
    const alpha = summary.strategies.find((r) => r.strategy === 'alpha')!;
    const beta = summary.strategies.find((r) => r.strategy === 'beta')!;
    // alpha: 100 bought at 102, sold at 106; held days 2 to 6 (6: its exit bar). beta: 50 at 104, sold at 109; days 4 to 9.
    assert.equal(alpha.pnl, 100 * (106 - 102));
    assert.equal(beta.pnl, 50 * (109 - 104));
    assert.equal(alpha.trades, 1);
    assert.equal(beta.trades, 1);
    assert.equal(alpha.exposurePct, (5 / 10) * 100);
    assert.equal(beta.exposurePct, (6 / 10) * 100);
    assert.equal(cents(alpha.pnl + beta.pnl), cents(summary.metrics.finalEquity - 100_000));
    // One instrument for the account: its single round trip spans both strategies' positions.
    assert.equal(summary.instruments.length, 1);
    assert.equal(cents(summary.instruments[0]!.pnl), cents(alpha.pnl + beta.pnl));
  });
});
