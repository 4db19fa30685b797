/**
 * Commission models. Each one prices a whole order from the sum of its fills (`forOrder`), so the
 * engine can charge every partial fill only the increase: IB applies its per-order minimum once per
 * order, not once per execution, and its 1% cap to the order's trade value.
 */
import type { CommissionModel } from './types';
import { SHARE_TERMS, type ContractTerms } from './contract-terms';

/** The commission models a backtest connection offers by name. */
export type CommissionModelName = 'none' | 'ib-fixed' | 'ib-tiered' | 'percent';

class PerOrderCommission implements CommissionModel {
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

/** Per contract, for futures and options: IB charges these per contract, whatever the price. */
export interface PerContractSchedule {
  /** Per contract, in the account currency. */
  perContract: number;
  /** Minimum per order. */
  minimum: number;
}

/** Which of IB's schedules prices a security type: shares (stocks, ETFs), forex, futures, options. */
export type PricingClass = 'shares' | 'forex' | 'futures' | 'options';

export function pricingClass(secType: string): PricingClass {
  switch (secType) {
    case 'FUT':
    case 'CONTFUT':
    case 'FOP':
      return 'futures';
    case 'OPT':
    case 'IOPT':
    case 'WAR':
      return 'options';
    case 'CASH':
      return 'forex';
    default:
      return 'shares';
  }
}

interface IbSchedules {
  shares: PerShareSchedule;
  futures: PerContractSchedule;
  options: PerContractSchedule;
}

function ibModel(name: string, s: IbSchedules): CommissionModel {
  requireNonNegative(s.shares.perShare, 'perShare');
  requireNonNegative(s.shares.minimum, 'minimum');
  requireNonNegative(s.shares.maxPercent, 'maxPercent');
  for (const c of [s.futures, s.options]) {
    requireNonNegative(c.perContract, 'perContract');
    requireNonNegative(c.minimum, 'minimum');
  }
  const cap = s.shares.maxPercent / 100;
  return new PerOrderCommission(name, (shares, value, terms) => {
    if (shares <= 0) return 0;
    const kind = pricingClass(terms.secType);
    if (kind === 'forex') return Math.max(value * IB_FOREX.rate, IB_FOREX.minimum);
    if (kind === 'shares') {
      // The cap wins over the minimum: IB charges a 1-share order at USD 0.25 only 1% of USD 0.25.
      return Math.min(Math.max(shares * s.shares.perShare, s.shares.minimum), value * cap);
    }
    // Futures and options: per contract (shares counts contracts), no cap in percent of value.
    const schedule = kind === 'futures' ? s.futures : s.options;
    return Math.max(shares * schedule.perContract, schedule.minimum);
  });
}

/**
 * IB's spot forex (IDEALPRO) rate, fixed and the first tiered volume band alike: 0.20 basis points of the
 * trade value, at least USD 2.00 per order.
 */
const IB_FOREX = { rate: 0.2 / 10_000, minimum: 2 };

/** IB's US futures and futures-options rate per contract (fixed; tiered's first tier is the same before fees). */
const IB_FUTURES: PerContractSchedule = { perContract: 0.85, minimum: 0 };
/** IB's US equity and index options rate per contract (premium >= USD 0.10), minimum USD 1.00 per order. */
const IB_OPTIONS: PerContractSchedule = { perContract: 0.65, minimum: 1 };

/**
 * IB fixed pricing, US markets. Stocks: USD 0.005 per share, minimum USD 1.00 per order, maximum 1% of
 * trade value. Spot forex: 0.20 basis points of the trade value, minimum USD 2.00. Futures and futures options: USD 0.85
 * per contract. Options (premium >= USD 0.10): USD 0.65 per contract, minimum USD 1.00 per order. For
 * stocks IB's fixed rate includes exchange and regulatory fees; the fees IB passes through on top
 * (transaction fees on sales, futures exchange and regulatory fees) are left out.
 * `overrides` changes the stock schedule only.
 */
export function ibFixed(overrides: Partial<PerShareSchedule> = {}): CommissionModel {
  return ibModel('ib-fixed', { shares: { perShare: 0.005, minimum: 1, maxPercent: 1, ...overrides }, futures: IB_FUTURES, options: IB_OPTIONS });
}

/**
 * IB tiered pricing, US markets, first volume tier. Stocks (up to 300,000 shares a month): USD 0.0035
 * per share, minimum USD 0.35 per order, maximum 1% of trade value. Spot forex: 0.20 basis points of
 * the trade value, minimum USD 2.00. Futures (up to 1,000 contracts a
 * month): USD 0.85 per contract. Options (up to 10,000 contracts a month): USD 0.65 per contract,
 * minimum USD 1.00 per order. Left out: the cheaper tiers above those volumes, and the fees IB passes
 * through on top of tiered commissions (exchange and ECN fees or rebates, clearing fees, regulatory
 * fees). They depend on venue and monthly volume; for a backtest the first tier is the conservative
 * choice. `overrides` changes the stock schedule only.
 */
export function ibTiered(overrides: Partial<PerShareSchedule> = {}): CommissionModel {
  return ibModel('ib-tiered', { shares: { perShare: 0.0035, minimum: 0.35, maxPercent: 1, ...overrides }, futures: IB_FUTURES, options: IB_OPTIONS });
}

/** A percentage of trade value (quantity x price x multiplier: a future's notional), e.g. 0.1 for 0.1%. */
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
