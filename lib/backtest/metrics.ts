/**
 * Performance metrics of a run, by these conventions (backtrader's and backtesting.py's where they agree):
 * - equity marked at every bar close; per-bar simple returns r_i = e_i / e_(i-1) - 1, the first bar
 *   against the starting cash;
 * - Sharpe = sqrt(P) * mean(r - rf/P) / sample stdev(r); Sortino = sqrt(P) * mean(r - rf/P) / downside
 *   deviation, sqrt(sum(min(0, r - rf/P)^2) / (n - 1)); P periods per year (lib/backtest/periods.ts);
 *   annualized volatility = sample stdev(r) * sqrt(P); rf 0 unless set;
 * - CAGR over n / P years; Calmar = CAGR / max drawdown (fraction);
 * - max drawdown on close-marked equity against its running peak (the starting cash included), in
 *   percent and money (each its own maximum), and the longest drawdown duration: bars from the peak to the
 *   first point back at or above it (or to the last point), and the same span in time;
 * - exposure: percent of points during which a position was held at any time (held at the close, or
 *   carried into the bar from the previous close: the bar of a next-open exit counts);
 * - rejectedOrders: orders the account refused (IB's error 201: at placing, or at the fill);
 * - trades: round trips from the executions (lib/backtest/trades.ts); profit factor = sum of the winning
 *   trades' returns (percent of entry value) / |sum of the losing trades' returns|, as backtesting.py
 *   and the SMA-crossover fixture (test/fixtures/sma-cross-10k) computes it; profitFactorMoney = gross profit / |gross loss| in money.
 * Fractions for returns and rates, `...Pct` for percentages. Undefined values (no trades, no variance)
 * are null so the object stays JSON-safe. Plain loops: this runs on million-point curves.
 */
import type { EquityCurve } from './equity-curve';
import type { Trade } from './trades';

export interface BacktestMetrics {
  bars: number;
  startTime: number | null;
  endTime: number | null;
  periodsPerYear: number;
  startEquity: number;
  finalEquity: number;
  /** Fraction: 0.12 is +12%. */
  cumulativeReturn: number;
  cagr: number | null;
  annualVolatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  maxDrawdownPct: number;
  maxDrawdown: number;
  maxDrawdownBars: number;
  maxDrawdownDurationMs: number;
  trades: number;
  winningTrades: number;
  losingTrades: number;
  /** Fraction of closed trades with pnl > 0. */
  winRate: number | null;
  avgWin: number | null;
  /** Negative (a loss). */
  avgLoss: number | null;
  /** Sum of winning trades' returns / |sum of losing trades' returns| (returns in percent of entry value). */
  profitFactor: number | null;
  /** Gross profit / |gross loss|, in money. */
  profitFactorMoney: number | null;
  /** Mean pnl per closed trade, in money. */
  expectancy: number | null;
  grossProfit: number;
  grossLoss: number;
  exposurePct: number;
  commissions: number;
  buyAndHoldReturn: number | null;
  /** Absolute shares still held at the end, summed over instruments (0 = flat). */
  openPosition: number;
  openTrades: number;
  /** Orders the account refused: at placing, or at the fill when it no longer had the buying power. */
  rejectedOrders: number;
}

export interface MetricsInput {
  startingCash: number;
  curve: EquityCurve;
  trades: readonly Trade[];
  periodsPerYear: number;
  /** Annual risk-free rate as a fraction (0.02 = 2%); default 0. */
  riskFreeRate?: number;
  commissions?: number;
  buyAndHoldReturn?: number | null;
  openPosition?: number;
  rejectedOrders?: number;
}

export interface DrawdownStats {
  maxDrawdownPct: number;
  maxDrawdown: number;
  maxDrawdownBars: number;
  maxDrawdownDurationMs: number;
}

/** Drawdown of a curve against its running peak, the starting equity counting as the first peak. */
export function drawdownStats(curve: EquityCurve, startingEquity: number): DrawdownStats {
  const { equity, time, length } = curve;
  let peak = startingEquity;
  let peakIndex = -1;
  let maxPct = 0;
  let maxMoney = 0;
  let maxBars = 0;
  let maxMs = 0;
  for (let i = 0; i < length; i++) {
    const e = equity[i]!;
    if (e >= peak) {
      // Back at (or above) the peak: a drawdown since peakIndex, if any, lasted until here.
      const bars = i - peakIndex - 1;
      if (bars > maxBars) maxBars = bars;
      peak = e;
      peakIndex = i;
      continue;
    }
    const money = peak - e;
    if (money > maxMoney) maxMoney = money;
    const pct = (money / peak) * 100;
    if (pct > maxPct) maxPct = pct;
    // Time from the peak (the first point when the peak is the starting equity) to this point.
    const ms = time[i]! - time[peakIndex < 0 ? 0 : peakIndex]!;
    if (ms > maxMs) maxMs = ms;
  }
  // A drawdown still open at the end lasts to the last point.
  const openBars = length - 1 - peakIndex;
  if (openBars > maxBars) maxBars = openBars;
  return { maxDrawdownPct: maxPct, maxDrawdown: maxMoney, maxDrawdownBars: maxBars, maxDrawdownDurationMs: maxMs };
}

export interface ReturnStats {
  count: number;
  mean: number;
  /** Sample standard deviation (n - 1); NaN for fewer than 2 returns. */
  stdev: number;
  /** sqrt(sum(min(0, r - target)^2) / (n - 1)). */
  downsideDeviation: number;
}

/** Per-point simple returns of a curve (the first against the starting equity) in one pass. */
export function returnStats(curve: EquityCurve, startingEquity: number, targetPerPeriod = 0): ReturnStats {
  const { equity, length } = curve;
  // Welford: stable for a million tiny returns.
  let mean = 0;
  let m2 = 0;
  let downside = 0;
  let previous = startingEquity;
  for (let i = 0; i < length; i++) {
    const e = equity[i]!;
    const r = e / previous - 1;
    previous = e;
    const delta = r - mean;
    mean += delta / (i + 1);
    m2 += delta * (r - mean);
    const below = r - targetPerPeriod;
    if (below < 0) downside += below * below;
  }
  const n = length;
  return {
    count: n,
    mean,
    stdev: n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN,
    downsideDeviation: n > 1 ? Math.sqrt(downside / (n - 1)) : NaN,
  };
}

export function computeMetrics(input: MetricsInput): BacktestMetrics {
  const { curve, startingCash, trades } = input;
  const periods = input.periodsPerYear;
  const rfPerPeriod = (input.riskFreeRate ?? 0) / periods;
  const n = curve.length;
  const finalEquity = n > 0 ? curve.equity[n - 1]! : startingCash;
  const stats = returnStats(curve, startingCash, rfPerPeriod);
  const dd = drawdownStats(curve, startingCash);
  const annualizer = Math.sqrt(periods);
  const excess = stats.mean - rfPerPeriod;
  const years = n / periods;
  const growth = finalEquity / startingCash;
  const cagr = n > 0 && growth > 0 ? growth ** (1 / years) - 1 : null;

  let exposedBars = 0;
  for (let i = 0; i < n; i++) exposedBars += curve.exposed[i]!;

  let winning = 0;
  let losing = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let winReturns = 0;
  let lossReturns = 0;
  let closedPnl = 0;
  let closedCount = 0;
  let tradeCommissions = 0;
  let openTrades = 0;
  for (const trade of trades) {
    tradeCommissions += trade.commission;
    if (trade.open) {
      openTrades++;
      continue;
    }
    closedCount++;
    closedPnl += trade.pnl;
    if (trade.pnl > 0) {
      winning++;
      grossProfit += trade.pnl;
    } else if (trade.pnl < 0) {
      losing++;
      grossLoss += trade.pnl;
    }
    if (trade.returnPct > 0) winReturns += trade.returnPct;
    else lossReturns -= trade.returnPct;
  }

  return {
    bars: n,
    startTime: n > 0 ? curve.time[0]! : null,
    endTime: n > 0 ? curve.time[n - 1]! : null,
    periodsPerYear: periods,
    startEquity: startingCash,
    finalEquity,
    cumulativeReturn: growth - 1,
    cagr: finite(cagr),
    annualVolatility: finite(stats.stdev * annualizer),
    sharpe: stats.stdev > 0 ? finite((annualizer * excess) / stats.stdev) : null,
    sortino: stats.downsideDeviation > 0 ? finite((annualizer * excess) / stats.downsideDeviation) : null,
    calmar: cagr !== null && dd.maxDrawdownPct > 0 ? finite(cagr / (dd.maxDrawdownPct / 100)) : null,
    maxDrawdownPct: dd.maxDrawdownPct,
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownBars: dd.maxDrawdownBars,
    maxDrawdownDurationMs: dd.maxDrawdownDurationMs,
    trades: closedCount,
    winningTrades: winning,
    losingTrades: losing,
    winRate: closedCount > 0 ? winning / closedCount : null,
    avgWin: winning > 0 ? grossProfit / winning : null,
    avgLoss: losing > 0 ? grossLoss / losing : null,
    profitFactor: lossReturns > 0 ? winReturns / lossReturns : null,
    profitFactorMoney: grossLoss < 0 ? grossProfit / -grossLoss : null,
    expectancy: closedCount > 0 ? closedPnl / closedCount : null,
    grossProfit,
    grossLoss,
    exposurePct: n > 0 ? (exposedBars / n) * 100 : 0,
    commissions: input.commissions ?? tradeCommissions,
    buyAndHoldReturn: input.buyAndHoldReturn ?? null,
    openPosition: input.openPosition ?? 0,
    openTrades,
    rejectedOrders: input.rejectedOrders ?? 0,
  };
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
