/**
 * Trailing stops (TRAIL, TRAIL LIMIT): how the stop follows the price. The stop keeps a fixed distance
 * (auxPrice, or trailingPercent of the price) from the best price seen since the order started working,
 * moves only in the holder's favour, and is rounded to the tick. Bars and quotes both move it through
 * these functions, so the two feeds trail the same way; modifying an order re-applies its distance here.
 */
import type { EngineOrder } from './types';
import type { LiveOrder } from './book';
import { isTrailing } from './validate';

/** Starts trailing from `reference` (the last price, or a bracket parent's fill price). */
export function initTrail(live: LiveOrder, reference: number): void {
  const o = live.order;
  if (!isTrailing(o.orderType)) return;
  if (o.trailStopPrice !== undefined) live.trailStop = o.trailStopPrice;
  if (reference === reference) trailTo(live, reference, o.action === 'BUY');
}

/** Moves the trailing stop for a new price `x` (ratchets only in the holder's favour). */
export function trailTo(live: LiveOrder, x: number, buy: boolean): void {
  if (!(x > 0)) return;
  const best = live.trailBest;
  if (best === best && (buy ? x >= best : x <= best)) return;
  live.trailBest = x;
  const o = live.order;
  const distance = o.trailingPercent !== undefined ? (x * o.trailingPercent) / 100 : o.auxPrice!;
  const stop = roundToTick(buy ? x + distance : x - distance, live.book.tick);
  const current = live.trailStop;
  if (current !== current || (buy ? stop < current : stop > current)) live.trailStop = stop;
}

/** The price reached the stop: a TRAIL is now a market order, a TRAIL LIMIT a limit at its offset. */
export function triggerTrail(live: LiveOrder, buy: boolean): void {
  live.triggered = true;
  if (live.order.orderType === 'TRAIL LIMIT') {
    const offset = limitOffset(live.order);
    live.activeLimit = roundToTick(buy ? live.trailStop + offset : live.trailStop - offset, live.book.tick);
  }
}

/** A modified trailing order: a new explicit trailStopPrice resets the stop; a new distance re-applies it. */
export function retrail(live: LiveOrder, old: EngineOrder): void {
  const o = live.order;
  if (live.triggered) return;
  if (o.trailStopPrice !== undefined && o.trailStopPrice !== old.trailStopPrice) live.trailStop = o.trailStopPrice;
  else if (o.auxPrice !== old.auxPrice || o.trailingPercent !== old.trailingPercent) live.trailStop = NaN;
  const best = live.trailBest;
  live.trailBest = NaN;
  if (best === best) trailTo(live, best, o.action === 'BUY');
}

function limitOffset(o: EngineOrder): number {
  return o.lmtPriceOffset !== undefined ? o.lmtPriceOffset : Math.abs(o.lmtPrice! - o.trailStopPrice!);
}

function roundToTick(price: number, tick: number): number {
  if (!(tick > 0)) return price;
  return Math.round(Math.round(price / tick) * tick * 1e9) / 1e9;
}
