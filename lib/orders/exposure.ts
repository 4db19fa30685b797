/**
 * How far working orders could move a position: the range of positions reachable whichever of them
 * fill. The max-position limit checks its worst end; the target planner keeps a target inside it, so
 * an order whose cancel is not yet confirmed still counts, and a target is never passed.
 */
import type { Side } from '../messages';

/** A working order as the max-position check sees it. */
export interface ExposureOrder {
  orderId: number;
  action: Side | string;
  /** Shares not yet filled. */
  remaining: number;
  /** The bracket parent this order waits for (0 or undefined: none). */
  parentId?: number;
  /** The OCA group: of its orders at most the largest fills. */
  ocaGroup?: string;
}

/**
 * The lowest and highest position `orders` could bring `position` to, whichever of them fill:
 * - a bracket child waiting for its parent (parentId names a working order) only takes back what the
 *   parent adds, so it counts only for any quantity beyond its parent's;
 * - of an OCA group at most the largest order fills (one fill cancels or reduces the others), so a
 *   group counts once per side, at its largest;
 * - every other order counts in full on its side.
 */
export function positionRange(position: number, orders: readonly ExposureOrder[]): { low: number; high: number } {
  const byId = new Map<number, ExposureOrder>();
  for (const o of orders) if (o.orderId > 0) byId.set(o.orderId, o);
  let buys = 0;
  let sells = 0;
  const groups = new Map<string, { buy: number; sell: number }>();
  for (const o of orders) {
    const remaining = Number(o.remaining);
    if (!(remaining > 0)) continue;
    const buy = String(o.action).toUpperCase() !== 'SELL';
    const parent = o.parentId ? byId.get(Number(o.parentId)) : undefined;
    let counted = remaining;
    if (parent) {
      const parentBuy = String(parent.action).toUpperCase() !== 'SELL';
      // The exit of its parent: beyond the parent's quantity only.
      if (parentBuy !== buy) counted = Math.max(0, remaining - Math.max(0, Number(parent.remaining) || 0));
    }
    if (counted === 0) continue;
    if (o.ocaGroup && !parent) {
      const group = groups.get(o.ocaGroup) ?? { buy: 0, sell: 0 };
      if (buy) group.buy = Math.max(group.buy, counted);
      else group.sell = Math.max(group.sell, counted);
      groups.set(o.ocaGroup, group);
      continue;
    }
    if (buy) buys += counted;
    else sells += counted;
  }
  for (const group of groups.values()) {
    buys += group.buy;
    sells += group.sell;
  }
  return { low: position - sells, high: position + buys };
}

/** The largest |position| of a range. */
export function worstPosition(range: { low: number; high: number }): number {
  return Math.round(Math.max(Math.abs(range.low), Math.abs(range.high)) * 1e8) / 1e8;
}

