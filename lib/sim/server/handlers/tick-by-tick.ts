/**
 * REQ_TICK_BY_TICK_DATA / CANCEL_TICK_BY_TICK_DATA: Last and AllLast (each trade), BidAsk (each change
 * of the top of book) and MidPoint (each change of the midpoint), from the same quotes as REQ_MKT_DATA.
 * With numberOfTicks > 0 (server version 140+) the last that many ticks (at most 1000) go first, in one
 * HISTORICAL_TICKS_* message under the request's id, as TWS sends them; then the live stream.
 */
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import { readContract, resolveOne } from '../contract-codec';
import { num } from '../fields';
import { marketClock } from '../market-clock';
import type { MarketQuote } from '../../market/market';
import { recentTicks, tickChanged, TickKind } from '../../market/tick-history';
import { historicalTicksFields } from '../historical-ticks';

const KINDS: Record<string, TickKind> = { LAST: TickKind.Last, ALLLAST: TickKind.AllLast, BIDASK: TickKind.BidAsk, MIDPOINT: TickKind.MidPoint };
/**
 * How far back history is looked for: a quiet market (a thin hour of forex) may move its midpoint only a
 * few times a minute, so 1000 ticks can reach half an hour back. Bounded in instants too, so a fast
 * clock does not stall the simulator (250k instants take about 0.2 s).
 */
const HISTORY_LOOKBACK_MS = 2 * 60 * 60 * 1000;
const HISTORY_MAX_INSTANTS = 250_000;

export function registerTickByTickHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_TICK_BY_TICK_DATA, 'REQ_TICK_BY_TICK_DATA', (session, reader, context) => {
    const reqId = reader.int('reqId');
    const query = readContract(reader);
    const kindText = reader.str('tickType');
    // Below server version 140 the client sends neither field (and refuses to ask for history).
    let numberOfTicks = 0;
    let ignoreSize = false;
    if (reader.remaining > 0) {
      numberOfTicks = reader.int('numberOfTicks');
      ignoreSize = reader.bool('ignoreSize');
    }
    let state = session.state.get('tick-by-tick') as Map<number, () => void> | undefined;
    if (!state) {
      const created = new Map<number, () => void>();
      state = created;
      session.state.set('tick-by-tick', created);
      session.onClose(() => {
        for (const stop of created.values()) stop();
      });
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
    if ((kind === TickKind.Last || kind === TickKind.AllLast) && !instrument.hasTrades) {
      session.error(reqId, 10189, `Failed to request tick-by-tick data.${kindText} ticks are not available for ${instrument.localSymbol}: it only quotes; use BidAsk or MidPoint`);
      return;
    }
    const exchange = kind === TickKind.AllLast ? instrument.primaryExch || instrument.exchange : '';
    const start = context.now();
    if (numberOfTicks > 0) {
      const stepMs = 1000 / context.options.ticksPerSecond;
      const ticks = recentTicks(context.market, instrument, { kind, ignoreSize, before: start, stepMs, count: numberOfTicks, maxInstants: Math.min(HISTORY_LOOKBACK_MS / stepMs, HISTORY_MAX_INSTANTS) });
      session.send(historicalTicksFields(reqId, kind, ticks, exchange));
    }
    let previous: MarketQuote | null = null;
    const emit = (time: number) => {
      const q = context.market.quote(instrument, time);
      const p = previous;
      previous = q;
      if (!tickChanged(kind, p, q, ignoreSize)) return;
      const seconds = Math.floor(time / 1000);
      if (kind === TickKind.Last || kind === TickKind.AllLast) {
        session.send([Outgoing.TICK_BY_TICK, reqId, kind, seconds, num(q.last), num(q.lastSize), 0, exchange, '']);
      } else if (kind === TickKind.BidAsk) {
        session.send([Outgoing.TICK_BY_TICK, reqId, 3, seconds, num(q.bid), num(q.ask), num(q.bidSize), num(q.askSize), 0]);
      } else {
        session.send([Outgoing.TICK_BY_TICK, reqId, 4, seconds, num((q.bid + q.ask) / 2)]);
      }
    };
    emit(start);
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
