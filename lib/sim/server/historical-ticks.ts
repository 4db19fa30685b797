/**
 * HISTORICAL_TICKS (midpoint), HISTORICAL_TICKS_BID_ASK and HISTORICAL_TICKS_LAST: how TWS sends the
 * history a tick-by-tick request asks for with numberOfTicks > 0 (IB: "historical tick data is first
 * returned via historicalTicksLast, historicalTicksBidAsk or historicalTicks respectively"), under the
 * request's id, before the live TICK_BY_TICK stream. Layouts as the client's decoder reads them (the
 * same at every server version that can ask for them):
 *   96|reqId|count|(time|0|price|size)*|done
 *   97|reqId|count|(time|mask|bid|ask|bidSize|askSize)*|done
 *   98|reqId|count|(time|mask|price|size|exchange|specialConditions)*|done
 */
import type { MarketQuote } from '../market/market';
import { TickKind } from '../market/tick-history';
import { num } from './fields';
import type { Field } from './session';

/** Server -> client ids of the three historical tick messages. */
export const HistoricalTicksMessage = { MIDPOINT: 96, BID_ASK: 97, LAST: 98 } as const;

const seconds = (time: number) => Math.floor(time / 1000);

/** One message carrying every tick, oldest first, with done = 1 (the history is complete). */
export function historicalTicksFields(reqId: number, kind: TickKind, ticks: readonly MarketQuote[], exchange: string): Field[] {
  const fields: Field[] = [];
  if (kind === TickKind.Last || kind === TickKind.AllLast) {
    fields.push(HistoricalTicksMessage.LAST, reqId, ticks.length);
    for (const q of ticks) fields.push(seconds(q.time), 0, num(q.last), num(q.lastSize), exchange, '');
  } else if (kind === TickKind.BidAsk) {
    fields.push(HistoricalTicksMessage.BID_ASK, reqId, ticks.length);
    for (const q of ticks) fields.push(seconds(q.time), 0, num(q.bid), num(q.ask), num(q.bidSize), num(q.askSize));
  } else {
    fields.push(HistoricalTicksMessage.MIDPOINT, reqId, ticks.length);
    for (const q of ticks) fields.push(seconds(q.time), 0, num((q.bid + q.ask) / 2), 0);
  }
  fields.push(1);
  return fields;
}
