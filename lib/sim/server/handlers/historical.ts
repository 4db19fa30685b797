/**
 * REQ_HISTORICAL_DATA / CANCEL_HISTORICAL_DATA: bars from the market's price path (deterministic for
 * a seed), IB's validation and error codes, pacing (error 162) when enabled, and keepUpToDate with
 * HISTORICAL_DATA_UPDATE of the forming bar. Layouts as from server version 124 on (no version field).
 */
import type { SimContext } from '../context';
import { service } from '../context';
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import { readContract, resolveOne } from '../contract-codec';
import type { ClientSession, Field } from '../session';
import { num } from '../fields';
import { HistoricalPacing } from '../historical-pacing';
import { TWS_TIME_ZONE, twsDateTime, pad } from '../tws-time';
import {
  buildBars,
  estimateBarCount,
  formingBar,
  isTradeData,
  requestedBarSize,
  parseDuration,
  parseEndDateTime,
  rangeStart,
  WHAT_TO_SHOW,
  type BarRequest,
  type WhatToShow,
  type WireBar,
} from '../../market/bars';
import type { Instrument } from '../../market/universe';
import { formatInZone } from '../../../messages/time-zones';

/** Bars a single request may return before TWS answers "Time length exceed max". */
const MAX_BARS = 100_000;
const HMDS = 'Historical Market Data Service error message:';

function barDate(bar: WireBar, instrument: Instrument, formatDate: number): string {
  if (bar.date !== null) return bar.date;
  if (formatDate === 2) return String(Math.floor(bar.start / 1000));
  const p = formatInZone(bar.start, instrument.zone);
  return `${p.year}${pad(p.month)}${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${instrument.timeZoneId}`;
}

interface Subscriptions {
  timers: Map<number, () => void>;
}

function sessionSubscriptions(session: ClientSession, context: SimContext): Subscriptions {
  let state = session.state.get('historical') as Subscriptions | undefined;
  if (!state) {
    const created: Subscriptions = { timers: new Map() };
    state = created;
    session.state.set('historical', created);
    session.onClose(() => {
      for (const stop of created.timers.values()) stop();
      pacing(context).open = Math.max(0, pacing(context).open - created.timers.size);
      created.timers.clear();
    });
  }
  return state;
}

function pacing(context: SimContext): HistoricalPacing {
  return service(context, 'historical-pacing', () => new HistoricalPacing());
}

export function registerHistoricalHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_HISTORICAL_DATA, 'REQ_HISTORICAL_DATA', (session, reader, context) => {
    const reqId = reader.int('reqId');
    const query = readContract(reader);
    reader.bool('includeExpired');
    const endText = reader.str('endDateTime');
    const barSizeText = reader.str('barSizeSetting');
    const durationText = reader.str('durationStr');
    const useRth = reader.bool('useRTH');
    const whatText = reader.str('whatToShow').toUpperCase();
    const formatDate = reader.int('formatDate', 1);
    if ((query.secType ?? '').toUpperCase() === 'BAG') reader.skip(reader.int('comboLegsCount') * 4, 'combo leg field');
    const keepUpToDate = reader.bool('keepUpToDate');
    if (reader.remaining > 0) reader.str('chartOptions');

    const instrument = resolveOne(session, context.market, query, reqId);
    if (!instrument) return;
    const barSize = requestedBarSize(barSizeText);
    if (!barSize) {
      session.error(reqId, 321, `Error validating request.-'bP' : cause - Historical data bar size setting is invalid: "${barSizeText}". Use one of 1 secs, 5 secs, 10 secs, 15 secs, 30 secs, 1 min, 2 mins, 3 mins, 5 mins, 10 mins, 15 mins, 20 mins, 30 mins, 1 hour, 2 hours, 3 hours, 4 hours, 8 hours, 1 day, 1 week, 1 month`);
      return;
    }
    const duration = parseDuration(durationText);
    if (!duration) {
      session.error(reqId, 321, `Error validating request.-'bQ' : cause - Historical data duration format is invalid: "${durationText}". Use "<integer> <unit>" with unit S, D, W, M or Y, e.g. "1 D"`);
      return;
    }
    if (!WHAT_TO_SHOW.has(whatText)) {
      session.error(reqId, 321, `Error validating request.-'bR' : cause - Historical data whatToShow is invalid: "${whatText}"`);
      return;
    }
    const whatToShow = whatText as WhatToShow;
    const now = context.now();
    const end = parseEndDateTime(endText, now, TWS_TIME_ZONE);
    if (end === null) {
      session.error(reqId, 10314, 'End Date/Time: The date, time, or time-zone entered is invalid. The correct format is yyyymmdd hh:mm:ss xx/xxxx where yyyymmdd and xx/xxxx are optional. E.g.: 20031126 15:59:00 US/Eastern  Note that there is a space between the date and time, and between the time and time-zone.  If no date is specified, current date is assumed. If no time-zone is specified, local time-zone is assumed(deprecated).  You can also provide yyyymmddd-hh:mm:ss time is in UTC. Note that there is a dash between the date and time in UTC notation.');
      return;
    }
    if (keepUpToDate && endText.trim() !== '') {
      session.error(reqId, 321, "Error validating request.-'bS' : cause - End date not supported with live updates: leave endDateTime empty with keepUpToDate");
      return;
    }
    if (whatToShow === 'ADJUSTED_LAST' && endText.trim() !== '') {
      session.error(reqId, 321, "Error validating request.-'bS' : cause - End date not supported with adjusted last: leave endDateTime empty with ADJUSTED_LAST");
      return;
    }
    if (isTradeData(whatToShow) && !instrument.hasTrades) {
      session.error(reqId, 162, `${HMDS}No historical market data for ${instrument.symbol}/${instrument.secType}@${instrument.exchange} ${whatToShow === 'TRADES' ? 'Last' : whatToShow} 0`);
      return;
    }
    const request: BarRequest = { barSize, duration, end: Math.min(end, now), now, useRth, whatToShow };
    const from = rangeStart(context.market.path(instrument), request);
    if (estimateBarCount(request, from) > MAX_BARS) {
      session.error(reqId, 162, `${HMDS}Time length exceed max.`);
      return;
    }
    if (context.options.historicalPacing) {
      const smallBars = barSize.unit === 'intraday' && barSize.ms <= 30_000;
      const violation = pacing(context).admit(
        {
          identity: [instrument.conId, endText.trim(), barSize.label, durationText.trim(), useRth, whatToShow, keepUpToDate].join('|'),
          series: [instrument.conId, instrument.exchange, whatToShow].join('|'),
          smallBars,
        },
        now,
      );
      if (violation) {
        context.log(`${session.label}: historical request ${reqId} breaks pacing: ${violation}`);
        session.error(reqId, 162, `${HMDS}Historical data request pacing violation: ${violation}`);
        return;
      }
    }
    const path = context.market.path(instrument);
    const bars = buildBars(path, request);
    if (bars.length === 0) {
      session.error(reqId, 162, `${HMDS}HMDS query returned no data: ${instrument.localSymbol}@${instrument.exchange} ${whatToShow}`);
      return;
    }
    const fields: Field[] = [Outgoing.HISTORICAL_DATA, reqId, twsDateTime(from), twsDateTime(request.end), bars.length];
    for (const bar of bars) {
      fields.push(barDate(bar, instrument, formatDate), num(bar.open), num(bar.high), num(bar.low), num(bar.close), num(bar.volume), num(bar.wap), bar.count);
    }
    session.send(fields);
    if (!keepUpToDate) return;

    const subscriptions = sessionSubscriptions(session, context);
    pacing(context).open++;
    const periodMs = 1000 / Math.min(4, context.options.ticksPerSecond);
    const timer = setInterval(() => {
      const at = context.now();
      const bar = formingBar(path, { ...request, end: at, now: at }, at);
      if (!bar) return;
      session.send([Outgoing.HISTORICAL_DATA_UPDATE, reqId, bar.count, barDate(bar, instrument, formatDate), num(bar.open), num(bar.close), num(bar.high), num(bar.low), num(bar.wap), num(bar.volume)]);
    }, periodMs);
    timer.unref();
    subscriptions.timers.set(reqId, () => clearInterval(timer));
  });

  register(registry, Incoming.CANCEL_HISTORICAL_DATA, 'CANCEL_HISTORICAL_DATA', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const subscriptions = sessionSubscriptions(session, context);
    const stop = subscriptions.timers.get(reqId);
    if (stop) {
      stop();
      subscriptions.timers.delete(reqId);
      pacing(context).open = Math.max(0, pacing(context).open - 1);
    }
  });
}
