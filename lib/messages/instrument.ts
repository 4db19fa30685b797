/**
 * Instrument keys (the design's `msg.topic`): the plain symbol for a US stock on SMART in USD, or
 * `SYMBOL:SECTYPE:EXCHANGE:CURRENCY` where those defaults do not fit (e.g. `EUR:CASH:IDEALPRO:USD`).
 * Every node keeps its per-instrument state under this key, so it must be the same string for the
 * same instrument wherever it is computed.
 */
import type { Contract } from '@stoqey/ib';
import type { InstrumentKey } from '.';

const DEFAULTS = { secType: 'STK', exchange: 'SMART', currency: 'USD' } as const;

/** The key of a contract: short when the defaults apply, long otherwise. */
export function instrumentKey(contract: Contract): InstrumentKey {
  const symbol = (contract.symbol ?? contract.localSymbol ?? '').toUpperCase();
  const secType = String(contract.secType ?? DEFAULTS.secType).toUpperCase();
  const exchange = (contract.exchange ?? DEFAULTS.exchange).toUpperCase();
  const currency = (contract.currency ?? DEFAULTS.currency).toUpperCase();
  let key =
    secType === DEFAULTS.secType && exchange === DEFAULTS.exchange && currency === DEFAULTS.currency
      ? symbol
      : `${symbol}:${secType}:${exchange}:${currency}`;
  // Derivatives are told apart by expiry (and strike/right for options).
  if (contract.lastTradeDateOrContractMonth) key += `:${contract.lastTradeDateOrContractMonth}`;
  if (contract.strike) key += `:${contract.strike}${contract.right ?? ''}`;
  return key;
}

/**
 * The contract a key names. Throws a message that says what is wrong for an empty or malformed key.
 * Forms: `AAPL`, `EUR:CASH:IDEALPRO:USD`, `ES:FUT:CME:USD:202612`, `AAPL:OPT:SMART:USD:20261218:200C`.
 */
export function contractFromKey(key: InstrumentKey): Contract {
  const parts = String(key ?? '').trim().split(':');
  const symbol = parts[0]?.toUpperCase();
  if (!symbol) throw new Error(`no instrument: set msg.topic to a symbol such as "AAPL" or "EUR:CASH:IDEALPRO:USD", or pass msg.contract`);
  if (parts.length !== 1 && parts.length < 4) {
    throw new Error(`instrument "${key}" is malformed: use SYMBOL or SYMBOL:SECTYPE:EXCHANGE:CURRENCY`);
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
    if (!match) throw new Error(`instrument "${key}": option strike/right "${parts[5]}" must look like 200C or 150.5P`);
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
