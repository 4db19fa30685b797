/**
 * Reads PLACE_ORDER as @stoqey/ib (and IB's other clients) write it from server version 145 on (no
 * version field), following the encoder's order and version gates to the end of the message, so a
 * malformed order is caught instead of half-read. Only the fields the simulator acts on are kept.
 */
import type { FieldReader } from '../fields';
import type { ContractQuery } from '../../market/universe';
import { readContract } from '../contract-codec';
import { ServerVersion } from '../message-ids';

export interface PlacedOrder {
  orderId: number;
  contract: ContractQuery;
  action: string;
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  ocaGroup: string;
  account: string;
  openClose: string;
  origin: number;
  orderRef: string;
  transmit: boolean;
  parentId: number;
  outsideRth: boolean;
  hidden: boolean;
  goodAfterTime: string;
  goodTillDate: string;
  ocaType: number;
  trailStopPrice: number | undefined;
  lmtPriceOffset: number | undefined;
  trailingPercent: number | undefined;
  whatIf: boolean;
  /** '' without an algo; the simulator fills an algo order as its order type. */
  algoStrategy: string;
  algoParams: Array<{ tag: string; value: string }>;
  /** Price (type 1) and time (type 3) conditions as read; `fields` keeps the others' fields as sent. */
  conditions: PlacedCondition[];
  conditionsIgnoreRth: boolean;
  conditionsCancelOrder: boolean;
}

/** One order condition off the wire: what the engine watches, and every field as sent (OPEN_ORDER echoes them). */
export interface PlacedCondition {
  type: number;
  conjunctionConnection: string;
  isMore?: boolean;
  price?: number;
  conId?: number;
  triggerMethod?: number;
  time?: string;
  fields: string[];
}

const PEG_BENCH = 'PEG BENCH';
const PEG_BEST = 'PEG BEST';
const PEG_MID = 'PEG MID';

/** Fields per order condition after its type and conjunction, by condition type (IB's numbering). */
const CONDITION_FIELDS: Record<number, number> = { 1: 5, 3: 2, 4: 2, 5: 3, 6: 4, 7: 4 };

export function readPlaceOrder(reader: FieldReader, serverVersion: number): PlacedOrder {
  const orderId = reader.int('orderId');
  const contract = readContract(reader);
  reader.str('secIdType');
  reader.str('secId');
  const action = reader.str('action').toUpperCase();
  const totalQuantity = reader.number('totalQuantity');
  const orderType = reader.str('orderType').toUpperCase();
  const lmtPrice = reader.optionalNumber('lmtPrice');
  const auxPrice = reader.optionalNumber('auxPrice');
  const tif = reader.str('tif').toUpperCase();
  const ocaGroup = reader.str('ocaGroup');
  const account = reader.str('account');
  const openClose = reader.str('openClose');
  const origin = reader.int('origin');
  const orderRef = reader.str('orderRef');
  const transmitText = reader.str('transmit');
  const transmit = transmitText === '' ? true : transmitText !== '0';
  const parentId = reader.int('parentId');
  reader.bool('blockOrder');
  reader.bool('sweepToFill');
  reader.str('displaySize');
  reader.str('triggerMethod');
  const outsideRth = reader.bool('outsideRth');
  const hidden = reader.bool('hidden');
  const isBag = (contract.secType ?? '').toUpperCase() === 'BAG';
  if (isBag) {
    reader.skip(reader.int('comboLegsCount') * 8, 'combo leg field');
    reader.skip(reader.int('orderComboLegsCount'), 'order combo leg price');
    reader.skip(reader.int('smartComboRoutingParamsCount') * 2, 'smart combo routing param');
  }
  reader.str('sharesAllocation');
  reader.str('discretionaryAmt');
  const goodAfterTime = reader.str('goodAfterTime');
  const goodTillDate = reader.str('goodTillDate');
  reader.skip(3, 'FA field');
  if (serverVersion < ServerVersion.FA_PROFILE_DESUPPORT) reader.str('faProfile');
  reader.str('modelCode');
  reader.skip(3, 'short sale field');
  const ocaType = reader.int('ocaType');
  reader.skip(14, 'order attribute'); // rule80A .. stockRangeUpper
  reader.str('overridePercentageConstraints');
  reader.str('volatility');
  reader.str('volatilityType');
  const deltaNeutralOrderType = reader.str('deltaNeutralOrderType');
  reader.str('deltaNeutralAuxPrice');
  if (deltaNeutralOrderType !== '') reader.skip(8, 'delta neutral field');
  reader.str('continuousUpdate');
  reader.str('referencePriceType');
  const trailStopPrice = reader.optionalNumber('trailStopPrice');
  const trailingPercent = reader.optionalNumber('trailingPercent');
  reader.str('scaleInitLevelSize');
  reader.str('scaleSubsLevelSize');
  const scalePriceIncrement = reader.str('scalePriceIncrement');
  if (scalePriceIncrement !== '') reader.skip(7, 'scale field');
  reader.skip(3, 'scale table field');
  const hedgeType = reader.str('hedgeType');
  if (hedgeType !== '') reader.str('hedgeParam');
  reader.str('optOutSmartRouting');
  reader.str('clearingAccount');
  reader.str('clearingIntent');
  reader.str('notHeld');
  if (reader.bool('deltaNeutralContract')) reader.skip(3, 'delta neutral contract field');
  const algoStrategy = reader.str('algoStrategy');
  const algoParams: PlacedOrder['algoParams'] = [];
  if (algoStrategy !== '') {
    const count = reader.int('algoParamsCount');
    for (let i = 0; i < count; i++) algoParams.push({ tag: reader.str('algoParam tag'), value: reader.str('algoParam value') });
  }
  reader.str('algoId');
  const whatIf = reader.bool('whatIf');
  reader.str('orderMiscOptions');
  reader.str('solicited');
  reader.str('randomizeSize');
  reader.str('randomizePrice');
  if (orderType === PEG_BENCH) reader.skip(5, 'pegged to benchmark field');
  const conditionCount = reader.int('conditionsCount');
  const conditions: PlacedCondition[] = [];
  for (let i = 0; i < conditionCount; i++) {
    const type = reader.int('conditionType');
    const conjunctionConnection = reader.str('conjunctionConnection');
    const count = CONDITION_FIELDS[type];
    if (count === undefined) throw new Error(`PLACE_ORDER: unknown order condition type ${type}`);
    const fields: string[] = [];
    for (let k = 0; k < count; k++) fields.push(reader.str('condition field'));
    const condition: PlacedCondition = { type, conjunctionConnection, fields };
    // Operator conditions begin with isMore and the value; a price condition then has conId, exchange, trigger method.
    if (type === 1 || type === 3) condition.isMore = fields[0] === '1' || fields[0].toLowerCase() === 'true';
    if (type === 1) {
      condition.price = Number(fields[1]);
      condition.conId = Number(fields[2]) || 0;
      condition.triggerMethod = Number(fields[4]) || 0;
    }
    if (type === 3) condition.time = fields[1];
    conditions.push(condition);
  }
  const conditionsIgnoreRth = conditionCount > 0 ? reader.bool('conditionsIgnoreRth') : false;
  const conditionsCancelOrder = conditionCount > 0 ? reader.bool('conditionsCancelOrder') : false;
  reader.skip(2, 'adjusted order field');
  const lmtPriceOffset = reader.optionalNumber('lmtPriceOffset');
  reader.skip(4, 'adjusted order field');
  reader.str('extOperator');
  reader.skip(2, 'soft dollar tier field');
  reader.str('cashQty');
  reader.skip(4, 'MiFID II field');
  reader.str('dontUseAutoPriceForHedge');
  reader.str('isOmsContainer');
  reader.str('discretionaryUpToLimitPrice');
  reader.str('usePriceMgmtAlgo');
  reader.str('duration');
  reader.str('postToAts');
  reader.str('autoCancelParent');
  reader.str('advancedErrorOverride');
  reader.str('manualOrderTime');
  if ((contract.exchange ?? '').toUpperCase() === 'IBKRATS') reader.str('minTradeQty');
  if (orderType === PEG_BEST) {
    reader.str('minCompeteSize');
    const offset = reader.str('competeAgainstBestOffset');
    if (offset === 'Infinity') reader.skip(2, 'mid offset');
  } else if (orderType === PEG_MID) {
    reader.skip(2, 'mid offset');
  }
  if (serverVersion >= ServerVersion.CUSTOMER_ACCOUNT) reader.str('customerAccount');
  if (serverVersion >= ServerVersion.PROFESSIONAL_CUSTOMER) reader.str('professionalCustomer');
  if (serverVersion >= ServerVersion.RFQ_FIELDS && serverVersion < ServerVersion.UNDO_RFQ_FIELDS) reader.skip(2, 'RFQ field');
  if (serverVersion >= ServerVersion.INCLUDE_OVERNIGHT) reader.str('includeOvernight');
  if (serverVersion >= ServerVersion.CME_TAGGING_FIELDS) reader.str('manualOrderIndicator');
  return {
    orderId,
    contract,
    action,
    totalQuantity,
    orderType,
    lmtPrice,
    auxPrice,
    tif,
    ocaGroup,
    account,
    openClose,
    origin,
    orderRef,
    transmit,
    parentId,
    outsideRth,
    hidden,
    goodAfterTime,
    goodTillDate,
    ocaType,
    trailStopPrice,
    lmtPriceOffset,
    trailingPercent,
    whatIf,
    algoStrategy,
    algoParams,
    conditions,
    conditionsIgnoreRth,
    conditionsCancelOrder,
  };
}
