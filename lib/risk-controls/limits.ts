/**
 * Account-level limits, checked for every order before it leaves (set on ib-connect, applied by the
 * guarded broker to every node's orders). Each check is recorded, passed or not, so the journal shows
 * why an order went out as well as why one did not.
 */
import type { InstrumentKey, Side } from '../messages';
import { positionRange, worstPosition, type ExposureOrder } from '../orders/exposure';
import { english, said, TextError, type Said } from '../messages/texts';

export type { ExposureOrder } from '../orders/exposure';

export interface RiskLimits {
  /** Shares (or units) per order. */
  maxOrderQuantity?: number | null;
  /** quantity x price x multiplier per order, in the instrument's currency. */
  maxOrderNotional?: number | null;
  /**
   * Per instrument, the largest |position| the working orders and this order could make if the ones
   * that increase it fill (see positionRange). Orders that do not make that worst case larger pass.
   */
  maxPosition?: number | null;
  /** New orders and modifications in any 60 s. */
  maxOrdersPerMinute?: number | null;
  /** Loss since the session began that cancels everything and locks new orders. */
  maxDailyLoss?: number | null;
}

export type LimitName = 'max order quantity' | 'max order notional' | 'max position' | 'max orders per minute';

export interface LimitCheck {
  limit: LimitName;
  ok: boolean;
  /** What the order would make it (null when it cannot be known, e.g. notional without a price). */
  value: number | null;
  max: number;
  /** Why it failed, naming the limit and what to change (the English of `said`). */
  message?: string;
  /** Why it failed, as lib's text (a node says it in its language). */
  said?: Said;
}

/** What the checks need to know about one order. */
export interface OrderFacts {
  key: InstrumentKey;
  action: Side;
  quantity: number;
  /** Price for the notional (limit / stop price, or the last known price), null when unknown. */
  price: number | null;
  /** The contract's multiplier (futures, options); 1 or undefined for shares. */
  multiplier?: number;
  /** The contract's secType: a future or option without a multiplier cannot have its notional checked. */
  secType?: string;
  /**
   * The currency the price is in (the contract's) and what one unit of it is worth in the account's
   * base currency: limits are in the base currency. `rate` null: not known (yet), so the notional is
   * not either. No currency given: the price is taken as in the base currency.
   */
  currency?: { code: string; base: string | null; rate: number | null };
  /** Signed position now. */
  position: number;
  /**
   * Signed remaining quantity of the other working orders on this instrument, taken as plain orders;
   * ignored when workingOrders is given.
   */
  working: number;
  /** The other working orders on this instrument, with their bracket and OCA links. */
  workingOrders?: readonly ExposureOrder[];
  /** This order's own links: a bracket child (parentId) or an OCA member. */
  parentId?: number;
  ocaGroup?: string;
  /** Orders already sent in the last 60 s. */
  ordersLastMinute: number;
}

/** Sec types whose money is quantity x price x multiplier: without a multiplier the notional is unknown. */
const MULTIPLIED = new Set(['FUT', 'OPT', 'FOP', 'WAR', 'IOPT']);

const LIMIT_FIELDS: Array<keyof RiskLimits> = ['maxOrderQuantity', 'maxOrderNotional', 'maxPosition', 'maxOrdersPerMinute', 'maxDailyLoss'];

/** Reads limits from config: blank, 0 or missing means "no limit"; anything else must be a positive number. */
export function parseLimits(raw: Record<string, unknown> | undefined): RiskLimits {
  const limits: RiskLimits = {};
  for (const field of LIMIT_FIELDS) {
    const value = raw?.[field];
    if (value === undefined || value === null || value === '' || value === 0 || value === '0') continue;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n) || n < 0) throw new TextError(said('limits.setting', { field, value: JSON.stringify(value) }));
    limits[field] = n;
  }
  return limits;
}

export function checkOrderLimits(limits: RiskLimits, facts: OrderFacts): LimitCheck[] {
  const checks: LimitCheck[] = [];
  if (limits.maxOrderQuantity) {
    const max = limits.maxOrderQuantity;
    const ok = facts.quantity <= max;
    checks.push(check('max order quantity', ok, facts.quantity, max, said('limits.maxOrderQuantity', { action: facts.action, quantity: facts.quantity, key: facts.key, max })));
  }
  if (limits.maxOrderNotional) {
    const max = limits.maxOrderNotional;
    const multiplier = facts.multiplier !== undefined && facts.multiplier > 0 ? facts.multiplier : null;
    const secType = String(facts.secType ?? 'STK').toUpperCase();
    if (facts.price === null) {
      checks.push(check('max order notional', false, null, max, said('limits.notionalNoPrice', { key: facts.key, action: facts.action, quantity: facts.quantity, max })));
    } else if (multiplier === null && MULTIPLIED.has(secType)) {
      checks.push(check('max order notional', false, null, max, said('limits.notionalNoMultiplier', { key: facts.key, secType, action: facts.action, quantity: facts.quantity })));
    } else if (facts.currency && facts.currency.code !== facts.currency.base && !(facts.currency.rate !== null && facts.currency.rate > 0)) {
      const { code, base } = facts.currency;
      const order = { key: facts.key, code, action: facts.action, quantity: facts.quantity, max };
      checks.push(check('max order notional', false, null, max, base === null ? said('limits.notionalNoBase', order) : said('limits.notionalNoRate', { ...order, base })));
    } else {
      const local = facts.quantity * facts.price * (multiplier ?? 1);
      const converted = facts.currency && facts.currency.code !== facts.currency.base ? facts.currency : null;
      const notional = converted ? local * converted.rate! : local;
      const ok = notional <= max;
      const multiplied = multiplier !== null && multiplier !== 1;
      const order = { action: facts.action, quantity: facts.quantity, key: facts.key, price: facts.price, max, ...(multiplied ? { multiplier } : {}) };
      const refusal = converted
        ? said(multiplied ? 'limits.maxOrderNotionalConvertedMultiplied' : 'limits.maxOrderNotionalConverted', { ...order, local: round2(local), code: converted.code, notional: round2(notional), base: converted.base, rate: converted.rate })
        : said(multiplied ? 'limits.maxOrderNotionalMultiplied' : 'limits.maxOrderNotional', { ...order, money: round2(notional) });
      checks.push(check('max order notional', ok, notional, max, refusal));
    }
  }
  if (limits.maxPosition) {
    const max = limits.maxPosition;
    const others: ExposureOrder[] = facts.workingOrders ? [...facts.workingOrders] : facts.working ? [{ orderId: -1, action: facts.working > 0 ? 'BUY' : 'SELL', remaining: Math.abs(facts.working) }] : [];
    const before = worstPosition(positionRange(facts.position, others));
    const after = worstPosition(positionRange(facts.position, [...others, { orderId: 0, action: facts.action, remaining: facts.quantity, parentId: facts.parentId, ocaGroup: facts.ocaGroup }]));
    // An order that does not make the worst case larger (a closing order, an exit) must never be
    // blocked by the limit that exists to cap exposure.
    const ok = after <= max || after <= before;
    checks.push(check('max position', ok, after, max, said('limits.maxPosition', { action: facts.action, quantity: facts.quantity, key: facts.key, position: after, max })));
  }
  if (limits.maxOrdersPerMinute) {
    const max = limits.maxOrdersPerMinute;
    const value = facts.ordersLastMinute + 1;
    const ok = value <= max;
    checks.push(check('max orders per minute', ok, value, max, said('limits.maxOrdersPerMinute', { count: facts.ordersLastMinute, max })));
  }
  return checks;
}

/** A check's record; a failed one says why (`refusal`), a passed one carries no text. */
function check(limit: LimitName, ok: boolean, value: number | null, max: number, refusal: Said): LimitCheck {
  return ok ? { limit, ok, value, max } : { limit, ok, value, max, message: english(refusal), said: refusal };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
