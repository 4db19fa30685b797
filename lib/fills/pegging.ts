/**
 * Pegged orders (REL, PEG MID, MIDPRICE): the price each stands at, set from the prices the order sees
 * and set again after every price event, so it follows the market. REL stands at the bid plus its
 * offset (buy) or the ask less it (sell), PEG MID at the midpoint less (buy) or plus (sell) its offset,
 * MIDPRICE at its cap; each never past its cap (lmtPrice). Between two price events the order stands
 * where the last one put it: a quote that reaches that price fills it. On bars the bid, the ask and the
 * midpoint are all the bar's price (a bar has no spread), so the peg is set from each close.
 */
import type { LiveOrder } from './book';
import { ORDER_TYPE_RULES } from '../messages/order-types';

/** Whether `live` is an order whose price follows the market. */
export function isPegged(live: LiveOrder): boolean {
  return ORDER_TYPE_RULES[live.order.orderType]?.pegged != null;
}

/**
 * Sets the price `live` stands at from `bid` and `ask` (either may be NaN or 0 while unknown: the
 * other side, else `mark`, stands in). MIDPRICE without a cap stands at no price (Infinity for a buy,
 * -Infinity for a sell: any midpoint fills it).
 */
export function repeg(live: LiveOrder, bid: number, ask: number, mark: number): void {
  const o = live.order;
  const buy = o.action === 'BUY';
  const cap = o.lmtPrice;
  let price: number;
  if (o.orderType === 'MIDPRICE') {
    price = buy ? Infinity : -Infinity;
  } else {
    const b = bid > 0 ? bid : ask > 0 ? ask : mark;
    const a = ask > 0 ? ask : bid > 0 ? bid : mark;
    const offset = o.auxPrice ?? 0;
    if (o.orderType === 'REL') price = buy ? b + offset : a - offset;
    else price = buy ? (b + a) / 2 - offset : (b + a) / 2 + offset;
    if (!(price === price)) return;
  }
  if (cap !== undefined && (buy ? price > cap : price < cap)) price = cap;
  live.pegPrice = price;
}

/** The midpoint of a quote, or NaN while one side is missing. */
export function midpoint(bid: number, ask: number): number {
  return bid > 0 && ask > 0 ? (bid + ask) / 2 : NaN;
}
