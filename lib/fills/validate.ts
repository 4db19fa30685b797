/**
 * Checks an order before the engine takes it (new or modified). Returns the reason to reject it, worded
 * for the trader, or null when it is acceptable.
 */
import { ORDER_TYPES, TIMES_IN_FORCE, type OrderType } from '../messages';
import { ORDER_TYPE_RULES } from '../messages/order-types';
import type { EngineOrder } from './types';
import { PRICE_NOT_ON_TICK } from './reasons';
import { QTY_EPSILON } from './book';
import { conditionsProblem } from './conditions';

const TYPES: ReadonlySet<string> = new Set(ORDER_TYPES);
const TIFS: ReadonlySet<string> = new Set(TIMES_IN_FORCE);

export function isTrailing(type: OrderType): boolean {
  return ORDER_TYPE_RULES[type]?.auxPrice?.role === 'trail';
}

/** Whether `price` is a whole multiple of `tick` (tolerating binary noise such as 0.1 + 0.2). */
export function onTick(price: number, tick: number): boolean {
  if (!(tick > 0)) return true;
  const steps = price / tick;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export function orderProblem(o: EngineOrder, minTick: number): string | null {
  if (!Number.isInteger(o.orderId)) return `The orderId must be an integer, got ${String(o.orderId)}.`;
  if (typeof o.symbol !== 'string' || o.symbol === '') return 'The order has no symbol (instrument key).';
  if (o.action !== 'BUY' && o.action !== 'SELL') {
    return `The order action must be BUY or SELL, got ${String(o.action)}.`;
  }
  if (!finite(o.totalQuantity) || o.totalQuantity <= 0) {
    return `The order size must be a positive number, got ${String(o.totalQuantity)}.`;
  }
  if (!TYPES.has(o.orderType)) {
    return `Unsupported order type '${String(o.orderType)}': use ${ORDER_TYPES.slice(0, -1).join(', ')} or ${ORDER_TYPES.at(-1)}.`;
  }
  const type = o.orderType;
  if (o.tif !== undefined && !TIFS.has(o.tif)) {
    return `Unsupported time in force '${String(o.tif)}': use ${TIMES_IN_FORCE.slice(0, -1).join(', ')} or ${TIMES_IN_FORCE.at(-1)}.`;
  }
  if (o.goodAfterTime !== undefined && !(typeof o.goodAfterTime === 'number' && Number.isFinite(o.goodAfterTime))) {
    return 'goodAfterTime must be "yyyyMMdd HH:mm:ss" (with an optional zone) or "yyyyMMdd-HH:mm:ss" in UTC.';
  }
  if (o.tif === 'GTD' && !(typeof o.goodTillDate === 'number' && Number.isFinite(o.goodTillDate))) {
    return 'A GTD order needs goodTillDate as "yyyyMMdd HH:mm:ss" (with an optional zone) or "yyyyMMdd-HH:mm:ss" in UTC.';
  }
  if ((o.tif === 'IOC' || o.tif === 'FOK' || o.tif === 'OPG') && type !== 'MKT' && type !== 'LMT') {
    return `Time in force ${o.tif} is for MKT and LMT orders, not ${type}.`;
  }
  if (o.ocaType !== undefined && o.ocaType !== 1 && o.ocaType !== 2 && o.ocaType !== 3) {
    return `ocaType must be 1, 2 or 3, got ${String(o.ocaType)}.`;
  }
  if (o.parentId !== undefined && o.parentId !== 0 && !Number.isInteger(o.parentId)) {
    return `The parentId must be an integer, got ${String(o.parentId)}.`;
  }
  if (o.parentId === o.orderId) return 'An order cannot be its own parent.';
  const conditions = conditionsProblem(o.conditions);
  if (conditions !== null) return conditions;

  const rule = ORDER_TYPE_RULES[type];
  const prices: number[] = [];
  const limit = rule.lmtPrice;
  if (limit !== null && !isTrailing(type)) {
    if (limit.required || o.lmtPrice !== undefined) {
      if (!finite(o.lmtPrice) || (limit.role === 'cap' && o.lmtPrice <= 0)) {
        return `A ${type} order needs ${limit.role === 'cap' ? 'a price cap above 0 (lmtPrice), or none,' : 'a limit price (lmtPrice)'}, got ${String(o.lmtPrice)}.`;
      }
      prices.push(o.lmtPrice);
    }
  }
  const aux = rule.auxPrice;
  if (aux !== null && (aux.role === 'stop' || aux.role === 'trigger')) {
    if (!finite(o.auxPrice)) return `A ${type} order needs a ${aux.role} price (auxPrice), got ${String(o.auxPrice)}.`;
    prices.push(o.auxPrice);
  }
  if (aux !== null && aux.role === 'offset' && (aux.required || o.auxPrice !== undefined)) {
    if (!finite(o.auxPrice) || o.auxPrice < 0) return `A ${type} order needs its offset from the ${rule.pegged === 'midpoint' ? 'midpoint' : 'bid or ask'} as auxPrice >= 0, got ${String(o.auxPrice)}.`;
    prices.push(o.auxPrice);
  }
  if (isTrailing(type)) {
    const hasPercent = o.trailingPercent !== undefined;
    if (hasPercent) {
      if (!finite(o.trailingPercent) || o.trailingPercent <= 0 || o.trailingPercent >= 100) {
        return `trailingPercent must be between 0 and 100, got ${String(o.trailingPercent)}.`;
      }
    } else {
      if (!finite(o.auxPrice) || o.auxPrice <= 0) {
        return `A ${type} order needs a trailing amount (auxPrice > 0) or a trailingPercent, got ${String(o.auxPrice)}.`;
      }
      prices.push(o.auxPrice);
    }
    if (o.trailStopPrice !== undefined) {
      if (!finite(o.trailStopPrice)) return `trailStopPrice must be a number, got ${String(o.trailStopPrice)}.`;
      prices.push(o.trailStopPrice);
    }
    if (type === 'TRAIL LIMIT') {
      if (o.lmtPriceOffset !== undefined) {
        if (!finite(o.lmtPriceOffset) || o.lmtPriceOffset < 0) {
          return `lmtPriceOffset must be a number >= 0, got ${String(o.lmtPriceOffset)}.`;
        }
        prices.push(o.lmtPriceOffset);
      } else if (!finite(o.lmtPrice) || !finite(o.trailStopPrice)) {
        return 'A TRAIL LIMIT order needs lmtPriceOffset, or lmtPrice together with trailStopPrice.';
      } else {
        prices.push(o.lmtPrice);
      }
    }
  }
  for (const price of prices) {
    if (!onTick(price, minTick)) return PRICE_NOT_ON_TICK;
  }
  return null;
}

/**
 * Checks a modification of a working or held order: `order` must be acceptable on its own and may not
 * change what TWS does not let a modification change, nor go below what has already filled.
 */
export function modifyProblem(order: EngineOrder, old: EngineOrder, filled: number, minTick: number): string | null {
  return (
    orderProblem(order, minTick) ??
    (order.symbol !== old.symbol ? `An order's symbol cannot be modified (${old.symbol} to ${order.symbol}).` : null) ??
    (order.action !== old.action ? `An order's action cannot be modified (${old.action} to ${order.action}).` : null) ??
    ((order.parentId ?? 0) !== (old.parentId ?? 0) ? "An order's parentId cannot be modified." : null) ??
    (order.orderType !== old.orderType && (isAuction(order.orderType) || isAuction(old.orderType))
      ? `The order type cannot be modified from ${old.orderType} to ${order.orderType}.`
      : null) ??
    (order.totalQuantity <= filled + QTY_EPSILON
      ? `The new quantity ${order.totalQuantity} must be more than the ${filled} already filled.`
      : null)
  );
}

/** MOC / LOC: filled in the closing auction. */
function isAuction(type: OrderType): boolean {
  return ORDER_TYPE_RULES[type]?.auction === true;
}
