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
import { said, TextError, type TextCode } from '../messages/texts';

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
    throw new TextError(said('backtest.options', { where }));
  }
  const o = override as Record<string, unknown>;
  /** The refusal of option `name`: what it must be, and what it got. */
  const refuse = (code: TextCode, name: string, values: Record<string, string> = {}) => new TextError(said(code, { where, value: JSON.stringify(o[name]) ?? 'undefined', ...values }));
  const result = { ...base };
  if (o.startingCash !== undefined) {
    const cash = Number(o.startingCash);
    if (!isStartingCash(cash)) throw refuse('backtest.startingCash', 'startingCash');
    result.startingCash = cash;
  }
  if (o.commission !== undefined) {
    if (!COMMISSION_MODELS.includes(o.commission as CommissionModelName)) {
      throw refuse('backtest.commission', 'commission', { allowed: COMMISSION_MODELS.join(', ') });
    }
    result.commission = o.commission as CommissionModelName;
  }
  if (o.commissionPercent !== undefined) {
    const percent = Number(o.commissionPercent);
    if (!isNonNegative(percent)) throw refuse('backtest.commissionPercent', 'commissionPercent');
    result.commissionPercent = percent;
  }
  if (o.fillAt !== undefined) {
    if (!FILL_AT.includes(o.fillAt as 'close')) throw refuse('backtest.fillAt', 'fillAt');
    result.fillAt = o.fillAt as BacktestOptions['fillAt'];
  }
  if (o.slippage !== undefined) {
    const s = o.slippage as { kind?: unknown; amount?: unknown } | null;
    if (!s || typeof s !== 'object' || !SLIPPAGE_KINDS.includes(s.kind as 'none') || !isNonNegative(Number(s.amount ?? 0))) {
      throw refuse('backtest.slippage', 'slippage', { kinds: SLIPPAGE_KINDS.map((k) => `"${k}"`).join(' | ') });
    }
    result.slippage = { kind: s.kind as 'none', amount: Number(s.amount ?? 0) };
  }
  if (o.accountType !== undefined) {
    if (!ACCOUNT_TYPES.includes(o.accountType as AccountType)) {
      throw refuse('backtest.accountType', 'accountType', { allowed: ACCOUNT_TYPES.join(', ') });
    }
    result.accountType = o.accountType as AccountType;
  }
  if (o.baseCurrency !== undefined) {
    if (!isCurrencyCode(o.baseCurrency)) throw refuse('backtest.baseCurrency', 'baseCurrency');
    result.baseCurrency = o.baseCurrency.toUpperCase();
  }
  if (o.fxRates !== undefined) {
    const problem = ratesTableProblem(o.fxRates);
    if (problem !== null) throw new TextError(said('backtest.fxRates', { where, problem }));
    result.fxRates = o.fxRates as Record<string, number>;
  }
  return result;
}
