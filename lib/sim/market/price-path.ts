/**
 * One instrument's price path: a deterministic function of time for a given seed, so live ticks,
 * the forming bar and historical bars of any size all read the same prices.
 *
 * Built in three layers, each generated on demand from a keyed seed:
 * - days: the close at each local midnight, a mean-reverting walk of the log price (it stays near
 *   the instrument's level over decades instead of drifting off);
 * - minutes: a Brownian bridge from one midnight's close to the next, with each minute's high and
 *   low drawn beyond its open and close;
 * - seconds: a bridge from a minute's open to its close, stretched to touch that minute's high and
 *   low exactly, so seconds aggregate to minutes and minutes to days without contradiction.
 * The simulated market trades around the clock, every day; regular trading hours are a window of it.
 */
import type { Instrument } from './universe';
import { hashSeed, Random } from './rng';
import { Lru } from './lru';
import { formatInZone, zonedToEpoch } from '../../messages/time-zones';

const MINUTE = 60_000;
const DAY_MS = 86_400_000;
/** Epoch day (local date) where every walk starts: 2000-01-01. */
const ORIGIN_DAY = 10_957;
/** Daily pull of the log price back to its level; gives a stationary spread of about 20%. */
const REVERSION = 0.004;

const TAG_DAY = 1;
const TAG_MINUTES = 2;
const TAG_SECONDS = 3;

/** One local calendar day at minute resolution. Point i is the price at the start of minute i. */
export interface DayPath {
  day: number;
  start: number;
  minutes: number;
  points: Float64Array;
  high: Float64Array;
  low: Float64Array;
  volume: Float64Array;
}

/** OHLCV of a span of the path. `midSum`/`duration` give the time-average price (BID_ASK bars). */
export interface Summary {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Sum of price x volume (for the WAP). */
  notional: number;
  midSum: number;
  duration: number;
}

export class PricePath {
  private readonly closes: number[] = [];
  private readonly dayCache = new Lru<number, DayPath>(96);
  private readonly daySummaryCache = new Map<string, Summary>();
  private readonly secondCache = new Lru<string, { points: Float64Array; volume: Float64Array }>(4096);
  private readonly decimals: number;
  private readonly scale: number;
  private readonly dayStartCache = new Map<number, number>();

  constructor(
    readonly instrument: Instrument,
    private readonly seed: number,
  ) {
    this.decimals = Math.max(0, Math.ceil(-Math.log10(instrument.minTick) - 1e-9));
    this.scale = 10 ** this.decimals;
  }

  roundTick(price: number): number {
    const tick = this.instrument.minTick;
    // The nearest multiple of the tick, then the nearest double of `decimals` places: what
    // Number(x.toFixed(decimals)) gives (x is a whole number of ticks, never half-way at those places)
    // without a string per price, which made five years of daily bars (a day's minutes each) cost seconds.
    return Math.round(Math.round(price / tick) * tick * this.scale) / this.scale;
  }

  /** Local calendar day number (days since 1970-01-01 in the instrument's zone) of an instant. */
  dayOf(epochMs: number): number {
    const p = formatInZone(epochMs, this.instrument.zone);
    return Math.floor(Date.UTC(p.year, p.month - 1, p.day) / DAY_MS);
  }

  /** The instant the local day begins. */
  dayStart(day: number): number {
    let start = this.dayStartCache.get(day);
    if (start === undefined) {
      const date = new Date(day * DAY_MS);
      start = zonedToEpoch(this.instrument.zone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
      if (this.dayStartCache.size > 100_000) this.dayStartCache.clear();
      this.dayStartCache.set(day, start);
    }
    return start;
  }

  /** Weekday (0 = Sunday) of a local day. */
  weekday(day: number): number {
    return (new Date(day * DAY_MS).getUTCDay() + 7) % 7;
  }

  /**
   * The regular sessions of a day as [start, end) instants, in order (two around a midday break, else
   * one); empty when the day has none.
   */
  rthSessions(day: number): Array<[number, number]> {
    const window = this.rthWindow(day);
    if (!window) return [];
    const pause = this.instrument.rth.pause;
    if (!pause) return [window];
    const [pauseStart, pauseEnd] = [this.atMinutes(day, pause.start), this.atMinutes(day, pause.end)];
    return [
      [window[0], pauseStart],
      [pauseEnd, window[1]],
    ];
  }

  /** The instant `minutes` after local midnight of `day` (24:00 is the next day's start). */
  private atMinutes(day: number, minutes: number): number {
    if (minutes >= 24 * 60) return this.dayStart(day + 1);
    const date = new Date(day * DAY_MS);
    return zonedToEpoch(this.instrument.zone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), Math.floor(minutes / 60), minutes % 60);
  }

  /** Regular trading hours of a day as [start, end) instants (a midday break inside), or null when the day has none. */
  rthWindow(day: number): [number, number] | null {
    const weekday = this.weekday(day);
    if (this.instrument.rth.weekdaysOnly && (weekday === 0 || weekday === 6)) return null;
    return [this.atMinutes(day, this.instrument.rth.start), this.atMinutes(day, this.instrument.rth.end)];
  }

  /** Price at the local midnight that ends `day` (the close of the day). */
  closeOf(day: number): number {
    if (day < ORIGIN_DAY) return this.roundTick(this.instrument.basePrice);
    const index = day - ORIGIN_DAY;
    const { basePrice, dailyVolatility } = this.instrument;
    const level = Math.log(basePrice);
    while (this.closes.length <= index) {
      const previous = this.closes.length === 0 ? level : Math.log(this.closes[this.closes.length - 1]);
      const random = new Random(hashSeed(this.seed, this.instrument.conId, ORIGIN_DAY + this.closes.length, TAG_DAY));
      const next = previous + REVERSION * (level - previous) + dailyVolatility * random.normal();
      this.closes.push(this.roundTick(Math.exp(next)));
    }
    return this.closes[index];
  }

  dayPath(day: number): DayPath {
    const cached = this.dayCache.get(day);
    if (cached) return cached;
    const start = this.dayStart(day);
    const minutes = Math.round((this.dayStart(day + 1) - start) / MINUTE);
    const open = this.closeOf(day - 1);
    const close = this.closeOf(day);
    const random = new Random(hashSeed(this.seed, this.instrument.conId, day, TAG_MINUTES));
    const sigma = this.instrument.dailyVolatility / Math.sqrt(minutes);
    // Brownian bridge in log price from open to close.
    const walk = new Float64Array(minutes + 1);
    for (let i = 1; i <= minutes; i++) walk[i] = walk[i - 1] + sigma * random.normal();
    const logOpen = Math.log(open);
    const logClose = Math.log(close);
    const points = new Float64Array(minutes + 1);
    for (let i = 0; i <= minutes; i++) {
      const t = i / minutes;
      points[i] = this.roundTick(Math.exp(logOpen + t * (logClose - logOpen) + walk[i] - t * walk[minutes]));
    }
    points[0] = open;
    points[minutes] = close;
    const high = new Float64Array(minutes);
    const low = new Float64Array(minutes);
    const volume = new Float64Array(minutes);
    const weights = this.volumeWeights(day, start, minutes);
    for (let i = 0; i < minutes; i++) {
      const top = Math.max(points[i], points[i + 1]);
      const bottom = Math.min(points[i], points[i + 1]);
      high[i] = Math.max(top, this.roundTick(top * Math.exp(Math.abs(random.normal()) * sigma * 0.6)));
      low[i] = Math.min(bottom, this.roundTick(bottom * Math.exp(-Math.abs(random.normal()) * sigma * 0.6)));
      const noise = Math.exp(0.5 * random.normal() - 0.125);
      volume[i] = this.instrument.hasTrades ? Math.max(1, Math.round(weights[i] * noise)) : 0;
    }
    const path: DayPath = { day, start, minutes, points, high, low, volume };
    this.dayCache.set(day, path);
    return path;
  }

  /** Expected shares per minute: busy in regular hours, thin outside them and on weekends. */
  private volumeWeights(day: number, start: number, minutes: number): Float64Array {
    const weights = new Float64Array(minutes);
    const sessions = this.rthSessions(day);
    const weekend = this.weekday(day) === 0 || this.weekday(day) === 6;
    const { rth } = this.instrument;
    const rthMinutes = rth.end - rth.start - (rth.pause ? rth.pause.end - rth.pause.start : 0);
    // Normalised so that a weekday sums to about dailyVolume.
    const unit = this.instrument.dailyVolume / (rthMinutes * 6 + (1440 - rthMinutes) * 0.5);
    for (let i = 0; i < minutes; i++) {
      const t = start + i * MINUTE;
      const inRth = sessions.some(([a, b]) => t >= a && t < b);
      weights[i] = unit * (inRth ? 6 : weekend ? 0.15 : 0.5);
    }
    return weights;
  }

  /** The 61 one-second points of minute `minute` of `day` and the 60 seconds' volumes. */
  seconds(day: number, minute: number): { points: Float64Array; volume: Float64Array } {
    const key = `${day}:${minute}`;
    const cached = this.secondCache.get(key);
    if (cached) return cached;
    const path = this.dayPath(day);
    const open = path.points[minute];
    const close = path.points[minute + 1];
    const high = path.high[minute];
    const low = path.low[minute];
    const random = new Random(hashSeed(this.seed, this.instrument.conId, day, minute, TAG_SECONDS));
    const raw = new Float64Array(61);
    for (let s = 1; s <= 60; s++) raw[s] = raw[s - 1] + random.normal();
    const values = new Float64Array(61);
    for (let s = 0; s <= 60; s++) values[s] = open + ((close - open) * s) / 60 + (raw[s] - (s / 60) * raw[60]) * this.instrument.minTick;
    values[0] = open;
    values[60] = close;
    const highAt = stretch(values, Math.max(open, close), high, 1, random, -1);
    stretch(values, Math.min(open, close), low, -1, random, highAt);
    const points = new Float64Array(61);
    for (let s = 0; s <= 60; s++) points[s] = Math.min(high, Math.max(low, this.roundTick(values[s])));
    points[0] = open;
    points[60] = close;
    const volume = new Float64Array(60);
    const total = path.volume[minute];
    if (total > 0) {
      const weights = new Float64Array(60);
      let sum = 0;
      for (let s = 0; s < 60; s++) sum += weights[s] = random.next() + 0.05;
      let allocated = 0;
      let cumulative = 0;
      for (let s = 0; s < 60; s++) {
        cumulative += weights[s];
        const upTo = Math.round((total * cumulative) / sum);
        volume[s] = upTo - allocated;
        allocated = upTo;
      }
    }
    const result = { points, volume };
    this.secondCache.set(key, result);
    return result;
  }

  /** The minute the last priceAt read (live ticks read the same minute thousands of times). */
  private hotStart = NaN;
  private hotPoints: Float64Array | null = null;

  /** The price at an instant (between second points, rounded to the tick). */
  priceAt(epochMs: number): number {
    const hot = this.hotPoints;
    if (hot !== null && epochMs >= this.hotStart && epochMs < this.hotStart + MINUTE) {
      const within = (epochMs - this.hotStart) / 1000;
      const second = Math.floor(within);
      const fraction = within - second;
      return fraction === 0 ? hot[second] : this.roundTick(hot[second] + (hot[second + 1] - hot[second]) * fraction);
    }
    const day = this.dayOf(epochMs);
    const start = this.dayStart(day);
    const offset = epochMs - start;
    const minute = Math.floor(offset / MINUTE);
    const path = this.dayPath(day);
    if (minute >= path.minutes) return path.points[path.minutes];
    const within = (offset - minute * MINUTE) / 1000;
    const second = Math.floor(within);
    const { points } = this.seconds(day, minute);
    this.hotStart = start + minute * MINUTE;
    this.hotPoints = points;
    const fraction = within - second;
    if (fraction === 0) return points[second];
    return this.roundTick(points[second] + (points[second + 1] - points[second]) * fraction);
  }

  /** OHLCV of [from, to); null when the span is empty. */
  summarize(from: number, to: number): Summary | null {
    if (!(to > from)) return null;
    let result: Summary | null = null;
    let day = this.dayOf(from);
    for (;;) {
      const start = this.dayStart(day);
      const end = this.dayStart(day + 1);
      if (start >= to) break;
      const a = Math.max(from, start);
      const b = Math.min(to, end);
      if (b > a) {
        const part = a === start && b === end ? this.daySummary(day) : this.summarizeWithinDay(day, a, b);
        result = result ? combine(result, part) : part;
      }
      day++;
    }
    return result;
  }

  /** A whole day, cached (daily bars over years ask for thousands of them). */
  private daySummary(day: number): Summary {
    const key = `${day}`;
    const cached = this.daySummaryCache.get(key);
    if (cached) return cached;
    const path = this.dayPath(day);
    const summary = this.minuteRange(path, 0, path.minutes);
    if (this.daySummaryCache.size > 50_000) this.daySummaryCache.clear();
    this.daySummaryCache.set(key, summary);
    return summary;
  }

  private summarizeWithinDay(day: number, from: number, to: number): Summary {
    const path = this.dayPath(day);
    const first = (from - path.start) / MINUTE;
    const last = (to - path.start) / MINUTE;
    const firstWhole = Math.ceil(first);
    const lastWhole = Math.floor(last);
    if (firstWhole > lastWhole) return this.secondRange(day, Math.floor(first), from, to);
    let result: Summary | null = null;
    if (firstWhole > first) result = this.secondRange(day, Math.floor(first), from, path.start + firstWhole * MINUTE);
    if (lastWhole > firstWhole) {
      const middle = this.minuteRange(path, firstWhole, lastWhole);
      result = result ? combine(result, middle) : middle;
    }
    if (last > lastWhole) {
      const tail = this.secondRange(day, lastWhole, path.start + lastWhole * MINUTE, to);
      result = result ? combine(result, tail) : tail;
    }
    return result!;
  }

  private minuteRange(path: DayPath, first: number, last: number): Summary {
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let notional = 0;
    let midSum = 0;
    for (let i = first; i < last; i++) {
      if (path.high[i] > high) high = path.high[i];
      if (path.low[i] < low) low = path.low[i];
      const typical = (path.high[i] + path.low[i] + path.points[i + 1]) / 3;
      volume += path.volume[i];
      notional += path.volume[i] * typical;
      midSum += ((path.points[i] + path.points[i + 1]) / 2) * MINUTE;
    }
    return { open: path.points[first], high, low, close: path.points[last], volume, notional, midSum, duration: (last - first) * MINUTE };
  }

  /** [from, to) inside minute `minute` of `day`; `to` may fall between seconds (the forming bar). */
  private secondRange(day: number, minute: number, from: number, to: number): Summary {
    const path = this.dayPath(day);
    const minuteStart = path.start + minute * MINUTE;
    const { points, volume: volumes } = this.seconds(day, minute);
    const s0 = Math.floor((from - minuteStart) / 1000);
    const endOffset = (to - minuteStart) / 1000;
    const s1 = Math.ceil(endOffset);
    const open = this.priceAt(from);
    const close = endOffset === s1 ? points[s1] : this.priceAt(to);
    let high = Math.max(open, close);
    let low = Math.min(open, close);
    let volume = 0;
    let notional = 0;
    let midSum = 0;
    for (let s = s0; s < s1; s++) {
      if (s > s0 && s < endOffset) {
        if (points[s] > high) high = points[s];
        if (points[s] < low) low = points[s];
      }
      const fraction = Math.min(1, endOffset - s);
      const v = fraction >= 1 ? volumes[s] : Math.floor(volumes[s] * fraction);
      volume += v;
      notional += v * points[s];
      midSum += ((points[s] + points[Math.min(60, s + 1)]) / 2) * fraction * 1000;
    }
    return { open, high, low, close, volume, notional, midSum, duration: to - from };
  }
}

/**
 * Stretches the part of `values` beyond `edge` (direction +1 up, -1 down) so its extreme is `target`;
 * returns the second that holds it (-1 when none is needed). `keep` is the other side's extreme, never
 * overwritten: the minute's high and low must both be in its seconds, or its 5-second bars would not
 * summarize to its minute bar.
 */
function stretch(values: Float64Array, edge: number, target: number, direction: 1 | -1, random: Random, keep: number): number {
  if (target * direction <= edge * direction) {
    // No room beyond the edge: keep the bridge inside it.
    for (let s = 1; s < 60; s++) if (values[s] * direction > edge * direction) values[s] = edge;
    return -1;
  }
  let extremeIndex = -1;
  let extreme = edge;
  for (let s = 1; s < 60; s++) {
    if (values[s] * direction > extreme * direction) {
      extreme = values[s];
      extremeIndex = s;
    }
  }
  if (extremeIndex < 0) {
    let at = 1 + Math.floor(random.next() * 59);
    if (at === keep) at = at === 59 ? 1 : at + 1;
    values[at] = target;
    return at;
  }
  const scale = (target - edge) / (extreme - edge);
  for (let s = 1; s < 60; s++) if (values[s] * direction > edge * direction) values[s] = edge + (values[s] - edge) * scale;
  values[extremeIndex] = target;
  return extremeIndex;
}

function combine(a: Summary, b: Summary): Summary {
  return {
    open: a.open,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    close: b.close,
    volume: a.volume + b.volume,
    notional: a.notional + b.notional,
    midSum: a.midSum + b.midSum,
    duration: a.duration + b.duration,
  };
}
