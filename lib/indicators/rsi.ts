/**
 * Relative Strength Index with Wilder's smoothing: the first average gain/loss is the plain mean of
 * the first `period` changes, later ones are (prev * (period - 1) + current) / period. The first value
 * comes at the (period + 1)-th price. Our own code because technicalindicators' RSI rounds every value
 * to 2 decimals (parseFloat(x.toFixed(2))), which moves level crossings (RSI 30/70) by up to 0.005.
 */
export class Rsi {
  private previous: number | null = null;
  private changes = 0;
  private averageGain = 0;
  private averageLoss = 0;

  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a whole number >= 1, got ${period}`);
  }

  /** An independent copy of the state (see StreamingIndicator.fork). */
  fork(): Rsi {
    return Object.assign(new Rsi(this.period), { previous: this.previous, changes: this.changes, averageGain: this.averageGain, averageLoss: this.averageLoss });
  }

  next(value: number): number | null {
    if (!Number.isFinite(value)) throw new RangeError(`RSI input must be a finite number, got ${value}`);
    if (this.previous === null) {
      this.previous = value;
      return null;
    }
    const change = value - this.previous;
    this.previous = value;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    this.changes++;
    if (this.changes <= this.period) {
      // Accumulate the seed means; divided once the first `period` changes are in.
      this.averageGain += gain;
      this.averageLoss += loss;
      if (this.changes < this.period) return null;
      this.averageGain /= this.period;
      this.averageLoss /= this.period;
    } else {
      this.averageGain = (this.averageGain * (this.period - 1) + gain) / this.period;
      this.averageLoss = (this.averageLoss * (this.period - 1) + loss) / this.period;
    }
    return rsiFromAverages(this.averageGain, this.averageLoss);
  }
}

/** 100 when there were only gains; 50 when the price did not move at all (neither overbought nor sold). */
export function rsiFromAverages(averageGain: number, averageLoss: number): number {
  if (averageLoss === 0) return averageGain === 0 ? 50 : 100;
  return 100 - 100 / (1 + averageGain / averageLoss);
}
