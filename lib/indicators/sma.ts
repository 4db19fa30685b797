/**
 * Simple moving average, O(1) per value, exact to within rounding of the window sum (see RollingSum).
 * Warm-up values are null: an average of fewer than `period` values is not an SMA.
 */
import { RollingSum } from './rolling-sum';

export class Sma {
  private readonly sum: RollingSum;

  constructor(readonly period: number, sum?: RollingSum) {
    this.sum = sum ?? new RollingSum(period);
  }

  /** An independent copy of the state (see StreamingIndicator.fork). */
  fork(): Sma {
    return new Sma(this.period, this.sum.fork());
  }

  next(value: number): number | null {
    if (!Number.isFinite(value)) throw new RangeError(`SMA input must be a finite number, got ${value}`);
    this.sum.push(value);
    return this.sum.full ? this.sum.value / this.period : null;
  }

  /** The batch fast path (see StreamingIndicator.nextColumn): the same next(), in a loop that stays monomorphic. */
  nextColumn(values: ArrayLike<number>, out: number[]): void {
    for (let i = 0; i < values.length; i++) {
      const read = values[i];
      // A read from an array with holes (a column made by new Array(n).fill, or lengthened) may be
      // undefined: tested on it, the double would be boxed (an allocation per bar). Past the typeof test
      // it is a plain double; what is not a number goes to next(), which refuses it.
      if (typeof read !== 'number') {
        this.next(read);
        continue;
      }
      // The unary plus (a no-op on a number) makes the read a double for what follows.
      const value = +read;
      if (value !== value) continue;
      const average = this.next(value);
      if (average !== null) out[i] = average;
    }
  }
}

/** The SMA of a whole series, index-aligned with it (null during warm-up). */
export function smaSeries(values: ArrayLike<number>, period: number): Array<number | null> {
  const sma = new Sma(period);
  // Preallocated and filled: growing a million-slot array by push (or leaving `new Array(n)` sparse) costs several times more.
  const out = new Array<number | null>(values.length).fill(null);
  for (let i = 0; i < values.length; i++) out[i] = sma.next(values[i]);
  return out;
}
