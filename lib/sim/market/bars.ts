/**
 * Historical bars from the price path, the way reqHistoricalData asks for them: IB's bar sizes,
 * duration strings ("N S/D/W/M/Y"), end times in IB's formats, regular hours only or not, and the
 * kinds of data (TRADES, MIDPOINT, BID, ASK, BID_ASK, ...). Every bar is a summary of the same path
 * the live ticks follow, so the same seed and request always give the same bars.
 */
import type { PricePath, Summary } from './price-path';
import { formatInZone, ianaZone, isKnownZone, zonedToEpoch } from '../../messages/time-zones';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY_MS = 86_400_000;

export type BarUnit = 'intraday' | 'day' | 'week' | 'month';

export interface RequestedBarSize {
  unit: BarUnit;
  /** Length of an intraday bar in ms (0 otherwise). */
  ms: number;
  label: string;
}

const INTRADAY_SIZES: Record<string, number> = {
  '1 sec': SECOND,
  '5 sec': 5 * SECOND,
  '10 sec': 10 * SECOND,
  '15 sec': 15 * SECOND,
  '30 sec': 30 * SECOND,
  '1 min': MINUTE,
  '2 min': 2 * MINUTE,
  '3 min': 3 * MINUTE,
  '5 min': 5 * MINUTE,
  '10 min': 10 * MINUTE,
  '15 min': 15 * MINUTE,
  '20 min': 20 * MINUTE,
  '30 min': 30 * MINUTE,
  '1 hour': HOUR,
  '2 hour': 2 * HOUR,
  '3 hour': 3 * HOUR,
  '4 hour': 4 * HOUR,
  '8 hour': 8 * HOUR,
};

/** IB's bar size settings ("1 secs", "5 mins", "1 hour", "1 day", "1 week", "1 month"); null when not one. */
export function requestedBarSize(text: string): RequestedBarSize | null {
  const match = /^\s*(\d+)\s*(secs?|mins?|hours?|days?|weeks?|months?|[SDWMH])\s*$/i.exec(text);
  if (!match) return null;
  const count = Number(match[1]);
  const word = match[2].toLowerCase();
  const unit = word.startsWith('sec') || word === 's' ? 'sec' : word.startsWith('min') ? 'min' : word.startsWith('h') ? 'hour' : word.startsWith('d') ? 'day' : word.startsWith('w') ? 'week' : 'month';
  if (unit === 'day' || unit === 'week' || unit === 'month') {
    if (count !== 1) return null;
    return { unit, ms: 0, label: `1 ${unit}` };
  }
  const ms = INTRADAY_SIZES[`${count} ${unit}`];
  return ms ? { unit: 'intraday', ms, label: text.trim() } : null;
}

export interface Duration {
  count: number;
  unit: 'S' | 'D' | 'W' | 'M' | 'Y';
}

/** "N S", "N D", "N W", "N M", "N Y"; null when malformed. */
export function parseDuration(text: string): Duration | null {
  const match = /^\s*(\d+)\s+([SDWMY])\s*$/i.exec(text);
  if (!match) return null;
  const count = Number(match[1]);
  if (count <= 0) return null;
  return { count, unit: match[2].toUpperCase() as Duration['unit'] };
}

/**
 * endDateTime as IB takes it: empty (now), `yyyyMMdd HH:mm:ss` (TWS's zone), `yyyyMMdd HH:mm:ss <zone>`
 * (`US/Eastern`, `UTC`, any IANA id), `yyyyMMdd-HH:mm:ss` (UTC), or `yyyyMMdd` (end of that day).
 * Returns null when it is none of these.
 */
export function parseEndDateTime(text: string, now: number, twsZone: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return now;
  const utc = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})$/.exec(trimmed);
  if (utc) {
    const [y, m, d, h, mi, s] = utc.slice(1).map(Number);
    return validDate(y, m, d, h, mi, s) ? Date.UTC(y, m - 1, d, h, mi, s) : null;
  }
  const local = /^(\d{4})(\d{2})(\d{2})(?:\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s+(\S+))?)?$/.exec(trimmed);
  if (!local) return null;
  const [y, m, d] = [Number(local[1]), Number(local[2]), Number(local[3])];
  const zone = local[7] ? ianaZone(local[7]) : twsZone;
  if (!isKnownZone(zone)) return null;
  if (local[4] === undefined) {
    return validDate(y, m, d, 0, 0, 0) ? zonedToEpoch(zone, y, m, d, 23, 59, 59) + SECOND : null;
  }
  const [h, mi, s] = [Number(local[4]), Number(local[5]), Number(local[6])];
  return validDate(y, m, d, h, mi, s) ? zonedToEpoch(zone, y, m, d, h, mi, s) : null;
}

function validDate(y: number, m: number, d: number, h: number, mi: number, s: number): boolean {
  if (m < 1 || m > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export type WhatToShow =
  | 'TRADES'
  | 'MIDPOINT'
  | 'BID'
  | 'ASK'
  | 'BID_ASK'
  | 'ADJUSTED_LAST'
  | 'AGGTRADES'
  | 'HISTORICAL_VOLATILITY'
  | 'OPTION_IMPLIED_VOLATILITY';

export const WHAT_TO_SHOW: ReadonlySet<string> = new Set<WhatToShow>([
  'TRADES',
  'MIDPOINT',
  'BID',
  'ASK',
  'BID_ASK',
  'ADJUSTED_LAST',
  'AGGTRADES',
  'HISTORICAL_VOLATILITY',
  'OPTION_IMPLIED_VOLATILITY',
]);

/** Kinds of data built from traded prices (and therefore unavailable for instruments that only quote). */
export function isTradeData(what: WhatToShow): boolean {
  return what === 'TRADES' || what === 'ADJUSTED_LAST' || what === 'AGGTRADES';
}

export interface BarRequest {
  barSize: RequestedBarSize;
  duration: Duration;
  /** End of the requested range (already capped at now). */
  end: number;
  now: number;
  useRth: boolean;
  whatToShow: WhatToShow;
}

/** A bar as the wire carries it (volume, wap and count are -1 where IB sends -1). */
export interface WireBar {
  start: number;
  /** For daily and longer bars: the local date yyyyMMdd of its first day. */
  date: string | null;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

/** A span of time a bar covers, before it is summarized. */
interface BarSpan {
  start: number;
  /** Sub-spans (regular hours windows) to summarize, in time order. */
  parts: Array<[number, number]>;
  date: string | null;
}

/** The start of the range a request covers; the bars are those starting at or after it. */
export function rangeStart(path: PricePath, request: BarRequest): number {
  const { duration, end } = request;
  const zone = path.instrument.zone;
  switch (duration.unit) {
    case 'S':
      return end - duration.count * SECOND;
    case 'D': {
      // Trading days: days with data (regular hours when asked), counting the one `end` falls in.
      let day = path.dayOf(end - 1);
      let found = 0;
      let start = end;
      for (let guard = 0; found < duration.count && guard < duration.count * 3 + 14; guard++, day--) {
        const window = request.useRth ? path.rthWindow(day) : ([path.dayStart(day), path.dayStart(day + 1)] as [number, number]);
        if (window && window[0] < end) {
          found++;
          start = window[0];
        }
      }
      return start;
    }
    case 'W':
      return end - duration.count * 7 * DAY_MS;
    case 'M':
    case 'Y': {
      const p = formatInZone(end, zone);
      const months = duration.unit === 'M' ? duration.count : duration.count * 12;
      return zonedToEpoch(zone, p.year, p.month - months, p.day, p.hour, p.minute, p.second);
    }
  }
}

/** Number of bars a request would produce at most (to refuse absurd requests before building them). */
export function estimateBarCount(request: BarRequest, from: number): number {
  const span = Math.max(0, request.end - from);
  switch (request.barSize.unit) {
    case 'intraday':
      return Math.ceil(span / request.barSize.ms);
    case 'day':
      return Math.ceil(span / DAY_MS) + 1;
    case 'week':
      return Math.ceil(span / (7 * DAY_MS)) + 1;
    case 'month':
      return Math.ceil(span / (28 * DAY_MS)) + 1;
  }
}

function dateText(day: number): string {
  const date = new Date(day * DAY_MS);
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
}

/** The windows of a day the request covers: the regular sessions, or the whole (always open) day. */
function dayWindows(path: PricePath, day: number, useRth: boolean): Array<[number, number]> {
  return useRth ? path.rthSessions(day) : [[path.dayStart(day), path.dayStart(day + 1)]];
}

/** Spans of the bars of [from, to). */
function spans(path: PricePath, request: BarRequest, from: number, to: number): BarSpan[] {
  const result: BarSpan[] = [];
  const { barSize, useRth } = request;
  const firstDay = path.dayOf(from);
  const lastDay = path.dayOf(to - 1);
  if (barSize.unit === 'intraday') {
    for (let day = firstDay; day <= lastDay; day++) {
      const dayStart = path.dayStart(day);
      for (const window of dayWindows(path, day, useRth)) {
        const a = Math.max(window[0], from);
        const b = Math.min(window[1], to);
        if (b <= a) continue;
        // Bars are aligned on the clock from local midnight and clipped to the window.
        let slot = dayStart + Math.floor((a - dayStart) / barSize.ms) * barSize.ms;
        for (; slot < b; slot += barSize.ms) {
          const start = Math.max(slot, a);
          const end = Math.min(slot + barSize.ms, b);
          if (end > start) result.push({ start, parts: [[start, end]], date: null });
        }
      }
    }
    return result;
  }
  let current: BarSpan | null = null;
  let currentKey = '';
  for (let day = firstDay; day <= lastDay; day++) {
    const parts = dayWindows(path, day, useRth)
      .map(([start, end]): [number, number] => [Math.max(start, from), Math.min(end, to)])
      .filter(([a, b]) => b > a);
    if (parts.length === 0) continue;
    const a = parts[0]![0];
    const date = new Date(day * DAY_MS);
    let key: string;
    if (barSize.unit === 'day') key = `${day}`;
    else if (barSize.unit === 'week') key = `${Math.floor((day - 4) / 7)}`; // epoch day 4 was a Monday
    else key = `${date.getUTCFullYear()}-${date.getUTCMonth()}`;
    if (!current || key !== currentKey) {
      current = { start: a, parts: [], date: dateText(day) };
      currentKey = key;
      result.push(current);
    }
    current.parts.push(...parts);
  }
  return result;
}

/** For daily and longer bars the range starts at a whole day, as IB counts them. */
function alignedFrom(path: PricePath, request: BarRequest, from: number): number {
  if (request.barSize.unit === 'intraday') return from;
  const day = path.dayOf(from);
  // A day that began before `from` is left out, unless `from` is its very start.
  return path.dayStart(day) === from ? from : path.dayStart(day + 1);
}

/** The bars of a request, oldest first. The last one may be forming (its end is `now`). */
export function buildBars(path: PricePath, request: BarRequest): WireBar[] {
  const from = alignedFrom(path, request, rangeStart(path, request));
  const to = Math.min(request.end, request.now);
  if (to <= from) return [];
  return spans(path, request, from, to)
    .map((span) => toWireBar(path, request, span))
    .filter((bar): bar is WireBar => bar !== null);
}

/** The bar that contains `at` (for keepUpToDate), from its start to `at`; null outside the data window. */
export function formingBar(path: PricePath, request: BarRequest, at: number): WireBar | null {
  let from: number;
  if (request.barSize.unit === 'intraday') {
    const dayStart = path.dayStart(path.dayOf(at));
    from = dayStart + Math.floor((at - dayStart) / request.barSize.ms) * request.barSize.ms;
  } else if (request.barSize.unit === 'day') {
    from = path.dayStart(path.dayOf(at));
  } else if (request.barSize.unit === 'week') {
    const day = path.dayOf(at);
    from = path.dayStart(day - ((((day - 4) % 7) + 7) % 7));
  } else {
    const p = formatInZone(at, path.instrument.zone);
    from = zonedToEpoch(path.instrument.zone, p.year, p.month, 1);
  }
  const span = spans(path, request, from, at + 1);
  if (span.length === 0) return null;
  const last = span[span.length - 1];
  last.parts = last.parts.map(([a, b]) => [a, Math.min(b, at)] as [number, number]).filter(([a, b]) => b > a);
  return last.parts.length > 0 ? toWireBar(path, request, last) : null;
}

function toWireBar(path: PricePath, request: BarRequest, span: BarSpan): WireBar | null {
  let summary: Summary | null = null;
  for (const [a, b] of span.parts) {
    const part = path.summarize(a, b);
    if (!part) continue;
    summary = summary
      ? {
          open: summary.open,
          high: Math.max(summary.high, part.high),
          low: Math.min(summary.low, part.low),
          close: part.close,
          volume: summary.volume + part.volume,
          notional: summary.notional + part.notional,
          midSum: summary.midSum + part.midSum,
          duration: summary.duration + part.duration,
        }
      : part;
  }
  if (!summary) return null;
  const half = path.instrument.minTick;
  const r = (price: number) => path.roundTick(price);
  const base = { start: span.start, date: span.date };
  const volumeLots = Math.round(summary.volume);
  const count = volumeLots > 0 ? Math.max(1, Math.round(volumeLots / (path.instrument.lotSize * 1.8))) : 0;
  switch (request.whatToShow) {
    case 'TRADES':
    case 'ADJUSTED_LAST':
    case 'AGGTRADES':
      return {
        ...base,
        open: summary.open,
        high: summary.high,
        low: summary.low,
        close: summary.close,
        volume: volumeLots,
        wap: volumeLots > 0 ? roundWap(summary.notional / summary.volume) : summary.close,
        count,
      };
    case 'MIDPOINT':
      return { ...base, open: summary.open, high: summary.high, low: summary.low, close: summary.close, volume: -1, wap: -1, count: -1 };
    case 'BID':
      return { ...base, open: r(summary.open - half), high: r(summary.high - half), low: r(summary.low - half), close: r(summary.close - half), volume: -1, wap: -1, count: -1 };
    case 'ASK':
      return { ...base, open: r(summary.open + half), high: r(summary.high + half), low: r(summary.low + half), close: r(summary.close + half), volume: -1, wap: -1, count: -1 };
    case 'BID_ASK': {
      // IB: time-average bid, max ask, min bid, time-average ask.
      const average = summary.duration > 0 ? summary.midSum / summary.duration : summary.close;
      return { ...base, open: roundWap(average - half), high: r(summary.high + half), low: r(summary.low - half), close: roundWap(average + half), volume: -1, wap: -1, count: -1 };
    }
    case 'HISTORICAL_VOLATILITY':
    case 'OPTION_IMPLIED_VOLATILITY': {
      // Annualised volatility implied by the walk, moved a little by the bar's own range.
      const base252 = path.instrument.dailyVolatility * Math.sqrt(252);
      const rangeFactor = summary.high > 0 ? (summary.high - summary.low) / summary.high : 0;
      const level = Number((base252 * (request.whatToShow === 'OPTION_IMPLIED_VOLATILITY' ? 1.1 : 1) + rangeFactor).toFixed(6));
      return { ...base, open: level, high: level, low: level, close: level, volume: -1, wap: -1, count: -1 };
    }
  }
}

function roundWap(value: number): number {
  return Number(value.toFixed(6));
}
