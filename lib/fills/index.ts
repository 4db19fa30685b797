/** The fill engine and its models, for the simulator and backtests. */
export { FillEngine } from './fill-engine';
export { createCommissionModel, ibFixed, ibTiered, noCommission, percentOfValue } from './commission';
export type { CommissionOptions, PerShareSchedule, PerContractSchedule } from './commission';
export { contractMultiplier, needsMultiplier, secTypeOfKey } from './contract-terms';
export { createSlippageModel, bpsSlippage, noSlippage, tickSlippage } from './slippage';
export type { SlippageKind } from './slippage';
export { engineOrderFromIb, type IbOrderFields, type EngineOrderTarget } from './ib-order';
export * from './reasons';
export type * from './types';
