/**
 * What order nodes read from a message besides msg.order: the instrument (msg.contract or msg.topic,
 * else the node's configured instrument) and a reference price (bar close, quote last or mid, or a
 * number payload) for notional limits and protective levels.
 */
import type { Contract } from '@stoqey/ib';
import { contractFromKey, instrumentKey } from '../messages/instrument';
import type { InstrumentKey } from '../messages';
import { OrderInputError } from './errors';

export interface MessageInstrument {
  key: InstrumentKey;
  contract: Contract;
}

/** The instrument of a message: msg.contract, else msg.topic, else the node's configured key. */
export function instrumentOf(msg: { topic?: unknown; contract?: unknown }, configuredKey: string): MessageInstrument {
  if (msg.contract !== undefined && msg.contract !== null) {
    if (typeof msg.contract !== 'object' || !(msg.contract as Contract).symbol) {
      throw new OrderInputError('msg.contract', 'msg.contract must be an IB contract with at least a symbol, e.g. {"symbol":"AAPL","secType":"STK","exchange":"SMART","currency":"USD"}');
    }
    const contract = { secType: 'STK', exchange: 'SMART', currency: 'USD', ...(msg.contract as Contract) } as Contract;
    try {
      return { key: instrumentKey(contract), contract };
    } catch (err) {
      throw new OrderInputError('msg.contract', `msg.${(err as Error).message}`);
    }
  }
  const key = typeof msg.topic === 'string' && msg.topic.trim() ? msg.topic.trim() : configuredKey.trim();
  if (!key) throw new OrderInputError('msg.topic', 'no instrument: set msg.topic to a symbol such as "AAPL" (or SYMBOL:SECTYPE:EXCHANGE:CURRENCY), pass msg.contract, or set the symbol in the node');
  try {
    const contract = contractFromKey(key);
    return { key: instrumentKey(contract), contract };
  } catch (err) {
    throw new OrderInputError('msg.topic', (err as Error).message);
  }
}

/** A positive price from the message, or null: payload number, bar close, quote last, or quote mid. */
export function referencePrice(payload: unknown): number | null {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (ok(payload)) return payload;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const p = payload as Record<string, unknown>;
  if (ok(p.close)) return p.close;
  if (ok(p.last)) return p.last;
  if (ok(p.bid) && ok(p.ask)) return (p.bid + p.ask) / 2;
  if (ok(p.price)) return p.price;
  return null;
}

/** A number at a dotted path of the message (e.g. "indicators.atr14"), or null. */
export function numberAt(msg: Record<string, unknown>, path: string): number | null {
  let value: unknown = msg;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
