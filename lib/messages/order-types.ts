/**
 * The order types the package places and fills, and what each does with its prices: one table that
 * every part asks (place-order's validation, the fill engine's checks and fills, the guard's notional),
 * so a type added here is priced the same way everywhere. IB's names and IB's use of the fields.
 */

export const ORDER_TYPES = ['MKT', 'LMT', 'STP', 'STP LMT', 'MIT', 'LIT', 'TRAIL', 'TRAIL LIMIT', 'REL', 'MIDPRICE', 'PEG MID', 'MOC', 'LOC'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** Times in force, likewise one list. */
export const TIMES_IN_FORCE = ['DAY', 'GTC', 'GTD', 'IOC', 'FOK', 'OPG'] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

/** What lmtPrice is to an order type: the limit it must respect, or an optional price cap (never worse than it). */
export type LimitRole = 'limit' | 'cap';
/**
 * What auxPrice is to an order type: a stop the price moves through (STP), a trigger the price comes
 * to (MIT, LIT), a trailing amount (TRAIL: or trailingPercent instead), or an offset from the price it
 * is pegged to (REL: from the bid or ask; PEG MID: from the midpoint).
 */
export type AuxRole = 'stop' | 'trigger' | 'trail' | 'offset';

export interface OrderTypeRule {
  /** lmtPrice: its role and whether the type needs it; null: the type takes none. */
  readonly lmtPrice: { readonly role: LimitRole; readonly required: boolean } | null;
  /** auxPrice: its role and whether the type needs it; null: the type takes none. */
  readonly auxPrice: { readonly role: AuxRole; readonly required: boolean } | null;
  /**
   * Its limit follows the market: REL from the bid (buy) or ask (sell), PEG MID from the midpoint,
   * MIDPRICE at the midpoint. null: a fixed price.
   */
  readonly pegged: 'bid-ask' | 'midpoint' | null;
  /**
   * Works only once a price is reached (a stop, a touch, a trail): an entry of its own, never a step
   * towards a target position.
   */
  readonly waitsForPrice: boolean;
  /** Filled in the closing auction. */
  readonly auction: boolean;
}

const rule = (r: Partial<OrderTypeRule>): OrderTypeRule => ({ lmtPrice: null, auxPrice: null, pegged: null, waitsForPrice: false, auction: false, ...r });
const LIMIT = { role: 'limit', required: true } as const;
const CAP = { role: 'cap', required: false } as const;

export const ORDER_TYPE_RULES: Readonly<Record<OrderType, OrderTypeRule>> = {
  MKT: rule({}),
  LMT: rule({ lmtPrice: LIMIT }),
  STP: rule({ auxPrice: { role: 'stop', required: true }, waitsForPrice: true }),
  'STP LMT': rule({ lmtPrice: LIMIT, auxPrice: { role: 'stop', required: true }, waitsForPrice: true }),
  MIT: rule({ auxPrice: { role: 'trigger', required: true }, waitsForPrice: true }),
  LIT: rule({ lmtPrice: LIMIT, auxPrice: { role: 'trigger', required: true }, waitsForPrice: true }),
  // The amount, or trailingPercent instead; TRAIL LIMIT's limit is lmtPriceOffset from the stop, or lmtPrice with trailStopPrice.
  TRAIL: rule({ auxPrice: { role: 'trail', required: false }, waitsForPrice: true }),
  'TRAIL LIMIT': rule({ lmtPrice: { role: 'limit', required: false }, auxPrice: { role: 'trail', required: false }, waitsForPrice: true }),
  REL: rule({ lmtPrice: CAP, auxPrice: { role: 'offset', required: true }, pegged: 'bid-ask' }),
  MIDPRICE: rule({ lmtPrice: CAP, pegged: 'midpoint' }),
  'PEG MID': rule({ lmtPrice: CAP, auxPrice: { role: 'offset', required: false }, pegged: 'midpoint' }),
  MOC: rule({ auction: true }),
  LOC: rule({ lmtPrice: LIMIT, auction: true }),
};

/** The rule of `type`, or undefined for a type the package does not take. */
export function orderTypeRule(type: string): OrderTypeRule | undefined {
  return Object.hasOwn(ORDER_TYPE_RULES, type) ? ORDER_TYPE_RULES[type as OrderType] : undefined;
}

/**
 * The price an order of `type` is worth per unit at worst, from its own fields: its limit or cap when
 * it has one, else its stop or trigger; undefined when it has neither (a market order, a trail, a peg
 * without a cap): the caller then takes the market's price.
 */
export function orderOwnPrice(type: string, lmtPrice: unknown, auxPrice: unknown): number | undefined {
  const r = orderTypeRule(type);
  if (r === undefined) return undefined;
  if (r.lmtPrice !== null && typeof lmtPrice === 'number' && lmtPrice > 0) return lmtPrice;
  const aux = r.auxPrice?.role;
  if ((aux === 'stop' || aux === 'trigger') && typeof auxPrice === 'number' && auxPrice > 0) return auxPrice;
  return undefined;
}
