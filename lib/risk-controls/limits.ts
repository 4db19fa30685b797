/**
 * Account-level limits, checked for every order before it leaves (set on ib-connect, applied by the
 * guarded broker to every node's orders). Each check is recorded, passed or not, so the journal shows
 * why an order went out as well as why one did not.
 */
import type { InstrumentKey, Side } from '../messages';

export interface RiskLimits {
  /** Shares (or units) per order. */
  maxOrderQuantity?: number | null;
  /** quantity x price per order, in the account currency. */
  maxOrderNotional?: number | null;
  /** |position + working orders + this order| per instrument. Orders that shrink exposure always pass. */
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
  /** Why it failed, naming the limit and what to change. */
  message?: string;
}

/** What the checks need to know about one order. */
export interface OrderFacts {
  key: InstrumentKey;
  action: Side;
  quantity: number;
  /** Price for the notional (limit / stop price, or the last known price), null when unknown. */
  price: number | null;
  /** Signed position now. */
  position: number;
  /** Signed remaining quantity of the other working orders on this instrument. */
  working: number;
  /** Orders already sent in the last 60 s. */
  ordersLastMinute: number;
}

const LIMIT_FIELDS: Array<keyof RiskLimits> = ['maxOrderQuantity', 'maxOrderNotional', 'maxPosition', 'maxOrdersPerMinute', 'maxDailyLoss'];

/** Reads limits from config: blank, 0 or missing means "no limit"; anything else must be a positive number. */
export function parseLimits(raw: Record<string, unknown> | undefined): RiskLimits {
  const limits: RiskLimits = {};
  for (const field of LIMIT_FIELDS) {
    const value = raw?.[field];
    if (value === undefined || value === null || value === '' || value === 0 || value === '0') continue;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`risk limit ${field} must be a positive number (blank or 0 for no limit), got ${JSON.stringify(value)}`);
    limits[field] = n;
  }
  return limits;
}

export function checkOrderLimits(limits: RiskLimits, facts: OrderFacts): LimitCheck[] {
  const checks: LimitCheck[] = [];
  const sign = facts.action === 'BUY' ? 1 : -1;
  if (limits.maxOrderQuantity) {
    const max = limits.maxOrderQuantity;
    const ok = facts.quantity <= max;
    checks.push({ limit: 'max order quantity', ok, value: facts.quantity, max, message: ok ? undefined : `max order quantity: ${facts.action} ${facts.quantity} ${facts.key} is over the limit of ${max} per order (ib-connect risk limits)` });
  }
  if (limits.maxOrderNotional) {
    const max = limits.maxOrderNotional;
    if (facts.price === null) {
      checks.push({ limit: 'max order notional', ok: false, value: null, max, message: `max order notional: no price is known for ${facts.key} to check ${facts.action} ${facts.quantity} against ${max}; give the order a limit price or send the bar/quote in msg.payload` });
    } else {
      const notional = facts.quantity * facts.price;
      const ok = notional <= max;
      checks.push({ limit: 'max order notional', ok, value: notional, max, message: ok ? undefined : `max order notional: ${facts.action} ${facts.quantity} ${facts.key} at ${facts.price} is ${round2(notional)}, over the limit of ${max} (ib-connect risk limits)` });
    }
  }
  if (limits.maxPosition) {
    const max = limits.maxPosition;
    const before = Math.abs(facts.position + facts.working);
    const after = Math.abs(facts.position + facts.working + sign * facts.quantity);
    // A closing order must never be blocked by the limit that exists to cap exposure.
    const ok = after <= max || after < before;
    checks.push({ limit: 'max position', ok, value: after, max, message: ok ? undefined : `max position: ${facts.action} ${facts.quantity} ${facts.key} would make the position (with working orders) ${after}, over the limit of ${max} per instrument (ib-connect risk limits)` });
  }
  if (limits.maxOrdersPerMinute) {
    const max = limits.maxOrdersPerMinute;
    const value = facts.ordersLastMinute + 1;
    const ok = value <= max;
    checks.push({ limit: 'max orders per minute', ok, value, max, message: ok ? undefined : `max orders per minute: ${facts.ordersLastMinute} orders were sent in the last minute, the limit is ${max} (ib-connect risk limits)` });
  }
  return checks;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
