/**
 * Today's open, high, low, volume and yesterday's close of an instrument at an instant, as the quote
 * ticks report them. Kept incrementally (time moves forward) so a tick costs a few seconds of path,
 * not a whole day; a jump backwards or into another day starts over.
 */
import type { PricePath } from './price-path';

export interface DayStatistics {
  open: number;
  high: number;
  low: number;
  volume: number;
  previousClose: number;
}

export class DayStats {
  private day = NaN;
  private dayEnd = -Infinity;
  private dayBegin = Infinity;
  private upTo = 0;
  private stats: DayStatistics = { open: NaN, high: NaN, low: NaN, volume: 0, previousClose: NaN };

  constructor(private readonly path: PricePath) {}

  /** Statistics from the start of the instrument's day to `time` (whole seconds for the volume). */
  at(time: number): DayStatistics {
    const sameDay = time >= this.dayBegin && time < this.dayEnd;
    const day = sameDay ? this.day : this.path.dayOf(time);
    const second = Math.floor(time / 1000) * 1000;
    if (day !== this.day || second < this.upTo) {
      const start = this.path.dayStart(day);
      const open = this.path.dayPath(day).points[0];
      this.day = day;
      this.dayBegin = start;
      this.dayEnd = this.path.dayStart(day + 1);
      this.upTo = start;
      this.stats = { open, high: open, low: open, volume: 0, previousClose: this.path.closeOf(day - 1) };
    }
    if (second > this.upTo) {
      const part = this.path.summarize(this.upTo, second);
      if (part) {
        if (part.high > this.stats.high) this.stats.high = part.high;
        if (part.low < this.stats.low) this.stats.low = part.low;
        this.stats.volume += part.volume;
      }
      this.upTo = second;
    }
    const price = this.path.priceAt(time);
    if (price > this.stats.high) this.stats.high = price;
    if (price < this.stats.low) this.stats.low = price;
    return { ...this.stats };
  }
}
