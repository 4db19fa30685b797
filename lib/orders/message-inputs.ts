/**
 * What order nodes read from a message besides msg.order: the instrument (the one rule of
 * lib/messages/message-instrument.ts) and a reference price (bar close, quote last or mid, or a
 * number payload) for notional limits and protective levels.
 */
import { messageInstrument, type MessageInstrument } from '../messages/message-instrument';
import { OrderInputError } from './errors';

/**
 * The instrument an order message is about: the one rule (lib/messages/message-instrument.ts), msg.topic
 * before the node's configured key, plus what an order needs besides: a symbol to key it by.
 */
export function orderInstrument(msg: { topic?: unknown; contract?: unknown }, configuredKey: string): MessageInstrument {
  let found: MessageInstrument;
  try {
    found = messageInstrument(msg, configuredKey, 'message');
  } catch (err) {
    throw new OrderInputError(msg.contract !== undefined && msg.contract !== null ? 'msg.contract' : 'msg.topic', (err as Error).message);
  }
  if (!found.key) throw new OrderInputError('msg.contract', 'msg.contract names no symbol: an order needs one (e.g. {"symbol":"AAPL","conId":265598}) to be kept under its instrument');
  return found;
}

/**
 * A positive price from the message, or null: payload number, quote last, quote mid, bar close. A
 * quote's close is the previous session's (TWS's tick 9): read before its last, it checked a stop-loss
 * 1 % under the last against yesterday's close and refused it on any day up more than 1 %.
 */
export function referencePrice(payload: unknown): number | null {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (ok(payload)) return payload;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const p = payload as Record<string, unknown>;
  if (ok(p.last)) return p.last;
  if (ok(p.bid) && ok(p.ask)) return (p.bid + p.ask) / 2;
  if (ok(p.close)) return p.close;
  if (ok(p.price)) return p.price;
  return null;
}
