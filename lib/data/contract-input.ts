/**
 * Which contract a message is about: `msg.contract` (an IB contract object) first, then the node's own
 * contract settings, then `msg.topic` (an instrument key). Validated here so a missing symbol or an
 * option without a strike is refused with a message saying what to set, before anything reaches TWS.
 */
import type { Contract } from '@stoqey/ib';
import { contractFromKey, describeValue } from '../messages/instrument';

export const SEC_TYPES = ['STK', 'CASH', 'FUT', 'OPT', 'IND', 'BOND', 'CRYPTO'] as const;
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
  conId?: string | number;
}

const DEFAULT_CURRENCY: Partial<Record<SupportedSecType, string>> = {};

/** A contract from the editor's fields, or null when no symbol (and no conId) is set. */
export function contractFromSettings(settings: ContractSettings): Contract | null {
  const symbol = String(settings.symbol ?? '').trim().toUpperCase();
  const conId = Number(settings.conId ?? 0) || 0;
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
  if (expiry) contract.lastTradeDateOrContractMonth = expiry;
  const strike = Number(settings.strike ?? 0);
  if (settings.strike !== undefined && settings.strike !== '' && Number.isFinite(strike) && strike > 0) contract.strike = strike;
  const right = String(settings.right ?? '').trim().toUpperCase();
  if (right) contract.right = (right.startsWith('C') ? 'C' : 'P') as Contract['right'];
  const multiplier = String(settings.multiplier ?? '').trim();
  if (multiplier) contract.multiplier = Number(multiplier);
  const primaryExch = String(settings.primaryExch ?? '').trim().toUpperCase();
  if (primaryExch) contract.primaryExch = primaryExch;
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
  if ((secType === 'FUT' || secType === 'OPT') && !contract.lastTradeDateOrContractMonth && !contract.localSymbol && !contract.conId) {
    throw new Error(`contract ${name} in ${where}: a ${secType} needs an expiry (YYYYMM or YYYYMMDD), a localSymbol or a conId`);
  }
  if (secType === 'OPT' && !contract.conId && !contract.localSymbol && (!contract.strike || !contract.right)) {
    throw new Error(`contract ${name} in ${where}: an option needs a strike and a right (C or P)`);
  }
  return contract;
}

export interface ContractInput {
  msgContract?: unknown;
  topic?: unknown;
  settings?: Contract | null;
}

/**
 * The contract a message asks for: msg.contract, else the node's configured contract, else msg.topic.
 * Throws a message that says how to name an instrument when none is given.
 */
export function resolveContractInput(input: ContractInput): Contract {
  if (input.msgContract !== undefined && input.msgContract !== null) {
    if (typeof input.msgContract !== 'object' || Array.isArray(input.msgContract)) {
      throw new Error(`msg.contract must be an object such as {"symbol":"AAPL","secType":"STK","exchange":"SMART","currency":"USD"}, not ${describeValue(input.msgContract)}`);
    }
    const raw = input.msgContract as Record<string, unknown>;
    for (const field of ['symbol', 'localSymbol', 'secType', 'exchange', 'primaryExch', 'currency', 'right', 'lastTradeDateOrContractMonth', 'tradingClass'] as const) {
      const v = raw[field];
      if (v !== undefined && v !== null && typeof v !== 'string' && !(field === 'lastTradeDateOrContractMonth' && Number.isInteger(v))) {
        throw new Error(`msg.contract.${field} must be text (such as ${field === 'exchange' ? '"SMART"' : field === 'currency' ? '"USD"' : field === 'secType' ? '"STK"' : '"AAPL"'}), not ${describeValue(v)}`);
      }
    }
    if (raw.conId !== undefined && raw.conId !== null && !(Number.isInteger(raw.conId) && (raw.conId as number) >= 0)) throw new Error(`msg.contract.conId must be a whole number (IB's contract id), not ${describeValue(raw.conId)}`);
    if (raw.strike !== undefined && raw.strike !== null && !(typeof raw.strike === 'number' && Number.isFinite(raw.strike))) throw new Error(`msg.contract.strike must be a number such as 200, not ${describeValue(raw.strike)}`);
    const multiplier = raw.multiplier;
    if (multiplier !== undefined && multiplier !== null && multiplier !== '' && !(typeof multiplier === 'number' ? Number.isFinite(multiplier) && multiplier > 0 : typeof multiplier === 'string' && Number(multiplier) > 0)) {
      throw new Error(`msg.contract.multiplier must be a positive number such as 50, not ${describeValue(multiplier)}`);
    }
    const contract: Contract = { ...(raw as Contract) };
    if (typeof raw.symbol === 'string') contract.symbol = raw.symbol.trim().toUpperCase();
    contract.secType = (String(raw.secType ?? 'STK').toUpperCase() || 'STK') as Contract['secType'];
    contract.exchange = String(raw.exchange ?? '').toUpperCase() || defaultExchange(contract.secType as string);
    contract.currency = String(raw.currency ?? 'USD').toUpperCase() || 'USD';
    return validateContract(contract, 'msg.contract');
  }
  if (input.settings) return input.settings;
  if (typeof input.topic === 'string' && input.topic.trim() !== '') {
    return validateContract(contractFromKey(input.topic), `msg.topic "${input.topic}"`);
  }
  throw new Error('no contract: set a symbol in the node, or send msg.topic (e.g. "AAPL" or "EUR:CASH:IDEALPRO:USD") or msg.contract');
}
