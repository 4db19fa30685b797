/**
 * Validation of an order intent (`msg.order`, merged over the node's configured defaults) into one of
 * three checked shapes: a target position, an explicit order, or a modification of a working order.
 * Every rule that IB would otherwise enforce after the order left (or, worse, not enforce) is checked
 * here first, and each failure names the field: money is at stake, so nothing is guessed.
 */
import { ORDER_TYPES, TIMES_IN_FORCE, type OrderIntent, type OrderType, type Side, type TimeInForce } from '../messages';
import { ORDER_TYPE_RULES } from '../messages/order-types';
import { parseIbDateTime } from '../messages/time-zones';
import { OrderInputError } from './errors';
import { quantityProblem, targetProblem } from './quantity';
import { describeValue } from '../messages/describe-value';
import { isGiven } from '../messages/setting';
import { checkAlgo, checkConditions, type AlgoStrategy, type CheckedAlgo, type CheckedCondition } from './algos-conditions';
import type { TagValue } from '@stoqey/ib';
import type { SizeRules } from '../messages/size-rules';
import { said, type Said } from '../messages/texts';

/** The price-related fields of an order, checked for its type. */
export interface OrderTerms {
  orderType: OrderType;
  lmtPrice?: number;
  /** Stop price (STP, STP LMT) or trailing amount (TRAIL without trailingPercent). */
  auxPrice?: number;
  trailingPercent?: number;
  trailStopPrice?: number;
  /** TRAIL LIMIT: how far below (sell) or above (buy) the trailing stop the limit goes. */
  lmtPriceOffset?: number;
  tif: TimeInForce;
  /** tif GTD: when it expires, as IB takes it (checked: a valid date-time in the future of nothing else). */
  goodTillDate?: string;
  /** When it starts working, as IB takes it. */
  goodAfterTime?: string;
  hidden?: boolean;
  /** An IB algo (TWS runs it; the simulator and a backtest fill the order as its type) and its parameters. */
  algoStrategy?: AlgoStrategy;
  algoParams?: TagValue[];
  /** Price and time conditions that release the order (or, with conditionsCancelOrder, cancel it). */
  conditions?: CheckedCondition[];
  conditionsCancelOrder?: boolean;
  conditionsIgnoreRth?: boolean;
  outsideRth: boolean;
  account?: string;
  orderRef?: string;
}

export interface TargetIntent extends OrderTerms {
  kind: 'target';
  /** Signed shares the strategy should hold (negative is short). */
  targetQuantity: number;
}

export interface ExplicitIntent extends OrderTerms {
  kind: 'explicit';
  action: Side;
  totalQuantity: number;
  /** Preview only (TWS's what-if): the margins and commission it would take; nothing is placed. */
  whatIf?: boolean;
}

export interface ModifyIntent {
  kind: 'modify';
  orderId: number;
  /**
   * Only the fields given; the rest stay as they are on the working order. `algo` null takes the
   * algo off (algoStrategy "none"); `conditions` [] takes every condition off.
   */
  changes: Partial<Omit<OrderTerms, 'account' | 'orderRef' | 'algoStrategy' | 'algoParams'>> & { totalQuantity?: number; algo?: CheckedAlgo | null };
}

export type CheckedIntent = TargetIntent | ExplicitIntent | ModifyIntent;

type Raw = Record<string, unknown>;

/**
 * Checks `intent` (msg.order) over `defaults` (the node's config; msg fields win). `where` names the
 * source in error messages; `sizes`: the instrument's size rules (lib/messages/size-rules.ts
 * orderSizeRules), or an increment alone; `previews`: the caller handles a what-if (whatIf), else one
 * is refused.
 * Throws OrderInputError naming the first field at fault.
 */
export function validateOrderIntent(intent: unknown, defaults: Partial<OrderIntent> = {}, where = 'msg.order', sizes: SizeRules | number = 1, previews = false): CheckedIntent {
  const sizeRules = typeof sizes === 'number' ? { increment: sizes, minSize: 0 } : sizes;
  if (intent !== undefined && intent !== null && (typeof intent !== 'object' || Array.isArray(intent))) {
    throw new OrderInputError(where, said('orders.notAnObject', { where, value: describeValue(intent) }));
  }
  const given = (intent ?? {}) as Raw;
  refuseUnknownFields(given, where);
  if (isGiven(given.orderId)) {
    return validateModify(given, where, sizeRules);
  }
  const raw: Raw = copySet(given, copySet(defaults as Raw, {}));
  // An algo msg.order names brings its own parameters, not those of the settings' algo.
  if (isGiven(given.algoStrategy) && !isGiven(given.algoParams)) delete raw.algoParams;
  const hasTarget = raw.targetQuantity !== undefined;
  const hasExplicit = given.action !== undefined || given.totalQuantity !== undefined;
  if (hasTarget && hasExplicit) {
    throw new OrderInputError(`${where}.targetQuantity`, said('orders.targetAndExplicit', { where }));
  }
  const terms = validateTerms(raw, where);
  const whatIf = raw.whatIf === undefined ? false : bool(raw.whatIf, `${where}.whatIf`);
  // Only a caller that previews (place-order) takes a what-if: any other would place it for real.
  if (whatIf && !previews) throw new OrderInputError(`${where}.whatIf`, said('orders.whatIfHere', { where }));
  if (whatIf && hasTarget) {
    throw new OrderInputError(`${where}.whatIf`, said('orders.whatIfTarget', { where }));
  }
  if (hasTarget) {
    const targetQuantity = toNumber(raw.targetQuantity);
    const problem = targetQuantity === null ? said('quantity.targetNotNumber', { field: `${where}.targetQuantity`, value: describeValue(raw.targetQuantity) }) : targetProblem(targetQuantity, `${where}.targetQuantity`, sizeRules.increment);
    if (problem || targetQuantity === null) throw new OrderInputError(`${where}.targetQuantity`, problem ?? '');
    if (ORDER_TYPE_RULES[terms.orderType].waitsForPrice) {
      const targetTypes = ORDER_TYPES.filter((t) => !ORDER_TYPE_RULES[t].waitsForPrice);
      throw new OrderInputError(`${where}.orderType`, said('orders.targetType', { where, type: terms.orderType, types: targetTypes.join(', ') }));
    }
    return { kind: 'target', targetQuantity, ...terms };
  }
  const action = typeof raw.action === 'string' ? raw.action.toUpperCase() : raw.action;
  if (action !== 'BUY' && action !== 'SELL') {
    throw new OrderInputError(`${where}.action`, said('orders.action', { where, value: describeValue(raw.action) }));
  }
  const totalQuantity = positiveQuantity(raw.totalQuantity, `${where}.totalQuantity`, sizeRules);
  return whatIf ? { kind: 'explicit', action, totalQuantity, ...terms, whatIf } : { kind: 'explicit', action, totalQuantity, ...terms };
}

function validateModify(given: Raw, where: string, sizeRules: SizeRules): ModifyIntent {
  const orderId = toNumber(given.orderId);
  if (orderId === null || !Number.isInteger(orderId) || orderId <= 0) {
    throw new OrderInputError(`${where}.orderId`, said('orders.modifyOrderId', { where, value: describeValue(given.orderId) }));
  }
  if (given.targetQuantity !== undefined || given.action !== undefined) {
    throw new OrderInputError(`${where}.orderId`, said('orders.modifySide', { where, orderId }));
  }
  for (const field of Object.keys(given)) {
    if (!isGiven(given[field]) || MODIFIABLE_FIELDS.has(field)) continue;
    throw new OrderInputError(`${where}.${field}`, said('orders.modifyField', { where, orderId, field, fields: [...MODIFIABLE_FIELDS].filter((f) => f !== 'orderId').join(', ') }));
  }
  const changes: ModifyIntent['changes'] = {};
  if (given.totalQuantity !== undefined) changes.totalQuantity = positiveQuantity(given.totalQuantity, `${where}.totalQuantity`, sizeRules);
  if (given.orderType !== undefined) changes.orderType = orderType(given.orderType, where);
  for (const field of ['lmtPrice', 'auxPrice', 'trailStopPrice'] as const) {
    if (given[field] !== undefined) changes[field] = positivePrice(given[field], `${where}.${field}`);
  }
  if (given.trailingPercent !== undefined) changes.trailingPercent = percent(given.trailingPercent, `${where}.trailingPercent`);
  if (given.tif !== undefined) changes.tif = timeInForce(given.tif, where);
  if (given.outsideRth !== undefined) changes.outsideRth = bool(given.outsideRth, `${where}.outsideRth`);
  // TWS takes a new algo and new conditions on a working order (placeOrder with its id re-sends every field).
  if (isGiven(given.algoStrategy)) {
    const none = typeof given.algoStrategy === 'string' && given.algoStrategy.trim().toLowerCase() === 'none';
    if (none && isGiven(given.algoParams)) throw new OrderInputError(`${where}.algoParams`, said('orders.algoNoneParams', { where }));
    // Which order types the algo runs on is checked against the working order's type when it is applied.
    changes.algo = none ? null : checkAlgo(given.algoStrategy, given.algoParams, null, where);
  } else if (isGiven(given.algoParams)) {
    throw new OrderInputError(`${where}.algoParams`, said('orders.modifyAlgoParams', { where, orderId }));
  }
  if (given.conditions !== undefined) changes.conditions = Array.isArray(given.conditions) && given.conditions.length === 0 ? [] : checkConditions(given.conditions, where);
  for (const field of ['conditionsCancelOrder', 'conditionsIgnoreRth'] as const) {
    if (given[field] !== undefined) changes[field] = bool(given[field], `${where}.${field}`);
  }
  if (Object.keys(changes).length === 0) {
    throw new OrderInputError(`${where}.orderId`, said('orders.modifyNothing', { where, orderId }));
  }
  return { kind: 'modify', orderId, changes };
}

/** Every field msg.order may carry (OrderIntent's), each of which reaches IB or the planner. */
const ORDER_FIELDS: ReadonlySet<string> = new Set([
  'targetQuantity',
  'action',
  'totalQuantity',
  'orderType',
  'lmtPrice',
  'auxPrice',
  'trailingPercent',
  'trailStopPrice',
  'lmtPriceOffset',
  'tif',
  'goodTillDate',
  'goodAfterTime',
  'hidden',
  'algoStrategy',
  'algoParams',
  'conditions',
  'conditionsCancelOrder',
  'conditionsIgnoreRth',
  'whatIf',
  'outsideRth',
  'account',
  'orderRef',
  'orderId',
  'stopLoss',
  'takeProfit',
]);

/** What a modification (msg.order with orderId) may change. */
const MODIFIABLE_FIELDS: ReadonlySet<string> = new Set(['orderId', 'totalQuantity', 'orderType', 'lmtPrice', 'auxPrice', 'trailStopPrice', 'trailingPercent', 'tif', 'outsideRth', 'algoStrategy', 'algoParams', 'conditions', 'conditionsCancelOrder', 'conditionsIgnoreRth']);

/**
 * A field of msg.order this package does not pass on (an IB order field it does not support yet, or a
 * typo) is refused by its name: an order is never sent without something it was given.
 */
function refuseUnknownFields(given: Raw, where: string): void {
  for (const field of Object.keys(given)) {
    if (ORDER_FIELDS.has(field) || !isGiven(given[field])) continue;
    throw new OrderInputError(`${where}.${field}`, said('orders.unknownField', { where, field, fields: [...ORDER_FIELDS].join(', ') }));
  }
}

/** The order type, prices and flags, checked together (which prices a type needs). */
export function validateTerms(raw: Raw, where = 'msg.order'): OrderTerms {
  const type = orderType(raw.orderType ?? 'MKT', where);
  const tif = timeInForce(raw.tif ?? 'DAY', where);
  const terms: OrderTerms = { orderType: type, tif, outsideRth: raw.outsideRth === undefined ? false : bool(raw.outsideRth, `${where}.outsideRth`) };
  const price = (field: 'lmtPrice' | 'auxPrice' | 'trailStopPrice' | 'lmtPriceOffset', need: Said | null) => {
    if (raw[field] === undefined) {
      if (need) throw new OrderInputError(`${where}.${field}`, said('orders.priceRequired', { where, field, type, need }));
      return undefined;
    }
    return positivePrice(raw[field], `${where}.${field}`);
  };
  const rule = ORDER_TYPE_RULES[type];
  if (rule.auxPrice?.role === 'trail') {
    const hasPercent = raw.trailingPercent !== undefined;
    const hasAmount = raw.auxPrice !== undefined;
    if (hasPercent === hasAmount) {
      throw new OrderInputError(`${where}.auxPrice`, said('orders.trailOneOf', { where, type }));
    }
    if (hasPercent) terms.trailingPercent = percent(raw.trailingPercent, `${where}.trailingPercent`);
    else terms.auxPrice = price('auxPrice', said('orders.need.trailingAmount'));
    terms.trailStopPrice = price('trailStopPrice', null);
    if (rule.lmtPrice !== null) {
      // TRAIL LIMIT: the limit once the stop triggers: an offset from the trailing stop, or a limit
      // price with the stop it starts from (IB takes either).
      if (raw.lmtPriceOffset !== undefined) terms.lmtPriceOffset = offset(raw.lmtPriceOffset, `${where}.lmtPriceOffset`);
      else if (raw.lmtPrice !== undefined && terms.trailStopPrice !== undefined) terms.lmtPrice = price('lmtPrice', null);
      else throw new OrderInputError(`${where}.lmtPriceOffset`, said('orders.trailLimit', { where }));
    }
  } else {
    if (rule.auxPrice !== null) {
      const aux = rule.auxPrice;
      if (aux.role === 'offset') {
        if (raw.auxPrice !== undefined) terms.auxPrice = offset(raw.auxPrice, `${where}.auxPrice`);
        else if (aux.required) throw new OrderInputError(`${where}.auxPrice`, said('orders.offsetRequired', { where, type, need: AUX_MEANING[type] ?? said('orders.need.offset') }));
      } else terms.auxPrice = price('auxPrice', aux.required ? (AUX_MEANING[type] ?? said('orders.need.rolePrice', { role: aux.role })) : null);
    }
    if (rule.lmtPrice !== null) terms.lmtPrice = price('lmtPrice', rule.lmtPrice.required ? (LIMIT_MEANING[type] ?? said('orders.need.limitPrice')) : null);
  }
  if ((type === 'MOC' || type === 'LOC') && tif !== 'DAY') {
    throw new OrderInputError(`${where}.tif`, said('orders.closeTif', { type, tif }));
  }
  if (tif === 'GTD' || raw.goodTillDate !== undefined) terms.goodTillDate = goodTillDate(raw.goodTillDate, tif, where);
  if (raw.goodAfterTime !== undefined) terms.goodAfterTime = ibDateTime(raw.goodAfterTime, `${where}.goodAfterTime`);
  if (raw.hidden !== undefined) terms.hidden = bool(raw.hidden, `${where}.hidden`);
  // "none" names no algo (over the settings' one).
  const noAlgo = typeof raw.algoStrategy === 'string' && raw.algoStrategy.trim().toLowerCase() === 'none';
  if (noAlgo) {
    if (isGiven((raw as Raw).algoParams)) throw new OrderInputError(`${where}.algoParams`, said('orders.algoNoneParams', { where }));
  } else if (raw.algoStrategy !== undefined) Object.assign(terms, checkAlgo(raw.algoStrategy, raw.algoParams, type, where));
  else if (raw.algoParams !== undefined) throw new OrderInputError(`${where}.algoParams`, said('orders.algoParamsAlone', { where }));
  if (raw.conditions !== undefined) {
    terms.conditions = checkConditions(raw.conditions, where);
    if (raw.conditionsCancelOrder !== undefined) terms.conditionsCancelOrder = bool(raw.conditionsCancelOrder, `${where}.conditionsCancelOrder`);
    if (raw.conditionsIgnoreRth !== undefined) terms.conditionsIgnoreRth = bool(raw.conditionsIgnoreRth, `${where}.conditionsIgnoreRth`);
  } else {
    for (const field of ['conditionsCancelOrder', 'conditionsIgnoreRth'] as const) {
      if (raw[field] !== undefined) throw new OrderInputError(`${where}.${field}`, said('orders.conditionsFlag', { where, field }));
    }
  }
  if (tif === 'OPG' && type !== 'MKT' && type !== 'LMT') {
    throw new OrderInputError(`${where}.tif`, said('orders.opgType', { type }));
  }
  if (tif === 'FOK' && type !== 'MKT' && type !== 'LMT') {
    throw new OrderInputError(`${where}.tif`, said('orders.fokType', { type }));
  }
  if (raw.account !== undefined) {
    if (typeof raw.account !== 'string' || !raw.account.trim()) throw new OrderInputError(`${where}.account`, said('orders.account', { where, value: describeValue(raw.account) }));
    terms.account = raw.account.trim();
  }
  if (raw.orderRef !== undefined) {
    if (typeof raw.orderRef !== 'string') throw new OrderInputError(`${where}.orderRef`, said('orders.orderRef', { where, value: describeValue(raw.orderRef) }));
    terms.orderRef = raw.orderRef;
  }
  return terms;
}

/** What a required auxPrice or lmtPrice is to each type, for the message that asks for it. */
const AUX_MEANING: Partial<Record<OrderType, Said>> = {
  STP: said('orders.need.stopPrice'),
  'STP LMT': said('orders.need.stopPrice'),
  MIT: said('orders.need.marketIfTouched'),
  LIT: said('orders.need.limitIfTouched'),
  REL: said('orders.need.relativeOffset'),
};
const LIMIT_MEANING: Partial<Record<OrderType, Said>> = {
  'STP LMT': said('orders.need.stopLimit'),
  LIT: said('orders.need.limitOnceTouched'),
};

/** The expiry of a GTD order in a form IB takes; refused when absent, malformed or without tif GTD. */
function goodTillDate(value: unknown, tif: TimeInForce, where: string): string {
  if (tif !== 'GTD') throw new OrderInputError(`${where}.goodTillDate`, said('orders.gtdWithoutTif', { where }));
  if (typeof value !== 'string' || Number.isNaN(parseIbDateTime(value, 'America/New_York'))) {
    throw new OrderInputError(`${where}.goodTillDate`, said('orders.gtdFormat', { where, value: describeValue(value) }));
  }
  return value.trim();
}

function ibDateTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(parseIbDateTime(value, 'America/New_York'))) {
    throw new OrderInputError(field, said('orders.dateTime', { field, value: describeValue(value) }));
  }
  return value.trim();
}

function orderType(value: unknown, where: string): OrderType {
  const text = typeof value === 'string' ? value.trim().toUpperCase().replace(/_/g, ' ') : value;
  if (!ORDER_TYPES.includes(text as OrderType)) {
    throw new OrderInputError(`${where}.orderType`, said('orders.orderType', { where, value: describeValue(value), types: ORDER_TYPES.join(', ') }));
  }
  return text as OrderType;
}

function timeInForce(value: unknown, where: string): TimeInForce {
  const text = typeof value === 'string' ? value.trim().toUpperCase() : value;
  if (!TIMES_IN_FORCE.includes(text as TimeInForce)) {
    throw new OrderInputError(`${where}.tif`, said('orders.tif', { where, value: describeValue(value), tifs: TIMES_IN_FORCE.join(', ') }));
  }
  return text as TimeInForce;
}

function positiveQuantity(value: unknown, field: string, sizeRules: SizeRules): number {
  const n = toNumber(value);
  const problem = n === null ? said('quantity.notPositive', { field, value: describeValue(value) }) : quantityProblem(n, field, sizeRules.increment, sizeRules.minSize);
  if (problem || n === null) throw new OrderInputError(field, problem ?? '');
  return n;
}

function positivePrice(value: unknown, field: string): number {
  const n = toNumber(value);
  if (n === null || !Number.isFinite(n) || n <= 0) {
    throw new OrderInputError(field, said('orders.price', { field, value: describeValue(value) }));
  }
  return n;
}

function offset(value: unknown, field: string): number {
  const n = toNumber(value);
  if (n === null || !Number.isFinite(n) || n < 0) {
    throw new OrderInputError(field, said('orders.offset', { field, value: describeValue(value) }));
  }
  return n;
}

function percent(value: unknown, field: string): number {
  const n = toNumber(value);
  if (n === null || !Number.isFinite(n) || n <= 0 || n >= 100) {
    throw new OrderInputError(field, said('orders.percent', { field, value: describeValue(value) }));
  }
  return n;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1) return true;
  if (value === 'false' || value === 0) return false;
  throw new OrderInputError(field, said('orders.bool', { field, value: describeValue(value) }));
}

/** Numbers, or numeric strings (config fields arrive as strings); null for anything else. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

/**
 * Config fields left blank mean "not set" (they neither override nor fail): copies only the set fields
 * of `raw` onto `out`, so later calls win. A plain key loop: this runs on every order, on a path too
 * cold for the optimizer, where Object.entries' pair arrays are measurable.
 */
function copySet(raw: Raw | undefined, out: Raw): Raw {
  if (!raw) return out;
  const keys = Object.keys(raw);
  for (let i = 0; i < keys.length; i++) {
    const v = raw[keys[i]];
    if (isGiven(v)) out[keys[i]] = v;
  }
  return out;
}
