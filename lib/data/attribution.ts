/**
 * Positions per strategy for the account node: the book is computed in lib/fills/strategy-positions.ts
 * (plain computation over executions, which every broker shares).
 */
export { attributeByOrderRef, markStrategies, unattributedPositions, type StrategyBook } from '../fills/strategy-positions';
