/** A percentage of trade value (quantity x price x multiplier: a future's notional), e.g. 0.1 for 0.1%. */
import type { CommissionModel } from '../types';
import { PerOrderCommission, requireNonNegative } from './per-order';

export function percentOfValue(percent: number): CommissionModel {
  requireNonNegative(percent, 'percent');
  const rate = percent / 100;
  return new PerOrderCommission('percent', (_shares, value) => value * rate);
}
