/**
 * What may go onto the TWS socket. The API's messages are fields joined by NUL bytes, so a NUL inside a
 * string shifts every later field (TWS, or the simulator, then reads an action as a quantity and drops
 * the connection); NaN and Infinity are written as the words "NaN" and "Infinity", which TWS cannot
 * read as numbers; an object is written as "[object Object]". Every argument of every IBApi request is
 * checked here before it is encoded, and a request that cannot be encoded is refused with the field
 * named, so the connection stays up. guardApi installs the check on an IBApi; checkContract and
 * checkOrder let the order path refuse an order before it is queued.
 */
import { IBApi } from '@stoqey/ib';
import { describeValue } from '../messages/describe-value';

/** A value that cannot be written to TWS: `field` names it as the caller wrote it (e.g. "contract.symbol"). */
export class WireFieldError extends Error {
  override name = 'WireFieldError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}: it cannot be sent to TWS`);
  }
}

/** Contract fields TWS reads as text. */
const CONTRACT_STRINGS = [
  'symbol', 'secType', 'exchange', 'primaryExch', 'currency', 'localSymbol', 'tradingClass', 'lastTradeDateOrContractMonth',
  'right', 'secIdType', 'secId', 'comboLegsDescription', 'description', 'issuerId',
] as const;
/** Contract fields TWS reads as numbers. */
const CONTRACT_NUMBERS = ['conId', 'strike'] as const;
/** Order fields TWS reads as text. */
const ORDER_STRINGS = [
  'action', 'orderType', 'tif', 'ocaGroup', 'account', 'orderRef', 'goodAfterTime', 'goodTillDate', 'rule80A', 'faGroup',
  'faMethod', 'faPercentage', 'faProfile', 'modelCode', 'openClose', 'settlingFirm', 'clearingAccount', 'clearingIntent',
  'algoStrategy', 'algoId', 'hedgeType', 'hedgeParam', 'activeStartTime', 'activeStopTime', 'designatedLocation',
  'deltaNeutralOrderType', 'advancedErrorOverride', 'manualOrderTime', 'extOperator',
] as const;
/** Order fields TWS reads as numbers. */
const ORDER_NUMBERS = [
  'orderId', 'clientId', 'permId', 'totalQuantity', 'lmtPrice', 'auxPrice', 'parentId', 'ocaType', 'trailStopPrice',
  'trailingPercent', 'displaySize', 'triggerMethod', 'minQty', 'percentOffset', 'startingPrice', 'stockRefPrice', 'delta',
  'stockRangeLower', 'stockRangeUpper', 'volatility', 'volatilityType', 'referencePriceType', 'basisPoints',
  'basisPointsType', 'scaleInitLevelSize', 'scaleSubsLevelSize', 'scalePriceIncrement', 'lmtPriceOffset',
  'adjustedStopPrice', 'adjustedStopLimitPrice', 'adjustedTrailingAmount', 'filledQuantity', 'duration', 'postToAts',
] as const;

/**
 * Fields TWS reads as whole numbers (a Java int): 1.5 or 1e-300 there is unreadable, and TWS (or the
 * simulator) drops the connection over it.
 */
const CONTRACT_INTEGERS = ['conId'] as const;
const ORDER_INTEGERS = [
  'orderId', 'clientId', 'permId', 'parentId', 'ocaType', 'displaySize', 'triggerMethod', 'minQty', 'volatilityType',
  'referencePriceType', 'basisPointsType', 'scaleInitLevelSize', 'scaleSubsLevelSize', 'duration', 'postToAts',
] as const;
const ARGUMENT_INTEGERS = new Set(['reqId', 'orderId', 'numRows', 'numberOfTicks', 'marketDataType', 'conId', 'numIds', 'formatDate']);
const MAX_INT = 2 ** 31 - 1;

function checkInteger(value: unknown, field: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number') throw new WireFieldError(field, `is ${describeValue(value)}, not a whole number`);
  // TWS's "unset" for an int is its largest value; anything else must be a whole number in range.
  if (!Number.isInteger(value) || Math.abs(value) > MAX_INT) throw new WireFieldError(field, `is ${value}, not a whole number TWS can read`);
}

/** How deep nested arguments (combo legs, algo parameters, conditions) are followed. */
const MAX_DEPTH = 6;

/**
 * Throws WireFieldError unless `value` (named `field`) is something the encoder writes faithfully:
 * a string without NUL, a finite number, a boolean, nothing (undefined/null, written as empty), or an
 * array/object of those (walked field by field).
 */
export function checkWireValue(value: unknown, field: string, depth = 0, seen?: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (value.includes('\u0000')) throw new WireFieldError(field, `contains a NUL byte (${describeValue(value)})`);
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new WireFieldError(field, `is ${value}, not a finite number`);
      return;
    case 'boolean':
    case 'undefined':
      return;
    case 'bigint':
      throw new WireFieldError(field, `is a BigInt (${value}n); give a plain number`);
    case 'symbol':
      throw new WireFieldError(field, 'is a Symbol');
    case 'function':
      throw new WireFieldError(field, 'is a function');
    default:
      break;
  }
  if (value === null) return;
  const object = value as object;
  if (depth >= MAX_DEPTH) throw new WireFieldError(field, `is nested more than ${MAX_DEPTH} levels deep`);
  // A loop in an object the encoder walks would be written forever; a shared, non-looping part is fine.
  const path = seen ?? new Set<object>();
  if (path.has(object)) throw new WireFieldError(field, 'refers back to itself (an object that contains itself)');
  path.add(object);
  // A field's name is built only to follow it into an object or to say what is wrong with it: an
  // order and its contract are checked twice on their way out, field by field.
  if (Array.isArray(object)) {
    for (let i = 0; i < object.length; i++) if (!writablePlain(object[i])) checkWireValue(object[i], `${field}[${i}]`, depth + 1, path);
  } else {
    const record = object as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!writablePlain(record[key])) checkWireValue(record[key], `${field}.${key}`, depth + 1, path);
  }
  path.delete(object);
}

/** A value checkWireValue passes without looking further: text without NUL, a finite number, a boolean, nothing. */
function writablePlain(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return !value.includes('\u0000');
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
    case 'undefined':
      return true;
    default:
      return value === null;
  }
}

function checkTyped(record: Record<string, unknown>, field: string, strings: readonly string[], numbers: readonly string[]): void {
  for (const key of strings) {
    const v = record[key];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new WireFieldError(`${field}.${key}`, `is ${describeValue(v)}, not text`);
  }
  for (const key of numbers) {
    const v = record[key];
    if (v !== undefined && v !== null && typeof v !== 'number') throw new WireFieldError(`${field}.${key}`, `is ${describeValue(v)}, not a number`);
  }
}

function checkRecord(value: unknown, field: string, strings: readonly string[], numbers: readonly string[], integers: readonly string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WireFieldError(field, `is ${describeValue(value)}, not an object`);
  const record = value as Record<string, unknown>;
  checkTyped(record, field, strings, numbers);
  for (const key of integers) checkInteger(record[key], `${field}.${key}`);
  // multiplier: @stoqey/ib types it as a number, TWS and JSON give it as text ("50"); either must read as one.
  const multiplier = record.multiplier;
  if (multiplier !== undefined && multiplier !== null && multiplier !== '') {
    const n = typeof multiplier === 'number' ? multiplier : typeof multiplier === 'string' ? Number(multiplier) : NaN;
    if (!Number.isFinite(n)) throw new WireFieldError(`${field}.multiplier`, `is ${describeValue(multiplier)}, not a number`);
  }
  checkWireValue(value, field);
}

/** Throws WireFieldError naming the first contract field TWS could not read. */
export function checkContract(contract: unknown, field = 'contract'): void {
  checkRecord(contract, field, CONTRACT_STRINGS, CONTRACT_NUMBERS, CONTRACT_INTEGERS);
  const legs = (contract as { comboLegs?: unknown }).comboLegs;
  if (Array.isArray(legs)) {
    legs.forEach((leg, i) => {
      if (leg && typeof leg === 'object') checkTyped(leg as Record<string, unknown>, `${field}.comboLegs[${i}]`, ['action', 'exchange', 'designatedLocation'], ['conId', 'ratio']);
    });
  }
}

/** Throws WireFieldError naming the first order field TWS could not read. */
export function checkOrder(order: unknown, field = 'order'): void {
  checkRecord(order, field, ORDER_STRINGS, ORDER_NUMBERS, ORDER_INTEGERS);
}

/**
 * Argument names of the requests this package makes, so a refusal says "contract.symbol" or
 * "endDateTime" rather than "argument 2". Other requests name their arguments by position.
 */
const ARGUMENTS: Record<string, readonly string[]> = {
  placeOrder: ['orderId', 'contract', 'order'],
  cancelOrder: ['orderId', 'orderCancel'],
  reqGlobalCancel: ['orderCancel'],
  reqMktData: ['reqId', 'contract', 'genericTickList', 'snapshot', 'regulatorySnapshot', 'mktDataOptions'],
  reqTickByTickData: ['reqId', 'contract', 'tickType', 'numberOfTicks', 'ignoreSize'],
  reqMktDepth: ['reqId', 'contract', 'numRows', 'isSmartDepth', 'mktDepthOptions'],
  reqContractDetails: ['reqId', 'contract'],
  reqHistoricalData: ['reqId', 'contract', 'endDateTime', 'durationStr', 'barSizeSetting', 'whatToShow', 'useRTH', 'formatDate', 'keepUpToDate'],
  reqRealTimeBars: ['reqId', 'contract', 'barSize', 'whatToShow', 'useRTH', 'realTimeBarsOptions'],
  reqHistoricalTicks: ['reqId', 'contract', 'startDateTime', 'endDateTime', 'numberOfTicks', 'whatToShow', 'useRth', 'ignoreSize', 'miscOptions'],
  reqHeadTimestamp: ['reqId', 'contract', 'whatToShow', 'useRTH', 'formatDate'],
  reqExecutions: ['reqId', 'filter'],
  reqAccountSummary: ['reqId', 'group', 'tags'],
  reqPnL: ['reqId', 'account', 'modelCode'],
  reqPnLSingle: ['reqId', 'account', 'modelCode', 'conId'],
  reqAccountUpdates: ['subscribe', 'acctCode'],
  reqMarketDataType: ['marketDataType'],
  reqIds: ['numIds'],
};

/** Arguments that are contracts or orders get their typed fields checked too. */
const CONTRACT_ARGUMENTS = new Set(['contract']);
const ORDER_ARGUMENTS = new Set(['order']);

/** Throws WireFieldError naming the first argument of `method` that cannot be encoded. */
export function checkRequest(method: string, args: readonly unknown[]): void {
  const names = ARGUMENTS[method];
  for (let i = 0; i < args.length; i++) {
    const name = names?.[i] ?? `argument ${i + 1}`;
    const value = args[i];
    if (CONTRACT_ARGUMENTS.has(name)) checkContract(value, name);
    else if (ORDER_ARGUMENTS.has(name)) checkOrder(value, name);
    else {
      checkWireValue(value, name);
      if (ARGUMENT_INTEGERS.has(name) && typeof value === 'number') checkInteger(value, name);
    }
  }
}

/** The IBApi methods that encode a message to TWS (every request; not connect/disconnect or getters). */
const REQUEST_METHOD = /^(req|place|cancel|calculate|exercise|query|replace|request|set|subscribe|unsubscribe|update)/;

const guarded = new WeakSet<IBApi>();

/**
 * Checks every argument of every request `api` is asked to send, before @stoqey/ib encodes it: a bad
 * one throws WireFieldError to the caller and nothing is written. Installed once per IBApi (the
 * session's), so IBApiNext's requests over it are checked too.
 */
export function guardApi(api: IBApi): void {
  if (guarded.has(api)) return;
  guarded.add(api);
  const target = api as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of Object.getOwnPropertyNames(IBApi.prototype)) {
    if (!REQUEST_METHOD.test(method)) continue;
    const original = (IBApi.prototype as unknown as Record<string, unknown>)[method];
    if (typeof original !== 'function') continue;
    target[method] = function checkedRequest(this: IBApi, ...args: unknown[]) {
      checkRequest(method, args);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

