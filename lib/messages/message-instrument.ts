/**
 * Which instrument a message is about: one rule for every node (`messageInstrument` below), and the
 * contract editor's fields read into a contract. Contracts are checked here so a missing symbol or an
 * option without a strike is refused with a message saying what to set, before anything reaches TWS.
 */
import type { Contract } from '@stoqey/ib';
import type { InstrumentKey } from '.';
import { describeValue } from './describe-value';
import { contractFromKey, instrumentKey } from './instrument';

export const SEC_TYPES = ['STK', 'CASH', 'FUT', 'CONTFUT', 'OPT', 'FOP', 'IND', 'BOND', 'CRYPTO'] as const;
export type SupportedSecType = (typeof SEC_TYPES)[number];

/** The contract editor's fields as stored in a node's config (strings, as the editor saves them). */
export interface ContractSettings {
  symbol?: string;
  secType?: string;
  exchange?: string;
  currency?: string;
  expiry?: string;
  strike?: string | number;
  right?: string;
  multiplier?: string | number;
  primaryExch?: string;
  tradingClass?: string;
  conId?: string | number;
}

const DEFAULT_CURRENCY: Partial<Record<SupportedSecType, string>> = {};

/** A contract from the editor's fields, or null when no symbol (and no conId) is set. */
export function contractFromSettings(settings: ContractSettings): Contract | null {
  const symbol = String(settings.symbol ?? '').trim().toUpperCase();
  const conIdText = String(settings.conId ?? '').trim();
  const conId = conIdText === '' ? 0 : Number(conIdText);
  if (!Number.isInteger(conId) || conId < 0) throw new Error(`contract in the node settings: conId must be IB's contract id (a whole number such as 265598), or empty, got ${describeValue(settings.conId)}`);
  if (!symbol && !conId) return null;
  const secType = (String(settings.secType ?? '').trim().toUpperCase() || 'STK') as SupportedSecType;
  const contract: Contract = {
    symbol: symbol || undefined,
    secType: secType as Contract['secType'],
    exchange: String(settings.exchange ?? '').trim().toUpperCase() || defaultExchange(secType),
    currency: String(settings.currency ?? '').trim().toUpperCase() || DEFAULT_CURRENCY[secType] || 'USD',
  };
  if (conId) contract.conId = conId;
  const expiry = String(settings.expiry ?? '').trim();
  if (expiry && !/^\d{6}(\d{2})?$/.test(expiry)) throw new Error(`contract ${symbol || conId} in the node settings: the expiry (lastTradeDateOrContractMonth) must be YYYYMM or YYYYMMDD, got ${describeValue(settings.expiry)}`);
  if (expiry) contract.lastTradeDateOrContractMonth = expiry;
  const strikeText = String(settings.strike ?? '').trim();
  if (strikeText !== '') {
    const strike = Number(strikeText);
    if (!(Number.isFinite(strike) && strike > 0)) throw new Error(`contract ${symbol || conId} in the node settings: the strike must be a price above 0, or empty, got ${describeValue(settings.strike)}`);
    contract.strike = strike;
  }
  const right = String(settings.right ?? '').trim().toUpperCase();
  if (right && !['C', 'P', 'CALL', 'PUT'].includes(right)) throw new Error(`contract ${symbol || conId} in the node settings: the right must be C (call) or P (put), got ${describeValue(settings.right)}`);
  if (right) contract.right = (right.startsWith('C') ? 'C' : 'P') as Contract['right'];
  const multiplier = String(settings.multiplier ?? '').trim();
  if (multiplier !== '' && !(Number(multiplier) > 0 && Number.isFinite(Number(multiplier)))) throw new Error(`contract ${symbol || conId} in the node settings: the multiplier must be a number above 0 (50 for ES, 100 for a US equity option), or empty, got ${describeValue(settings.multiplier)}`);
  if (multiplier) contract.multiplier = Number(multiplier);
  const primaryExch = String(settings.primaryExch ?? '').trim().toUpperCase();
  if (primaryExch) contract.primaryExch = primaryExch;
  const tradingClass = String(settings.tradingClass ?? '').trim().toUpperCase();
  if (tradingClass) contract.tradingClass = tradingClass;
  return validateContract(contract, 'the node settings');
}

function defaultExchange(secType: string): string {
  switch (secType) {
    case 'CASH':
      return 'IDEALPRO';
    case 'CRYPTO':
      return 'PAXOS';
    default:
      return 'SMART';
  }
}

/** Checks a contract has what its security type needs; throws naming `where` and the missing field. */
export function validateContract(contract: Contract, where: string): Contract {
  const secType = String(contract.secType ?? 'STK').toUpperCase();
  const name = contract.symbol ?? contract.localSymbol ?? (contract.conId ? `conId ${contract.conId}` : '?');
  if (!contract.symbol && !contract.localSymbol && !contract.conId) {
    throw new Error(`contract in ${where} has no symbol: set symbol (e.g. "AAPL"), localSymbol or conId`);
  }
  if (!(SEC_TYPES as readonly string[]).includes(secType) && !contract.conId) {
    throw new Error(`contract ${name} in ${where}: security type "${secType}" is not supported: use one of ${SEC_TYPES.join(', ')}`);
  }
  // A future without an expiry is its front month (qualification picks it); an option needs its series.
  if ((secType === 'OPT' || secType === 'FOP') && !contract.lastTradeDateOrContractMonth && !contract.localSymbol && !contract.conId) {
    throw new Error(`contract ${name} in ${where}: a ${secType} needs an expiry (YYYYMM or YYYYMMDD), a localSymbol or a conId`);
  }
  if ((secType === 'OPT' || secType === 'FOP') && !contract.conId && !contract.localSymbol && (!contract.strike || !contract.right)) {
    throw new Error(`contract ${name} in ${where}: an option needs a strike and a right (C or P)`);
  }
  return contract;
}

/** What a message names: the instrument key (the one every node keeps its state under) and its contract. */
export interface MessageInstrument {
  key: InstrumentKey;
  contract: Contract;
  /** Where it was named: msg.contract, msg.topic (the contract is the key's), or the node's settings. */
  from: 'contract' | 'topic' | 'node';
}

/**
 * Which of a node's own instrument and msg.topic comes first when a message has no msg.contract:
 * - 'node': a node that fetches data (market data, depth, a history request). Its configured
 *   instrument is what it subscribes to, and the topic of the message that triggers it (an inject's,
 *   say) does not redirect it; msg.topic names the instrument when none is configured.
 * - 'message': a node that acts on what it is given (orders, stops, bars from a file or a message, a
 *   batch backtest). A strategy's messages carry their instrument in msg.topic, so it comes first and
 *   the configured instrument serves messages that name none.
 */
export type InstrumentOrder = 'node' | 'message';

/**
 * The error for a message that names no instrument where the node has none configured either: it
 * lists the ways to name one in the order the rule reads them.
 */
export const NO_INSTRUMENT: Record<InstrumentOrder, string> = {
  node: 'no contract: set a symbol in the node, or send msg.topic (e.g. "AAPL" or "EUR:CASH:IDEALPRO:USD") or msg.contract',
  message: 'no instrument: set msg.topic to a symbol such as "AAPL" (or SYMBOL:SECTYPE:EXCHANGE:CURRENCY), pass msg.contract, or set the symbol in the node',
};

/**
 * The instrument a message is about, the one rule every node follows (through this function or
 * messageInstrument):
 * 1. msg.contract (an IB contract object), checked field by field and completed (secType STK,
 *    exchange SMART or the type's own, currency USD);
 * 2. else msg.topic (an instrument key, lib/messages/instrument.ts) and the node's configured
 *    instrument (a contract, or a key read only when it is used), in the order `first` says;
 * 3. else null here, the NO_INSTRUMENT error from messageInstrument.
 * Throws an Error naming the field and what to send for a malformed msg.contract or msg.topic. A
 * contract named by conId alone has the empty key until TWS qualifies it.
 */
export function findMessageInstrument(msg: { contract?: unknown; topic?: unknown }, configured: Contract | string | null | undefined, first: InstrumentOrder): MessageInstrument | null {
  if (msg.contract !== undefined && msg.contract !== null) {
    const contract = contractOfMessage(msg.contract);
    return { key: instrumentKey(contract), contract, from: 'contract' };
  }
  const topic = typeof msg.topic === 'string' && msg.topic.trim() !== '' ? msg.topic : null;
  const own = (): MessageInstrument | null => {
    if (configured === null || configured === undefined) return null;
    if (typeof configured !== 'string') return { key: instrumentKey(configured), contract: configured, from: 'node' };
    if (configured.trim() === '') return null;
    const contract = contractFromKey(configured);
    return { key: instrumentKey(contract), contract, from: 'node' };
  };
  const fromTopic = (): MessageInstrument | null => {
    if (topic === null) return null;
    const contract = validateContract(contractFromKey(topic), `msg.topic "${topic}"`);
    return { key: instrumentKey(contract), contract, from: 'topic' };
  };
  return first === 'node' ? (own() ?? fromTopic()) : (fromTopic() ?? own());
}

/** The instrument a message is about (findMessageInstrument); throws NO_INSTRUMENT when it names none. */
export function messageInstrument(msg: { contract?: unknown; topic?: unknown }, configured: Contract | string | null | undefined, first: InstrumentOrder): MessageInstrument {
  const found = findMessageInstrument(msg, configured, first);
  if (!found) throw new Error(NO_INSTRUMENT[first]);
  return found;
}

/** msg.contract checked and completed (see findMessageInstrument). */
function contractOfMessage(given: unknown): Contract {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new Error(`msg.contract must be an object such as {"symbol":"AAPL","secType":"STK","exchange":"SMART","currency":"USD"}, not ${describeValue(given)}`);
  }
  const raw = given as Record<string, unknown>;
  for (const field of ['symbol', 'localSymbol', 'secType', 'exchange', 'primaryExch', 'currency', 'right', 'lastTradeDateOrContractMonth', 'tradingClass'] as const) {
    const v = raw[field];
    if (v !== undefined && v !== null && typeof v !== 'string' && !(field === 'lastTradeDateOrContractMonth' && Number.isInteger(v))) {
      throw new Error(`msg.contract.${field} must be text (such as ${field === 'exchange' ? '"SMART"' : field === 'currency' ? '"USD"' : field === 'secType' ? '"STK"' : '"AAPL"'}), not ${describeValue(v)}`);
    }
  }
  if (raw.conId !== undefined && raw.conId !== null && !(Number.isInteger(raw.conId) && (raw.conId as number) >= 0)) throw new Error(`msg.contract.conId must be a whole number (IB's contract id), not ${describeValue(raw.conId)}`);
  if (raw.strike !== undefined && raw.strike !== null && !(typeof raw.strike === 'number' && Number.isFinite(raw.strike))) throw new Error(`msg.contract.strike must be a number such as 200, not ${describeValue(raw.strike)}`);
  // 0 is how a contract from TWS (a qualified stock, say) says it has no multiplier.
  const multiplier = raw.multiplier;
  if (multiplier !== undefined && multiplier !== null && multiplier !== '' && multiplier !== 0 && multiplier !== '0' && !(typeof multiplier === 'number' ? Number.isFinite(multiplier) && multiplier > 0 : typeof multiplier === 'string' && Number(multiplier) > 0)) {
    throw new Error(`msg.contract.multiplier must be a positive number such as 50, not ${describeValue(multiplier)}`);
  }
  const contract: Contract = { ...(raw as Contract) };
  if (typeof raw.symbol === 'string') contract.symbol = raw.symbol.trim().toUpperCase();
  contract.secType = (String(raw.secType ?? 'STK').toUpperCase() || 'STK') as Contract['secType'];
  contract.exchange = String(raw.exchange ?? '').toUpperCase() || defaultExchange(contract.secType as string);
  contract.currency = String(raw.currency ?? 'USD').toUpperCase() || 'USD';
  return validateContract(contract, 'msg.contract');
}
