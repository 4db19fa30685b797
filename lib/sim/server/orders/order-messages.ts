/**
 * OPEN_ORDER, ORDER_STATUS, EXECUTION_DATA and COMMISSION_REPORT as the client decodes them at
 * server versions 176..193. OPEN_ORDER mirrors the client's OrderDecoder field by field: one field
 * short drops the event, one extra raises "unprocessed data", so the count is exact per version
 * (127 fields after the message id at 176, 126 at 177/178, 129 at 185, 130 at 189, 132 at 193).
 * COMPLETED_ORDER follows the client's completed-order decoding the same way.
 */
import type { Field } from '../session';
import { maxDouble, num } from '../fields';
import { Outgoing, ServerVersion } from '../message-ids';
import type { Instrument } from '../../market/universe';
import { multiplierText } from '../contract-codec';
import { twsDateTime } from '../tws-time';
import type { PlacedOrder } from './place-order-reader';
import type { OrderStatus } from '../../../messages';
import type { MarginPreview } from '../../../fills/types';

/** What the desk knows about an order besides what the client sent. */
export interface OrderRecord {
  order: PlacedOrder;
  instrument: Instrument;
  clientId: number;
  permId: number;
  status: OrderStatus;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  lastFillPrice: number;
  commission: number;
  /** Sent to the clients at least once. */
  announced?: boolean;
  /** When it was filled, cancelled or became inactive (epoch ms): a completed order from then on. */
  completedAt?: number;
  /** Why it ended, as TWS words a completed order's status ("Filled Size: 100", "Cancelled by Trader"). */
  completedStatus?: string;
}

/** The contract block of order, execution and position messages, with the venue the message names. */
export function contractBlock(instrument: Instrument, exchange: string): Field[] {
  return [
    instrument.conId,
    instrument.symbol,
    instrument.secType,
    instrument.lastTradeDateOrContractMonth,
    num(instrument.strike),
    instrument.right,
    multiplierText(instrument),
    exchange,
    instrument.currency,
    instrument.localSymbol,
    instrument.tradingClass,
  ];
}

/** The margin and commission fields of a what-if answer: the engine's preview, or nothing known (''). */
function whatIfFields(preview: MarginPreview | null, currency: string): Field[] {
  if (preview === null) return ['', '', '', '', '', '', '', '', '', '', '', '', ''];
  const money = (v: number) => v.toFixed(2);
  const { before, after } = preview;
  return [
    money(before.initialMargin),
    money(before.maintenanceMargin),
    money(before.equityWithLoan),
    money(after.initialMargin - before.initialMargin),
    money(after.maintenanceMargin - before.maintenanceMargin),
    money(after.equityWithLoan - before.equityWithLoan),
    money(after.initialMargin),
    money(after.maintenanceMargin),
    money(after.equityWithLoan),
    num(preview.commission),
    maxDouble(undefined), // minCommission
    maxDouble(undefined), // maxCommission
    currency,
  ];
}

/** The algo as TWS reports it back: its name, then (when there is one) its parameters. */
function algoFields(order: PlacedOrder): Field[] {
  if (!order.algoStrategy) return [''];
  const f: Field[] = [order.algoStrategy, order.algoParams.length];
  for (const p of order.algoParams) f.push(p.tag, p.value);
  return f;
}

/** The order's conditions as TWS reports them back: the count, each as sent, then the two flags. */
function conditionFields(order: PlacedOrder): Field[] {
  if (order.conditions.length === 0) return [0];
  const f: Field[] = [order.conditions.length];
  for (const c of order.conditions) f.push(c.type, c.conjunctionConnection, ...c.fields);
  f.push(order.conditionsIgnoreRth ? 1 : 0, order.conditionsCancelOrder ? 1 : 0);
  return f;
}

/**
 * OPEN_ORDER of `record`. `whatIf` (a what-if answer) carries the engine's margin preview, or null when
 * the account checks no margin: the margin fields are then empty, as TWS leaves what it cannot compute.
 */
export function openOrderFields(record: OrderRecord, serverVersion: number, whatIf?: { preview: MarginPreview | null }): Field[] {
  const { order, instrument } = record;
  const exchange = order.contract.exchange || instrument.exchange;
  const f: Field[] = [Outgoing.OPEN_ORDER, order.orderId, ...contractBlock(instrument, exchange)];
  f.push(
    order.action,
    num(order.totalQuantity),
    order.orderType,
    maxDouble(order.lmtPrice),
    maxDouble(order.auxPrice),
    order.tif || 'DAY',
    order.ocaGroup,
    order.account || '',
    order.openClose,
    order.origin,
    order.orderRef,
    record.clientId,
    record.permId,
    order.outsideRth ? 1 : 0,
    order.hidden ? 1 : 0,
    0, // discretionaryAmt
    order.goodAfterTime,
    '', // sharesAllocation
    '', // faGroup
    '', // faMethod
    '', // faPercentage
  );
  if (serverVersion < ServerVersion.FA_PROFILE_DESUPPORT) f.push('');
  f.push(
    '', // modelCode
    order.goodTillDate,
    '', // rule80A
    '', // percentOffset
    '', // settlingFirm
    0, // shortSaleSlot
    '', // designatedLocation
    -1, // exemptCode
    0, // auctionStrategy
    '', // startingPrice
    '', // stockRefPrice
    '', // delta
    '', // stockRangeLower
    '', // stockRangeUpper
    '', // displaySize
    0, // blockOrder
    0, // sweepToFill
    0, // allOrNone
    '', // minQty
    order.ocaType || (order.ocaGroup ? 3 : 0),
    0, // eTradeOnly
    0, // firmQuoteOnly
    '', // nbboPriceCap
    order.parentId,
    0, // triggerMethod
    '', // volatility
    0, // volatilityType
    '', // deltaNeutralOrderType: empty, or the decoder reads eight delta-neutral fields more
    '', // deltaNeutralAuxPrice
  );
  f.push(
    0, // continuousUpdate
    0, // referencePriceType
    maxDouble(order.trailStopPrice),
    maxDouble(order.trailingPercent),
    '', // basisPoints
    '', // basisPointsType
    '', // comboLegsDescription
    0, // comboLegs count
    0, // orderComboLegs count
    0, // smartComboRoutingParams count
    '', // scaleInitLevelSize
    '', // scaleSubsLevelSize
    '', // scalePriceIncrement
    '', // hedgeType
    0, // optOutSmartRouting
    '', // clearingAccount
    '', // clearingIntent
    0, // notHeld
    0, // deltaNeutralContract present
    ...algoFields(order),
    0, // solicited
    whatIf ? 1 : 0,
    record.status,
    // initMargin, maintMargin, equityWithLoan: before, change, after; commission, min, max, currency
    ...(whatIf ? whatIfFields(whatIf.preview, instrument.currency) : ['', '', '', '', '', '', '', '', '', record.commission > 0 ? num(record.commission) : '', '', '', record.commission > 0 ? instrument.currency : '']),
    whatIf?.preview?.problem ?? '', // warningText: why the previewed order would be refused
    0, // randomizeSize
    0, // randomizePrice
    ...conditionFields(order),
    '', // adjustedOrderType
    '', // triggerPrice
    maxDouble(order.trailStopPrice),
    '', // lmtPriceOffset
    '', // adjustedStopPrice
    '', // adjustedStopLimitPrice
    '', // adjustedTrailingAmount
    0, // adjustableTrailingUnit
    '', // softDollarTier name
    '', // softDollarTier value
    '', // softDollarTier displayName
    '', // cashQty
    0, // dontUseAutoPriceForHedge
    0, // isOmsContainer
    0, // discretionaryUpToLimitPrice
    0, // usePriceMgmtAlgo
    '', // duration
    '', // postToAts
    0, // autoCancelParent
    '', // minTradeQty
    '', // minCompeteSize
    '', // competeAgainstBestOffset
    '', // midOffsetAtWhole
    '', // midOffsetAtHalf
  );
  if (serverVersion >= ServerVersion.CUSTOMER_ACCOUNT) f.push('');
  if (serverVersion >= ServerVersion.PROFESSIONAL_CUSTOMER) f.push(0);
  if (serverVersion >= ServerVersion.BOND_ACCRUED_INTEREST) f.push('');
  if (serverVersion >= ServerVersion.INCLUDE_OVERNIGHT) f.push(0);
  if (serverVersion >= ServerVersion.CME_TAGGING_FIELDS_IN_OPEN_ORDER) f.push('', '');
  return f;
}

export function orderStatusFields(record: OrderRecord): Field[] {
  return [
    Outgoing.ORDER_STATUS,
    record.order.orderId,
    record.status,
    num(record.filled),
    num(record.remaining),
    num(record.avgFillPrice),
    record.permId,
    record.order.parentId,
    num(record.lastFillPrice),
    record.clientId,
    '', // whyHeld
    0, // mktCapPrice
  ];
}

export interface ExecutionRecord {
  execId: string;
  orderId: number;
  permId: number;
  clientId: number;
  instrument: Instrument;
  /** The exchange it executed on (executionVenue). */
  venue: string;
  account: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
  time: number;
  timeText: string;
  commission: number;
  realizedPnl: number | null;
}

/**
 * Where an order executes: the exchange it was routed to directly (NYSE, ISLAND, IBIS ...), else, SMART
 * routed, the instrument's listing (its primary exchange, or its one venue).
 */
export function executionVenue(instrument: Instrument, routedTo: string): string {
  const exchange = routedTo.toUpperCase();
  if (exchange && exchange !== 'SMART' && exchange !== instrument.exchange) return exchange;
  return instrument.primaryExch || instrument.exchange;
}

export function executionFields(reqId: number, e: ExecutionRecord, serverVersion: number): Field[] {
  const venue = e.venue;
  const f: Field[] = [Outgoing.EXECUTION_DATA, reqId, e.orderId, ...contractBlock(e.instrument, venue)];
  f.push(
    e.execId,
    e.timeText,
    e.account,
    venue,
    e.side,
    num(e.shares),
    num(e.price),
    e.permId,
    e.clientId,
    0, // liquidation
    num(e.cumQty),
    num(e.avgPrice),
    e.orderRef,
    '', // evRule
    '', // evMultiplier
    '', // modelCode
    2, // lastLiquidity: removed liquidity
  );
  if (serverVersion >= ServerVersion.PENDING_PRICE_REVISION) f.push(0);
  return f;
}

export function commissionReportFields(e: ExecutionRecord): Field[] {
  return [Outgoing.COMMISSION_REPORT, 1, e.execId, num(e.commission), e.instrument.currency, maxDouble(e.realizedPnl), maxDouble(undefined), ''];
}

/**
 * COMPLETED_ORDER: a filled, cancelled or inactive order as reqCompletedOrders answers it. The client
 * reads it with every optional section of its order decoder present (no clientId, parentId, margins or
 * whatIf, unlike OPEN_ORDER), then the completed time and status. Its algo and conditions are echoed as
 * OPEN_ORDER echoes them.
 */
export function completedOrderFields(record: OrderRecord, serverVersion: number): Field[] {
  const { order, instrument } = record;
  const exchange = order.contract.exchange || instrument.exchange;
  const f: Field[] = [Outgoing.COMPLETED_ORDER, ...contractBlock(instrument, exchange)];
  f.push(
    order.action,
    num(order.totalQuantity),
    order.orderType,
    maxDouble(order.lmtPrice),
    maxDouble(order.auxPrice),
    order.tif || 'DAY',
    order.ocaGroup,
    order.account || '',
    order.openClose,
    order.origin,
    order.orderRef,
    record.permId,
    order.outsideRth ? 1 : 0,
    order.hidden ? 1 : 0,
    0, // discretionaryAmt
    order.goodAfterTime,
    '', // faGroup
    '', // faMethod
    '', // faPercentage
    '', // modelCode
    order.goodTillDate,
    '', // rule80A
    '', // percentOffset
    '', // settlingFirm
    0, // shortSaleSlot
    '', // designatedLocation
    -1, // exemptCode
    '', // startingPrice
    '', // stockRefPrice
    '', // delta
    '', // stockRangeLower
    '', // stockRangeUpper
    '', // displaySize
    0, // sweepToFill
    0, // allOrNone
    '', // minQty
    order.ocaType || (order.ocaGroup ? 3 : 0),
    0, // triggerMethod
    '', // volatility
    0, // volatilityType
    '', // deltaNeutralOrderType: empty, so no delta-neutral fields follow
    '', // deltaNeutralAuxPrice
    0, // continuousUpdate
    0, // referencePriceType
    maxDouble(order.trailStopPrice),
    maxDouble(order.trailingPercent),
    '', // comboLegsDescription
    0, // comboLegs count
    0, // orderComboLegs count
    0, // smartComboRoutingParams count
    '', // scaleInitLevelSize
    '', // scaleSubsLevelSize
    '', // scalePriceIncrement
    '', // hedgeType
    '', // clearingAccount
    '', // clearingIntent
    0, // notHeld
    0, // deltaNeutralContract present
    ...algoFields(order),
    0, // solicited
    record.status,
    0, // randomizeSize
    0, // randomizePrice
    ...conditionFields(order),
    maxDouble(order.trailStopPrice),
    '', // lmtPriceOffset
    '', // cashQty
    0, // dontUseAutoPriceForHedge
    0, // isOmsContainer
    '', // autoCancelDate
    num(record.filled),
    0, // refFuturesConId
    0, // autoCancelParent
    '', // shareholder
    0, // imbalanceOnly
    0, // routeMarketableToBbo
    0, // parentPermId
    record.completedAt === undefined ? '' : twsDateTime(record.completedAt),
    record.completedStatus ?? record.status,
    '', // minTradeQty
    '', // minCompeteSize
    '', // competeAgainstBestOffset
    '', // midOffsetAtWhole
    '', // midOffsetAtHalf
  );
  if (serverVersion >= ServerVersion.CUSTOMER_ACCOUNT) f.push('');
  if (serverVersion >= ServerVersion.PROFESSIONAL_CUSTOMER) f.push(0);
  return f;
}
