/**
 * The simulated market: the instrument universe and one price path per instrument, all from one seed.
 * Quotes at any instant derive from the path: the midpoint is the path, bid and ask one tick either
 * side, the last trade at the midpoint (for instruments that trade).
 */
import { PricePath } from './price-path';
import { Universe, type Instrument } from './universe';
import { hashSeed, Random } from './rng';

export interface MarketQuote {
  time: number;
  bid: number;
  ask: number;
  /** NaN for instruments that only quote (forex). */
  last: number;
  bidSize: number;
  askSize: number;
  lastSize: number;
}

export class Market {
  readonly universe: Universe;
  private readonly paths = new Map<number, PricePath>();

  constructor(
    readonly seed: number,
    now: number,
    extraStocks = 0,
  ) {
    this.universe = new Universe(now, extraStocks);
  }

  path(instrument: Instrument): PricePath {
    let path = this.paths.get(instrument.conId);
    if (!path) {
      path = new PricePath(instrument, this.seed);
      this.paths.set(instrument.conId, path);
    }
    return path;
  }

  /**
   * Top of book at an instant. Sizes are drawn per microsecond of the instant, so every tick of the
   * market clock (ticksPerSecond of them) moves the book, and the same instant always reads the same.
   */
  quote(instrument: Instrument, time: number): MarketQuote {
    const path = this.path(instrument);
    const mid = path.priceAt(time);
    const half = instrument.minTick;
    const random = new Random(hashSeed(this.seed, instrument.conId, Math.floor(time * 1000), 7));
    const lot = instrument.lotSize;
    return {
      time,
      bid: path.roundTick(mid - half),
      ask: path.roundTick(mid + half),
      last: instrument.hasTrades ? mid : NaN,
      bidSize: lot * random.int(1, 30),
      askSize: lot * random.int(1, 30),
      lastSize: instrument.hasTrades ? (instrument.secType === 'STK' ? random.int(1, 20) * 100 : random.int(1, 10)) : 0,
    };
  }
}
