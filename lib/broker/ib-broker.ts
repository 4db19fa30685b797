/**
 * The broker over a TWS socket (tws and simulator modes): places, modifies and cancels orders through
 * the session's IBApi and keeps working orders, positions and fills from TWS's own events (IBApiNext
 * has no fill stream).
 *
 * Never twice: an order is identified by its orderId from the first placeOrder on. After every
 * (re)connect, before anything new leaves, the broker rebuilds what TWS holds (open orders of this
 * client, positions, today's executions) and compares it with what it had sent: an order whose ack
 * was lost is adopted when TWS has it (open or executed) and re-sent *with the same id* only when TWS
 * has neither (a same-id placeOrder is a modification at TWS, so even a wrong guess cannot make a
 * second order). Orders leave through a paced queue and are held, not dropped, while disconnected.
 */
import { EventName, type Contract, type Execution as IbExecution, type Order, type OrderState } from '@stoqey/ib';
import type { CommissionReport } from '@stoqey/ib/dist/api/report/commissionReport';
import type { ConnectionStatus, IbSession, RequestOwner } from '../ib/connection';
import { instrumentKey } from '../ib/instrument';
import type { Execution, InstrumentKey, OrderEvent, OrderStatus, OrderType, Position, Side } from '../messages';
import { sideSign } from '../orders/build';
import { OrderBook, type TrackedOrder } from './order-book';
import { OrderIdAllocator } from './order-ids';
import { OutgoingQueue, type Outgoing } from './outgoing-queue';
import { isAccountInUse, PositionBook } from './positions';
import { ReportedKeys } from './reported-keys';
import { BrokerEmitter } from './broker-emitter';
import { silentLog, type BrokerLog } from './log';
import type { Broker, WorkingOrder } from './types';

export type { BrokerLog } from './log';

export interface IbBrokerOptions {
  /** The session's fixed client id: TWS reports it on this client's orders and executions. */
  clientId: number;
  /** The connection's status (account in use). */
  statusProvider: () => ConnectionStatus;
  /**
   * Order messages per second. Default 40: @stoqey/ib itself paces every request at 40/s by default,
   * so a faster queue here would only build a second, invisible queue inside the client. TWS allows 50.
   */
  maxMessagesPerSecond?: number;
  /** Lowest order id to use (e.g. one above the highest in the journal of a previous run). */
  minOrderId?: number;
  /** Give up waiting for TWS's answers to the rebuild requests after this long (then retry). Default 5 s. */
  reconcileTimeoutMs?: number;
  /** How long a fill waits for its commission report before it is reported without. Default 1 s. */
  commissionWaitMs?: number;
  log?: BrokerLog;
  clock?: () => number;
}

type Phase = 'offline' | 'reconciling' | 'ready';

interface PendingExecution {
  execution: Execution;
  orderKnown: boolean;
  timer: NodeJS.Timeout;
}

export class IbBroker extends BrokerEmitter implements Broker {
  readonly kind = 'ib' as const;
  private readonly log: BrokerLog;
  private readonly clock: () => number;
  private readonly ids: OrderIdAllocator;
  private readonly queue: OutgoingQueue;
  private readonly positionBook = new PositionBook((position) => this.emit('position', position));
  private readonly keys = new ReportedKeys();
  private readonly orders: OrderBook;
  private readonly prices = new Map<InstrumentKey, number>();
  private readonly seenExecIds = new Set<string>();
  private readonly pendingExecutions = new Map<string, PendingExecution>();
  private readonly apiListeners: Array<[string, (...args: any[]) => void]> = [];
  private phase: Phase = 'offline';
  private netLiquidation: number | null = null;
  private reconcile: Reconciliation | null = null;
  /** Orders sent without an answer when the connection dropped: checked against TWS on reconnect. */
  private readonly unconfirmed = new Set<number>();
  private disposed = false;

  constructor(
    private readonly session: IbSession,
    private readonly options: IbBrokerOptions,
  ) {
    super();
    this.log = options.log ?? silentLog;
    this.clock = options.clock ?? Date.now;
    this.ids = new OrderIdAllocator(options.minOrderId ?? 0);
    this.orders = new OrderBook({
      clientId: options.clientId,
      clock: this.clock,
      commissionWaitMs: options.commissionWaitMs ?? 1000,
      awaitsCommission: (orderId) => this.hasPendingExecution(orderId),
      emitOrder: (event) => this.emit('order', event),
      keys: this.keys,
      log: this.log,
    });
    this.queue = new OutgoingQueue((item) => this.deliver(item), options.maxMessagesPerSecond ?? 40, this.clock);
    this.wire();
    // Made after the socket came up: ask for nextValidId, which starts the rebuild.
    if (session.api.isConnected) session.api.reqIds(1);
  }

  // ---------------------------------------------------------------- Broker

  account(): string | null {
    return this.options.statusProvider().account;
  }

  orderBlock(): string | null {
    if (this.disposed) return 'the connection was closed (redeploy or shutdown)';
    if (this.phase === 'offline') return `not connected to TWS (${this.options.statusProvider().text}): orders are refused until the connection is back`;
    if (this.phase === 'reconciling') return 'rebuilding open orders and positions from TWS after connecting: try again in a moment';
    return null;
  }

  nextOrderId(): Promise<number> {
    return this.ids.reserve(10_000, () => `no order id: TWS has not sent nextValidId (${this.options.statusProvider().text})`);
  }

  placeOrder(orderId: number, contract: Contract, order: Order): void {
    const existing = this.orders.get(orderId);
    if (existing) {
      if (existing.delivery === 'done') throw new Error(`order ${orderId} is ${existing.state.status}: it cannot be modified`);
      this.modify(existing, contract, order);
      return;
    }
    if (!this.ids.claim(orderId)) throw new Error(`order id ${orderId} was not reserved with nextOrderId(): ids come from TWS and are never reused`);
    const tracked = this.orders.add(orderId, instrumentKey(contract), { ...contract }, { ...order, orderId, clientId: this.options.clientId }, 'queued');
    this.orders.report(tracked);
    this.queue.push({ kind: 'place', orderId });
  }

  cancelOrder(orderId: number): void {
    const tracked = this.orders.get(orderId);
    if (!tracked) throw new Error(`order ${orderId} is not known to this connection: nothing to cancel`);
    if (tracked.delivery === 'done') return;
    if (tracked.delivery === 'queued') {
      // Never left: take it out of the queue and it never exists at TWS.
      this.queue.remove((item) => item.orderId === orderId);
      this.orders.finish(tracked, 'Cancelled', 'cancelled before it was sent');
      return;
    }
    if (tracked.cancelRequested && this.queue.has((item) => item.kind === 'cancel' && item.orderId === orderId)) return;
    this.orders.markCancelling(tracked);
    this.queue.push({ kind: 'cancel', orderId });
  }

  /**
   * Cancels every working order of this client, one cancel each (the API's global cancel also hits
   * other clients' and manual orders, and not every TWS-like server knows it).
   */
  cancelAll(): void {
    for (const tracked of this.orders.all()) {
      if (tracked.delivery !== 'done') this.cancelOrder(tracked.orderId);
    }
  }

  position(key: InstrumentKey): number {
    return this.positionBook.quantity(key);
  }

  positions(): Position[] {
    return this.positionBook.open();
  }

  workingOrders(key?: InstrumentKey): WorkingOrder[] {
    return this.orders.working(key);
  }

  equity(): number | null {
    return this.netLiquidation;
  }

  lastPrice(key: InstrumentKey): number | null {
    return this.prices.get(key) ?? null;
  }

  /** Messages waiting in the outgoing queue (paced or held while disconnected). */
  queued(): number {
    return this.queue.size();
  }

  /** True once the rebuild after the latest connect is complete and orders may go. */
  isReady(): boolean {
    return this.phase === 'ready';
  }

  /** Stops listening and drops timers. Orders already at TWS stay there (TWS keeps them). */
  dispose(): void {
    this.disposed = true;
    for (const [event, fn] of this.apiListeners) this.session.api.removeListener(event, fn);
    this.apiListeners.length = 0;
    this.queue.dispose();
    this.reconcile?.dispose(this.session);
    this.reconcile = null;
    for (const pending of this.pendingExecutions.values()) clearTimeout(pending.timer);
    this.pendingExecutions.clear();
    this.orders.dispose();
    this.phase = 'offline';
  }

  // ---------------------------------------------------------------- sending

  private modify(tracked: TrackedOrder, contract: Contract, order: Order): void {
    this.orders.amend(tracked, contract, order);
    // Still waiting to leave: the queued place will carry the new fields.
    if (this.queue.has((item) => item.kind === 'place' && item.orderId === tracked.orderId)) return;
    this.queue.push({ kind: 'place', orderId: tracked.orderId });
  }

  private deliver(item: Outgoing): void {
    const tracked = this.orders.get(item.orderId);
    if (!tracked || tracked.delivery === 'done') return;
    try {
      if (item.kind === 'place') {
        if (tracked.delivery === 'queued') tracked.delivery = 'sent';
        this.session.api.placeOrder(tracked.orderId, tracked.contract, tracked.order);
      } else {
        this.session.api.cancelOrder(tracked.orderId);
      }
    } catch (err) {
      // The client refused to encode it (e.g. a field this server version lacks): the order is dead.
      this.orders.finish(tracked, 'Inactive', `not sent: ${(err as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- TWS events

  private wire(): void {
    this.listen(EventName.nextValidId, (orderId: number) => this.onNextValidId(Number(orderId)));
    this.listen(EventName.disconnected, () => this.onDisconnected());
    this.listen(EventName.openOrder, (orderId: number, contract: Contract, order: Order, state: OrderState) => this.onOpenOrder(orderId, contract, order, state));
    this.listen(EventName.openOrderEnd, () => this.reconcile?.done('openOrders', this));
    this.listen(EventName.orderStatus, (orderId: number, status: OrderStatus, filled: number, remaining: number, avgFillPrice: number, permId?: number, parentId?: number, lastFillPrice?: number, clientId?: number) =>
      this.orders.onOrderStatus(orderId, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId),
    );
    this.listen(EventName.execDetails, (reqId: number, contract: Contract, execution: IbExecution) => this.onExecution(reqId, contract, execution));
    this.listen(EventName.execDetailsEnd, (reqId: number) => {
      if (this.reconcile && reqId === this.reconcile.execReqId) this.reconcile.done('executions', this);
    });
    this.listen(EventName.commissionReport, (report: CommissionReport) => this.onCommission(report));
    this.listen(EventName.position, (account: string, contract: Contract, pos: number, avgCost?: number) => this.onPosition(account, contract, pos, avgCost));
    this.listen(EventName.positionEnd, () => this.onPositionEnd());
    this.listen(EventName.accountSummary, (reqId: number, account: string, tag: string, value: string) => {
      if (tag !== 'NetLiquidation') return;
      const mine = this.account();
      if (mine && account !== mine) return;
      const n = Number(value);
      if (Number.isFinite(n)) this.netLiquidation = n;
    });
    this.listen(EventName.error, (error: Error, code: number, id: number) => this.onError(error, Number(code), Number(id)));
  }

  private listen(event: EventName, fn: (...args: any[]) => void): void {
    // Nothing a TWS message carries may throw into the socket's decoder loop.
    const safe = (...args: any[]) => {
      try {
        fn(...args);
      } catch (err) {
        this.log.warn(`broker: ${event} handler failed: ${(err as Error).stack ?? err}`);
      }
    };
    this.session.api.on(event as never, safe as never);
    this.apiListeners.push([event, safe]);
  }

  private onNextValidId(orderId: number): void {
    this.ids.observe(orderId);
    // NEXT_VALID_ID also answers reqIds(): only a new connection starts a rebuild.
    if (this.phase === 'offline' && !this.disposed) this.startReconcile();
  }

  private onDisconnected(): void {
    if (this.phase === 'offline') return;
    this.phase = 'offline';
    this.queue.pause();
    this.reconcile?.dispose(this.session);
    this.reconcile = null;
    const inFlight = this.orders.unanswered();
    for (const id of inFlight) this.unconfirmed.add(id);
    this.log.warn(`broker: disconnected; ${inFlight.length} order(s) sent without an answer will be checked against TWS on reconnect${inFlight.length ? ` (${inFlight.join(', ')})` : ''}`);
  }

  private onOpenOrder(orderId: number, contract: Contract, order: Order, orderState: OrderState): void {
    const taken = this.orders.onOpenOrder(orderId, contract, order, orderState);
    if (!taken) return;
    if (taken === 'adopted') this.ids.used(orderId);
    this.reconcile?.seenOpen.add(orderId);
  }

  private onExecution(reqId: number, contract: Contract, ib: IbExecution): void {
    const execId = ib.execId;
    if (!execId) return;
    const orderId = Number(ib.orderId);
    const tracked = this.orders.get(orderId);
    if (ib.clientId !== undefined && ib.clientId !== this.options.clientId && !tracked) return;
    const shares = Number(ib.shares) || 0;
    if (this.reconcile && !this.reconcile.execIds.has(execId)) {
      this.reconcile.execIds.add(execId);
      this.reconcile.executedShares.set(orderId, (this.reconcile.executedShares.get(orderId) ?? 0) + shares);
    }
    if (this.seenExecIds.has(execId)) return;
    this.seenExecIds.add(execId);
    const key = tracked?.key ?? this.keys.keyOf(contract);
    const side: Side = ib.side === 'SLD' || ib.side === 'SELL' ? 'SELL' : 'BUY';
    const price = Number(ib.price) || 0;
    if (price > 0) this.prices.set(key, price);
    const unsolicited = reqId === -1;
    const account = ib.acctNumber ?? this.account() ?? '';
    // Requested executions (the rebuild after a connect) are already in the positions snapshot.
    if (unsolicited && isAccountInUse(this.account(), account)) this.positionBook.applyFill(key, account, sideSign(side) * shares, price);
    // Requested executions of orders this broker never tracked are history: not news for the flow.
    if (!unsolicited && !tracked) return;
    const execution: Execution = {
      execId,
      orderId,
      permId: Number(ib.permId) || tracked?.state.permId || 0,
      symbol: key,
      side,
      shares,
      price,
      cumQty: Number(ib.cumQty) || 0,
      avgPrice: Number(ib.avgPrice) || 0,
      commission: 0,
      realizedPnl: null,
      orderRef: ib.orderRef ?? tracked?.order.orderRef ?? '',
      account,
      time: this.clock(),
    };
    const timer = setTimeout(() => this.releaseExecution(execId), this.options.commissionWaitMs ?? 1000);
    this.pendingExecutions.set(execId, { execution, orderKnown: !!tracked, timer });
  }

  private onCommission(report: CommissionReport): void {
    const execId = report.execId;
    if (!execId) return;
    const pending = this.pendingExecutions.get(execId);
    if (!pending) return;
    const commission = Number(report.commission);
    pending.execution.commission = Number.isFinite(commission) && commission < 1e300 ? commission : 0;
    const pnl = Number(report.realizedPNL);
    pending.execution.realizedPnl = Number.isFinite(pnl) && Math.abs(pnl) < 1e300 ? pnl : null;
    this.releaseExecution(execId);
  }

  /** Reports an execution (with its commission when it came in time) and folds it into its order. */
  private releaseExecution(execId: string): void {
    const pending = this.pendingExecutions.get(execId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingExecutions.delete(execId);
    const { execution } = pending;
    const tracked = this.orders.get(execution.orderId);
    if (tracked) this.orders.addCommission(tracked, execution);
    this.emit('execution', execution);
    if (tracked) this.orders.reportIfCommissioned(tracked);
  }

  private onPosition(account: string, contract: Contract, pos: number, avgCost?: number): void {
    if (!isAccountInUse(this.account(), account)) return;
    const position = this.positionBook.fromReport(account, this.keys.keyOf(contract), pos, avgCost);
    if (this.reconcile && !this.reconcile.finished.has('positions')) this.reconcile.positions.set(position.symbol, position);
    else this.positionBook.set(position);
  }

  private onPositionEnd(): void {
    const reconcile = this.reconcile;
    if (!reconcile || reconcile.finished.has('positions')) return;
    this.positionBook.replaceAll(reconcile.positions);
    reconcile.done('positions', this);
  }

  private onError(error: Error, code: number, id: number): void {
    if (this.reconcile && id === this.reconcile.execReqId) {
      this.reconcile.done('executions', this);
      return;
    }
    this.orders.onOrderError(error, code, id);
  }

  // ---------------------------------------------------------------- rebuild after connect

  private startReconcile(): void {
    this.phase = 'reconciling';
    this.reconcile?.dispose(this.session);
    const reconcile = new Reconciliation(this.session, this.options.reconcileTimeoutMs ?? 5000, () => this.onReconcileTimeout());
    this.reconcile = reconcile;
    this.log.debug('broker: connected; rebuilding open orders, positions and executions from TWS');
    const api = this.session.api;
    api.reqOpenOrders();
    api.reqPositions();
    api.reqExecutions(reconcile.execReqId, { clientId: String(this.options.clientId) });
    api.reqAccountSummary(reconcile.summaryReqId, 'All', 'NetLiquidation');
    for (let i = 0; i < 4; i++) this.queue.noteSent();
  }

  private onReconcileTimeout(): void {
    const reconcile = this.reconcile;
    if (!reconcile) return;
    if (reconcile.attempt < 2) {
      this.log.warn(`broker: TWS did not finish answering ${reconcile.missing().join(', ')} within ${this.options.reconcileTimeoutMs ?? 5000} ms; asking again`);
      reconcile.dispose(this.session);
      this.reconcile = null;
      this.startReconcileAttempt(reconcile.attempt + 1);
      return;
    }
    // Still no complete answer: go on with what is known, and re-send nothing that might exist.
    this.log.warn(`broker: TWS never finished answering ${reconcile.missing().join(', ')}; orders sent before the drop are not re-sent`);
    reconcile.resendAllowed = false;
    this.completeReconcile(reconcile);
  }

  private startReconcileAttempt(attempt: number): void {
    this.startReconcile();
    if (this.reconcile) this.reconcile.attempt = attempt;
  }

  /** Called by the Reconciliation once open orders, positions and executions are all in. */
  completeReconcile(reconcile: Reconciliation): void {
    if (this.reconcile !== reconcile) return;
    reconcile.dispose(this.session, true);
    this.reconcile = null;
    if (!reconcile.finished.has('positions')) this.onPositionEndOf(reconcile);
    let resent = 0;
    let adopted = 0;
    for (const id of this.unconfirmed) if (reconcile.seenOpen.has(id) || (reconcile.executedShares.get(id) ?? 0) > 0) adopted++;
    this.unconfirmed.clear();
    for (const tracked of this.orders.all()) {
      if (tracked.delivery === 'done' || tracked.delivery === 'queued') continue;
      const open = reconcile.seenOpen.has(tracked.orderId);
      const executed = reconcile.executedShares.get(tracked.orderId) ?? 0;
      if (open) {
        tracked.delivery = 'acked';
        // A cancel that may have been lost with the connection: ask again.
        if (tracked.cancelRequested) this.queue.pushFront({ kind: 'cancel', orderId: tracked.orderId });
        continue;
      }
      if (executed > 0) {
        const total = Number(tracked.order.totalQuantity) || 0;
        tracked.state = { ...tracked.state, filled: executed, remaining: Math.max(0, total - executed), time: this.clock() };
        this.orders.finish(tracked, executed >= total ? 'Filled' : 'Cancelled', executed >= total ? undefined : `partly filled (${executed} of ${total}) and no longer open at TWS after reconnect`);
        continue;
      }
      if (tracked.delivery === 'sent' && reconcile.resendAllowed) {
        // TWS has no trace of it: it never arrived. Same id again, so it cannot become a second order.
        resent++;
        this.queue.pushFront({ kind: 'place', orderId: tracked.orderId });
        continue;
      }
      if (tracked.delivery === 'sent') {
        this.orders.finish(tracked, 'Inactive', 'sent just before the connection dropped; TWS could not confirm it and it was not re-sent');
        continue;
      }
      this.orders.finish(tracked, tracked.cancelRequested ? 'Cancelled' : 'Inactive', tracked.cancelRequested ? 'cancelled while disconnected' : 'no longer open at TWS after reconnect');
    }
    this.phase = 'ready';
    this.log.info(`broker: ready (${this.workingOrders().length} working order(s), ${this.positions().length} position(s)${adopted ? `, ${adopted} confirmed after reconnect` : ''}${resent ? `, ${resent} re-sent with the same id` : ''})`);
    this.queue.resume();
  }

  private onPositionEndOf(reconcile: Reconciliation): void {
    // Timed out before positionEnd: keep what came (better than nothing) over the old map.
    for (const position of reconcile.positions.values()) this.positionBook.set(position);
    reconcile.finished.add('positions');
  }

  // ---------------------------------------------------------------- state helpers

  private hasPendingExecution(orderId: number): boolean {
    for (const pending of this.pendingExecutions.values()) if (pending.execution.orderId === orderId) return true;
    return false;
  }
}

type ReconcilePart = 'openOrders' | 'positions' | 'executions';

/** One rebuild after a connect: which answers are in, and what TWS said. */
class Reconciliation implements RequestOwner {
  readonly execReqId: number;
  readonly summaryReqId: number;
  readonly finished = new Set<ReconcilePart>();
  readonly seenOpen = new Set<number>();
  readonly executedShares = new Map<number, number>();
  readonly execIds = new Set<string>();
  readonly positions = new Map<InstrumentKey, Position>();
  attempt = 1;
  resendAllowed = true;
  private readonly timer: NodeJS.Timeout;

  constructor(session: IbSession, timeoutMs: number, onTimeout: () => void) {
    this.execReqId = session.allocateReqId(this);
    this.summaryReqId = session.allocateReqId({ onRequestError: () => {} });
    this.timer = setTimeout(onTimeout, timeoutMs);
  }

  onRequestError(): void {
    // reqExecutions failed: the broker treats it as "no executions" via its error listener.
  }

  done(part: ReconcilePart, broker: IbBroker): void {
    this.finished.add(part);
    if (this.finished.size === 3) broker.completeReconcile(this);
  }

  missing(): ReconcilePart[] {
    return (['openOrders', 'positions', 'executions'] as ReconcilePart[]).filter((p) => !this.finished.has(p));
  }

  dispose(session: IbSession, keepSummary = false): void {
    clearTimeout(this.timer);
    session.releaseReqId(this.execReqId);
    // The account summary subscription lives on for equity updates until the next connect.
    if (!keepSummary) session.releaseReqId(this.summaryReqId);
  }
}
