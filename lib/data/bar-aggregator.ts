/**
 * Bars from ticks or from smaller bars (IB's 5-second real-time bars, 1-minute bars ...), into
 * N-second, N-minute, N-hour or daily bars on the exchange's clock: bars are aligned from the trading
 * day's start in the exchange's time zone (as IB and the simulator align theirs), never span two trading
 * days, and with regular hours only (useRTH) take only what falls inside the session, clipped to it (a
 * 1-hour bar of a 09:30 open starts at 09:30 and ends at 10:00). A daily bar is one trading day, timed at
 * the date's UTC midnight as IB's "yyyyMMdd" reads. A session that crosses midnight (futures, 17:00 to
 * 16:00) makes a trading day that starts at its open and is dated by the day it closes.
 *
 * Every bar carries its trading date as `session` ("2026-01-07"): indicators that start again each session
 * (session VWAP) read it.
 *
 * One implementation for live data and for backtests over tick files: `push` takes one input and returns
 * what it completed (and, if asked, the forming bar); `pushAll` does a whole series. A bar is complete
 * when an input of a later bar arrives, or, for bar inputs, when an input bar ends where the bar ends (the
 * 5-second bar of 09:34:55 completes the 09:30 5-minute bar at once); `flush` completes what is forming
 * (the end of a file, or of a session without a later input).
 */
import type { Bar } from '../messages';
import { numberProblem } from '../messages/source';
import { parseBarSize } from './bar-size';
import { zoneOffsetMs } from './dates';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface BarAggregatorOptions {
  /** IB's spelling or a short form: "5 secs", "1 min", "5 mins", "1 hour", "1 day", "5m", "1h". */
  barSize: string;
  /** The exchange's IANA time zone (default America/New_York). */
  timeZone?: string;
  /** Regular trading hours "HH:MM-HH:MM" in that zone (default 09:30-16:00); an end before the start crosses midnight. */
  session?: string;
  /** Only inputs inside the session, bars clipped to it (default true, as IB's useRTH). */
  useRTH?: boolean;
  /** Also return the bar being formed after each input, marked forming (default false). */
  formingBars?: boolean;
  /** Quotes (bid/ask/last) as ticks: their last price, or their midpoint (default 'last', the midpoint when there is no last). */
  quotePrice?: 'last' | 'mid';
}

/** A bar out of the aggregator: complete (forming false) or the one being formed (forming true). */
export interface AggregatedBar {
  bar: Bar;
  forming: boolean;
}

/** One input as the aggregator reads it. */
interface Piece {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  notional: number;
  count: number;
  /** Bar inputs: true (their length is learnt from their spacing); ticks: false. */
  isBar: boolean;
}

interface TradingDay {
  start: number;
  end: number;
  /** The part of the day bars are made of: the session (useRTH) or the whole day. */
  from: number;
  to: number;
  /** UTC midnight of the trading date (daily bars' time). */
  date: number;
  /** The trading date as text, every bar's `session`. */
  session: string;
}

interface Forming {
  bar: Bar;
  notional: number;
  end: number;
}

/** Reads "HH:MM-HH:MM" into minutes after midnight; throws saying how to write it. */
export function parseSession(text: string): { open: number; close: number } {
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  const minutes = (h: string, mm: string) => Number(h) * 60 + Number(mm);
  if (!m || Number(m[1]) > 24 || Number(m[3]) > 24 || Number(m[2]) > 59 || Number(m[4]) > 59) {
    throw new Error(`trading session "${text}" is not "HH:MM-HH:MM" in the exchange's time zone, e.g. 09:30-16:00 (US stocks) or 17:00-16:00 (CME futures)`);
  }
  const open = minutes(m[1], m[2]);
  const close = minutes(m[3], m[4]);
  if (open === close) throw new Error(`trading session "${text}" opens and closes at the same time`);
  return { open, close };
}

export class BarAggregator {
  /** Bar length in ms; 0 for daily bars. */
  readonly sizeMs: number;
  readonly label: string;
  private readonly zone: string;
  private readonly open: number;
  private readonly close: number;
  private readonly crosses: boolean;
  private readonly useRTH: boolean;
  private readonly formingBars: boolean;
  private readonly quoteMid: boolean;
  private day: TradingDay | null = null;
  private current: Forming | null = null;
  private lastInputTime = -Infinity;
  /** The shortest spacing seen between input bars: their length (5 s for real-time bars). */
  private inputBarMs = Infinity;
  /** Inputs left out: outside the session (useRTH), or older than a bar already complete. */
  skipped = 0;

  constructor(options: BarAggregatorOptions) {
    const size = parseBarSize(options.barSize);
    if (size.ms > DAY || (size.ms < DAY && DAY % size.ms !== 0)) {
      throw new Error(`bar size "${options.barSize}": the bars node builds bars that divide a day (seconds, minutes, hours) or one day`);
    }
    this.sizeMs = size.ms === DAY ? 0 : size.ms;
    this.label = size.setting;
    this.zone = options.timeZone?.trim() || 'America/New_York';
    if (Number.isNaN(zoneOffsetMs(this.zone, 0))) throw new Error(`time zone "${this.zone}" is unknown: use an IANA name such as America/New_York, Europe/London or America/Chicago`);
    const session = parseSession(options.session ?? '09:30-16:00');
    this.open = session.open;
    this.close = session.close;
    this.crosses = session.close < session.open;
    this.useRTH = options.useRTH !== false;
    this.formingBars = options.formingBars === true;
    this.quoteMid = options.quotePrice === 'mid';
  }

  /** One input (a bar, a tick-by-tick tick or a quote): the bars it completed, oldest first, then the forming bar if asked. */
  push(payload: unknown, label = 'msg.payload'): AggregatedBar[] {
    const piece = this.read(payload, label);
    const out: AggregatedBar[] = [];
    if (piece === null) return out;
    if (piece.isBar && piece.time > this.lastInputTime && Number.isFinite(this.lastInputTime)) this.inputBarMs = Math.min(this.inputBarMs, piece.time - this.lastInputTime);
    if (piece.time > this.lastInputTime) this.lastInputTime = piece.time;
    const day = this.dayOf(piece.time);
    if (piece.time < day.from || piece.time >= day.to) {
      this.skipped++;
      return this.formingOut(out);
    }
    const { start, end } = this.slotOf(piece.time, day);
    const current = this.current;
    if (current && piece.time < current.bar.time) {
      // Older than the bar being formed: its bar is complete already.
      this.skipped++;
      return this.formingOut(out);
    }
    if (current && piece.time >= current.end) {
      out.push({ bar: snapshot(current.bar), forming: false });
      this.current = null;
    }
    if (!this.current) this.current = { bar: { time: start, open: piece.open, high: piece.high, low: piece.low, close: piece.close, volume: 0, session: day.session }, notional: 0, end };
    const forming = this.current;
    const bar = forming.bar;
    if (piece.high > bar.high) bar.high = piece.high;
    if (piece.low < bar.low) bar.low = piece.low;
    bar.close = piece.close;
    bar.volume += piece.volume;
    forming.notional += piece.notional;
    bar.count = (bar.count ?? 0) + piece.count;
    if (bar.volume > 0) bar.wap = forming.notional / bar.volume;
    // An input bar that ends where this bar ends completes it now, not when the next input comes.
    if (piece.isBar && Number.isFinite(this.inputBarMs) && piece.time + this.inputBarMs >= forming.end) {
      out.push({ bar: snapshot(bar), forming: false });
      this.current = null;
      return out;
    }
    return this.formingOut(out);
  }

  /** A whole series (a batch, a tick file), oldest first: every bar, the last one too (the data ends there). */
  pushAll(inputs: ArrayLike<unknown>, label = 'msg.payload'): Bar[] {
    const bars: Bar[] = [];
    for (let i = 0; i < inputs.length; i++) for (const out of this.push(inputs[i], `${label}[${i}]`)) if (!out.forming) bars.push(out.bar);
    const last = this.flush();
    if (last) bars.push(last);
    return bars;
  }

  /** Completes the bar being formed (end of data, end of session): it, or null when none is forming. */
  flush(): Bar | null {
    const current = this.current;
    this.current = null;
    return current ? snapshot(current.bar) : null;
  }

  /** The bar being formed (a copy), or null. */
  forming(): Bar | null {
    return this.current ? snapshot(this.current.bar) : null;
  }

  private formingOut(out: AggregatedBar[]): AggregatedBar[] {
    if (this.formingBars && this.current) out.push({ bar: snapshot(this.current.bar), forming: true });
    return out;
  }

  private slotOf(time: number, day: TradingDay): { start: number; end: number } {
    if (this.sizeMs === 0) return { start: day.date, end: day.to };
    const slot = day.start + Math.floor((time - day.start) / this.sizeMs) * this.sizeMs;
    return { start: Math.max(slot, day.from), end: Math.min(slot + this.sizeMs, day.to) };
  }

  /** The trading day `time` falls in (kept while inputs stay in it: time zone rules are looked up once a day). */
  private dayOf(time: number): TradingDay {
    const known = this.day;
    if (known && time >= known.start && time < known.end) return known;
    const localDay = Math.floor((time + zoneOffsetMs(this.zone, time)) / DAY);
    let date = localDay;
    if (this.crosses && time >= this.localTime(localDay, this.open)) date = localDay + 1;
    const start = this.crosses ? this.localTime(date - 1, this.open) : this.localTime(date, 0);
    const end = this.crosses ? this.localTime(date, this.open) : this.localTime(date + 1, 0);
    const from = this.useRTH ? (this.crosses ? start : this.localTime(date, this.open)) : start;
    const to = this.useRTH ? this.localTime(date, this.close) : end;
    this.day = { start, end, from, to, date: date * DAY, session: new Date(date * DAY).toISOString().slice(0, 10) };
    return this.day;
  }

  /** Epoch ms of `minutes` after midnight of local date `day` (days since 1970-01-01) in the exchange's zone. */
  private localTime(day: number, minutes: number): number {
    const wall = day * DAY + minutes * MINUTE;
    const guess = wall - zoneOffsetMs(this.zone, wall);
    return wall - zoneOffsetMs(this.zone, guess);
  }

  private read(payload: unknown, label: string): Piece | null {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new Error(`${label} is ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}: the bars node takes bars {time, open, high, low, close, volume}, tick-by-tick ticks or quotes`);
    }
    const p = payload as Record<string, unknown>;
    const time = p.time;
    if (typeof time !== 'number' || !Number.isFinite(time)) throw new Error(`${label}.time ${numberProblem(time)}: every input needs its time in epoch ms`);
    if (p.open !== undefined || p.close !== undefined) {
      const open = price(p.open, `${label}.open`);
      const high = price(p.high, `${label}.high`);
      const low = price(p.low, `${label}.low`);
      const close = price(p.close, `${label}.close`);
      const volume = p.volume === undefined || p.volume === null ? 0 : size(p.volume, `${label}.volume`);
      const wap = typeof p.wap === 'number' && p.wap > 0 ? p.wap : close;
      const count = typeof p.count === 'number' && p.count >= 0 ? p.count : 0;
      return { time, open, high, low, close, volume, notional: wap * volume, count, isBar: true };
    }
    if (p.type === 'Last' || p.type === 'AllLast') return tick(time, price(p.price, `${label}.price`), p.size === undefined ? 0 : size(p.size, `${label}.size`));
    if (p.type === 'MidPoint') return tick(time, price(p.mid, `${label}.mid`), 0);
    if (p.type === 'BidAsk') return tick(time, (price(p.bid, `${label}.bid`) + price(p.ask, `${label}.ask`)) / 2, 0);
    if ('bid' in p || 'ask' in p || 'last' in p) {
      const last = typeof p.last === 'number' && Number.isFinite(p.last) && p.last > 0 ? p.last : null;
      const bid = typeof p.bid === 'number' && p.bid > 0 ? p.bid : null;
      const ask = typeof p.ask === 'number' && p.ask > 0 ? p.ask : null;
      const mid = bid !== null && ask !== null ? (bid + ask) / 2 : null;
      const value = this.quoteMid ? mid ?? last : last ?? mid;
      // A quote with neither a last price nor both sides yet (the first ticks of a subscription): nothing to count.
      return value === null ? null : tick(time, value, 0);
    }
    throw new Error(`${label} has neither bar fields (open, high, low, close) nor a tick's (price, mid, bid/ask): the bars node takes bars, tick-by-tick ticks or quotes`);
  }
}

function tick(time: number, value: number, volume: number): Piece {
  return { time, open: value, high: value, low: value, close: value, volume, notional: value * volume, count: 1, isBar: false };
}

/** A copy to send: no count where nothing was counted (quote bars carry none), no wap without volume. */
function snapshot(bar: Bar): Bar {
  const copy = { ...bar };
  if (!copy.count) delete copy.count;
  return copy;
}

function price(value: unknown, label: string): number {
  const problem = numberProblem(value);
  if (problem === null) return value as number;
  throw new Error(`${label} ${problem}: the bars node counts prices as numbers`);
}

function size(value: unknown, label: string): number {
  const problem = numberProblem(value) ?? ((value as number) < 0 ? 'is negative' : null);
  if (problem === null) return value as number;
  throw new Error(`${label} ${problem}: a size is a number >= 0`);
}
