/**
 * Commission models. Each one prices a whole order from the sum of its fills (`forOrder`), so the
 * engine can charge every partial fill only the increase: IB applies its per-order minimum once per
 * order, not once per execution, and its 1% cap to the order's trade value.
 */
import type { CommissionModelName } from '../../backtest/types';
import type { CommissionModel } from './types';

class PerOrderCommission implements CommissionModel {
  constructor(
    readonly name: string,
    private readonly total: (shares: number, value: number) => number,
  ) {}

  forOrder(shares: number, value: number): number {
    return cents8(this.total(shares, Math.abs(value)));
  }

  commission(shares: number, price: number): number {
    return cents8(this.total(shares, Math.abs(shares * price)));
  }
}

/** No commission. */
export function noCommission(): CommissionModel {
  return new PerOrderCommission('none', () => 0);
}

export interface PerShareSchedule {
  /** Per share, in the account currency. */
  perShare: number;
  /** Minimum per order. */
  minimum: number;
  /** Maximum per order, in percent of the order's trade value. */
  maxPercent: number;
}

function perShareModel(name: string, s: PerShareSchedule): CommissionModel {
  requireNonNegative(s.perShare, 'perShare');
  requireNonNegative(s.minimum, 'minimum');
  requireNonNegative(s.maxPercent, 'maxPercent');
  const cap = s.maxPercent / 100;
  // The cap wins over the minimum: IB charges a 1-share order at USD 0.25 only 1% of USD 0.25.
  return new PerOrderCommission(name, (shares, value) =>
    shares <= 0 ? 0 : Math.min(Math.max(shares * s.perShare, s.minimum), value * cap),
  );
}

/**
 * IB fixed pricing, US stocks: USD 0.005 per share, minimum USD 1.00 per order, maximum 1% of trade
 * value. IB's fixed rate already includes exchange and regulatory fees (except transaction fees it
 * passes through on sales, which this model leaves out).
 */
export function ibFixed(overrides: Partial<PerShareSchedule> = {}): CommissionModel {
  return perShareModel('ib-fixed', { perShare: 0.005, minimum: 1, maxPercent: 1, ...overrides });
}

/**
 * IB tiered pricing, US stocks, first volume tier (up to 300,000 shares a month): USD 0.0035 per share,
 * minimum USD 0.35 per order, maximum 1% of trade value. Left out: the cheaper tiers above 300,000
 * shares a month, and the fees IB passes through on top of tiered commissions (exchange and ECN fees
 * or rebates, clearing fees, the SEC transaction fee and FINRA trading activity fee on sales). They
 * depend on venue and monthly volume; for a backtest the first tier is the conservative choice.
 */
export function ibTiered(overrides: Partial<PerShareSchedule> = {}): CommissionModel {
  return perShareModel('ib-tiered', { perShare: 0.0035, minimum: 0.35, maxPercent: 1, ...overrides });
}

/** A percentage of trade value, e.g. 0.1 for 0.1%. */
export function percentOfValue(percent: number): CommissionModel {
  requireNonNegative(percent, 'percent');
  const rate = percent / 100;
  return new PerOrderCommission('percent', (_shares, value) => value * rate);
}

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

/** Rounds to 1e-8 of a currency unit: drops binary noise (100 x 0.0035 = 0.35000000000000003). */
function cents8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

function requireNonNegative(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`commission ${what} must be a finite number >= 0, got ${String(value)}`);
  }
}
