/**
 * The equity curve of a run: one point per bar time (bars of several instruments sharing a time make one
 * point), equity marked at the close after the strategy acted on that bar, and whether any position was
 * held during the bar (for exposure). Typed arrays that grow by doubling: a million points cost 17 MB.
 */

export interface EquityCurve {
  readonly length: number;
  readonly time: Float64Array;
  readonly equity: Float64Array;
  /** 1 where a position was held during the point's bar: carried in from the previous close, or at its close. */
  readonly exposed: Uint8Array;
  /** The close of the point's bar (the last instrument's, when several share the time): for price charts. */
  readonly price: Float64Array;
}

export class EquityRecorder implements EquityCurve {
  length = 0;
  time: Float64Array;
  equity: Float64Array;
  exposed: Uint8Array;
  price: Float64Array;

  constructor(capacity = 1024) {
    const size = Math.max(16, capacity);
    this.time = new Float64Array(size);
    this.equity = new Float64Array(size);
    this.exposed = new Uint8Array(size);
    this.price = new Float64Array(size);
  }

  /**
   * Adds a point, or updates the last one when `time` is the same (another instrument's bar); its
   * equity and exposure are set by settleLast once the strategy has acted on the bar.
   */
  record(time: number, price: number): void {
    let n = this.length;
    if (n === 0 || this.time[n - 1] !== time) {
      if (n === this.time.length) this.grow();
      this.time[n] = time;
      this.length = ++n;
    }
    this.price[n - 1] = price;
  }

  /** Overwrites the last point (its equity after the strategy acted on its bar). */
  settleLast(equity: number, exposed: boolean): void {
    const n = this.length;
    if (n === 0) return;
    this.equity[n - 1] = equity;
    this.exposed[n - 1] = exposed ? 1 : 0;
  }

  reset(): void {
    this.length = 0;
  }

  /**
   * The points so far: a trimmed copy, or (copy false) views on this recorder's buffers, for a caller
   * that is done with the recorder (the batch backtest: copying a million points costs more than the run).
   */
  snapshot(copy = true): EquityCurve {
    const n = this.length;
    const take = <T extends Float64Array | Uint8Array>(a: T): T => (copy ? (a.slice(0, n) as T) : (a.subarray(0, n) as T));
    return { length: n, time: take(this.time), equity: take(this.equity), exposed: take(this.exposed), price: take(this.price) };
  }

  private grow(): void {
    const size = this.time.length * 2;
    const time = new Float64Array(size);
    time.set(this.time);
    const equity = new Float64Array(size);
    equity.set(this.equity);
    const exposed = new Uint8Array(size);
    exposed.set(this.exposed);
    this.time = time;
    this.equity = equity;
    this.exposed = exposed;
    const price = new Float64Array(size);
    price.set(this.price);
    this.price = price;
  }
}

/** First and last close of each instrument, for buy-and-hold. */
/**
 * An instrument's first and last close. A class whose fields start as doubles: V8 overwrites them in
 * place on every bar, where an object literal's could take a new heap number per store.
 */
class CloseRange {
  first = Number.NaN;
  last = Number.NaN;
}

export class PriceRange {
  private readonly ranges = new Map<string, CloseRange>();

  observe(key: string, close: number): void {
    const range = this.ranges.get(key);
    if (range === undefined) {
      const made = new CloseRange();
      made.first = close;
      made.last = close;
      this.ranges.set(key, made);
    } else {
      if (range.first !== range.first) range.first = close;
      range.last = close;
    }
  }

  /** The range of an instrument (its last close read as `last`), made empty (NaN) before its first bar. */
  entry(key: string): { first: number; last: number } {
    let range = this.ranges.get(key);
    if (range === undefined) this.ranges.set(key, (range = new CloseRange()));
    return range;
  }

  /** The last close seen of an instrument. */
  last(key: string): number | null {
    return this.ranges.get(key)?.last ?? null;
  }

  /** Equal-weight buy-and-hold return over the instruments (a fraction), or null with none. */
  buyAndHoldReturn(): number | null {
    if (this.ranges.size === 0) return null;
    let sum = 0;
    for (const { first, last } of this.ranges.values()) sum += last / first - 1;
    return sum / this.ranges.size;
  }

  reset(): void {
    this.ranges.clear();
  }
}
