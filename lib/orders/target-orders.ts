/**
 * Moving one strategy to its target on a broker, the way place-order and stop-order both do it: the
 * plan (lib/orders/plan.ts) from the strategy's own position and working orders, cancels first, then
 * the exit alone and the entry (a bracket when levels are given), all or nothing. When the plan had to
 * wait for unconfirmed cancels, the same target is planned again as soon as they are confirmed
 * (filled or cancelled at the broker), so one message is enough to reach a target.
 *
 * A bracket is all or nothing: a leg the guard refuses cancels the legs already placed (a leg still
 * queued never leaves), and a leg the broker rejects later cancels its parent and siblings.
 */
import type { Contract } from '@stoqey/ib';
import type { Broker, OrderContext, WorkingOrder } from './broker';
import type { InstrumentKey, OrderEvent, Side } from '../messages';
import type { PlannedOrder } from './bracket';
import { OrderInputError } from './errors';
import { idsNeeded, ordersOfPlan, planOrderOf, planOrders, type OrderPlan, type PlanOrder, type ProtectiveLevels } from './plan';
import { strategyOfOrderRef } from './strategy-ref';
import type { OrderTerms } from './validate';

/** Statuses after which an order can no longer fill. */
const FINISHED = new Set(['Filled', 'Cancelled', 'ApiCancelled', 'Inactive']);

export interface TargetRequest extends MoveRequest {
  target: number;
}

export interface MoveRequest {
  key: InstrumentKey;
  contract: Contract;
  terms: OrderTerms;
  /**
   * Protective levels for what the move opens (risk-sizer's stopLoss / takeProfit, stop-order's), or
   * a function of the side opened (levels set as distances depend on it).
   */
  levels?: ProtectiveLevels | null | ((side: Side) => ProtectiveLevels | null);
  protection?: { tif: OrderTerms['tif']; outsideRth: boolean };
  /** Builds the context (journal inputs, dedup key) of each leg. */
  context: (leg: string, inputs: Record<string, unknown>) => OrderContext;
}

export interface TargetOutcome {
  plan: OrderPlan;
  placed: PlannedOrder[];
}

export interface TargetOrdersOptions {
  /** The strategy: orderRef of its orders (protective legs carry `<ref>:<role>`). */
  orderRef: string;
  /** Whether an order is this strategy's (placed here, or found by orderRef after a restart). */
  owns: (orderId: number, orderRef: string | undefined) => boolean;
  /** An order was placed (the node reports its events). */
  onPlaced: (orderId: number) => void;
  /** A later step failed with nobody to tell but the node (a re-plan refused, a bracket undone). */
  onProblem: (key: InstrumentKey, message: string) => void;
  /** Runs a job in the per-instrument queue (re-plans wait their turn like messages). */
  enqueue: (key: InstrumentKey, job: () => Promise<unknown>) => void;
}

export class TargetOrders {
  /** Per instrument: the last target that waited for confirmations, and the orders it waits for. */
  private readonly waiting = new Map<InstrumentKey, { request: TargetRequest; orderIds: Set<number> }>();
  /** Bracket legs by parent id, to undo a bracket whose leg failed. */
  private readonly brackets = new Map<number, number[]>();
  private readonly onOrder = (event: OrderEvent) => this.orderEvent(event);

  constructor(
    private readonly broker: Broker,
    private readonly options: TargetOrdersOptions,
  ) {
    broker.on('order', this.onOrder);
  }

  dispose(): void {
    this.broker.off('order', this.onOrder);
    this.waiting.clear();
  }

  /** The strategy's position on `key`: its own when the broker attributes positions, else the account's. */
  position(key: InstrumentKey): number {
    return this.broker.strategyPosition?.(this.options.orderRef, key) ?? this.broker.position(key);
  }

  /** The strategy's working orders on `key`, in the planner's terms. */
  planOrders(key: InstrumentKey): PlanOrder[] {
    const mine = this.broker.workingOrders(key).filter((w) => this.mine(w));
    return mine.map((w) => planOrderOf(w, mine, this.isExit(w)));
  }

  /**
   * The plan of a move to `target` and its legs, computed and dropped: the dry run of
   * StrategyOrders.rehearse (nothing is sent, cancelled or remembered; ids are made up).
   */
  rehearse(key: InstrumentKey, target: number, terms: OrderTerms): void {
    const plan = planOrders({ target, position: this.position(key), working: this.planOrders(key) });
    let id = 0;
    ordersOfPlan(plan, { orderRef: this.options.orderRef, terms, ocaPrefix: key, account: terms.account }, () => ++id);
  }

  /** Stops re-planning `key` (the user cancelled by hand or sent an explicit order). */
  forget(key: InstrumentKey): void {
    this.waiting.delete(key);
  }

  /** Plans and sends the move to the target. Throws what the guard refused (after undoing a bracket). */
  async moveTo(request: TargetRequest): Promise<TargetOutcome> {
    const move = this.planMove(request);
    if (!move.plan.exit && !move.plan.entry) return { plan: move.plan, placed: [] };
    const ids: number[] = [];
    for (let i = idsNeeded(move.plan, move.levels); i > 0; i--) ids.push(await this.broker.nextOrderId());
    return this.sendMove(request, move, ids);
  }

  /**
   * The same move with ids the caller reserves at once (`nextId`, called once per leg): the batch
   * backtest, which sends on the bar it is at, without a turn of the event loop per order.
   */
  moveToNow(request: TargetRequest, nextId: () => number): TargetOutcome {
    const move = this.planMove(request);
    if (!move.plan.exit && !move.plan.entry) return { plan: move.plan, placed: [] };
    const ids: number[] = [];
    for (let i = idsNeeded(move.plan, move.levels); i > 0; i--) ids.push(nextId());
    return this.sendMove(request, move, ids);
  }

  /** The plan of a move (cancels sent), and the levels of what it opens. */
  private planMove(request: TargetRequest): { plan: OrderPlan; levels: ProtectiveLevels | null } {
    this.waiting.delete(request.key);
    let plan = planOrders({ target: request.target, position: this.position(request.key), working: this.planOrders(request.key) });
    for (const id of plan.cancel) this.broker.cancelOrder(id);
    const working = plan.cancel.length === 0 ? null : new Set(this.broker.workingOrders(request.key).map((w) => w.orderId));
    if (working !== null && plan.cancel.some((id) => !working.has(id))) {
      // Some cancels took effect at once (the order had not left yet): plan again on what is left.
      const again = planOrders({ target: request.target, position: this.position(request.key), working: this.planOrders(request.key) });
      for (const id of again.cancel) this.broker.cancelOrder(id);
      plan = { ...again, cancel: [...plan.cancel, ...again.cancel] };
    }
    if (plan.waiting) {
      const orderIds = new Set(this.planOrders(request.key).filter((o) => o.cancelling).map((o) => o.orderId));
      if (orderIds.size) this.waiting.set(request.key, { request, orderIds });
    }
    this.shrink(request, plan.resize);
    if (!plan.exit && !plan.entry) return { plan, levels: null };
    return { plan, levels: this.levelsFor(request, plan) };
  }

  private sendMove(request: TargetRequest, move: { plan: OrderPlan; levels: ProtectiveLevels | null }, ids: readonly number[]): TargetOutcome {
    const { plan, levels } = move;
    let next = 0;
    const legs = ordersOfPlan(plan, { orderRef: this.options.orderRef, terms: request.terms, levels, protection: request.protection, ocaPrefix: request.key, account: request.terms.account }, () => ids[next++]!);
    const inputs = { target: plan.target, position: plan.position, low: plan.low, high: plan.high, cancelled: plan.cancel };
    this.sendAll(request.contract, legs, (leg) => request.context(leg.role, { ...inputs, role: leg.role }));
    return { plan, placed: legs };
  }

  /**
   * An explicit order with protective levels: the part that takes the strategy's position toward flat
   * goes alone, the part beyond flat is bracketed (never protect what an exit closes).
   */
  async sendExplicit(request: MoveRequest, action: Side, quantity: number): Promise<PlannedOrder[]> {
    const move = this.planExplicit(request, action, quantity);
    const ids: number[] = [];
    for (let i = idsNeeded(move.plan, move.levels); i > 0; i--) ids.push(await this.broker.nextOrderId());
    return this.sendExplicitMove(request, move, ids);
  }

  /** The same with ids the caller reserves at once (the batch backtest). */
  sendExplicitNow(request: MoveRequest, action: Side, quantity: number, nextId: () => number): PlannedOrder[] {
    const move = this.planExplicit(request, action, quantity);
    const ids: number[] = [];
    for (let i = idsNeeded(move.plan, move.levels); i > 0; i--) ids.push(nextId());
    return this.sendExplicitMove(request, move, ids);
  }

  private planExplicit(request: MoveRequest, action: Side, quantity: number): { plan: OrderPlan; levels: ProtectiveLevels | null } {
    const position = this.position(request.key);
    const target = position + (action === 'BUY' ? quantity : -quantity);
    const opening = Math.min(quantity, Math.max(0, action === 'BUY' ? target : -target));
    const plan: OrderPlan = { target, position, low: position, high: position, cancel: [], waiting: false, resize: [], exit: quantity - opening > 0 ? { action, quantity: quantity - opening } : null, entry: opening > 0 ? { action, quantity: opening } : null };
    return { plan, levels: this.levelsFor(request, plan) };
  }

  private sendExplicitMove(request: MoveRequest, move: { plan: OrderPlan; levels: ProtectiveLevels | null }, ids: readonly number[]): PlannedOrder[] {
    let next = 0;
    const legs = ordersOfPlan(move.plan, { orderRef: this.options.orderRef, terms: request.terms, levels: move.levels, protection: request.protection, ocaPrefix: request.key, account: request.terms.account }, () => ids[next++]!);
    this.sendAll(request.contract, legs, (leg) => request.context(leg.role, { role: leg.role }));
    return legs;
  }

  /** The levels of the entry part of `plan`, checked against the entry price; null without an entry. */
  private levelsFor(request: MoveRequest, plan: OrderPlan): ProtectiveLevels | null {
    if (!plan.entry || !request.levels) return null;
    const levels = typeof request.levels === 'function' ? request.levels(plan.entry.action) : request.levels;
    if (!levels) return null;
    const reference = request.terms.lmtPrice ?? request.context('entry', {}).price ?? this.broker.lastPrice(request.key);
    checkLevels(plan.entry.action, reference ?? null, levels);
    return levels;
  }

  /**
   * A partial exit's protection, shrunk to what will remain before the exit goes (a modify of each
   * stop and take-profit; one already at that size, or asked to be, is left alone).
   */
  private shrink(request: TargetRequest, resize: OrderPlan['resize']): void {
    for (const { orderId, remaining } of resize) {
      const w = this.broker.workingOrders(request.key).find((o) => o.orderId === orderId);
      if (!w) continue;
      const filled = Number(w.state.filled) || 0;
      const totalQuantity = Math.round((filled + remaining) * 1e8) / 1e8;
      if (Number(w.order.totalQuantity) === totalQuantity) continue;
      this.broker.placeOrder(orderId, w.contract, { ...w.order, totalQuantity, transmit: true }, request.context(`resize-${orderId}`, { target: request.target, resized: orderId, totalQuantity }));
    }
  }

  /**
   * Places `legs` in order. A refusal cancels the legs already placed, last first (queued ones never
   * leave), then throws; a bracket's legs are remembered so a later rejection can undo the rest.
   */
  sendAll(contract: Contract, legs: PlannedOrder[], contextOf: (leg: PlannedOrder) => OrderContext): void {
    const placed: number[] = [];
    const parent = legs.find((l) => l.order.transmit === false)?.orderId;
    for (const leg of legs) {
      try {
        this.broker.placeOrder(leg.orderId, contract, leg.order, contextOf(leg));
      } catch (err) {
        const undone = parent !== undefined ? placed.filter((id) => legs.some((l) => l.orderId === id && (l.orderId === parent || Number(l.order.parentId) === parent))) : [];
        for (const id of undone.reverse()) this.cancelQuietly(id);
        if (undone.length) (err as Error).message += ` (the bracket's other ${undone.length} leg${undone.length > 1 ? 's were' : ' was'} cancelled: a bracket is all or nothing)`;
        throw err;
      }
      placed.push(leg.orderId);
      this.options.onPlaced(leg.orderId);
    }
    if (parent !== undefined) this.brackets.set(parent, legs.filter((l) => l.orderId === parent || Number(l.order.parentId) === parent).map((l) => l.orderId));
  }

  private orderEvent(event: OrderEvent): void {
    if (!FINISHED.has(event.status)) return;
    this.undoBracket(event);
    for (const [key, wait] of this.waiting) {
      if (!wait.orderIds.delete(event.orderId) || wait.orderIds.size > 0) continue;
      this.waiting.delete(key);
      this.options.enqueue(key, async () => {
        // A newer message may have moved the target meanwhile: only the latest is re-planned.
        try {
          // Halted, locked or disconnected: the target is not pursued now; the next message plans again.
          if (this.broker.orderBlock()) return;
          // The message's duplicate keys stay with what it sent at first: a re-plan sends under none.
          const context = wait.request.context;
          await this.moveTo({ ...wait.request, context: (leg, inputs) => ({ ...context(leg, { ...inputs, replanned: true }), dedupKey: undefined }) });
        } catch (err) {
          this.options.onProblem(key, `target ${wait.request.target} not reached after the cancels were confirmed: ${(err as Error).message}`);
        }
      });
    }
  }

  /** A bracket leg rejected (or cancelled) before its parent filled: the parent and the other legs go too. */
  private undoBracket(event: OrderEvent): void {
    for (const [parent, legs] of this.brackets) {
      if (!legs.includes(event.orderId)) continue;
      const working = this.broker.workingOrders().filter((w) => legs.includes(w.orderId));
      const parentWorking = working.find((w) => w.orderId === parent);
      if (working.length === 0) {
        this.brackets.delete(parent);
        return;
      }
      // Once the parent filled, one leg ending is the OCA at work (or a stop that triggered): normal.
      if (!parentWorking || Number(parentWorking.state.filled) > 0 || event.status === 'Filled') return;
      this.brackets.delete(parent);
      for (const w of working) this.cancelQuietly(w.orderId);
      this.options.onProblem(event.symbol, `bracket order #${parent}: its leg, order #${event.orderId}, ended ${event.status}${event.reason ? ` (${event.reason})` : ''} before the entry filled, so the whole bracket was cancelled (a bracket is all or nothing)`);
      return;
    }
  }

  private cancelQuietly(orderId: number): void {
    try {
      this.broker.cancelOrder(orderId);
    } catch {
      // Already gone: nothing left to cancel.
    }
  }

  private mine(w: WorkingOrder): boolean {
    return this.options.owns(w.orderId, w.order.orderRef) && strategyOfOrderRef(w.order.orderRef) === strategyOfOrderRef(this.options.orderRef);
  }

  private isExit(w: WorkingOrder): boolean {
    return w.order.orderRef !== undefined && w.order.orderRef !== this.options.orderRef && strategyOfOrderRef(w.order.orderRef) === strategyOfOrderRef(this.options.orderRef);
  }
}

/** Protective levels must sit on the right side of the entry, or they would trigger at once. */
export function checkLevels(side: Side, reference: number | null, levels: ProtectiveLevels): void {
  for (const [field, value] of [['stopLoss', levels.stopLoss], ['takeProfit', levels.takeProfit]] as const) {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      throw new OrderInputError(`msg.order.${field}`, `msg.order.${field} must be a positive price, got ${String(value)}`);
    }
  }
  if (reference === null) return;
  if (levels.stopLoss !== undefined && (side === 'BUY' ? levels.stopLoss >= reference : levels.stopLoss <= reference)) {
    throw new OrderInputError('msg.order.stopLoss', `the stop-loss ${levels.stopLoss} is not ${side === 'BUY' ? 'below' : 'above'} the price ${reference}: it would trigger at once`);
  }
  if (levels.takeProfit !== undefined && (side === 'BUY' ? levels.takeProfit <= reference : levels.takeProfit >= reference)) {
    throw new OrderInputError('msg.order.takeProfit', `the take-profit ${levels.takeProfit} is not ${side === 'BUY' ? 'above' : 'below'} the price ${reference}`);
  }
}
