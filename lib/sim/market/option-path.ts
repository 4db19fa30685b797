/**
 * An option's price path: the option model's value on its underlying's path, so its historical bars,
 * real-time bars and forming bars move with the underlying as its quotes do. A bar's open and close
 * are the model's value at the underlying's open (at the bar's start) and close (at its end); its high
 * and low are the model's extremes at the underlying's high and low between those instants (the value
 * is monotonic in the underlying's price at a given instant). Volume comes from the option's own walk,
 * which gives it a trading rhythm of its own.
 */
import { PricePath, type Summary } from './price-path';
import type { Instrument } from './instrument';

/** The model's value of the option when the underlying is at `underlyingPrice` at `time`. */
export type OptionValueAt = (underlyingPrice: number, time: number) => number;

export class OptionPricePath extends PricePath {
  constructor(
    instrument: Instrument,
    seed: number,
    private readonly underlying: PricePath,
    private readonly valueAt: OptionValueAt,
  ) {
    super(instrument, seed);
  }

  override priceAt(epochMs: number): number {
    return this.roundTick(this.valueAt(this.underlying.priceAt(epochMs), epochMs));
  }

  override summarize(from: number, to: number): Summary | null {
    const under = this.underlying.summarize(from, to);
    if (!under) return null;
    const open = this.roundTick(this.valueAt(under.open, from));
    const close = this.roundTick(this.valueAt(under.close, to));
    const extremes = [open, close];
    for (const price of [under.high, under.low]) for (const time of [from, to]) extremes.push(this.roundTick(this.valueAt(price, time)));
    const high = Math.max(...extremes);
    const low = Math.min(...extremes);
    const volume = super.summarize(from, to)?.volume ?? 0;
    return {
      open,
      high,
      low,
      close,
      volume,
      notional: volume * ((high + low + close) / 3),
      midSum: ((open + close) / 2) * under.duration,
      duration: under.duration,
    };
  }
}
