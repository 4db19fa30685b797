/**
 * Bracket and protective orders. A bracket is an entry (parent) with a take-profit and a stop-loss as
 * children in one OCA group: the children wait until the parent fills, one filling cancels the other,
 * and only the last order carries transmit=true so TWS never holds a half-built bracket as live.
 * Protection for a position that already exists is the same pair without a parent.
 */
import type { Order } from '@stoqey/ib';
import type { Side, TimeInForce } from '../messages';
import { buildOrder, opposite } from './build';
import type { OrderTerms } from './validate';

/** 'exit': the part of a move that takes a position toward flat, sent alone under the strategy's own ref. */
export type ProtectiveRole = 'entry' | 'take-profit' | 'stop-loss' | 'exit';

export interface TrailSpec {
  /** Trailing amount in price units, or ... */
  amount?: number;
  /** ... trailing percent (2 = 2%). */
  percent?: number;
}

export interface ProtectionSpec {
  /** Side of the position being protected (BUY = long). */
  positionSide: Side;
  quantity: number;
  stopLoss?: number;
  takeProfit?: number;
  /** Make the stop-loss a trailing stop (stopLoss, if set, is its initial stop price). */
  trailing?: TrailSpec;
  tif: TimeInForce;
  outsideRth: boolean;
  orderRef: string;
  ocaGroup: string;
  account?: string;
}

export interface PlannedOrder {
  role: ProtectiveRole;
  orderId: number;
  order: Order;
}

/** The orderRef of a protective child: the strategy's ref and the role, so restarts can find them. */
export function protectiveRef(orderRef: string, role: ProtectiveRole): string {
  return role === 'entry' || role === 'exit' ? orderRef : `${orderRef}:${role}`;
}

/** The role of an order of strategy `orderRef`, or null when it is not one of its orders. */
export function roleOf(orderRefOfOrder: string | undefined, orderRef: string): ProtectiveRole | null {
  if (orderRefOfOrder === orderRef) return 'entry';
  if (orderRefOfOrder === `${orderRef}:take-profit`) return 'take-profit';
  if (orderRefOfOrder === `${orderRef}:stop-loss`) return 'stop-loss';
  return null;
}

/** The exit orders of `spec`, in sending order (take-profit first, stop last), without ids' parent. */
export function protectiveOrders(spec: ProtectionSpec, ids: { takeProfit?: number; stopLoss?: number }): PlannedOrder[] {
  const exitSide = opposite(spec.positionSide);
  const planned: PlannedOrder[] = [];
  const base = (terms: OrderTerms, role: ProtectiveRole): Order => {
    const order = buildOrder(exitSide, spec.quantity, terms, protectiveRef(spec.orderRef, role));
    order.ocaGroup = spec.ocaGroup;
    // 1: cancel the other orders of the group when one fills, with block (no overfill).
    order.ocaType = 1;
    if (spec.account) order.account = spec.account;
    return order;
  };
  const common = { tif: spec.tif, outsideRth: spec.outsideRth };
  if (spec.takeProfit !== undefined) {
    if (ids.takeProfit === undefined) throw new Error('take-profit needs an order id');
    planned.push({ role: 'take-profit', orderId: ids.takeProfit, order: base({ orderType: 'LMT', lmtPrice: spec.takeProfit, ...common }, 'take-profit') });
  }
  if (spec.trailing && (spec.trailing.amount !== undefined || spec.trailing.percent !== undefined)) {
    if (ids.stopLoss === undefined) throw new Error('trailing stop needs an order id');
    const terms: OrderTerms = { orderType: 'TRAIL', ...common };
    if (spec.trailing.percent !== undefined) terms.trailingPercent = spec.trailing.percent;
    else terms.auxPrice = spec.trailing.amount;
    if (spec.stopLoss !== undefined) terms.trailStopPrice = spec.stopLoss;
    planned.push({ role: 'stop-loss', orderId: ids.stopLoss, order: base(terms, 'stop-loss') });
  } else if (spec.stopLoss !== undefined) {
    if (ids.stopLoss === undefined) throw new Error('stop-loss needs an order id');
    planned.push({ role: 'stop-loss', orderId: ids.stopLoss, order: base({ orderType: 'STP', auxPrice: spec.stopLoss, ...common }, 'stop-loss') });
  }
  return planned;
}

/**
 * A bracket: the entry order (parentId 0, transmit false) then its children (parentId = entry), with
 * transmit true only on the last one.
 */
export function bracketOrders(entryId: number, entry: Order, spec: ProtectionSpec, ids: { takeProfit?: number; stopLoss?: number }): PlannedOrder[] {
  const children = protectiveOrders(spec, ids);
  const parent: PlannedOrder = { role: 'entry', orderId: entryId, order: { ...entry, orderRef: protectiveRef(spec.orderRef, 'entry'), transmit: children.length === 0 } };
  if (spec.account) parent.order.account = spec.account;
  children.forEach((child, i) => {
    child.order.parentId = entryId;
    child.order.transmit = i === children.length - 1;
  });
  return [parent, ...children];
}
