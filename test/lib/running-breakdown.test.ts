/**
 * The live report's parts, as the backtest's breakdown has them: each instrument's and strategy's
 * return (P&L over the account's equity at the first sample), closed round trips and winners (from the
 * broker's ledger of executions: a flip closes one trip and opens the next), and exposure (percent of
 * the samples at which it held a position).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RunningBreakdown } from '../../lib/backtest/running-breakdown';
import { StrategyLedger } from '../../lib/fills/strategy-positions';
import type { Execution, Position } from '../../lib/messages';

let n = 0;
const fill = (orderRef: string, side: 'BUY' | 'SELL', shares: number, price: number): Execution => ({
  execId: `e${++n}`,
  orderId: n,
  permId: n,
  symbol: 'AAPL',
  side,
  shares,
  price,
  cumQty: shares,
  avgPrice: price,
  commission: 1,
  realizedPnl: null,
  orderRef,
  account: 'DU1',
  time: n * 1000,
});
const position = (quantity: number, pnl: number): Position => ({
  account: 'DU1',
  symbol: 'AAPL',
  quantity,
  avgCost: 10,
  marketPrice: 12,
  marketValue: quantity * 12,
  unrealizedPnl: 0,
  realizedPnl: pnl,
});

describe('live breakdown: return, trades, exposure per part', () => {
  it('counts round trips per strategy and for the account, and the samples each part held', () => {
    const ledger = new StrategyLedger();
    const parts = new RunningBreakdown();
    ledger.add(fill('trend', 'BUY', 100, 10));
    const first = parts.sample(100_000, [position(100, 0)], ledger.book(), ledger.trips());
    assert.equal(first.instruments[0]!.exposurePct, 100);
    assert.equal(first.strategies[0]!.exposurePct, 100);
    assert.equal(first.strategies[0]!.trades, 0);

    // trend closes at 12 (a trip of +198 after commissions); meanrev sells 50 at 11 and buys back at 13 (-102).
    ledger.add(fill('trend', 'SELL', 100, 12));
    ledger.add(fill('meanrev', 'SELL', 50, 11));
    ledger.add(fill('meanrev', 'BUY', 50, 13));
    const second = parts.sample(100_096, [position(0, 96)], ledger.book(), ledger.trips());
    const aapl = second.instruments[0]!;
    assert.deepEqual([aapl.trades, aapl.winningTrades, aapl.exposurePct], [2, 1, 50]);
    assert.equal(aapl.return, 96 / 100_000);
    const [meanrev, trend] = second.strategies;
    assert.deepEqual(
      [meanrev!.strategy, meanrev!.trades, meanrev!.winningTrades, meanrev!.exposurePct],
      ['meanrev', 1, 0, 0],
    );
    assert.deepEqual([trend!.strategy, trend!.trades, trend!.winningTrades, trend!.exposurePct], ['trend', 1, 1, 50]);
    assert.equal(meanrev!.return, meanrev!.pnl / 100_000);

    // trend buys 30 at 12, then sells 60 at 14: the flip closes a winning trip (+60 less 1.5 of
    // commissions) and opens a short one.
    ledger.add(fill('trend', 'BUY', 30, 12));
    ledger.add(fill('trend', 'SELL', 60, 14));
    const trips = ledger.trips();
    assert.deepEqual(trips.strategies.trend!.AAPL, { trades: 2, winningTrades: 2 });
    assert.deepEqual(trips.instruments.AAPL, { trades: 3, winningTrades: 2 });
    const third = parts.sample(100_150, [position(-30, 150)], ledger.book(), trips);
    assert.equal(third.strategies.find((s) => s.strategy === 'trend')!.exposurePct, (2 / 3) * 100);
  });

  it('a losing flip: the closing part pays its share of the commission', () => {
    const ledger = new StrategyLedger();
    ledger.add(fill('x', 'BUY', 10, 10));
    // Closes 10 at 10.05 (+0.50 gross) paying 1 to open and 0.5 of the flip's commission: -1.00, a loss.
    ledger.add(fill('x', 'SELL', 20, 10.05));
    assert.deepEqual(ledger.trips().strategies.x!.AAPL, { trades: 1, winningTrades: 0 });
    ledger.add(fill('x', 'BUY', 10, 9));
    // The short trip: 0.5 of the flip's commission, +10.50 gross, 1 to close: +9.00, a win.
    assert.deepEqual(ledger.trips().strategies.x!.AAPL, { trades: 2, winningTrades: 1 });
  });
});
