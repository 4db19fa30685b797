/**
 * REQ_REAL_TIME_BARS / CANCEL_REAL_TIME_BARS: IB's 5-second bars (TRADES, MIDPOINT, BID or ASK), each
 * sent once its 5 seconds are over, aligned on the clock (:00, :05, ...), with its start time in epoch
 * seconds. Built from the market's price path by the same code as historical bars, so a minute of
 * 5-second bars summarizes to the minute's historical bar. With useRTH outside regular hours, no bars.
 */
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import { readContract, resolveOne } from '../contract-codec';
import { num } from '../fields';
import { marketClock } from '../market-clock';
import type { ClientSession } from '../session';
import { buildBars, isTradeData, type BarRequest, type WhatToShow } from '../../market/bars';

const BAR_MS = 5000;
const KINDS: ReadonlySet<string> = new Set(['TRADES', 'MIDPOINT', 'BID', 'ASK']);
const FIVE_SECONDS: BarRequest['barSize'] = { label: '5 secs', unit: 'intraday', ms: BAR_MS };

type Subscriptions = Map<number, () => void>;

function subscriptions(session: ClientSession): Subscriptions {
  let state = session.state.get('realtime-bars') as Subscriptions | undefined;
  if (!state) {
    const created: Subscriptions = new Map();
    state = created;
    session.state.set('realtime-bars', created);
    session.onClose(() => {
      for (const stop of created.values()) stop();
    });
  }
  return state;
}

export function registerRealTimeBarsHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_REAL_TIME_BARS, 'REQ_REAL_TIME_BARS', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const query = readContract(reader);
    const barSize = reader.int('barSize');
    const whatText = reader.str('whatToShow').toUpperCase();
    const useRth = reader.bool('useRTH');
    if (reader.remaining > 0) reader.str('realTimeBarsOptions');
    const state = subscriptions(session);
    if (state.has(reqId)) {
      session.error(reqId, 322, `Error processing request.-'cH' : cause - Duplicate ticker id ${reqId}`);
      return;
    }
    if (barSize !== 5) {
      session.error(reqId, 321, `Error validating request.-'bK' : cause - Invalid bar size ${barSize}: real-time bars are 5 seconds`);
      return;
    }
    if (!KINDS.has(whatText)) {
      session.error(reqId, 321, `Error validating request.-'bK' : cause - Invalid whatToShow "${whatText}" for real-time bars: use TRADES, MIDPOINT, BID or ASK`);
      return;
    }
    const instrument = resolveOne(session, context.market, query, reqId);
    if (!instrument) return;
    const whatToShow = whatText as WhatToShow;
    if (isTradeData(whatToShow) && !instrument.hasTrades) {
      session.error(reqId, 420, `Invalid Real-time Query:No TRADES data for ${instrument.localSymbol}: it only quotes; use MIDPOINT, BID or ASK`);
      return;
    }
    const path = context.market.path(instrument);
    // The bar in progress when asked is the first one sent, once it is over.
    let nextEnd = Math.floor(context.now() / BAR_MS) * BAR_MS + BAR_MS;
    const onTick = (time: number) => {
      while (time >= nextEnd) {
        const end = nextEnd;
        nextEnd += BAR_MS;
        const request: BarRequest = { barSize: FIVE_SECONDS, duration: { count: 5, unit: 'S' }, end, now: end, useRth, whatToShow };
        const bar = buildBars(path, request)[0];
        if (!bar || bar.start !== end - BAR_MS) continue;
        session.send([Outgoing.REAL_TIME_BARS, 3, reqId, Math.floor(bar.start / 1000), num(bar.open), num(bar.high), num(bar.low), num(bar.close), num(bar.volume), num(bar.wap), bar.count]);
      }
    };
    state.set(reqId, marketClock(context).subscribe(onTick));
  });

  register(registry, Incoming.CANCEL_REAL_TIME_BARS, 'CANCEL_REAL_TIME_BARS', (session, reader) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const state = subscriptions(session);
    const stop = state.get(reqId);
    if (stop) {
      stop();
      state.delete(reqId);
    }
  });
}
