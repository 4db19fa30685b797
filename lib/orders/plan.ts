/**
 * The order planner: from a strategy's target position, its own position and its own working orders
 * on one instrument, the orders to cancel and the orders to send. One function for place-order,
 * stop-order and the batch backtest (plain data in, plain data out, no broker, no Node-RED).
 *
 * The rules, each a way money was lost before:
 * - An order counts as working until the broker confirms it filled or cancelled: an order whose
 *   cancel is not yet confirmed may still fill. The plan keeps the position inside what every
 *   working order could bring it to, so the target is never passed; when the target lies inside
 *   that range only because of unconfirmed cancels, the plan waits (`waiting`) and the caller plans
 *   again once they are confirmed.
 * - Exit legs (stop-loss, take-profit, bracket children) are not entries: a bracket child waiting for
 *   its parent only takes back what the parent adds, and an OCA group counts once.
 * - Orders held untransmitted (a bracket whose last leg never went) can never fill: they are
 *   cancelled and never count.
 * - A target that closes the position (or flips it) is an exit: the strategy's protective orders on
 *   the instrument are cancelled first (and count until confirmed), and the exit goes alone. Only the
 *   part of an order that opens a position beyond flat is ever protected, so no protective order can
 *   re-open a position that an exit closed.
 * - A target that only reduces the position keeps its protection on what remains: the stops and
 *   take-profits are shrunk to the remaining size before the exit goes (`resize`), so the position is
 *   never left unprotected, and exit and protection together never come to more than the position.
 */
import type { Order } from '@stoqey/ib';
import type { Side, TimeInForce } from '../messages';
import { bracketOrders, type PlannedOrder, type TrailSpec } from './bracket';
import { buildOrder } from './build';
import { positionRange, type ExposureOrder } from './exposure';
import type { OrderTerms } from './validate';

/** A working order of the strategy on the instrument, as the planner needs it. */
export interface PlanOrder extends ExposureOrder {
  /** 'exit': a stop-loss, take-profit or other protective leg; 'entry': anything else. */
  role: 'entry' | 'exit';
  /** False while the order is held untransmitted (its bracket's last leg never went). */
  transmitted: boolean;
  /** A cancel was asked and not yet confirmed: it may still fill. */
  cancelling: boolean;
}

/** Protective levels to put on what an order opens. */
export interface ProtectiveLevels {
  stopLoss?: number;
  takeProfit?: number;
  trailing?: TrailSpec;
}

export interface PlanInput {
  /** Signed shares the strategy should hold. */
  target: number;
  /** Signed shares the strategy holds. */
  position: number;
  /** The strategy's working orders on the instrument. */
  working: readonly PlanOrder[];
}

export interface OrderPlan {
  target: number;
  position: number;
  /** Lowest and highest position the strategy's working orders could bring it to (after the cancels). */
  low: number;
  high: number;
  /** Orders to cancel, before anything is sent. */
  cancel: number[];
  /** The part that reduces or closes the position: sent alone, never protected. */
  exit: { action: Side; quantity: number } | null;
  /** The part that opens or adds: protected when levels are given. */
  entry: { action: Side; quantity: number } | null;
  /** Nothing more can be sent without risking passing the target until the cancels are confirmed. */
  waiting: boolean;
  /** Protective orders kept through a partial exit, to be shrunk to `remaining` before the exit goes. */
  resize: Array<{ orderId: number; remaining: number }>;
}

/** Plans the move of one strategy on one instrument to `target`. */
export function planOrders(input: PlanInput): OrderPlan {
  const { target, position } = input;
  const cancel: number[] = [];
  const counted: PlanOrder[] = [];
  for (const o of input.working) {
    if (!(o.remaining > 0)) continue;
    if (!o.transmitted && !o.cancelling) {
      // Held at the broker, never to be transmitted: it cannot fill, so it goes.
      cancel.push(o.orderId);
      continue;
    }
    if (!o.transmitted) continue;
    counted.push({ ...o });
  }
  const wanted = target - position;
  const entries = counted.filter((o) => o.role === 'entry' && !o.cancelling);
  const pending = entries.reduce((sum, o) => sum + sign(o.action) * o.remaining, 0);
  const keep = entries.every((o) => sign(o.action) === Math.sign(wanted)) && Math.abs(pending) <= Math.abs(wanted) + 1e-9;
  if (!keep) {
    // Partly right orders are not trimmed in place: a modify races fills; a cancel and one fresh
    // order leave one clear state.
    for (const o of entries) markCancelled(o, cancel);
  }
  const reduces = position !== 0 && (Math.sign(target) !== Math.sign(position) || Math.abs(target) < Math.abs(position));
  const resize: OrderPlan['resize'] = [];
  let ranged = counted;
  if (reduces) {
    // What stays of the position on its side (0 when the target closes or flips it).
    const remains = Math.sign(target) === Math.sign(position) ? Math.abs(target) : 0;
    const ids = new Set(counted.map((o) => o.orderId));
    const kept = new Set<PlanOrder>();
    for (const o of counted) {
      if (o.role !== 'exit' || o.cancelling) continue;
      // A stop or take-profit of the position itself (not a leg still waiting for its parent):
      const protectsPosition = !(o.parentId && ids.has(o.parentId)) && sign(o.action) === -Math.sign(position);
      if (remains > 0 && protectsPosition) {
        // A partial exit: it keeps protecting what remains, shrunk to it. It is protection, not a
        // move toward the target, so the exit is planned as if it were not there.
        kept.add(o);
        if (o.remaining > remains + 1e-9) resize.push({ orderId: o.orderId, remaining: remains });
      } else {
        // A close or a flip: the position's protection goes first, so it cannot fill after the exit and re-open.
        markCancelled(o, cancel);
      }
    }
    if (kept.size) ranged = counted.filter((o) => !kept.has(o));
  }
  const { low, high } = positionRange(position, ranged);
  const plan: OrderPlan = { target, position, low, high, cancel, exit: null, entry: null, waiting: false, resize };
  let action: Side | null = null;
  let quantity = 0;
  if (target > high + 1e-9) {
    action = 'BUY';
    quantity = roundQuantity(target - high);
  } else if (target < low - 1e-9) {
    action = 'SELL';
    quantity = roundQuantity(low - target);
  }
  plan.waiting = counted.some((o) => o.cancelling) && (action === null ? !(nearly(low, target) && nearly(high, target)) : true);
  if (action === null || quantity <= 0) return plan;
  // The part beyond flat opens a position; the rest only takes the position toward flat.
  const opening = roundQuantity(Math.min(quantity, Math.max(0, action === 'BUY' ? target : -target)));
  const closing = roundQuantity(quantity - opening);
  if (closing > 0) plan.exit = { action, quantity: closing };
  if (opening > 0) plan.entry = { action, quantity: opening };
  return plan;
}

export interface PlanOrdersOptions {
  /** The strategy's orderRef. */
  orderRef: string;
  /** The entry's order type and prices (msg.order's terms). */
  terms: OrderTerms;
  /** Protective levels for the entry part; none: no protection. */
  levels?: ProtectiveLevels | null;
  /** Terms of the protective legs. */
  protection?: { tif: TimeInForce; outsideRth: boolean };
  /** Names the OCA group of a bracket (with the entry's id), e.g. the instrument key. */
  ocaPrefix: string;
  /** The account every order carries. */
  account?: string;
}

/**
 * The orders of a plan, with ids from `nextId` (called once per order, in sending order): the exit
 * alone, then the entry (a bracket when levels are given, transmit only on its last leg).
 */
export function ordersOfPlan(plan: OrderPlan, options: PlanOrdersOptions, nextId: () => number): PlannedOrder[] {
  const out: PlannedOrder[] = [];
  const { terms, orderRef } = options;
  const merged = plan.exit && plan.entry && !hasLevels(options.levels);
  if (merged) {
    // No protection to put on the opening part: one order does both.
    const action = plan.entry!.action;
    const order = buildOrder(action, roundQuantity(plan.exit!.quantity + plan.entry!.quantity), terms, orderRef);
    if (options.account) order.account = options.account;
    out.push({ role: 'entry', orderId: nextId(), order });
    return out;
  }
  if (plan.exit) {
    // The strategy's own orderRef: an exit is a working order toward the target like any other.
    const order = buildOrder(plan.exit.action, plan.exit.quantity, terms, orderRef);
    if (options.account) order.account = options.account;
    out.push({ role: 'exit', orderId: nextId(), order });
  }
  if (plan.entry) {
    const entry: Order = buildOrder(plan.entry.action, plan.entry.quantity, terms, orderRef);
    if (options.account) entry.account = options.account;
    const levels = options.levels;
    if (!hasLevels(levels)) {
      out.push({ role: 'entry', orderId: nextId(), order: entry });
      return out;
    }
    const parentId = nextId();
    const ids = {
      takeProfit: levels!.takeProfit !== undefined ? nextId() : undefined,
      stopLoss: levels!.stopLoss !== undefined || levels!.trailing ? nextId() : undefined,
    };
    const protection = options.protection ?? { tif: 'GTC' as TimeInForce, outsideRth: false };
    out.push(
      ...bracketOrders(parentId, entry, {
        positionSide: plan.entry.action,
        quantity: plan.entry.quantity,
        stopLoss: levels!.stopLoss,
        takeProfit: levels!.takeProfit,
        trailing: levels!.trailing,
        tif: protection.tif,
        outsideRth: protection.outsideRth,
        orderRef: terms.orderRef ?? orderRef,
        ocaGroup: `${terms.orderRef ?? orderRef}:${options.ocaPrefix}:${parentId}`,
        account: options.account,
      }, ids),
    );
  }
  return out;
}

/** How many ids ordersOfPlan will ask for. */
export function idsNeeded(plan: OrderPlan, levels?: ProtectiveLevels | null): number {
  if (plan.exit && plan.entry && !hasLevels(levels)) return 1;
  let n = plan.exit ? 1 : 0;
  if (plan.entry) {
    n++;
    if (hasLevels(levels)) n += (levels!.takeProfit !== undefined ? 1 : 0) + (levels!.stopLoss !== undefined || levels!.trailing ? 1 : 0);
  }
  return n;
}

export function hasLevels(levels: ProtectiveLevels | null | undefined): boolean {
  return !!levels && (levels.stopLoss !== undefined || levels.takeProfit !== undefined || (!!levels.trailing && (levels.trailing.amount !== undefined || levels.trailing.percent !== undefined)));
}

/**
 * A working order in the planner's terms. `working` is every working order of the strategy on the
 * instrument (for the links between them); `isExit` tells its protective legs by their orderRef.
 */
export function planOrderOf(
  w: { orderId: number; order: Pick<Order, 'action' | 'totalQuantity' | 'parentId' | 'ocaGroup' | 'transmit' | 'orderRef'>; state: { remaining: number; status: string } },
  working: ReadonlyArray<{ orderId: number; order: Pick<Order, 'parentId' | 'transmit'> }>,
  isExit: boolean,
): PlanOrder {
  const remaining = Number(w.state.remaining);
  const transmitted = w.order.transmit !== false || bracketTransmitted(w, working);
  return {
    orderId: w.orderId,
    action: String(w.order.action),
    remaining: Number.isFinite(remaining) ? remaining : Number(w.order.totalQuantity) || 0,
    parentId: Number(w.order.parentId) || 0,
    ocaGroup: w.order.ocaGroup || undefined,
    role: isExit ? 'exit' : 'entry',
    transmitted,
    cancelling: w.state.status === 'PendingCancel',
  };
}

/**
 * A leg sent with transmit false went to market with its bracket: when a later leg (the parent's other
 * children, or a child of this one) was sent with transmit true, or when its parent is no longer
 * working (a parent only fills once transmitted; a cancelled one takes its children with it). Only
 * the sibling rule keeps a take-profit from looking "held" once its bracket's stop was sent.
 */
function bracketTransmitted(
  w: { orderId: number; order: Pick<Order, 'parentId'> },
  working: ReadonlyArray<{ orderId: number; order: Pick<Order, 'parentId' | 'transmit'> }>,
): boolean {
  const parentId = Number(w.order.parentId) || 0;
  if (parentId > 0 && !working.some((o) => o.orderId === parentId)) return true;
  const family = parentId > 0 ? parentId : w.orderId;
  return working.some((o) => o.order.transmit !== false && (o.orderId === family || Number(o.order.parentId) === family));
}

function markCancelled(o: PlanOrder, cancel: number[]): void {
  o.cancelling = true;
  cancel.push(o.orderId);
}

function sign(action: unknown): 1 | -1 {
  return String(action).toUpperCase() === 'SELL' ? -1 : 1;
}

function nearly(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** Quantities computed by subtraction carry float noise (0.1 + 0.2): keep 8 decimals. */
function roundQuantity(q: number): number {
  return Math.round(q * 1e8) / 1e8;
}
