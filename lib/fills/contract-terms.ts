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

/**
 * What a caller knows of an instrument before it trades (a backtest connection's contracts table, the
 * contract details a replaying source read from IB): every field optional, absent ones fall back.
 */
export interface InstrumentSpec {
  /** Price increment: limit and stop prices must be multiples of it; one tick of slippage is one of it. */
  minTick?: number;
  multiplier?: number;
  /** The currency prices are quoted in (reported; money is counted in the account currency as is). */
  currency?: string;
  /** Initial and maintenance margin per contract (futures), in the account currency. */
  initialMargin?: number;
  maintenanceMargin?: number;
  /** What a quantity is a multiple of (risk-sizer rounds to it; 0.0001 for BTC); 1 unless given. */
  sizeIncrement?: number;
  /** The smallest quantity an order may have; the size increment unless given. */
  minSize?: number;
}

/**
 * Minimum price increments of the most traded US futures (CME Group contract specifications), by
 * symbol: the tick a backtest uses for them when nothing more precise is known. (Multipliers are not
 * assumed: an order must carry its contract's, see resolveTerms.)
 */
const FUTURES_TICKS: Readonly<Record<string, number>> = {
  ES: 0.25,
  MES: 0.25,
  NQ: 0.25,
  MNQ: 0.25,
  YM: 1,
  MYM: 1,
  RTY: 0.1,
  M2K: 0.1,
  CL: 0.01,
  MCL: 0.01,
  NG: 0.001,
  GC: 0.1,
  MGC: 0.1,
  SI: 0.005,
  HG: 0.0005,
  ZN: 1 / 64,
  ZB: 1 / 32,
  ZF: 1 / 128,
  ZT: 1 / 256,
  '6E': 0.00005,
  '6J': 0.0000005,
  '6B': 0.0001,
};

/**
 * The price increment of an instrument when no contract details say otherwise: 0.01 for stocks and
 * options; IDEALPRO's 0.00005 for currency pairs (0.005 for pairs quoted in JPY); the contract
 * specification for the futures above, else 0.01.
 */
export function defaultMinTick(key: InstrumentKey): number {
  const parts = String(key).split(':');
  const secType = parts.length >= 4 && parts[1] ? parts[1].toUpperCase() : 'STK';
  if (secType === 'CASH') return (parts[3] ?? '').toUpperCase() === 'JPY' ? 0.005 : 0.00005;
  if (secType === 'FUT' || secType === 'CONTFUT' || secType === 'FOP') return FUTURES_TICKS[parts[0]!.toUpperCase()] ?? 0.01;
  return 0.01;
}

/** The currency an instrument key names (its fourth part; USD for a plain symbol). */
export function currencyOfKey(key: InstrumentKey): string {
  const parts = String(key).split(':');
  return parts.length >= 4 && parts[3] ? parts[3].toUpperCase() : 'USD';
}

/**
 * The entry of a contracts table for an instrument key: under the full key, else its symbol (`ES`), or a
 * currency pair written as IB's local symbol (`EUR.USD`).
 */
export function specFor(table: Readonly<Record<string, InstrumentSpec>> | undefined, key: InstrumentKey): InstrumentSpec | undefined {
  if (table === undefined) return undefined;
  const exact = table[key];
  if (exact !== undefined) return exact;
  const parts = String(key).split(':');
  const symbol = parts[0]!.toUpperCase();
  if (parts.length >= 4 && parts[1]?.toUpperCase() === 'CASH') {
    const pair = table[`${symbol}.${(parts[3] ?? '').toUpperCase()}`];
    if (pair !== undefined) return pair;
  }
  return table[symbol];
}

/** Checks a contracts table (a backtest setting); returns what is wrong, or null. */
export function contractsTableProblem(table: unknown): string | null {
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    return 'the contracts table must be an object by symbol, e.g. {"ES": {"minTick": 0.25, "multiplier": 50}}';
  }
  for (const [symbol, spec] of Object.entries(table as Record<string, unknown>)) {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return `contracts["${symbol}"] must be an object such as {"minTick": 0.25, "multiplier": 50}`;
    for (const [field, value] of Object.entries(spec as Record<string, unknown>)) {
      if (field === 'currency') {
        if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value)) return `contracts["${symbol}"].currency must be a 3-letter code such as "USD", got ${JSON.stringify(value)}`;
      } else if (field === 'minTick' || field === 'multiplier' || field === 'initialMargin' || field === 'maintenanceMargin' || field === 'sizeIncrement' || field === 'minSize') {
        if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) return `contracts["${symbol}"].${field} must be a positive number, got ${JSON.stringify(value)}`;
      } else {
        return `contracts["${symbol}"] has an unknown field "${field}": use minTick, multiplier, currency, initialMargin, maintenanceMargin, sizeIncrement, minSize`;
      }
    }
  }
  return null;
}


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
