/**
 * IB's commissions, US markets: one model, per share for stocks with a per-order minimum and a cap in
 * percent of trade value, basis points of value for spot forex, per contract for futures and options;
 * two rate cards, fixed and tiered (first volume tier).
 */
import type { CommissionModel } from '../types';
import { PerOrderCommission, requireNonNegative } from './per-order';

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
