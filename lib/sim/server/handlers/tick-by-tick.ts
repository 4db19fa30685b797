/**
 * REQ_TICK_BY_TICK_DATA / CANCEL_TICK_BY_TICK_DATA: Last and AllLast (each trade), BidAsk (each change
 * of the top of book) and MidPoint (each change of the midpoint), from the same quotes as REQ_MKT_DATA.
 */
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import { readContract, resolveOne } from '../contract-codec';
import { num } from '../fields';
import { marketClock } from '../market-clock';
import type { MarketQuote } from '../../market/market';

const KINDS: Record<string, number> = { LAST: 1, ALLLAST: 2, BIDASK: 3, MIDPOINT: 4 };

export function registerTickByTickHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_TICK_BY_TICK_DATA, 'REQ_TICK_BY_TICK_DATA', (session, reader, context) => {
    const reqId = reader.int('reqId');
    const query = readContract(reader);
    const kindText = reader.str('tickType');
    if (reader.remaining > 0) {
      reader.int('numberOfTicks');
      reader.bool('ignoreSize');
    }
    let state = session.state.get('tick-by-tick') as Map<number, () => void> | undefined;
    if (!state) {
      const created = new Map<number, () => void>();
      state = created;
      session.state.set('tick-by-tick', created);
      session.onClose(() => created.forEach((stop) => stop()));
    }
    const kind = KINDS[kindText.toUpperCase()];
    if (kind === undefined) {
      session.error(reqId, 321, `Error validating request.-'cH' : cause - Invalid tick-by-tick type "${kindText}": use Last, AllLast, BidAsk or MidPoint`);
      return;
    }
    if (state.has(reqId)) {
      session.error(reqId, 322, `Error processing request.-'cH' : cause - Duplicate ticker id ${reqId}`);
      return;
    }
    const instrument = resolveOne(session, context.market, query, reqId);
    if (!instrument) return;
    if ((kind === 1 || kind === 2) && !instrument.hasTrades) {
      session.error(reqId, 10189, `Failed to request tick-by-tick data.${kindText} ticks are not available for ${instrument.localSymbol}: it only quotes; use BidAsk or MidPoint`);
      return;
    }
    let previous: MarketQuote | null = null;
    const emit = (time: number) => {
      const q = context.market.quote(instrument, time);
      const seconds = Math.floor(time / 1000);
      const p = previous;
      previous = q;
      if (kind <= 2) {
        if (p && p.last === q.last && p.lastSize === q.lastSize) return;
        session.send([Outgoing.TICK_BY_TICK, reqId, kind, seconds, num(q.last), num(q.lastSize), 0, kind === 2 ? instrument.primaryExch || instrument.exchange : '', '']);
      } else if (kind === 3) {
        if (p && p.bid === q.bid && p.ask === q.ask && p.bidSize === q.bidSize && p.askSize === q.askSize) return;
        session.send([Outgoing.TICK_BY_TICK, reqId, 3, seconds, num(q.bid), num(q.ask), num(q.bidSize), num(q.askSize), 0]);
      } else {
        const mid = (q.bid + q.ask) / 2;
        if (p && (p.bid + p.ask) / 2 === mid) return;
        session.send([Outgoing.TICK_BY_TICK, reqId, 4, seconds, num(mid)]);
      }
    };
    emit(context.now());
    state.set(reqId, marketClock(context).subscribe(emit));
  });

  register(registry, Incoming.CANCEL_TICK_BY_TICK_DATA, 'CANCEL_TICK_BY_TICK_DATA', (session, reader) => {
    const reqId = reader.int('reqId');
    const state = session.state.get('tick-by-tick') as Map<number, () => void> | undefined;
    const stop = state?.get(reqId);
    if (stop) {
      stop();
      state!.delete(reqId);
    }
  });
}
