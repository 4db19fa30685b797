/**
 * Backtest options, checked in one place: the backtest connection's settings (lib/connection/config.ts),
 * a batch's msg.backtest over them (backtest-report) and the engine options a run is built from
 * (session.ts) all ask these rules, so an option means the same and is refused with the same words
 * wherever it is given.
 */
import type { CommissionModelName } from '../fills/commission';
import { ACCOUNT_TYPES } from '../fills/margin';
import { isCurrencyCode, ratesTableProblem } from '../fills/currency';
import type { AccountType, BacktestOptions } from './types';

export const COMMISSION_MODELS: readonly CommissionModelName[] = ['none', 'ib-fixed', 'ib-tiered', 'percent'];
export const FILL_AT: readonly NonNullable<BacktestOptions['fillAt']>[] = ['next-open', 'close'];
export const SLIPPAGE_KINDS: readonly NonNullable<BacktestOptions['slippage']>['kind'][] = ['none', 'ticks', 'bps'];

/** The starting cash rule: a positive, finite amount. */
export function isStartingCash(value: unknown): value is number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value);
}

/** A non-negative, finite number (commission percent, slippage amount). */
export function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && Number.isFinite(value);
}

/**
 * `override` (msg.backtest: an object of options) over `base`, each given option checked; throws a
 * message naming `where.<option>`, what it must be and what it got.
 */
export function withBacktestOverride(base: BacktestOptions, override: unknown, where = 'msg.backtest'): BacktestOptions {
  if (override === undefined || override === null) return { ...base };
  if (typeof override !== 'object' || Array.isArray(override)) {
    throw new Error(`${where} must be an object such as {"startingCash": 100000, "commission": "ib-fixed"}`);
  }
  const o = override as Record<string, unknown>;
  const got = (name: string) => `, got ${JSON.stringify(o[name])}`;
  const result = { ...base };
  if (o.startingCash !== undefined) {
    const cash = Number(o.startingCash);
    if (!isStartingCash(cash)) throw new Error(`${where}.startingCash must be a positive amount${got('startingCash')}`);
    result.startingCash = cash;
  }
  if (o.commission !== undefined) {
    if (!COMMISSION_MODELS.includes(o.commission as CommissionModelName)) {
      throw new Error(`${where}.commission must be one of ${COMMISSION_MODELS.join(', ')}${got('commission')}`);
    }
    result.commission = o.commission as CommissionModelName;
  }
  if (o.commissionPercent !== undefined) {
    const percent = Number(o.commissionPercent);
    if (!isNonNegative(percent)) throw new Error(`${where}.commissionPercent must be a percentage of 0 or more${got('commissionPercent')}`);
    result.commissionPercent = percent;
  }
  if (o.fillAt !== undefined) {
    if (!FILL_AT.includes(o.fillAt as 'close')) throw new Error(`${where}.fillAt must be "next-open" or "close"${got('fillAt')}`);
    result.fillAt = o.fillAt as BacktestOptions['fillAt'];
  }
  if (o.slippage !== undefined) {
    const s = o.slippage as { kind?: unknown; amount?: unknown } | null;
    if (!s || typeof s !== 'object' || !SLIPPAGE_KINDS.includes(s.kind as 'none') || !isNonNegative(Number(s.amount ?? 0))) {
      throw new Error(`${where}.slippage must be {"kind": ${SLIPPAGE_KINDS.map((k) => `"${k}"`).join(' | ')}, "amount": a number of 0 or more}${got('slippage')}`);
    }
    result.slippage = { kind: s.kind as 'none', amount: Number(s.amount ?? 0) };
  }
  if (o.accountType !== undefined) {
    if (!ACCOUNT_TYPES.includes(o.accountType as AccountType)) {
      throw new Error(`${where}.accountType must be one of ${ACCOUNT_TYPES.join(', ')}${got('accountType')}`);
    }
    result.accountType = o.accountType as AccountType;
  }
  if (o.baseCurrency !== undefined) {
    if (!isCurrencyCode(o.baseCurrency)) throw new Error(`${where}.baseCurrency must be a 3-letter currency code such as "USD"${got('baseCurrency')}`);
    result.baseCurrency = o.baseCurrency.toUpperCase();
  }
  if (o.fxRates !== undefined) {
    const problem = ratesTableProblem(o.fxRates);
    if (problem !== null) throw new Error(`${where}.fxRates: ${problem}`);
    result.fxRates = o.fxRates as Record<string, number>;
  }
  return result;
}
