/**
 * Order conditions (IB's price and time conditions): an order with conditions waits, PreSubmitted, until
 * they are met and then works (conditionsCancelOrder: it works at once and is cancelled when they are
 * met). They are looked at on every price event of the order's own instrument: a price condition reads
 * the watched instrument's latest price as its trigger method says (on the order's own instrument, the
 * price event being looked at; on bars, the close before the bar, as a condition cannot see the bar it
 * releases the order on), a time condition the event's time. Conditions join left to right, each to the
 * next by its conjunction (and / or).
 */
import type { InstrumentKey } from '../messages';
import type { Book, LiveOrder } from './book';
import type { EngineCondition } from './types';

/** Why an order's conditions are malformed, or null. */
export function conditionsProblem(conditions: readonly EngineCondition[] | undefined): string | null {
  if (conditions === undefined) return null;
  if (!Array.isArray(conditions)) return 'The order conditions must be a list.';
  for (const c of conditions) {
    if (c?.kind === 'time') {
      if (!Number.isFinite(c.time)) return 'A time condition needs a time ("yyyyMMdd HH:mm:ss" with an optional zone, or "yyyyMMdd-HH:mm:ss" in UTC).';
    } else if (c?.kind === 'price') {
      if (typeof c.symbol !== 'string' || c.symbol === '') return 'A price condition names an instrument this account does not know (its conId).';
      if (!(Number.isFinite(c.price) && c.price > 0)) return `A price condition needs a positive price, got ${String(c.price)}.`;
      if (c.triggerMethod !== 0 && c.triggerMethod !== 2 && c.triggerMethod !== 8) return `Price conditions are watched here by trigger method 0 (default), 2 (last) or 8 (midpoint), got ${String(c.triggerMethod)}.`;
    } else {
      return 'Only price and time conditions are watched here.';
    }
    if (typeof c.isMore !== 'boolean') return 'A condition needs isMore (true: at or above / after; false: at or below / before).';
  }
  return null;
}

/** The price `c` reads: last (or the mark while nothing traded) by default, the midpoint for method 8. */
function priceOf(c: Extract<EngineCondition, { kind: 'price' }>, bid: number, ask: number, last: number, mark: number): number {
  if (c.triggerMethod === 8) return bid > 0 && ask > 0 ? (bid + ask) / 2 : mark;
  return last > 0 ? last : mark;
}

/**
 * Whether the conditions of `live` are met at `time`, the own instrument's prices being `bid`, `ask`
 * and `last` (bars: NaN for bid and ask, the last close as last), other instruments' their books' latest.
 */
export function conditionsMet(live: LiveOrder, bid: number, ask: number, last: number, time: number, bookOf: (symbol: InstrumentKey) => Book | undefined): boolean {
  const conditions = live.order.conditions!;
  let met = false;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    let value: boolean;
    if (c.kind === 'time') {
      value = c.isMore ? time >= c.time : time < c.time;
    } else {
      let price: number;
      if (c.symbol === live.book.symbol) price = priceOf(c, bid, ask, last, live.book.mark);
      else {
        const book = bookOf(c.symbol);
        price = book === undefined ? NaN : priceOf(c, book.bid, book.ask, book.last, book.mark);
      }
      value = price === price && (c.isMore ? price >= c.price : price <= c.price);
    }
    met = i === 0 ? value : conditions[i - 1].or ? met || value : met && value;
  }
  return met;
}
