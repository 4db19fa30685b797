/**
 * Volume-weighted indicators of our own, because technicalindicators' versions round their output
 * (MFI to 2 decimals, ADL to a whole number, which erases it for small volumes such as FX or crypto)
 * and count an unchanged typical price as negative money flow (MFI) and a bar with high == low as a
 * full buying bar (ADL).
 */
import { RollingSum } from './rolling-sum';

export interface HlcvBar {
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Money Flow Index over `period` money flows (so the first value comes at the (period + 1)-th bar):
 * typical price (h + l + c) / 3 times volume counts as positive flow when the typical price rose,
 * negative when it fell, and neither when it did not change.
 */
export class Mfi {
  private previousTypical: number | null = null;
  private readonly positive: RollingSum;
  private readonly negative: RollingSum;

  constructor(readonly period: number) {
    this.positive = new RollingSum(period);
    this.negative = new RollingSum(period);
  }

  /** An independent copy of the state (see StreamingIndicator.fork). */
  fork(): Mfi {
    const copy = new Mfi(this.period);
    Object.assign(copy, { previousTypical: this.previousTypical, positive: this.positive.fork(), negative: this.negative.fork() });
    return copy;
  }

  next(bar: HlcvBar): number | null {
    const typical = (bar.high + bar.low + bar.close) / 3;
    const previous = this.previousTypical;
    this.previousTypical = typical;
    if (previous === null) return null;
    const flow = typical * bar.volume;
    this.positive.push(typical > previous ? flow : 0);
    this.negative.push(typical < previous ? flow : 0);
    if (!this.positive.full) return null;
    const positive = this.positive.value;
    const negative = this.negative.value;
    if (negative <= 0) return positive <= 0 ? 50 : 100;
    return 100 - 100 / (1 + positive / negative);
  }
}

/**
 * Accumulation/Distribution Line: running total of volume * ((c - l) - (h - c)) / (h - l); a bar
 * with no range adds nothing. Compensated so a long stream does not drift.
 */
export class Adl {
  private sum = 0;
  private compensation = 0;

  /** An independent copy of the state (see StreamingIndicator.fork). */
  fork(): Adl {
    return Object.assign(new Adl(), { sum: this.sum, compensation: this.compensation });
  }

  next(bar: HlcvBar): number {
    const range = bar.high - bar.low;
    const flow = range > 0 ? ((bar.close - bar.low - (bar.high - bar.close)) / range) * bar.volume : 0;
    const t = this.sum + flow;
    if (Math.abs(this.sum) >= Math.abs(flow)) this.compensation += this.sum - t + flow;
    else this.compensation += flow - t + this.sum;
    this.sum = t;
    return this.sum + this.compensation;
  }
}

/**
 * VWAP: the running sum of typical price (h + l + c) / 3 times volume over the running volume, from the
 * first bar it is fed. The session VWAP of the indicator node starts one afresh on each trading day
 * (bar.session); null until some volume traded.
 */
export class Vwap {
  private notional = 0;
  private volume = 0;

  fork(): Vwap {
    return Object.assign(new Vwap(), { notional: this.notional, volume: this.volume });
  }

  next(bar: HlcvBar): number | null {
    if (bar.volume > 0) {
      this.notional += ((bar.high + bar.low + bar.close) / 3) * bar.volume;
      this.volume += bar.volume;
    }
    return this.volume > 0 ? this.notional / this.volume : null;
  }
}
