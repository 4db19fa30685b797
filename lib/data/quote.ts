/**
 * A top-of-book quote assembled from TWS's tick messages (TICK_PRICE / TICK_SIZE), live or delayed:
 * delayed tick types (66..76) fill the same fields, so a flow gets the same quote shape either way.
 * An option's quote also carries the model's greeks (TICK_OPTION_COMPUTATION, model tick 13 or 83).
 */
import type { OptionGreeks, Quote } from '../messages';

/** The model's option computation, live and delayed. */
const MODEL_OPTION_TICKS = new Set([13, 83]);

const computed = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) || v === Number.MAX_VALUE ? null : v);

type QuoteField = 'bid' | 'ask' | 'last' | 'bidSize' | 'askSize' | 'lastSize' | 'volume' | 'open' | 'high' | 'low' | 'close';

/** TWS tick type -> quote field (live and delayed variants). */
const TICK_FIELDS: Record<number, QuoteField> = {
  0: 'bidSize', 1: 'bid', 2: 'ask', 3: 'askSize', 4: 'last', 5: 'lastSize', 6: 'high', 7: 'low', 8: 'volume', 9: 'close', 14: 'open',
  69: 'bidSize', 66: 'bid', 67: 'ask', 70: 'askSize', 68: 'last', 71: 'lastSize', 72: 'high', 73: 'low', 74: 'volume', 75: 'close', 76: 'open',
};

export function emptyQuote(): Quote {
  return { time: 0, bid: null, ask: null, last: null, bidSize: null, askSize: null, lastSize: null, volume: null, open: null, high: null, low: null, close: null };
}

export class QuoteAssembler {
  private readonly quote: Quote = emptyQuote();

  /**
   * Applies one tick. Returns true when a quote field changed. TWS sends -1 for "no price" (e.g. no
   * bid outside hours): that clears the field to null rather than showing a price of -1.
   */
  apply(tickType: number, value: number | undefined, time: number): boolean {
    const field = TICK_FIELDS[tickType];
    if (!field) return false;
    const isAmount = field === 'bidSize' || field === 'askSize' || field === 'lastSize' || field === 'volume';
    // Prices can be negative (spreads, some futures) but -1 is TWS's "none"; sizes are never negative.
    const unset = value === undefined || !Number.isFinite(value) || (isAmount ? value < 0 : value === -1);
    const next = unset ? null : value;
    if (this.quote[field] === next) return false;
    this.quote[field] = next;
    this.quote.time = time;
    return true;
  }

  /** Applies the model's option computation (other option ticks are ignored). Returns true when it changed. */
  applyOption(tickType: number, values: Record<keyof OptionGreeks, number | undefined>, time: number): boolean {
    if (!MODEL_OPTION_TICKS.has(tickType)) return false;
    const greeks: OptionGreeks = {
      impliedVolatility: computed(values.impliedVolatility),
      delta: computed(values.delta),
      gamma: computed(values.gamma),
      vega: computed(values.vega),
      theta: computed(values.theta),
      modelPrice: computed(values.modelPrice),
      underlyingPrice: computed(values.underlyingPrice),
    };
    const before = this.quote.greeks;
    if (before && (Object.keys(greeks) as Array<keyof OptionGreeks>).every((k) => before[k] === greeks[k])) return false;
    this.quote.greeks = greeks;
    this.quote.time = time;
    return true;
  }

  /** A copy of the current quote (safe to send). */
  current(): Quote {
    return this.quote.greeks ? { ...this.quote, greeks: { ...this.quote.greeks } } : { ...this.quote };
  }

  /** True once a price of any kind has been seen. */
  hasPrice(): boolean {
    return this.quote.bid !== null || this.quote.ask !== null || this.quote.last !== null || this.quote.close !== null;
  }
}
