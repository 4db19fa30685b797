/**
 * The simulated market: the instrument universe and one price path per instrument, all from one seed.
 * Quotes at any instant derive from the path: the midpoint is the path, bid and ask one tick either
 * side, the last trade at the midpoint (for instruments that trade). An index has a level (last) only.
 * Options are priced by the model (option-model.ts) on their underlying's path at the same instant,
 * so their quotes, greeks, implied volatility and bars (option-path.ts) move with it; the spread widens
 * with the price.
 */
import { PricePath } from './price-path';
import { OptionPricePath } from './option-path';
import { Universe, type Instrument } from './universe';
import { hashSeed, Random } from './rng';
import { impliedVolatility, optionValue, surfaceVolatility, yearsTo, type OptionValue } from './option-model';

/** What the model says of an option at an instant (tick option computation). */
export interface OptionModelValue extends OptionValue {
  /** The volatility the model priced it at (its implied volatility at the model price). */
  volatility: number;
  underlyingPrice: number;
  years: number;
}

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
    // Option strikes are listed around each underlying's price when the market opens.
    this.universe = new Universe(now, extraStocks, (instrument) => this.path(instrument).priceAt(now));
  }

  path(instrument: Instrument): PricePath {
    let path = this.paths.get(instrument.conId);
    if (!path) {
      const option = instrument.option;
      path = option
        ? new OptionPricePath(instrument, this.seed, this.path(option.chain.underlying), (underlyingPrice, time) => this.optionValueAt(instrument, underlyingPrice, time).price)
        : new PricePath(instrument, this.seed);
      this.paths.set(instrument.conId, path);
    }
    return path;
  }

  /**
   * Top of book at an instant. Sizes are drawn per microsecond of the instant, so every tick of the
   * market clock (ticksPerSecond of them) moves the book, and the same instant always reads the same.
   */
  quote(instrument: Instrument, time: number): MarketQuote {
    if (instrument.option) return this.optionQuote(instrument, time);
    const path = this.path(instrument);
    const mid = path.priceAt(time);
    const half = instrument.minTick;
    const random = new Random(hashSeed(this.seed, instrument.conId, Math.floor(time * 1000), 7));
    const lot = instrument.lotSize;
    if (instrument.secType === 'IND') return { time, bid: NaN, ask: NaN, last: mid, bidSize: NaN, askSize: NaN, lastSize: NaN };
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

  /** The model's value and greeks of an option at an instant, on its underlying's price then. */
  optionModel(instrument: Instrument, time: number): OptionModelValue {
    return this.optionValueAt(instrument, this.path(instrument.option!.chain.underlying).priceAt(time), time);
  }

  /** The model's value and greeks of an option at an instant, with its underlying at `underlyingPrice`. */
  optionValueAt(instrument: Instrument, underlyingPrice: number, time: number): OptionModelValue {
    const terms = instrument.option!;
    const chain = terms.chain;
    const years = yearsTo(terms.expiresAt, time);
    const volatility = surfaceVolatility(chain.baseVolatility, underlyingPrice, instrument.strike);
    const right = instrument.right === 'P' ? 'P' : 'C';
    return { ...optionValue(right, underlyingPrice, instrument.strike, years, volatility, terms.carry), volatility, underlyingPrice, years };
  }

  /** The volatility that prices an option at `price` at an instant (NaN where none does). */
  impliedVolatility(instrument: Instrument, price: number, time: number): number {
    const terms = instrument.option!;
    const underlyingPrice = this.path(terms.chain.underlying).priceAt(time);
    return impliedVolatility(instrument.right === 'P' ? 'P' : 'C', price, underlyingPrice, instrument.strike, yearsTo(terms.expiresAt, time), terms.carry);
  }

  private optionQuote(instrument: Instrument, time: number): MarketQuote {
    const model = this.optionModel(instrument, time);
    const tick = instrument.minTick;
    // Market makers quote about 2% of the value either side, at least a tick; nothing below a tick.
    const half = Math.max(tick, model.price * 0.02);
    const bid = Math.max(0, Math.floor((model.price - half) / tick + 1e-9) * tick);
    const ask = Math.max(tick, Math.ceil((model.price + half) / tick - 1e-9) * tick);
    const decimals = Math.max(0, Math.ceil(-Math.log10(tick) - 1e-9));
    const random = new Random(hashSeed(this.seed, instrument.conId, Math.floor(time * 1000), 7));
    return {
      time,
      bid: Number(bid.toFixed(decimals)),
      ask: Number(ask.toFixed(decimals)),
      last: Number((Math.round(model.price / tick) * tick).toFixed(decimals)),
      bidSize: random.int(1, 50),
      askSize: random.int(1, 50),
      lastSize: random.int(1, 10),
    };
  }
}
