/**
 * The IB broker's orders: each order this client placed or adopted, how far it is on its way to TWS
 * (queued, sent, acked, done) and its state as TWS's openOrder, orderStatus and error messages tell
 * it. Every change goes out as one order event, in order and without TWS's duplicate status messages;
 * a final event waits briefly for what TWS sends just after it (the commission of the last fill, the
 * reason of a cancel). Finished orders are kept a while for late messages, then forgotten.
 */
import type { Contract, Order, OrderState } from '@stoqey/ib';
import type { Execution, InstrumentKey, OrderEvent, OrderStatus, OrderType } from '../messages';
import { sideSign } from '../orders/build';
import type { BrokerLog } from './log';
import type { ReportedKeys } from './reported-keys';
import type { WorkingOrder } from '../orders/broker';

/** Where an order is on its way to TWS. */
export type Delivery = 'queued' | 'sent' | 'acked' | 'done';

export interface TrackedOrder extends WorkingOrder {
  delivery: Delivery;
  /** A cancel was asked for and not yet confirmed. */
  cancelRequested: boolean;
  /** Shares of this order's executions whose commission is known. */
  commissionedShares: number;
  /** Shares of this order's executions taken into the positions (TWS's execDetails, each once). */
  executedShares: number;
  /** Waiting for commissions (or a cancel's reason) before reporting the final event. */
  finalTimer: NodeJS.Timeout | null;
  /** The last event reported (to drop TWS's duplicate orderStatus messages). */
  lastReported: string;
}

export interface OrderBookOptions {
  /** This session's client id: orders of other clients are not tracked. */
  clientId: number;
  clock: () => number;
  /** How long a Filled event waits for the commissions of its fills. */
  commissionWaitMs: number;
  /** True while an execution of the order waits for its commission report. */
  awaitsCommission: (orderId: number) => boolean;
  emitOrder: (event: OrderEvent) => void;
  keys: ReportedKeys;
  log: BrokerLog;
}

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['Filled', 'Cancelled', 'ApiCancelled', 'Inactive']);
/** TWS codes on an order id that warn or inform without changing the order. */
const ORDER_NOTICES = new Set([399, 404, 2109, 2137, 10167, 10148]);
/** TWS codes on an order id saying a cancel did not happen (the order lives on). */
const CANCEL_FAILURES = new Set([161, 10147, 10148, 10149]);
/** How long a Cancelled status waits for its reason (ERR_MSG 202 follows it at once at TWS). */
const REASON_WAIT_MS = 200;
/** Finished orders kept in memory (for late events) before they are forgotten. */
const RETIRED_KEPT = 1000;

/** Someone waiting for orders to settle (OrderBook.whenSettled). */
interface SettleWaiter {
  ids: Set<number>;
  resolve: (unsettled: number[]) => void;
  timer: NodeJS.Timeout;
}

export class OrderBook {
  private readonly orders = new Map<number, TrackedOrder>();
  private readonly retired: number[] = [];
  private readonly settleWaiters = new Set<SettleWaiter>();

  constructor(private readonly options: OrderBookOptions) {}

  get(orderId: number): TrackedOrder | undefined {
    return this.orders.get(orderId);
  }

  /** Every order known, finished ones included (a copy: safe to change the book while going through it). */
  all(): TrackedOrder[] {
    return [...this.orders.values()];
  }

  /** Orders not yet finished, optionally of one instrument, in the Broker's shape. */
  working(key?: InstrumentKey): WorkingOrder[] {
    const list: WorkingOrder[] = [];
    for (const t of this.orders.values()) {
      if (t.delivery === 'done' || (key !== undefined && t.key !== key)) continue;
      list.push({ orderId: t.orderId, key: t.key, contract: t.contract, order: t.order, state: t.state });
    }
    return list;
  }

  /**
   * Settled: the order has ended and every share TWS reports filled is in the positions. TWS sends an
   * order's status and its executions as separate messages, in either order, so a Filled order can
   * still have a fill on its way to the positions.
   */
  private isSettled(t: TrackedOrder): boolean {
    return t.delivery === 'done' && t.executedShares >= t.state.filled;
  }

  /** Ids of the orders not yet settled (see isSettled). */
  unsettled(): number[] {
    return this.all().filter((t) => !this.isSettled(t)).map((t) => t.orderId);
  }

  /**
   * Resolves once each of `ids` has settled (or is not known here), or when `timeoutMs` ran out, with
   * the ids still unsettled then.
   */
  whenSettled(ids: readonly number[], timeoutMs: number): Promise<number[]> {
    const waiting = new Set(ids.filter((id) => this.isUnsettled(id)));
    if (waiting.size === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const waiter: SettleWaiter = {
        ids: waiting,
        resolve,
        timer: setTimeout(() => this.endWait(waiter), Math.max(0, timeoutMs)),
      };
      // A long wait (a late fill watched for) must not keep the process alive.
      waiter.timer.unref();
      this.settleWaiters.add(waiter);
    });
  }

  /** A fill of the order has been taken into the positions. */
  addExecuted(tracked: TrackedOrder, shares: number): void {
    tracked.executedShares += shares;
    this.checkSettled();
  }

  private isUnsettled(orderId: number): boolean {
    const t = this.orders.get(orderId);
    return t !== undefined && !this.isSettled(t);
  }

  /** Called where an order can become settled: when it ends and when one of its fills comes. */
  private checkSettled(): void {
    for (const waiter of this.settleWaiters) {
      for (const id of waiter.ids) if (!this.isUnsettled(id)) waiter.ids.delete(id);
      if (waiter.ids.size === 0) this.endWait(waiter);
    }
  }

  private endWait(waiter: SettleWaiter): void {
    if (!this.settleWaiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.resolve([...waiter.ids].filter((id) => this.isUnsettled(id)));
  }

  /** Ids of orders that left for TWS and have had no answer yet. */
  unanswered(): number[] {
    return this.all().filter((t) => t.delivery === 'sent').map((t) => t.orderId);
  }

  /** A new order of this client: placed here (queued) or adopted from TWS (acked). */
  add(orderId: number, key: InstrumentKey, contract: Contract, order: Order, delivery: Delivery): TrackedOrder {
    const tracked: TrackedOrder = {
      orderId,
      key,
      contract,
      order,
      state: this.initialState(orderId, key, order),
      delivery,
      cancelRequested: false,
      commissionedShares: 0,
      executedShares: 0,
      finalTimer: null,
      lastReported: '',
    };
    this.orders.set(orderId, tracked);
    return tracked;
  }

  /** A modification asked for: the order's new fields, sent by the caller. */
  amend(tracked: TrackedOrder, contract: Contract, order: Order): void {
    tracked.order = { ...tracked.order, ...order, orderId: tracked.orderId, clientId: this.options.clientId };
    tracked.contract = { ...tracked.contract, ...contract };
    tracked.state = { ...tracked.state, totalQuantity: Number(order.totalQuantity ?? tracked.state.totalQuantity), time: this.options.clock() };
  }

  /** A cancel asked for (sent by the caller): PendingCancel until TWS confirms. */
  markCancelling(tracked: TrackedOrder): void {
    tracked.cancelRequested = true;
    tracked.state = { ...tracked.state, status: 'PendingCancel', time: this.options.clock() };
    this.report(tracked);
  }

  /**
   * TWS's openOrder: an order of ours is acknowledged (TWS's copy is the truth for prices and
   * quantity), or one of this client from before (restart, redeploy) is adopted. Returns how it was
   * taken, or null for another client's order.
   */
  onOpenOrder(orderId: number, contract: Contract, order: Order, orderState: OrderState): 'adopted' | 'known' | null {
    let tracked = this.orders.get(orderId);
    if (!tracked && order.clientId !== undefined && order.clientId !== this.options.clientId) return null;
    const adopted = !tracked;
    if (!tracked) {
      const key = this.options.keys.keyOf(contract);
      tracked = this.add(orderId, key, contract, { ...order, orderId }, 'acked');
      this.options.log.info(`broker: adopted working order ${orderId} (${order.action} ${order.totalQuantity} ${key} ${order.orderType}, ref "${order.orderRef ?? ''}")`);
    } else {
      tracked.order = { ...tracked.order, ...order, orderId };
      if (tracked.delivery === 'sent' || tracked.delivery === 'queued') tracked.delivery = 'acked';
    }
    this.options.keys.remember(contract.conId, tracked.key);
    if (order.permId) tracked.state = { ...tracked.state, permId: order.permId };
    // ORDER_STATUS always follows with the status and the fill counts together; taking the status from
    // here would report e.g. "Filled" with the previous fill count. Only an adopted order starts from it.
    const status = orderState?.status as OrderStatus | undefined;
    if (adopted && status && !TERMINAL.has(status)) tracked.state = { ...tracked.state, status };
    return adopted ? 'adopted' : 'known';
  }

  onOrderStatus(orderId: number, status: OrderStatus, filled: number, remaining: number, avgFillPrice: number, permId?: number, parentId?: number, lastFillPrice?: number, clientId?: number): void {
    const tracked = this.orders.get(orderId);
    if (!tracked) return; // openOrder comes first for any order of ours; others' are not ours to track.
    if (clientId !== undefined && clientId !== this.options.clientId && clientId !== 0) return;
    if (tracked.delivery === 'sent' || tracked.delivery === 'queued') tracked.delivery = 'acked';
    tracked.state = {
      ...tracked.state,
      // A status TWS sent before it read our cancel (Submitted, a partial fill) does not undo the
      // cancel: the order stays cancelling until TWS ends it or refuses the cancel. Taking it as
      // Submitted made the planner count the order as a live one it could keep, and once the cancel
      // was confirmed nothing planned the target again (a target of 0 left 100 shares held).
      status: tracked.cancelRequested && !TERMINAL.has(status) ? 'PendingCancel' : status,
      filled: Number(filled) || 0,
      remaining: Number(remaining) || 0,
      avgFillPrice: Number(avgFillPrice) || 0,
      lastFillPrice: Number(lastFillPrice) || tracked.state.lastFillPrice,
      permId: permId || tracked.state.permId,
      parentId: parentId || tracked.state.parentId,
      time: this.options.clock(),
    };
    if (status === 'Cancelled' || status === 'ApiCancelled') tracked.cancelRequested = false;
    if (TERMINAL.has(status)) this.finish(tracked, status, tracked.state.reason);
    else this.report(tracked);
  }

  /** TWS's error message on an order id: a notice, a failed cancel, a refused modification, or the end. */
  onOrderError(error: Error, code: number, orderId: number): void {
    const tracked = this.orders.get(orderId);
    if (!tracked) return;
    const reason = `${error?.message ?? error} (IB ${code})`;
    if (tracked.delivery === 'done') {
      // The reason of a cancel or rejection whose status came first.
      if (tracked.finalTimer && !tracked.state.reason && !ORDER_NOTICES.has(code)) {
        tracked.state = { ...tracked.state, reason };
        if (tracked.state.status !== 'Filled') this.reportFinal(tracked);
      }
      return;
    }
    if (code === 202) {
      this.finish(tracked, 'Cancelled', reason);
      return;
    }
    if (ORDER_NOTICES.has(code) || (code >= 2100 && code < 2200)) {
      this.options.log.debug(`broker: order ${orderId}: ${reason}`);
      return;
    }
    if (CANCEL_FAILURES.has(code)) {
      tracked.cancelRequested = false;
      tracked.state = { ...tracked.state, reason, status: tracked.state.status === 'PendingCancel' ? 'Submitted' : tracked.state.status };
      this.report(tracked);
      return;
    }
    if (tracked.delivery === 'acked' && tracked.state.status !== 'PendingSubmit') {
      // A refused modification: the order works on as it was.
      tracked.state = { ...tracked.state, reason };
      this.report(tracked);
      return;
    }
    this.finish(tracked, 'Inactive', reason);
  }

  /** Folds an execution's commission into its order (before the execution event goes out). */
  addCommission(tracked: TrackedOrder, execution: Execution): void {
    tracked.state = { ...tracked.state, commission: tracked.state.commission + execution.commission };
    tracked.commissionedShares += execution.shares;
  }

  /** Reports a held final event once every filled share's commission is in. */
  reportIfCommissioned(tracked: TrackedOrder): void {
    if (tracked.finalTimer && tracked.commissionedShares >= tracked.state.filled) this.reportFinal(tracked);
  }

  /** Ends an order (its final event may wait briefly for a commission or a reason, see the header). */
  finish(tracked: TrackedOrder, status: OrderStatus, reason?: string): void {
    if (tracked.delivery !== 'done') this.retire(tracked.orderId);
    tracked.delivery = 'done';
    tracked.cancelRequested = false;
    tracked.state = { ...tracked.state, status, time: this.options.clock() };
    if (reason) tracked.state.reason = reason;
    this.checkSettled();
    if (status === 'Filled' && tracked.commissionedShares < tracked.state.filled && this.options.awaitsCommission(tracked.orderId)) {
      // Hold the final event briefly so it carries the commission.
      if (!tracked.finalTimer) tracked.finalTimer = setTimeout(() => this.reportFinal(tracked), this.options.commissionWaitMs);
      return;
    }
    if ((status === 'Cancelled' || status === 'ApiCancelled') && !tracked.state.reason) {
      // TWS sends the reason (ERR_MSG 202) right after the status: hold the event for it, briefly.
      if (!tracked.finalTimer) tracked.finalTimer = setTimeout(() => this.reportFinal(tracked), REASON_WAIT_MS);
      return;
    }
    this.report(tracked);
  }

  /** The order's state as an event, unless it is the same as the last one or a final event is held. */
  report(tracked: TrackedOrder): void {
    if (tracked.finalTimer) return;
    const s = tracked.state;
    const signature = `${s.status}|${s.filled}|${s.remaining}|${s.reason ?? ''}|${s.commission}`;
    if (signature === tracked.lastReported) return;
    tracked.lastReported = signature;
    this.options.emitOrder({ ...s });
  }

  /** Drops the timers of held final events (their events are not sent); whoever waits for orders to settle is answered now. */
  dispose(): void {
    for (const t of this.orders.values()) if (t.finalTimer) clearTimeout(t.finalTimer);
    for (const waiter of [...this.settleWaiters]) this.endWait(waiter);
  }

  private reportFinal(tracked: TrackedOrder): void {
    if (tracked.finalTimer) clearTimeout(tracked.finalTimer);
    tracked.finalTimer = null;
    this.report(tracked);
  }

  /**
   * Finished orders stay known for a while (late commissions, reasons, a modify that must be refused
   * by name), then go: a long session must not slow down with every order it ever placed.
   */
  private retire(orderId: number): void {
    this.retired.push(orderId);
    while (this.retired.length > RETIRED_KEPT) {
      const old = this.orders.get(this.retired.shift() as number);
      if (old && old.delivery === 'done' && !old.finalTimer) this.orders.delete(old.orderId);
    }
  }

  private initialState(orderId: number, key: InstrumentKey, order: Order): OrderEvent {
    const quantity = Number(order.totalQuantity) || 0;
    return {
      orderId,
      permId: Number(order.permId) || 0,
      parentId: Number(order.parentId) || 0,
      symbol: key,
      action: sideSign(order.action) < 0 ? 'SELL' : 'BUY',
      orderType: String(order.orderType) as OrderType,
      totalQuantity: quantity,
      status: 'PendingSubmit',
      filled: 0,
      remaining: quantity,
      avgFillPrice: 0,
      lastFillPrice: 0,
      commission: 0,
      orderRef: order.orderRef ?? '',
      time: this.options.clock(),
    };
  }
}
