/**
 * The first target planner, kept for the tests that replay a strategy's targets against a broker
 * (lib/orders/plan.ts is the one the package uses). Target-position mode: a strategy says how many shares it should hold; only the difference from what
 * it holds plus what its working orders will still bring is sent. Re-sending the same target therefore
 * sends nothing, and a changed target first cancels working orders that now go the wrong way.
 */
import type { Side } from '../../lib/messages';
import { sideSign } from '../../lib/orders/build';

/** The part of a working order the plan needs. */
export interface PendingOrder {
  orderId: number;
  action: Side | string;
  /** Shares not yet filled. */
  remaining: number;
  /** A cancel was asked for: it no longer counts as pending. */
  cancelling?: boolean;
}

export interface TargetPlan {
  /** Working orders to cancel first (they go the wrong way or too far). */
  cancel: number[];
  /** The order to send, or null when the target is already met by position plus working orders. */
  send: { action: Side; quantity: number } | null;
  /** The numbers behind the plan, for the journal. */
  target: number;
  position: number;
  pending: number;
}

/**
 * Plans the move from `position` (signed) plus `working` (this strategy's entry orders on this
 * instrument) to `target` (signed).
 */
export function planTarget(target: number, position: number, working: PendingOrder[]): TargetPlan {
  const live = working.filter((o) => !o.cancelling && o.remaining > 0);
  const pending = live.reduce((sum, o) => sum + sideSign(o.action) * o.remaining, 0);
  const wanted = target - position;
  const plan: TargetPlan = { cancel: [], send: null, target, position, pending };
  if (nearlyEqual(pending, wanted)) return plan;
  const sameWay = live.every((o) => sideSign(o.action) === Math.sign(wanted)) && Math.abs(pending) < Math.abs(wanted);
  let rest = wanted - pending;
  if (!sameWay) {
    // Partly right orders are not trimmed in place: a modify races fills, a cancel and one fresh order
    // leaves one clear state.
    plan.cancel = live.map((o) => o.orderId);
    rest = wanted;
  }
  if (!nearlyEqual(rest, 0)) plan.send = { action: rest > 0 ? 'BUY' : 'SELL', quantity: roundQuantity(Math.abs(rest)) };
  return plan;
}

function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** Quantities computed by subtraction carry float noise (0.1 + 0.2): keep 8 decimals. */
function roundQuantity(q: number): number {
  return Math.round(q * 1e8) / 1e8;
}
