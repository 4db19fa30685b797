/**
 * Stochastic RSI: where the RSI sits in its own range over `stochasticPeriod` values (0..100), then
 * k = SMA(kPeriod) of that and d = SMA(dPeriod) of k. Our own code because technicalindicators'
 * version is built on its RSI, which rounds to 2 decimals: a stochastic of rounded values is visibly
 * coarse. Like technicalindicators (and TA-Lib's STOCH), a window where RSI did not move gives 0.
 */
import { Rsi } from './rsi';
import { Sma } from './sma';

export type StochasticRsiValue = {
  stochRSI: number;
  k: number | null;
  d: number | null;
};

export class StochasticRsi {
  private readonly rsi: Rsi;
  private readonly window: Float64Array;
  private filled = 0;
  private index = 0;
  private readonly kSma: Sma;
  private readonly dSma: Sma;

  constructor(rsiPeriod: number, readonly stochasticPeriod: number, kPeriod: number, dPeriod: number) {
    if (!Number.isInteger(stochasticPeriod) || stochasticPeriod < 1) throw new RangeError(`stochasticPeriod must be a whole number >= 1, got ${stochasticPeriod}`);
    this.rsi = new Rsi(rsiPeriod);
    this.window = new Float64Array(stochasticPeriod);
    this.kSma = new Sma(kPeriod);
    this.dSma = new Sma(dPeriod);
  }

  /** An independent copy of the state (see StreamingIndicator.fork). */
  fork(): StochasticRsi {
    const copy = new StochasticRsi(this.rsi.period, this.stochasticPeriod, this.kSma.period, this.dSma.period);
    copy.window.set(this.window);
    Object.assign(copy, { rsi: this.rsi.fork(), filled: this.filled, index: this.index, kSma: this.kSma.fork(), dSma: this.dSma.fork() });
    return copy;
  }

  next(value: number): StochasticRsiValue | null {
    const rsi = this.rsi.next(value);
    if (rsi === null) return null;
    this.window[this.index] = rsi;
    if (++this.index === this.stochasticPeriod) this.index = 0;
    if (this.filled < this.stochasticPeriod) this.filled++;
    if (this.filled < this.stochasticPeriod) return null;
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < this.stochasticPeriod; i++) {
      const v = this.window[i];
      if (v < low) low = v;
      if (v > high) high = v;
    }
    const stochRSI = high === low ? 0 : ((rsi - low) / (high - low)) * 100;
    const k = this.kSma.next(stochRSI);
    const d = k === null ? null : this.dSma.next(k);
    return { stochRSI, k, d };
  }
}
