/**
 * What every commission model here shares: a model prices a whole order from the sum of its fills
 * (`forOrder`), so the engine can charge every partial fill only the increase: IB applies its
 * per-order minimum once per order, not once per execution, and its 1% cap to the order's trade value.
 */
import type { CommissionModel } from '../types';
import { SHARE_TERMS, type ContractTerms } from '../contract-terms';

/** A commission model from the total it charges one order of `shares` worth `value` (quantity x price x multiplier). */
export class PerOrderCommission implements CommissionModel {
  constructor(
    readonly name: string,
    private readonly total: (shares: number, value: number, terms: ContractTerms) => number,
  ) {}

  forOrder(shares: number, value: number, terms: ContractTerms = SHARE_TERMS): number {
    return cents8(this.total(shares, Math.abs(value), terms));
  }

  commission(shares: number, price: number, terms: ContractTerms = SHARE_TERMS): number {
    return cents8(this.total(shares, Math.abs(shares * price * terms.multiplier), terms));
  }
}

/** Rounds to 1e-8 of a currency unit: drops binary noise (100 x 0.0035 = 0.35000000000000003). */
function cents8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

export function requireNonNegative(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`commission ${what} must be a finite number >= 0, got ${String(value)}`);
  }
}
