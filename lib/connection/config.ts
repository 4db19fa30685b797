/**
 * The ib-connect editor fields, read and normalized. Never throws: a field that makes no sense falls back
 * to its default and is listed in `problems`, which the node logs as warnings (the editor validates too).
 */
import { COMMISSION_MODELS, FILL_AT, isStartingCash, SLIPPAGE_KINDS } from '../backtest/options';
import type { AccountType, CommissionModelName, InstrumentSpec } from '../backtest/types';
import type { ConnectionMode } from '../ib/connection';
import { ACCOUNT_TYPES } from '../fills/margin';
import { contractsTableProblem } from '../fills/contract-terms';
import { isCurrencyCode, ratesTableProblem } from '../fills/currency';
import { said, type Said, type TextCode } from '../messages/texts';

/** The config node's saved fields as Node-RED hands them over (strings, numbers, booleans). */
export type ConnectionFields = Record<string, unknown>;

export interface RiskLimitsConfig {
  /** 0 = no limit, for each. */
  maxOrderQuantity: number;
  maxOrderNotional: number;
  maxPosition: number;
  maxOrdersPerMinute: number;
  maxDailyLoss: number;
}

export interface ConnectionConfig {
  name: string;
  mode: ConnectionMode;
  host: string;
  port: number;
  clientId: number;
  account: string;
  allowLiveOrders: boolean;
  simulator: { seed: number; ticksPerSecond: number; clockSpeed: number; account: string; partialFills: number };
  backtest: {
    startingCash: number;
    commission: CommissionModelName;
    commissionPercent: number;
    slippageKind: 'none' | 'ticks' | 'bps';
    slippage: number;
    fillAt: 'next-open' | 'close';
    /** 'cash' (default: paid in full, no short sales) or 'reg-t' (Reg T margin). */
    accountType: AccountType;
    /** Each instrument's own terms by symbol or key (minTick, multiplier, currency, margins); {} when none. */
    contracts: Record<string, InstrumentSpec>;
    /** The account's base currency (3 letters, upper case; USD unless set). */
    baseCurrency: string;
    /** Fixed rates by currency, base units per unit; {} when none. */
    fxRates: Record<string, number>;
  };
  /** Backtest mode: the ib-connect IB history comes from; empty in the other modes (they have their own socket). */
  dataConnectionId: string;
  limits: RiskLimitsConfig;
  /** Journal file; empty = <userDir>/ib-algo-journal/<config node id>.jsonl. */
  journalPath: string;
  /** Settings that could not be taken, each with what was used instead (ib-connect warns them). */
  problems: Said[];
}

const MODES: ConnectionMode[] = ['tws', 'simulator', 'backtest'];

export function readConnectionConfig(def: ConnectionFields): ConnectionConfig {
  const problems: Said[] = [];
  const num = (field: string, fallback: number, check: (n: number) => boolean, rule: TextCode): number => {
    const raw = def[field];
    if (raw === undefined || raw === null || raw === '') return fallback;
    const n = Number(raw);
    if (Number.isFinite(n) && check(n)) return n;
    problems.push(said('settings.notValid', { field, value: String(raw), rule: said(rule), fallback }));
    return fallback;
  };
  const nonNegative = (field: string, fallback = 0) => num(field, fallback, (n) => n >= 0, 'settings.rule.nonNegative');
  const pick = <T extends string>(field: string, allowed: readonly T[], fallback: T): T => {
    const raw = def[field];
    if (raw === undefined || raw === '') return fallback;
    if (allowed.includes(raw as T)) return raw as T;
    problems.push(said('settings.notOneOf', { field, value: String(raw), allowed: allowed.join(', '), fallback }));
    return fallback;
  };
  const mode = pick('mode', MODES, 'simulator');
  return {
    name: String(def.name ?? ''),
    mode,
    host: String(def.host || '127.0.0.1'),
    port: num('port', 7497, (n) => Number.isInteger(n) && n > 0 && n < 65536, 'settings.rule.port'),
    clientId: num('clientId', 1, (n) => Number.isInteger(n) && n >= 0, 'settings.rule.wholeNumber'),
    account: String(def.account ?? '').trim(),
    allowLiveOrders: def.allowLiveOrders === true || def.allowLiveOrders === 'true',
    simulator: {
      seed: num('simSeed', 1, Number.isInteger, 'settings.rule.integer'),
      ticksPerSecond: num('simTicksPerSecond', 4, (n) => n > 0 && n <= 10_000, 'settings.rule.ticksPerSecond'),
      clockSpeed: num('simClockSpeed', 1, (n) => n >= 1 && n <= 3600, 'settings.rule.clockSpeed'),
      account: String(def.simAccount || 'DU1234567').trim(),
      partialFills: nonNegative('simPartialFills'),
    },
    backtest: {
      startingCash: num('btCash', 100_000, isStartingCash, 'settings.rule.positiveAmount'),
      commission: pick('btCommission', COMMISSION_MODELS, 'ib-fixed'),
      commissionPercent: nonNegative('btCommissionPercent', 0.1),
      slippageKind: pick('btSlippageKind', SLIPPAGE_KINDS, 'none'),
      slippage: nonNegative('btSlippage'),
      fillAt: pick('btFillAt', FILL_AT, 'next-open'),
      accountType: pick('btAccount', ACCOUNT_TYPES, 'cash'),
      contracts: contractsTable(def.btContracts, problems),
      baseCurrency: baseCurrency(def.btBaseCurrency, problems),
      fxRates: ratesTable(def.btFxRates, problems),
    },
    dataConnectionId: mode === 'backtest' ? String(def.dataConnection ?? '') : '',
    limits: {
      maxOrderQuantity: nonNegative('maxOrderQuantity'),
      maxOrderNotional: nonNegative('maxOrderNotional'),
      maxPosition: nonNegative('maxPosition'),
      maxOrdersPerMinute: nonNegative('maxOrdersPerMinute'),
      maxDailyLoss: nonNegative('maxDailyLoss'),
    },
    journalPath: String(def.journalPath ?? '').trim(),
    problems,
  };
}

/** The backtest's contracts table: JSON text (or an object) by symbol; anything else is a problem and {}. */
function contractsTable(raw: unknown, problems: Said[]): Record<string, InstrumentSpec> {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return {};
  let table: unknown = raw;
  if (typeof raw === 'string') {
    try {
      table = JSON.parse(raw);
    } catch (err) {
      problems.push(said('settings.contractsNotJson', { error: (err as Error).message }));
      return {};
    }
  }
  const problem = contractsTableProblem(table);
  if (problem !== null) {
    problems.push(said('settings.contracts', { problem }));
    return {};
  }
  return table as Record<string, InstrumentSpec>;
}

/** The backtest's base currency: a 3-letter code, USD when empty; anything else is a problem and USD. */
function baseCurrency(raw: unknown, problems: Said[]): string {
  if (raw === undefined || raw === null || String(raw).trim() === '') return 'USD';
  const code = String(raw).trim();
  if (isCurrencyCode(code)) return code.toUpperCase();
  problems.push(said('settings.baseCurrency', { value: code }));
  return 'USD';
}

/** The backtest's fixed FX rates: JSON text (or an object) by currency; anything else is a problem and {}. */
function ratesTable(raw: unknown, problems: Said[]): Record<string, number> {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return {};
  let table: unknown = raw;
  if (typeof raw === 'string') {
    try {
      table = JSON.parse(raw);
    } catch (err) {
      problems.push(said('settings.fxRatesNotJson', { error: (err as Error).message }));
      return {};
    }
  }
  const problem = ratesTableProblem(table);
  if (problem !== null) {
    problems.push(said('settings.fxRates', { problem }));
    return {};
  }
  return table as Record<string, number>;
}
