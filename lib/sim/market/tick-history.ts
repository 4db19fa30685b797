/**
 * Which instants of the simulated market are tick-by-tick ticks, and the most recent ones before an
 * instant. The live stream and the history a REQ_TICK_BY_TICK_DATA asks for (numberOfTicks) both use
 * `tickChanged`, so the history is exactly what the live stream would have sent had it been running.
 */
import type { Instrument } from './universe';
import type { Market, MarketQuote } from './market';

/** TWS's tick-by-tick kinds as they appear on the wire (TICK_BY_TICK's tickType field). */
export const TickKind = { Last: 1, AllLast: 2, BidAsk: 3, MidPoint: 4 } as const;
export type TickKind = (typeof TickKind)[keyof typeof TickKind];

/** IB serves at most this many ticks of history with a tick-by-tick request. */
export const MAX_HISTORY_TICKS = 1000;

/**
 * Whether `current` is a tick of `kind` after `previous` (the quote at the clock's previous instant):
 * trades when price or size moved, BidAsk when the top of book moved (prices only with ignoreSize),
 * MidPoint when the midpoint moved. The first quote of a stream (no previous) is always a tick.
 */
export function tickChanged(kind: TickKind, previous: MarketQuote | null, current: MarketQuote, ignoreSize = false): boolean {
  if (!previous) return true;
  if (kind === TickKind.Last || kind === TickKind.AllLast) return previous.last !== current.last || previous.lastSize !== current.lastSize;
  if (kind === TickKind.BidAsk) {
    if (previous.bid !== current.bid || previous.ask !== current.ask) return true;
    return !ignoreSize && (previous.bidSize !== current.bidSize || previous.askSize !== current.askSize);
  }
  return (previous.bid + previous.ask) / 2 !== (current.bid + current.ask) / 2;
}

export interface TickHistoryRequest {
  kind: TickKind;
  ignoreSize: boolean;
  /** The instant the live stream starts at; history is strictly before it. */
  before: number;
  /** The market clock's spacing (ms between its instants). */
  stepMs: number;
  count: number;
  /** How many instants to look back at most (a quiet market may have fewer ticks than asked). */
  maxInstants: number;
}

/**
 * The last `count` ticks of `kind` before `before`, oldest first: the quotes at the clock instants
 * `before - k * stepMs` that differ from the instant before them.
 */
export function recentTicks(market: Market, instrument: Instrument, request: TickHistoryRequest): MarketQuote[] {
  const { kind, ignoreSize, before, stepMs, maxInstants } = request;
  const count = Math.min(Math.max(0, Math.floor(request.count)), MAX_HISTORY_TICKS);
  const newestFirst: MarketQuote[] = [];
  if (count === 0 || !(stepMs > 0)) return newestFirst;
  let later = market.quote(instrument, before - stepMs);
  for (let k = 2; k <= maxInstants + 1 && newestFirst.length < count; k++) {
    const earlier = market.quote(instrument, before - k * stepMs);
    if (tickChanged(kind, earlier, later, ignoreSize)) newestFirst.push(later);
    later = earlier;
  }
  return newestFirst.reverse();
}
