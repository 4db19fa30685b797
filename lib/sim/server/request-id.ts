/**
 * Where a client message carries its request id (or order id), for fault injection and for errors
 * about a message that could not be read. Versionless messages put it first; the others after the
 * version field.
 */
import { Incoming, ServerVersion } from './message-ids';

const ID_FIRST: ReadonlySet<number> = new Set([
  Incoming.PLACE_ORDER,
  Incoming.REQ_HISTORICAL_DATA,
  Incoming.REQ_PNL,
  Incoming.CANCEL_PNL,
  Incoming.REQ_PNL_SINGLE,
  Incoming.CANCEL_PNL_SINGLE,
  Incoming.REQ_TICK_BY_TICK_DATA,
  Incoming.CANCEL_TICK_BY_TICK_DATA,
  Incoming.REQ_SOFT_DOLLAR_TIERS,
  Incoming.REQ_MATCHING_SYMBOLS,
  Incoming.REQ_SMART_COMPONENTS,
  Incoming.REQ_HEAD_TIMESTAMP,
  Incoming.CANCEL_HEAD_TIMESTAMP,
  Incoming.REQ_USER_INFO,
]);

const NO_ID: ReadonlySet<number> = new Set([
  Incoming.REQ_OPEN_ORDERS,
  Incoming.REQ_ALL_OPEN_ORDERS,
  Incoming.REQ_AUTO_OPEN_ORDERS,
  Incoming.REQ_MANAGED_ACCTS,
  Incoming.REQ_CURRENT_TIME,
  Incoming.REQ_IDS,
  Incoming.REQ_GLOBAL_CANCEL,
  Incoming.REQ_POSITIONS,
  Incoming.CANCEL_POSITIONS,
  Incoming.START_API,
  Incoming.REQ_ACCOUNT_DATA,
  Incoming.REQ_FAMILY_CODES,
  Incoming.REQ_MKT_DEPTH_EXCHANGES,
  Incoming.REQ_NEWS_PROVIDERS,
  Incoming.REQ_MARKET_RULE,
  Incoming.REQ_COMPLETED_ORDERS,
]);

/** fields[0] is the message id. Returns undefined when the message has no id or it is not a number. */
export function requestIdOf(fields: readonly string[], serverVersion: number): number | undefined {
  const messageId = Number(fields[0]);
  if (NO_ID.has(messageId)) return undefined;
  let index = 2;
  if (ID_FIRST.has(messageId)) index = 1;
  if (messageId === Incoming.CANCEL_ORDER && serverVersion >= ServerVersion.CME_TAGGING_FIELDS) index = 1;
  if (messageId === Incoming.REQ_MARKET_DATA_TYPE) return undefined;
  const text = fields[index];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isInteger(value) ? value : undefined;
}
