/**
 * Commission models, one per file under commission-models/ (none, IB fixed and tiered, percent of
 * value), and the one a backtest option or a simulator setting names.
 */
import type { CommissionModel } from './types';
import { noCommission } from './commission-models/none';
import { ibFixed, ibTiered } from './commission-models/ib';
import { percentOfValue } from './commission-models/percent';

export { noCommission, ibFixed, ibTiered, percentOfValue };

/** The commission models a backtest connection offers by name. */
export type CommissionModelName = 'none' | 'ib-fixed' | 'ib-tiered' | 'percent';

export interface CommissionOptions {
  /** For 'percent': percent of trade value (0.1 = 0.1%). */
  percent?: number;
}

/** The commission model a backtest option or a simulator setting names. */
export function createCommissionModel(name: CommissionModelName, options: CommissionOptions = {}): CommissionModel {
  switch (name) {
    case 'none':
      return noCommission();
    case 'ib-fixed':
      return ibFixed();
    case 'ib-tiered':
      return ibTiered();
    case 'percent':
      if (options.percent === undefined) {
        throw new Error("commission model 'percent' needs a percent of trade value (e.g. 0.1 for 0.1%)");
      }
      return percentOfValue(options.percent);
    default:
      throw new Error(`unknown commission model '${String(name)}': use none, ib-fixed, ib-tiered or percent`);
  }
}
