/**
 * Metrics against hand-computed cases (mathjs as an independent check of the statistics), round trips,
 * periods per year, chart series and the running account.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EquityRecorder } from '../../lib/backtest/equity-curve';
import { computeMetrics, drawdownStats } from '../../lib/backtest/metrics';
import { barSizeMs, periodsPerYear } from '../../lib/backtest/periods';
import { roundTrips } from '../../lib/backtest/trades';
import { chartSeries } from '../../lib/backtest/charts';
import { RunningAccount } from '../../lib/backtest/running-account';
import type { Execution } from '../../lib/messages';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const math = require('mathjs') as { std(values: number[], normalization: 'unbiased' | 'uncorrected'): number; mean(values: number[]): number };

const DAY = 86_400_000;

function curveOf(equity: number[], exposed: boolean[] = equity.map(() => false), start = 0): EquityRecorder {
  const recorder = new EquityRecorder(4);
  equity.forEach((e, i) => {
    recorder.record(start + i * DAY, 10 + i);
    recorder.settleLast(e, exposed[i]!);
  });
  return recorder;
}

function exec(side: 'BUY' | 'SELL', shares: number, price: number, time: number, commission = 0, symbol = 'AAPL'): Execution {
  return { execId: `e${time}`, orderId: 1, permId: 1, symbol, side, shares, price, cumQty: shares, avgPrice: price, commission, realizedPnl: null, orderRef: '', account: 'DU1', time };
}

const close = (actual: number | null, expected: number, tolerance = 1e-9) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

describe('backtest metrics', () => {
  it('returns, Sharpe, Sortino, volatility and CAGR by hand', () => {
    // Starting cash 100; equity 110, 99, 121 -> returns 0.1, -0.1, 121/99 - 1.
    const curve = curveOf([110, 99, 121]);
    const returns = [0.1, -0.1, 121 / 99 - 1];
    const m = computeMetrics({ startingCash: 100, curve, trades: [], periodsPerYear: 252 });
    const mean = (0.1 - 0.1 + 22 / 99) / 3;
    close(math.mean(returns), mean, 1e-15);
    const sd = Math.sqrt(((0.1 - mean) ** 2 + (-0.1 - mean) ** 2 + (22 / 99 - mean) ** 2) / 2);
    close(math.std(returns, 'unbiased'), sd, 1e-15);
    close(m.sharpe, (Math.sqrt(252) * mean) / sd);
    close(m.annualVolatility, sd * Math.sqrt(252));
    close(m.sortino, (Math.sqrt(252) * mean) / Math.sqrt(0.01 / 2));
    close(m.cumulativeReturn, 0.21);
    close(m.cagr, 1.21 ** (252 / 3) - 1, 1e-6 * 1.21 ** 84);
    assert.equal(m.finalEquity, 121);
    assert.equal(m.bars, 3);
  });

  it('a risk-free rate is taken per period from the excess mean', () => {
    const curve = curveOf([101, 102, 101.5, 103]);
    const base = computeMetrics({ startingCash: 100, curve, trades: [], periodsPerYear: 252 });
    const withRf = computeMetrics({ startingCash: 100, curve, trades: [], periodsPerYear: 252, riskFreeRate: 0.0252 });
    const sd = base.annualVolatility! / Math.sqrt(252);
    close(withRf.sharpe, base.sharpe! - (Math.sqrt(252) * 0.0001) / sd);
  });

  it('drawdown: percent and money each at their deepest, duration in bars and time', () => {
    // Peak 120 at bar 1; 90 (25%, 30) at bar 3; back at 120 only on bar 6. Later peak 200 -> 160 (20%, 40).
    const curve = curveOf([100, 120, 110, 90, 100, 119, 120, 200, 160]);
    const dd = drawdownStats(curve, 100);
    close(dd.maxDrawdownPct, 25);
    close(dd.maxDrawdown, 40);
    assert.equal(dd.maxDrawdownBars, 4, 'bars 2..5 below the peak of bar 1');
    assert.equal(dd.maxDrawdownDurationMs, 4 * DAY, 'bar 1 to bar 5: the longest stretch under water');
    const m = computeMetrics({ startingCash: 100, curve, trades: [], periodsPerYear: 252 });
    close(m.calmar, m.cagr! / 0.25);
  });

  it('drawdown from the starting cash and one still open at the end', () => {
    const curve = curveOf([95, 97, 90, 92]);
    const dd = drawdownStats(curve, 100);
    close(dd.maxDrawdownPct, 10);
    assert.equal(dd.maxDrawdownBars, 4, 'under the starting cash from the first bar to the last');
  });

  it('no variance, no trades: undefined metrics are null', () => {
    const m = computeMetrics({ startingCash: 100, curve: curveOf([100, 100, 100]), trades: [], periodsPerYear: 252 });
    assert.equal(m.sharpe, null);
    assert.equal(m.sortino, null);
    assert.equal(m.winRate, null);
    assert.equal(m.profitFactor, null);
    assert.equal(m.expectancy, null);
    assert.equal(m.maxDrawdownPct, 0);
    assert.equal(JSON.parse(JSON.stringify(m)).sharpe, null);
  });

  it('trade statistics and exposure', () => {
    const trades = roundTrips([
      exec('BUY', 100, 10, 1, 1),
      exec('SELL', 100, 12, 2, 1), // +200 - 2 = 198
      exec('BUY', 50, 20, 3, 1),
      exec('SELL', 50, 18, 4, 1), // -100 - 2 = -102
      exec('SELL', 10, 30, 5, 0), // short, open
    ]);
    const curve = curveOf([100, 101, 102, 103], [false, true, true, false]);
    const m = computeMetrics({ startingCash: 100, curve, trades, periodsPerYear: 252 });
    assert.equal(m.trades, 2);
    assert.equal(m.winningTrades, 1);
    assert.equal(m.losingTrades, 1);
    close(m.winRate, 0.5);
    close(m.avgWin, 198);
    close(m.avgLoss, -102);
    close(m.expectancy, 48);
    close(m.profitFactorMoney, 198 / 102);
    // Returns in percent of entry value: 198/1000 and -102/1000.
    close(m.profitFactor, 19.8 / 10.2);
    close(m.commissions, 4);
    assert.equal(m.openTrades, 1);
    close(m.exposurePct, 50);
  });
});

describe('round trips', () => {
  it('adds average into the entry; partial exits into the exit; commission follows the shares', () => {
    const [t] = roundTrips([exec('BUY', 100, 10, 1, 2), exec('BUY', 100, 12, 2, 2), exec('SELL', 50, 13, 3, 1), exec('SELL', 150, 14, 4, 3)]);
    assert.ok(t);
    assert.equal(t.direction, 'long');
    assert.equal(t.quantity, 200);
    close(t.entryPrice, 11);
    close(t.exitPrice, (50 * 13 + 150 * 14) / 200);
    close(t.commission, 8);
    close(t.pnl, 50 * 2 + 150 * 3 - 8);
    assert.equal(t.exitTime, 4);
    assert.equal(t.open, false);
  });

  it('a fill through zero closes one trade and opens the reverse with the rest', () => {
    const trades = roundTrips([exec('BUY', 100, 10, 1, 0), exec('SELL', 300, 11, 2, 3), exec('BUY', 200, 9, 3, 2)]);
    assert.equal(trades.length, 2);
    const [long, short] = trades as [(typeof trades)[0], (typeof trades)[0]];
    close(long.pnl, 100 - 1, 1e-9); // commission 3 split 1 (closing 100) / 2 (opening 200)
    assert.equal(short.direction, 'short');
    assert.equal(short.quantity, 200);
    close(short.entryPrice, 11);
    close(short.pnl, 200 * 2 - 2 - 2);
    assert.equal(short.open, false);
  });

  it('keeps instruments apart and reports open trades last', () => {
    const trades = roundTrips([exec('BUY', 10, 5, 1, 0, 'A'), exec('BUY', 10, 7, 2, 0, 'B'), exec('SELL', 10, 6, 3, 0, 'A')]);
    assert.deepEqual(trades.map((t) => [t.symbol, t.open]), [['A', false], ['B', true]]);
    close(trades[0]!.pnl, 10);
  });
});

describe('periods per year', () => {
  it('from IB bar sizes', () => {
    assert.equal(barSizeMs('5 mins'), 300_000);
    assert.equal(periodsPerYear({ barSize: '1 day' }), 252);
    assert.equal(periodsPerYear({ barSize: '1 week' }), 52);
    assert.equal(periodsPerYear({ barSize: '1 month' }), 12);
    assert.equal(periodsPerYear({ barSize: '5 mins' }), 252 * 78);
    assert.equal(periodsPerYear({ barSize: '1 hour' }), 252 * 7);
    assert.equal(periodsPerYear({ barSize: '1 min' }), 252 * 390);
  });

  it('from the spacing of bar times (weekends do not change daily bars)', () => {
    const weekdays: number[] = [];
    for (let d = 0; weekdays.length < 60; d++) if (d % 7 < 5) weekdays.push(d * DAY);
    assert.equal(periodsPerYear({ times: weekdays }), 252);
    assert.equal(periodsPerYear({ times: [0, 60_000, 120_000, 180_000] }), 252 * 390);
    assert.equal(periodsPerYear({ times: [] }), 252);
  });
});

describe('chart series', () => {
  it('equity, buy and hold, drawdown and markers as {x, y}; long curves cut with the deepest drawdown kept', () => {
    const equity = Array.from({ length: 1000 }, (_, i) => 100 + i - (i === 501 ? 300 : 0));
    const curve = curveOf(equity);
    const trades = roundTrips([exec('BUY', 1, 10, 5 * DAY), exec('SELL', 1, 12, 9 * DAY)]);
    const s = chartSeries(curve, trades, 100, 100);
    assert.equal(s.equity.length, 100);
    assert.deepEqual(s.equity[s.equity.length - 1], { x: 999 * DAY, y: 1099 });
    const deepest = Math.min(...s.drawdownPct.map((p) => p.y));
    close(deepest, ((301 - 600) / 600) * 100, 1e-6);
    assert.deepEqual(s.buyAndHold[0], { x: 9 * DAY, y: 100 * (19 / 10) });
    assert.deepEqual(s.entries, [{ x: 5 * DAY, y: 10 }]);
    assert.deepEqual(s.exits, [{ x: 9 * DAY, y: 12 }]);
  });
});

describe('running account', () => {
  it('drawdown and Sharpe to date from equity samples', () => {
    const account = new RunningAccount(60_000);
    assert.equal(account.periodsPerYear, 252 * 390);
    account.sample(0, 1000);
    account.sample(1, 1100);
    const s = account.sample(2, 990);
    close(s.drawdownPct, 10);
    close(s.cumulativeReturn, -0.01);
    const returns = [0.1, 990 / 1100 - 1];
    close(s.sharpe, (Math.sqrt(252 * 390) * math.mean(returns)) / math.std(returns, 'unbiased'), 1e-9);
    assert.equal(s.samples, 3);
  });
});
