/** Backtests: the backtest run (session), the batch backtest, metrics. The backtest connection is in lib/connection. */
export { BacktestRun, BACKTEST_ACCOUNT, engineOptions } from './session';
export { runBatch, type BatchRunInput, type BatchInstrument, type BatchAct } from './batch';
export { TimeMerge } from './time-merge';
export { computeMetrics, drawdownStats, returnStats, type BacktestMetrics } from './metrics';
export { roundTrips, type Trade } from './trades';
export { EquityRecorder, type EquityCurve } from './equity-curve';
export { periodsPerYear, barSizeMs } from './periods';
export type { BacktestOptions, BacktestSession, BacktestSummary, SummaryOptions, CommissionModelName } from './types';
