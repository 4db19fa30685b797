/**
 * Where a reader's validated bars go (bar objects, columns, ...), and the one rule for their order:
 * oldest first, files newest-first turned round, two bars at the same time an error.
 */
import type { BarValues } from './bar-row';
import { BarDataError } from './bar-row';

/**
 * Where validated bars go, in source order. The reader reuses the values object it passes to `add`:
 * a sink copies what it keeps.
 */
export interface BarSink<T> {
  add(values: Readonly<BarValues>): void;
  /** Bars added so far. */
  readonly length: number;
  /** The time of the i-th bar added. */
  timeAt(i: number): number;
  /** Everything added, oldest first: in `order` (indices of bars as added), or as added when null. */
  finish(order: ArrayLike<number> | null): T;
}

/** Makes a sink with room for `capacity` bars (an upper bound the reader knows; fewer may come). */
export type BarSinkFactory<T> = (capacity: number) => BarSink<T>;

/**
 * Oldest first: null when the bars came in ascending order, else the indices in time order (files
 * newest-first are turned round). Two bars at the same time are an error naming both.
 */
export function barOrder(bars: BarSink<unknown>, source: string): Uint32Array | null {
  const n = bars.length;
  let ascending = true;
  for (let i = 1; i < n; i++) {
    if (bars.timeAt(i) <= bars.timeAt(i - 1)) {
      ascending = false;
      break;
    }
  }
  if (ascending) return null;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Ties keep source order, so the error names the first two bars at that time as they appear.
  order.sort((a, b) => bars.timeAt(a) - bars.timeAt(b) || a - b);
  for (let i = 1; i < n; i++) {
    const time = bars.timeAt(order[i]!);
    if (time === bars.timeAt(order[i - 1]!)) {
      throw new BarDataError(`${source}: bars ${order[i - 1]! + 1} and ${order[i]! + 1} have the same time ${new Date(time).toISOString()}`);
    }
  }
  return order;
}
