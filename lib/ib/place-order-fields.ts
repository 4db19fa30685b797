/**
 * PLACE_ORDER's fields for the orders this package sends, made here on the order path instead of by
 * @stoqey/ib's encoder: that one runs some sixty server-version checks and two hundred pushes for
 * every order, on a path that runs a few times a second and so is never warm (its encoding took a
 * good part of the 110 us from the client's placeOrder to the writer). The fields are the ones
 * @stoqey/ib would hand to its socket, in its form (booleans as booleans, nothing as undefined): the
 * writer lays them on the wire as it does @stoqey/ib's (frame.ts).
 *
 * What is covered, else null and the caller sends through @stoqey/ib's encoder (which also refuses,
 * with TWS's error, a field the server version cannot take):
 * - server versions 176 (the simulator's lowest, BOND_ISSUERID) to 193 (@stoqey/ib's highest);
 * - any contract but a combo (BAG) or one with a delta-neutral contract;
 * - orders whose fields are among ORDER_FIELDS (what the planner, place-order, stop-order and the
 *   broker set: every order type but PEG BENCH and PEG BEST, times in force, brackets' parentId and
 *   transmit, OCA groups, algos, price and time conditions, what-if); any other field set falls back.
 * The layout is IB's PLACE_ORDER at those versions, every field @stoqey/ib writes, in its order; the
 * fields outside ORDER_FIELDS are known to be unset here and are written empty as it writes them.
 * test/wire/place-order-fields.test.ts compares the bytes with @stoqey/ib's at every version.
 */
import { OrderConditionType, type Contract, type Order } from '@stoqey/ib';

/** The server versions this layout is written for. */
export const PLACE_ORDER_VERSIONS = { min: 176, max: 193 } as const;

/** Server versions at which a field of PLACE_ORDER appears or goes (IB's MIN_SERVER_VER_...). */
const FA_PROFILE_DESUPPORT = 177;
const CUSTOMER_ACCOUNT = 183;
const PROFESSIONAL_CUSTOMER = 184;
const RFQ_FIELDS = 187;
const INCLUDE_OVERNIGHT = 189;
const UNDO_RFQ_FIELDS = 190;
const CME_TAGGING_FIELDS = 192;

const PLACE_ORDER = 3;
/** Java's Integer.MAX_VALUE, which the RFQ fields' versions send as an unset quantity. */
const INTEGER_MAX = 2147483647;

/** The order fields the layout reads (the rest of IB's Order must be unset). */
const ORDER_FIELDS = new Set([
  'action', 'totalQuantity', 'orderType', 'lmtPrice', 'auxPrice', 'tif', 'ocaGroup', 'ocaType', 'account', 'orderRef',
  'transmit', 'parentId', 'outsideRth', 'hidden', 'goodAfterTime', 'goodTillDate', 'trailStopPrice', 'trailingPercent',
  'lmtPriceOffset', 'algoStrategy', 'algoParams', 'whatIf', 'conditions', 'conditionsIgnoreRth', 'conditionsCancelOrder',
  // Not part of PLACE_ORDER (the order id goes as its own argument).
  'orderId', 'clientId', 'permId',
]);

/** IB's "unset" for a double: Double.MAX_VALUE goes as an empty field. */
function unsetMax(value: unknown): unknown {
  return value === Number.MAX_VALUE ? undefined : value;
}

/** Order types whose fields the layout leaves to @stoqey/ib (pegged to a benchmark, PEG BEST's competition fields). */
const OWN_FIELD_TYPES = new Set(['PEG BENCH', 'PEGBENCH', 'PEG BEST', 'PEGBEST']);
const PEG_MID = new Set(['PEG MID', 'PEGMID']);

/** Whether the layout covers `order` on `contract` at `serverVersion` (see the top of the file). */
function covered(serverVersion: number, contract: Contract, order: Order): boolean {
  if (!(serverVersion >= PLACE_ORDER_VERSIONS.min && serverVersion <= PLACE_ORDER_VERSIONS.max)) return false;
  if (String(contract.secType).toUpperCase() === 'BAG' || contract.deltaNeutralContract) return false;
  const fields = order as unknown as Record<string, unknown>;
  for (const field in fields) {
    if (!ORDER_FIELDS.has(field) && fields[field] !== undefined) return false;
  }
  if (OWN_FIELD_TYPES.has(String(order.orderType))) return false;
  const params: unknown = order.algoParams;
  if (params !== undefined && !(Array.isArray(params) && params.every((p) => p !== null && typeof p === 'object'))) return false;
  const conditions: unknown = order.conditions;
  if (conditions !== undefined && conditions !== null) {
    if (!Array.isArray(conditions)) return false;
    for (const c of conditions) {
      if (c === null || typeof c !== 'object' || (c.type !== OrderConditionType.Price && c.type !== OrderConditionType.Time)) return false;
    }
  }
  return true;
}

/**
 * The fields of PLACE_ORDER for order `orderId`, as @stoqey/ib's encoder would hand them to its
 * socket; null when the layout does not cover the order (the caller then uses @stoqey/ib's).
 */
export function placeOrderFields(serverVersion: number, orderId: number, contract: Contract, order: Order): unknown[] | null {
  if (!covered(serverVersion, contract, order)) return null;
  const v = serverVersion;
  const f: unknown[] = [PLACE_ORDER, orderId];
  // The contract.
  f.push(contract.conId, contract.symbol, contract.secType, contract.lastTradeDateOrContractMonth, contract.strike, contract.right, contract.multiplier);
  f.push(contract.exchange, contract.primaryExch, contract.currency, contract.localSymbol, contract.tradingClass, contract.secIdType, contract.secId);
  // The main fields.
  f.push(order.action, order.totalQuantity, order.orderType, unsetMax(order.lmtPrice), unsetMax(order.auxPrice));
  // The extended fields: tif, ocaGroup, account, openClose, origin, orderRef, transmit, parentId,
  // blockOrder, sweepToFill, displaySize, triggerMethod, outsideRth, hidden.
  f.push(order.tif, order.ocaGroup, order.account, undefined, undefined, order.orderRef, order.transmit, order.parentId);
  f.push(undefined, undefined, undefined, undefined, order.outsideRth, order.hidden);
  // sharesAllocation (deprecated, empty), discretionaryAmt, goodAfterTime, goodTillDate, faGroup,
  // faMethod, faPercentage, faProfile (until it was desupported).
  f.push('', undefined, order.goodAfterTime, order.goodTillDate, undefined, undefined, undefined);
  if (v < FA_PROFILE_DESUPPORT) f.push('');
  // modelCode, shortSaleSlot, designatedLocation, exemptCode.
  f.push(undefined, undefined, undefined, undefined);
  // ocaType, rule80A, settlingFirm, allOrNone, minQty, percentOffset, eTradeOnly, firmQuoteOnly,
  // nbboPriceCap, auctionStrategy, startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper.
  f.push(order.ocaType);
  for (let i = 0; i < 14; i++) f.push(undefined);
  // overridePercentageConstraints, volatility, volatilityType, deltaNeutralOrderType (unset: none of
  // its contract's fields follow), deltaNeutralAuxPrice, continuousUpdate, referencePriceType.
  for (let i = 0; i < 7; i++) f.push(undefined);
  f.push(unsetMax(order.trailStopPrice), unsetMax(order.trailingPercent));
  // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement (unset: no further scale fields),
  // scaleTable, activeStartTime, activeStopTime, hedgeType (unset: no hedgeParam),
  // optOutSmartRouting, clearingAccount, clearingIntent, notHeld.
  for (let i = 0; i < 11; i++) f.push(undefined);
  // No delta-neutral contract.
  f.push(false);
  f.push(order.algoStrategy);
  if (order.algoStrategy) {
    const params = order.algoParams ?? [];
    f.push(params.length);
    for (const p of params) f.push(p.tag, p.value);
  }
  // algoId, whatIf, orderMiscOptions, solicited, randomizeSize, randomizePrice.
  f.push(undefined, order.whatIf, undefined, undefined, undefined, undefined);
  const conditions = order.conditions ?? [];
  f.push(conditions.length);
  if (conditions.length > 0) {
    for (const c of conditions) {
      const condition = c as unknown as Record<string, unknown>;
      f.push(condition.type, condition.conjunctionConnection, condition.isMore, condition.strValue);
      if (condition.type === OrderConditionType.Price) f.push(condition.conId, condition.exchange, condition.triggerMethod);
    }
    f.push(order.conditionsIgnoreRth, order.conditionsCancelOrder);
  }
  // adjustedOrderType, triggerPrice, lmtPriceOffset, adjustedStopPrice, adjustedStopLimitPrice,
  // adjustedTrailingAmount, adjustableTrailingUnit, extOperator.
  f.push(undefined, undefined, order.lmtPriceOffset, undefined, undefined, undefined, undefined, undefined);
  // The soft dollar tier's name and value (empty text when unset), cashQty, mifid2DecisionMaker,
  // mifid2DecisionAlgo, mifid2ExecutionTrader, mifid2ExecutionAlgo, dontUseAutoPriceForHedge,
  // isOmsContainer, discretionaryUpToLimitPrice, usePriceMgmtAlgo, duration, postToAts,
  // autoCancelParent, advancedErrorOverride, manualOrderTime.
  f.push('', '');
  for (let i = 0; i < 14; i++) f.push(undefined);
  // minTradeQty on IBKR ATS; PEG MID's offsets at whole and half pennies.
  if (String(contract.exchange) === 'IBKRATS') f.push(undefined);
  if (PEG_MID.has(String(order.orderType))) f.push(undefined, undefined);
  if (v >= CUSTOMER_ACCOUNT) f.push(undefined);
  if (v >= PROFESSIONAL_CUSTOMER) f.push(undefined);
  if (v >= RFQ_FIELDS && v < UNDO_RFQ_FIELDS) f.push('', INTEGER_MAX);
  if (v >= INCLUDE_OVERNIGHT) f.push(undefined);
  if (v >= CME_TAGGING_FIELDS) f.push(undefined);
  return f;
}
