/**
 * Instrument keys (`msg.topic`): the plain symbol for a US stock on SMART in USD, or
 * `SYMBOL:SECTYPE:EXCHANGE:CURRENCY` where those defaults do not fit (e.g. `EUR:CASH:IDEALPRO:USD`).
 * Every node keeps its per-instrument state under this key, so it must be the same string for the
 * same instrument wherever it is computed.
 */
import type { Contract } from '@stoqey/ib';
import type { InstrumentKey } from '.';
import { describeValue } from './describe-value';

const DEFAULTS = { secType: 'STK', exchange: 'SMART', currency: 'USD' } as const;

/**
 * A contract's text field for its key, upper-cased; `fallback` when absent. Anything but text (a
 * number, an object from a miswired msg.contract) is an error naming the field, never a TypeError.
 */
function keyText(contract: Contract, field: 'symbol' | 'localSymbol' | 'secType' | 'exchange' | 'currency' | 'right', fallback: string): string {
  const value = (contract as Record<string, unknown>)[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new Error(`contract.${field} must be text such as ${FIELD_EXAMPLES[field]}, not ${describeValue(value)}`);
  return value.toUpperCase();
}

const FIELD_EXAMPLES = { symbol: '"AAPL"', localSymbol: '"ESZ6"', secType: '"STK"', exchange: '"SMART"', currency: '"USD"', right: '"C" or "P"' } as const;

/** The key of a contract: short when the defaults apply, long otherwise. */
export function instrumentKey(contract: Contract): InstrumentKey {
  if (contract === null || typeof contract !== 'object' || Array.isArray(contract)) {
    throw new Error(`a contract must be an object such as {"symbol":"AAPL"}, not ${describeValue(contract)}`);
  }
  const symbol = contract.symbol !== undefined && contract.symbol !== null ? keyText(contract, 'symbol', '') : keyText(contract, 'localSymbol', '');
  const secType = keyText(contract, 'secType', DEFAULTS.secType);
  const exchange = keyText(contract, 'exchange', DEFAULTS.exchange);
  const currency = keyText(contract, 'currency', DEFAULTS.currency);
  let key =
    secType === DEFAULTS.secType && exchange === DEFAULTS.exchange && currency === DEFAULTS.currency
      ? symbol
      : `${symbol}:${secType}:${exchange}:${currency}`;
  // Derivatives are told apart by expiry (and strike/right for options).
  const expiry = contract.lastTradeDateOrContractMonth as unknown;
  if (expiry !== undefined && expiry !== null && expiry !== '') {
    if (typeof expiry !== 'string' && !(typeof expiry === 'number' && Number.isInteger(expiry))) {
      throw new Error(`contract.lastTradeDateOrContractMonth must be text such as "202612" or "20261218", not ${describeValue(expiry)}`);
    }
    key += `:${expiry}`;
  }
  const strike = contract.strike as unknown;
  if (strike) {
    if (typeof strike !== 'number' || !Number.isFinite(strike)) throw new Error(`contract.strike must be a finite number such as 200, not ${describeValue(strike)}`);
    const right = contract.right === undefined || contract.right === null ? '' : keyText(contract, 'right', '');
    key += `:${strike}${right}`;
  }
  return key;
}

/** Control characters (a NUL would split the field on the TWS socket) have no place in a key. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The contract a key names. Throws a message that says what is wrong for an empty, malformed or
 * non-text key. Forms: `AAPL`, `EUR:CASH:IDEALPRO:USD`, `ES:FUT:CME:USD:202612`,
 * `AAPL:OPT:SMART:USD:20261218:200C`.
 */
export function contractFromKey(key: InstrumentKey): Contract {
  const raw = key as unknown;
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw new Error(`the instrument (msg.topic) must be text such as "AAPL" or "EUR:CASH:IDEALPRO:USD", not ${describeValue(raw)}`);
  }
  const text = (raw ?? '') as string;
  if (CONTROL.test(text)) throw new Error(`the instrument (msg.topic) ${JSON.stringify(text.slice(0, 40))} contains a control character: use a plain symbol such as "AAPL"`);
  const parts = text.trim().split(':');
  const symbol = parts[0]?.toUpperCase();
  if (!symbol) throw new Error(`no instrument: set msg.topic to a symbol such as "AAPL" or "EUR:CASH:IDEALPRO:USD", or pass msg.contract`);
  if (parts.length !== 1 && parts.length < 4) {
    throw new Error(`instrument "${text}" is malformed: use SYMBOL or SYMBOL:SECTYPE:EXCHANGE:CURRENCY`);
  }
  const contract: Contract = {
    symbol,
    secType: (parts[1]?.toUpperCase() || DEFAULTS.secType) as Contract['secType'],
    exchange: parts[2]?.toUpperCase() || DEFAULTS.exchange,
    currency: parts[3]?.toUpperCase() || DEFAULTS.currency,
  };
  if (parts[4]) contract.lastTradeDateOrContractMonth = parts[4];
  if (parts[5]) {
    const match = /^([0-9.]+)([CP])$/i.exec(parts[5]);
    if (!match) throw new Error(`instrument "${text}": option strike/right "${parts[5]}" must look like 200C or 150.5P`);
    contract.strike = Number(match[1]);
    contract.right = (match[2].toUpperCase() === 'C' ? 'C' : 'P') as Contract['right'];
  }
  return contract;
}


/**
 * The multiplier a contract carries (futures, options: a position's avgCost is per contract, price x
 * multiplier), read as @stoqey/ib types it (a number) or as TWS and JSON often give it (a string such
 * as "50"); undefined when it is absent, empty, zero or not a positive number.
 */
export function contractMultiplier(contract: { multiplier?: unknown } | null | undefined): number | undefined {
  const raw = contract?.multiplier;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A short human name of a contract for errors and status, e.g. "AAPL STK SMART USD". */
export function describeContract(contract: Contract): string {
  const parts = [contract.symbol ?? contract.localSymbol ?? `conId ${contract.conId}`, contract.secType, contract.exchange, contract.currency];
  if (contract.lastTradeDateOrContractMonth) parts.push(contract.lastTradeDateOrContractMonth);
  if (contract.strike) parts.push(`${contract.strike}${contract.right ?? ''}`);
  return parts.filter(Boolean).join(' ');
}
