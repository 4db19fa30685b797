/**
 * IB's order (what placeOrder sends: @stoqey/ib's Contract and Order, or the same fields as the
 * simulator reads them off the wire) to the engine's order. The one mapping: the backtest broker and
 * the simulator's PLACE_ORDER handler both use it, so an order fills the same way in both.
 *
 * It maps and does not judge: an action, size, type or time in force the engine does not take reaches
 * the engine as given, and the engine rejects it with its reason (an 'Inactive' order event), as TWS
 * rejects an order after it left.
 */
import type { Contract } from '@stoqey/ib';
import type { InstrumentKey, OrderType, Side, TimeInForce } from '../messages';
import { contractMultiplier, instrumentKey } from '../messages/instrument';
import { parseIbDateTime } from '../messages/time-zones';
import type { EngineCondition, EngineOrder } from './types';

/**
 * The fields of IB's Order the engine acts on. @stoqey/ib's Order has them under these names, and so
 * has the simulator's reader of PLACE_ORDER off the wire.
 */
export interface IbOrderFields {
  action?: string;
  totalQuantity?: number;
  orderType?: string;
  lmtPrice?: number;
  auxPrice?: number;
  trailingPercent?: number;
  trailStopPrice?: number;
  lmtPriceOffset?: number;
  parentId?: number;
  tif?: string;
  /** IB's text ("yyyyMMdd HH:mm:ss [zone]" or "yyyyMMdd-HH:mm:ss" UTC). */
  goodTillDate?: string;
  goodAfterTime?: string;
  ocaGroup?: string;
  ocaType?: number;
  orderRef?: string;
  transmit?: boolean;
  outsideRth?: boolean;
  /** @stoqey/ib's condition objects (or the same fields read off the wire): type 1 price, 3 time. */
  conditions?: ReadonlyArray<IbConditionFields>;
  conditionsCancelOrder?: boolean;
}

/** The fields of an IB order condition the engine acts on (PriceCondition, TimeCondition). */
export interface IbConditionFields {
  type?: number;
  conjunctionConnection?: string;
  isMore?: boolean;
  price?: number;
  triggerMethod?: number;
  conId?: number;
  time?: string;
}

export interface EngineOrderTarget {
  /** The account the order is booked on (the caller decides: the engine's, or the order's own). */
  account: string;
  /** The instrument key the engine books it under; default: the contract's key. */
  symbol?: InstrumentKey;
  /** What one contract is worth per point when the caller knows it (contract details); default: contract.multiplier. */
  multiplier?: number;
  /** The client that placed it (TWS reports it back). */
  clientId?: number;
  /**
   * The instrument key of a contract id, for price conditions on another instrument (the simulator's
   * contracts); a condition without a conId, or with the order's own, watches the order's instrument.
   */
  conditionSymbol?: (conId: number) => InstrumentKey | undefined;
}

/** The engine's order for IB order `orderId` on `contract`. */
export function engineOrderFromIb(orderId: number, contract: Contract, order: IbOrderFields, target: EngineOrderTarget): EngineOrder {
  const result: EngineOrder = {
    orderId,
    symbol: target.symbol ?? instrumentKey(contract),
    action: String(order.action ?? '').toUpperCase() as Side,
    totalQuantity: Number(order.totalQuantity),
    // An order type left empty is a market order, as IB's own clients default it.
    orderType: String(order.orderType || 'MKT').toUpperCase() as OrderType,
    account: target.account,
  };
  const lmtPrice = finiteOrUndefined(order.lmtPrice);
  if (lmtPrice !== undefined) result.lmtPrice = lmtPrice;
  const auxPrice = finiteOrUndefined(order.auxPrice);
  if (auxPrice !== undefined) result.auxPrice = auxPrice;
  const trailingPercent = finiteOrUndefined(order.trailingPercent);
  if (trailingPercent !== undefined) result.trailingPercent = trailingPercent;
  const trailStopPrice = finiteOrUndefined(order.trailStopPrice);
  if (trailStopPrice !== undefined) result.trailStopPrice = trailStopPrice;
  const lmtPriceOffset = finiteOrUndefined(order.lmtPriceOffset);
  if (lmtPriceOffset !== undefined) result.lmtPriceOffset = lmtPriceOffset;
  // 0 is IB's "no parent", "no group" and "no OCA type".
  if (order.parentId) result.parentId = order.parentId;
  if (order.tif) result.tif = String(order.tif).toUpperCase() as TimeInForce;
  // A date-time without a zone is the TWS login's (US/Eastern here); an unreadable one stays NaN and is refused.
  if (order.goodTillDate) result.goodTillDate = parseIbDateTime(String(order.goodTillDate), 'America/New_York');
  if (order.goodAfterTime) result.goodAfterTime = parseIbDateTime(String(order.goodAfterTime), 'America/New_York');
  if (order.ocaGroup) result.ocaGroup = order.ocaGroup;
  if (order.ocaType) result.ocaType = order.ocaType as 1 | 2 | 3;
  if (order.orderRef) result.orderRef = order.orderRef;
  if (order.transmit === false) result.transmit = false;
  if (order.outsideRth) result.outsideRth = true;
  if (target.clientId !== undefined) result.clientId = target.clientId;
  if (order.conditions !== undefined && order.conditions.length > 0) {
    result.conditions = order.conditions.map((c) => engineCondition(c, result.symbol, contract.conId, target.conditionSymbol));
    if (order.conditionsCancelOrder) result.conditionsCancelOrder = true;
  }
  const multiplier = target.multiplier !== undefined && target.multiplier > 0 ? target.multiplier : contractMultiplier(contract);
  if (multiplier !== undefined) result.multiplier = multiplier;
  return result;
}

/** IB's condition as the engine watches it; a type it does not watch keeps the type, and the engine refuses it. */
function engineCondition(c: IbConditionFields, ownSymbol: InstrumentKey, ownConId: number | undefined, symbolOf: EngineOrderTarget['conditionSymbol']): EngineCondition {
  const or = String(c.conjunctionConnection ?? '').toLowerCase() === 'o';
  if (c.type === 3) return { kind: 'time', isMore: c.isMore === true, time: parseIbDateTime(String(c.time ?? ''), 'America/New_York'), or };
  if (c.type === 1) {
    const conId = Number(c.conId) || 0;
    const symbol = conId === 0 || conId === ownConId ? ownSymbol : (symbolOf?.(conId) ?? '');
    return { kind: 'price', symbol, isMore: c.isMore === true, price: Number(c.price), triggerMethod: Number(c.triggerMethod) || 0, or };
  }
  return { kind: `type ${String(c.type)}` } as unknown as EngineCondition;
}

function finiteOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
