/**
 * Positions per strategy: executions grouped by their order reference (orderRef, which place-order sets
 * to the strategy's name), netted per instrument with average-cost accounting, so two strategies
 * trading the same symbol in one account each see their own position and realized P&L.
 */
import type { Execution, InstrumentKey } from '../messages';

export interface StrategyPosition {
  quantity: number;
  /** Average cost of the open quantity (0 when flat). */
  avgCost: number;
  /** P&L of the quantity closed, before commissions. */
  realizedPnl: number;
  commission: number;
  executions: number;
}

/** orderRef ('' for orders without one) -> instrument key -> position. */
export type StrategyBook = Record<string, Record<InstrumentKey, StrategyPosition>>;

/** Executions in time order (ties keep the given order), netted per orderRef and instrument. */
export function attributeByOrderRef(executions: readonly Execution[]): StrategyBook {
  const book: StrategyBook = {};
  const ordered = executions.map((e, i) => ({ e, i })).sort((a, b) => a.e.time - b.e.time || a.i - b.i);
  for (const { e } of ordered) {
    const ref = e.orderRef ?? '';
    const perKey = (book[ref] ??= {});
    const p = (perKey[e.symbol] ??= { quantity: 0, avgCost: 0, realizedPnl: 0, commission: 0, executions: 0 });
    const signed = e.side === 'BUY' ? e.shares : -e.shares;
    p.executions++;
    p.commission += Number.isFinite(e.commission) ? e.commission : 0;
    if (p.quantity === 0 || Math.sign(p.quantity) === Math.sign(signed)) {
      // Opening or adding: the average cost moves toward the fill price.
      const quantity = p.quantity + signed;
      p.avgCost = (p.avgCost * Math.abs(p.quantity) + e.price * Math.abs(signed)) / Math.abs(quantity);
      p.quantity = quantity;
      continue;
    }
    // Reducing, closing or flipping: the closed part realizes against the average cost.
    const closing = Math.min(Math.abs(signed), Math.abs(p.quantity));
    p.realizedPnl += closing * (e.price - p.avgCost) * Math.sign(p.quantity) * (e.multiplier ?? 1);
    const quantity = p.quantity + signed;
    if (quantity === 0) p.avgCost = 0;
    else if (Math.sign(quantity) !== Math.sign(p.quantity)) p.avgCost = e.price;
    p.quantity = quantity;
  }
  return book;
}
