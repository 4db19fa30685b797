/** Backtests: the backtest run (session), the batch backtest, metrics. The backtest connection is in lib/connection. */
export { BacktestRun, BACKTEST_ACCOUNT, engineOptions } from './session';
export { runBatchBacktest, type BatchBacktestInput } from './batch';
export { computeMetrics, drawdownStats, returnStats, type BacktestMetrics } from './metrics';
export { roundTrips, type Trade } from './trades';
export { EquityRecorder, type EquityCurve } from './equity-curve';
export { periodsPerYear, barSizeMs } from './periods';
export type { BacktestOptions, BacktestSession, BacktestSummary, SummaryOptions, CommissionModelName } from './types';
