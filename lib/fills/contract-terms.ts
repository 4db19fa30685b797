/**
 * What one unit of an instrument is worth: its contract multiplier (50 for an E-mini S&P future, 100
 * for a US equity option, 1 for a share or a currency unit) and the security type, which decides how
 * IB prices commissions (per share, per futures contract, per option contract).
 *
 * As in TWS: prices (fills, marks, executions) are per unit of the underlying; cash, P&L, market value
 * and a position's avgCost are quantity x price x multiplier. A derivative without a multiplier is
 * refused rather than counted at 1: a silent 1 would understate an ES position's money 50 times.
 */
import type { InstrumentKey } from '../messages';
import { contractMultiplier } from '../messages/instrument';

export { contractMultiplier };

/** Security types whose contracts have a multiplier that must be known before they can be traded. */
const NEEDS_MULTIPLIER: ReadonlySet<string> = new Set(['FUT', 'OPT', 'FOP', 'CONTFUT', 'WAR', 'IOPT']);

export interface ContractTerms {
  /** Upper-case security type (STK when the key does not name one). */
  secType: string;
  /** Currency units per price point per contract: 1 for shares and currencies. */
  multiplier: number;
  /** Initial margin per contract (futures), in the account currency; absent: a share of the notional (margin.ts). */
  initialMargin?: number;
  /** Maintenance margin per contract (futures); absent: in proportion to the initial margin. */
  maintenanceMargin?: number;
}

export const SHARE_TERMS: ContractTerms = { secType: 'STK', multiplier: 1 };


/** The security type an instrument key names (`ES:FUT:CME:USD:20261218` -> FUT); a plain symbol is a stock. */
export function secTypeOfKey(key: InstrumentKey): string {
  const parts = String(key).split(':');
  return parts.length >= 4 && parts[1] ? parts[1].toUpperCase() : 'STK';
}

/** Whether contracts of this security type need a multiplier to be traded (futures, options...). */
export function needsMultiplier(secType: string): boolean {
  return NEEDS_MULTIPLIER.has(secType.toUpperCase());
}

/**
 * The terms of `key` given the multiplier the order's contract carried (or the caller knew), or the
 * reason to refuse the order when a derivative comes without one.
 */
export function resolveTerms(key: InstrumentKey, multiplier: number | undefined): ContractTerms | string {
  const secType = secTypeOfKey(key);
  if (multiplier !== undefined) return { secType, multiplier };
  if (!needsMultiplier(secType)) return secType === 'STK' ? SHARE_TERMS : { secType, multiplier: 1 };
  return missingMultiplier(key, secType);
}

export function missingMultiplier(key: InstrumentKey, secType: string): string {
  const example = secType === 'OPT' ? '100 for a US equity option' : secType === 'FOP' ? 'the future\'s, e.g. 50 for an ES option' : 'e.g. 50 for ES, 5 for MES, 20 for NQ, 1000 for CL';
  return `${key} is a ${secType} contract and its order carries no contract multiplier, so its cash and P&L cannot be counted: set multiplier (${example}) on the msg.contract the order is placed with, e.g. in historical-bars' contract settings, which pass it on with the bars.`;
}
