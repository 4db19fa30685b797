/** The fill engine and its models, for the simulator and backtests. */
export { FillEngine } from './fill-engine';
export { createCommissionModel, ibFixed, ibTiered, noCommission, percentOfValue } from './commission';
export type { CommissionOptions, PerShareSchedule } from './commission';
export { createSlippageModel, bpsSlippage, noSlippage, tickSlippage } from './slippage';
export type { SlippageKind } from './slippage';
export * from './reasons';
export type * from './types';
