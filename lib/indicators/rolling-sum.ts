/**
 * The sum of the last `period` values, updated in O(1) per value. A plain running sum (add the new
 * value, subtract the one leaving) gathers rounding error at every step and drifts over a long
 * stream; here every addition and subtraction goes through Neumaier's compensated summation, so the
 * sum stays within a few units in the last place of the exact window sum however long the stream
 * (test/lib/indicators-sma.test.ts measures it against re-summing over 1M bars).
 */
export class RollingSum {
  private readonly window: Float64Array;
  private index = 0;
  private filled = 0;
  private sum = 0;
  private compensation = 0;

  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a whole number >= 1, got ${period}`);
    this.window = new Float64Array(period);
  }

  /** An independent copy of this window (a forming bar is computed on a copy, see lib/messages/forming). */
  fork(): RollingSum {
    const copy = new RollingSum(this.period);
    copy.window.set(this.window);
    copy.index = this.index;
    copy.filled = this.filled;
    copy.sum = this.sum;
    copy.compensation = this.compensation;
    return copy;
  }

  /** Adds `value` and drops the value that leaves the window once it is full. */
  push(value: number): void {
    if (this.filled === this.period) this.add(-this.window[this.index]);
    else this.filled++;
    this.window[this.index] = value;
    if (++this.index === this.period) this.index = 0;
    this.add(value);
  }

  /** True once `period` values have been pushed. */
  get full(): boolean {
    return this.filled === this.period;
  }

  get count(): number {
    return this.filled;
  }

  /** The window's sum (of the values pushed so far while not yet full). */
  get value(): number {
    return this.sum + this.compensation;
  }

  /** The value `back` steps ago in the window (0 = the newest). */
  at(back: number): number {
    let i = this.index - 1 - back;
    if (i < 0) i += this.period;
    return this.window[i];
  }

  private add(x: number): void {
    const t = this.sum + x;
    // Neumaier: keep the low-order bits lost by the addition in a separate compensation term.
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }
}
