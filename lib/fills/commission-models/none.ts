/** No commission. */
import type { CommissionModel } from '../types';
import { PerOrderCommission } from './per-order';

export function noCommission(): CommissionModel {
  return new PerOrderCommission('none', () => 0);
}
