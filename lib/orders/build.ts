/**
 * From checked intents to IB's Order shape (what placeOrder sends), and back to the few fields the
 * rest of the package reasons about. Field names are IB's own, so msg.order reads like the TWS API.
 */
import type { Order } from '@stoqey/ib';
import type { Side } from '../messages';
import { orderTypeRule } from '../messages/order-types';
import { ibConditions } from './algos-conditions';
import type { ModifyIntent, OrderTerms } from './validate';

/** A new order of `quantity` shares on `action` with `terms`; transmitted unless said otherwise. */
export function buildOrder(action: Side, quantity: number, terms: OrderTerms, orderRef: string): Order {
  const order = {
    action,
    totalQuantity: quantity,
    orderType: terms.orderType,
    tif: terms.tif,
    outsideRth: terms.outsideRth,
    orderRef: terms.orderRef ?? orderRef,
    transmit: true,
  } as Order;
  if (terms.lmtPrice !== undefined) order.lmtPrice = terms.lmtPrice;
  if (terms.auxPrice !== undefined) order.auxPrice = terms.auxPrice;
  if (terms.trailingPercent !== undefined) order.trailingPercent = terms.trailingPercent;
  if (terms.trailStopPrice !== undefined) order.trailStopPrice = terms.trailStopPrice;
  if (terms.lmtPriceOffset !== undefined) order.lmtPriceOffset = terms.lmtPriceOffset;
  if (terms.goodTillDate !== undefined) order.goodTillDate = terms.goodTillDate;
  if (terms.goodAfterTime !== undefined) order.goodAfterTime = terms.goodAfterTime;
  if (terms.hidden !== undefined) order.hidden = terms.hidden;
  if (terms.algoStrategy !== undefined) {
    order.algoStrategy = terms.algoStrategy;
    order.algoParams = (terms.algoParams ?? []).map((p) => ({ ...p }));
  }
  if (terms.conditions !== undefined) {
    order.conditions = ibConditions(terms.conditions);
    order.conditionsCancelOrder = terms.conditionsCancelOrder ?? false;
    order.conditionsIgnoreRth = terms.conditionsIgnoreRth ?? false;
  }
  if (terms.account !== undefined) order.account = terms.account;
  return order;
}

/**
 * The order a modification sends: the working order with the changes applied. IB modifies by
 * re-sending placeOrder with the same id and every field, so nothing of the original may be lost. A new
 * algo or new conditions replace the old ones whole (the conditions' price conditions with their conIds).
 */
export function applyModification(working: Order, changes: ModifyIntent['changes']): Order {
  const order: Order = { ...working, transmit: true };
  const { algo, conditions, ...fields } = changes;
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined) (order as unknown as Record<string, unknown>)[field] = value;
  }
  if (algo === null) {
    delete order.algoStrategy;
    delete order.algoParams;
  } else if (algo !== undefined) {
    order.algoStrategy = algo.algoStrategy;
    order.algoParams = algo.algoParams.map((p) => ({ ...p }));
  }
  if (conditions !== undefined && conditions.length === 0) {
    delete order.conditions;
    delete order.conditionsCancelOrder;
    delete order.conditionsIgnoreRth;
  } else if (conditions !== undefined) {
    order.conditions = ibConditions(conditions);
    order.conditionsCancelOrder = changes.conditionsCancelOrder ?? order.conditionsCancelOrder ?? false;
    order.conditionsIgnoreRth = changes.conditionsIgnoreRth ?? order.conditionsIgnoreRth ?? false;
  }
  // A TRAIL order has either an amount or a percent: setting one clears the other.
  if (changes.trailingPercent !== undefined) delete order.auxPrice;
  if (changes.auxPrice !== undefined && order.orderType === 'TRAIL') delete order.trailingPercent;
  return order;
}

/** +1 for BUY, -1 for SELL. */
export function sideSign(action: unknown): 1 | -1 {
  return String(action).toUpperCase() === 'SELL' ? -1 : 1;
}

export function opposite(side: Side): Side {
  return side === 'BUY' ? 'SELL' : 'BUY';
}

/** A short human text of an order, for status and journal: "BUY 100 LMT 101.5". */
export function describeOrder(order: Pick<Order, 'action' | 'totalQuantity' | 'orderType' | 'lmtPrice' | 'auxPrice' | 'trailingPercent'>): string {
  const parts = [String(order.action), String(order.totalQuantity), String(order.orderType)];
  if (order.orderType === 'TRAIL') parts.push(order.trailingPercent !== undefined ? `${order.trailingPercent}%` : String(order.auxPrice));
  else {
    const rule = orderTypeRule(String(order.orderType));
    if (order.auxPrice !== undefined) parts.push(`${rule?.auxPrice?.role === 'offset' ? 'offset' : 'stop'} ${order.auxPrice}`);
    if (order.lmtPrice !== undefined) parts.push(`${rule?.lmtPrice?.role === 'cap' ? 'cap' : 'lmt'} ${order.lmtPrice}`);
  }
  return parts.join(' ');
}
