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
 *
 * This file is the Broker API, the sending, the connection phases and which TWS message goes where;
 * the parts it wires together each have their own file: order ids (order-ids.ts), the order book
 * (order-book.ts), fills (executions.ts), positions (positions.ts), the rebuild (reconciliation.ts)
 * and the paced queue (outgoing-queue.ts).
 */
import { EventName, type Contract, type Execution as IbExecution, type Order, type OrderState } from '@stoqey/ib';
import type { CommissionReport } from '@stoqey/ib/dist/api/report/commissionReport';
import type { ConnectionStatus, IbSession } from '../ib/connection';
import { OrderRehearsal } from '../ib/order-rehearsal';
import { checkContract, checkOrder } from '../ib/wire-check';
import { contractMultiplier, instrumentKey } from '../messages/instrument';
import type { Execution, InstrumentKey, OrderStatus, Position } from '../messages';
import { StrategyLedger, type LedgerTrips, type StrategyBook } from '../fills/strategy-positions';
import { ApiListeners } from './api-listeners';
import { BrokerEmitter } from './broker-emitter';
import { ExecutionTracker } from './executions';
import { silentLog, type BrokerLog } from './log';
import { OrderBook, type TrackedOrder } from './order-book';
import { OrderIdAllocator } from './order-ids';
import { OutgoingQueue, type OrderRequest } from './outgoing-queue';
import { isAccountInUse, PositionBook } from './positions';
import { Reconciliation } from './reconciliation';
import { ReportedKeys } from './reported-keys';
import type { Broker, WhatIfPreview, WorkingOrder } from '../orders/broker';
import { WhatIfDesk } from './what-if';
import { EquityMark } from '../data/equity-mark';

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
  /** Executions of earlier runs (the journal's): each strategy's position starts from them. */
  executions?: readonly Execution[];
  /** Lowest order id to use (e.g. one above the highest in the journal of a previous run). */
  minOrderId?: number;
  /** Give up waiting for TWS's answers to the rebuild requests after this long (then retry). Default 5 s. */
  reconcileTimeoutMs?: number;
  /** How long a fill waits for its commission report before it is reported without. Default 1 s. */
  commissionWaitMs?: number;
  /**
   * How often the order path is rehearsed while connected (a dry run, never sent: see
   * order-rehearsal.ts); 0 only at connect. Default 20 ms: caches forget the order path within tens
   * of milliseconds of a busy flow (every 100 ms kept the encoding at 110 us instead of 120, every
   * 20 ms brought it to 27), and two dry runs every 20 ms cost about a quarter of a percent of a core.
   */
  rehearseEveryMs?: number;
  log?: BrokerLog;
  clock?: () => number;
}

/** offline: no socket; reconciling: rebuilding after a connect (orders wait); ready: orders go. */
type Phase = 'offline' | 'reconciling' | 'ready';

/** How long nextOrderId waits for TWS's first nextValidId. */
const ORDER_ID_WAIT_MS = 10_000;
/** How long a what-if waits for TWS's answer. */
const WHAT_IF_WAIT_MS = 10_000;
/** Rebuild attempts before going on with an incomplete answer. */
const RECONCILE_ATTEMPTS = 2;

export class IbBroker extends BrokerEmitter implements Broker {
  readonly kind = 'ib' as const;
  private readonly log: BrokerLog;
  private readonly clock: () => number;
  private readonly ids: OrderIdAllocator;
  private readonly queue: OutgoingQueue;
  private readonly keys = new ReportedKeys();
  private readonly positionBook = new PositionBook((position) => this.emit('position', position));
  /** Positions per strategy, from this client's executions (seeded from the journal's, rebuilt from TWS's). */
  private readonly strategies = new StrategyLedger();
  private readonly orders: OrderBook;
  private readonly executions: ExecutionTracker;
  private readonly apiListeners: ApiListeners;
  private phase: Phase = 'offline';
  /** NetLiquidation as TWS last sent it, marked with the account's P&L since. */
  private readonly equityMark = new EquityMark();
  /** The request id of this connection's P&L stream (the account node may run others). */
  private pnlReqId: number | null = null;
  /** The account's base currency (NetLiquidation's) and what a unit of each other currency is worth in it ($LEDGER:ALL's ExchangeRate). */
  private baseCurrency: string | null = null;
  private readonly exchangeRates = new Map<string, number>();
  private reconciliation: Reconciliation | null = null;
  /** Orders sent without an answer when the connection dropped: checked against TWS on reconnect. */
  private readonly unconfirmed = new Set<number>();
  /** The contract each instrument was last traded or reported with (for flattening). */
  private readonly contracts = new Map<InstrumentKey, Contract>();
  private disposed = false;
  private readonly rehearsal: OrderRehearsal;
  /** What-if orders waiting for TWS's answer: their ids never become orders here. */
  private readonly whatIfs = new WhatIfDesk();

  constructor(
    private readonly session: IbSession,
    private readonly options: IbBrokerOptions,
  ) {
    super();
    this.log = options.log ?? silentLog;
    this.clock = options.clock ?? Date.now;
    const commissionWaitMs = options.commissionWaitMs ?? 1000;
    this.ids = new OrderIdAllocator(options.minOrderId ?? 0);
    this.orders = new OrderBook({
      clientId: options.clientId,
      clock: this.clock,
      commissionWaitMs,
      awaitsCommission: (orderId) => this.executions.awaitsCommission(orderId),
      emitOrder: (event) => this.emit('order', event),
      keys: this.keys,
      log: this.log,
    });
    this.executions = new ExecutionTracker({
      clientId: options.clientId,
      clock: this.clock,
      commissionWaitMs,
      orders: this.orders,
      positions: this.positionBook,
      keys: this.keys,
      account: () => this.account(),
      strategies: this.strategies,
      emitExecution: (execution) => this.emit('execution', execution),
    });
    for (const execution of options.executions ?? []) this.strategies.add(execution);
    this.queue = new OutgoingQueue((item) => this.deliver(item), options.maxMessagesPerSecond ?? 40, this.clock);
    this.apiListeners = new ApiListeners(session.api, this.log);
    this.rehearsal = new OrderRehearsal(session.api);
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
    return this.ids.reserve(ORDER_ID_WAIT_MS, () => `no order id: TWS has not sent nextValidId (${this.options.statusProvider().text})`);
  }

  placeOrder(orderId: number, contract: Contract, order: Order): void {
    const existing = this.orders.get(orderId);
    if (existing) {
      if (existing.delivery === 'done') throw new Error(`order ${orderId} is ${existing.state.status}: it cannot be modified`);
      this.modify(existing, contract, order);
      return;
    }
    // Refused here, with the field named, rather than when the queue hands it to the socket.
    checkContract(contract);
    checkOrder(order);
    // Every order names its account: left empty, TWS would pick one of the login's accounts itself.
    const account = order.account || this.account();
    if (!account) throw new Error(`order ${orderId}: no account to send it to (TWS has not reported its managed accounts, or the configured one is not among them): nothing sent`);
    if (!this.ids.claim(orderId)) throw new Error(`order id ${orderId} was not reserved with nextOrderId(): ids come from TWS and are never reused`);
    const key = instrumentKey(contract);
    this.contracts.set(key, { ...contract });
    const tracked = this.orders.add(orderId, key, { ...contract }, { ...order, account, orderId, clientId: this.options.clientId }, 'queued');
    // The order leaves first, then its PendingSubmit event: the event's listeners (journal line,
    // nodes' sends and statuses) would otherwise all run between the decision and the socket write.
    this.queue.push({ kind: 'place', orderId });
    this.orders.report(tracked);
    this.rehearsal.setSample(tracked.contract, tracked.order);
  }

  /**
   * A what-if order: sent at once under an order id of its own (not through the order queue: it
   * places nothing), answered by TWS's OPEN_ORDER with the margins and commission.
   */
  async whatIf(contract: Contract, order: Order): Promise<WhatIfPreview> {
    const block = this.orderBlock();
    if (block) throw new Error(block);
    checkContract(contract);
    checkOrder(order);
    const account = order.account || this.account();
    if (!account) throw new Error('what-if: no account to preview it on (TWS has not reported its managed accounts)');
    const orderId = await this.nextOrderId();
    this.ids.claim(orderId);
    const sent: Order = { ...order, account, orderId, clientId: this.options.clientId, whatIf: true, transmit: true };
    return this.whatIfs.ask(orderId, WHAT_IF_WAIT_MS, () => this.session.api.placeOrder(orderId, { ...contract }, sent));
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
   * The global cancel (reqGlobalCancel): every working order of the account, also other API clients'
   * and those entered by hand in TWS, as a kill switch must. Orders of ours still in the queue never
   * leave; the rest show PendingCancel until TWS confirms. It goes ahead of anything queued.
   */
  cancelAll(): void {
    for (const tracked of this.orders.all()) {
      if (tracked.delivery === 'queued') this.cancelOrder(tracked.orderId);
      else if (tracked.delivery !== 'done' && !tracked.cancelRequested) this.orders.markCancelling(tracked);
    }
    this.queue.remove((item) => item.kind === 'globalCancel');
    this.queue.pushFront({ kind: 'globalCancel', orderId: 0 });
  }

  /**
   * The contract to trade `key` with (flattening a position): the one our own orders used, else the one
   * TWS reported the position with, routed through SMART for stocks; null when neither is known.
   */
  contractOf(key: InstrumentKey): Contract | null {
    return this.contracts.get(key) ?? null;
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

  awaitSettled(timeoutMs: number, orderIds?: readonly number[]): Promise<number[]> {
    return this.orders.whenSettled(orderIds ?? this.orders.unsettled(), timeoutMs);
  }

  strategyPosition(strategy: string, key: InstrumentKey): number {
    return this.strategies.quantity(strategy, key);
  }

  strategyBook(): StrategyBook {
    return this.strategies.book();
  }

  strategyTrips(): LedgerTrips {
    return this.strategies.trips();
  }

  equity(): number | null {
    return this.equityMark.value();
  }

  lastPrice(key: InstrumentKey): number | null {
    return this.executions.lastPrice(key);
  }

  keepWarm(rehearse: () => void, group?: string): () => void {
    return this.rehearsal.add(rehearse, group);
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
    this.rehearsal.stop();
    this.apiListeners.removeAll();
    this.queue.dispose();
    this.reconciliation?.dispose();
    this.reconciliation = null;
    this.executions.dispose();
    this.orders.dispose();
    this.phase = 'offline';
  }

  // ---------------------------------------------------------------- sending

  private modify(tracked: TrackedOrder, contract: Contract, order: Order): void {
    checkContract(contract);
    checkOrder(order);
    this.orders.amend(tracked, contract, { ...order, account: order.account || tracked.order.account });
    // Still waiting to leave: the queued place will carry the new fields.
    if (this.queue.has((item) => item.kind === 'place' && item.orderId === tracked.orderId)) return;
    this.queue.push({ kind: 'place', orderId: tracked.orderId });
  }

  private deliver(item: OrderRequest): void {
    if (item.kind === 'globalCancel') {
      try {
        this.session.api.reqGlobalCancel();
      } catch (err) {
        this.log.warn(`broker: the global cancel could not be sent: ${(err as Error).message}`);
      }
      return;
    }
    const tracked = this.orders.get(item.orderId);
    if (!tracked || tracked.delivery === 'done') return;
    try {
      if (item.kind === 'place') {
        if (tracked.delivery === 'queued') tracked.delivery = 'sent';
        this.session.placeOrder(tracked.orderId, tracked.contract, tracked.order);
      } else {
        this.session.api.cancelOrder(tracked.orderId);
      }
    } catch (err) {
      // The client refused to encode it (e.g. a field this server version lacks): the order is dead.
      // Its PendingSubmit still goes first (placeOrder reports it only after the hand-off).
      this.orders.report(tracked);
      this.orders.finish(tracked, 'Inactive', `not sent: ${(err as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- TWS events

  /** Which TWS message goes where. */
  private wire(): void {
    const on = (event: EventName, handler: (...args: any[]) => void) => this.apiListeners.on(event, handler);
    on(EventName.nextValidId, (orderId: number) => this.onNextValidId(Number(orderId)));
    on(EventName.disconnected, () => this.onDisconnected());
    on(EventName.openOrder, (orderId: number, contract: Contract, order: Order, state: OrderState) => this.onOpenOrder(orderId, contract, order, state));
    on(EventName.openOrderEnd, () => this.reconciliation?.done('openOrders'));
    on(EventName.orderStatus, (orderId: number, status: OrderStatus, filled: number, remaining: number, avgFillPrice: number, permId?: number, parentId?: number, lastFillPrice?: number, clientId?: number) =>
      this.orders.onOrderStatus(orderId, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId),
    );
    on(EventName.execDetails, (reqId: number, contract: Contract, execution: IbExecution) => this.executions.onExecDetails(reqId, contract, execution, this.reconciliation));
    on(EventName.execDetailsEnd, (reqId: number) => {
      if (this.reconciliation && reqId === this.reconciliation.execReqId) this.reconciliation.done('executions');
    });
    on(EventName.commissionReport, (report: CommissionReport) => this.executions.onCommission(report));
    on(EventName.position, (account: string, contract: Contract, pos: number, avgCost?: number) => this.onPosition(account, contract, pos, avgCost));
    on(EventName.positionEnd, () => this.onPositionEnd());
    on(EventName.accountSummary, (_reqId: number, account: string, tag: string, value: string, currency: string) => this.onAccountSummary(account, tag, value, currency));
    on(EventName.pnl, (reqId: number, daily: number) => {
      if (reqId === this.pnlReqId) this.equityMark.onDailyPnl(Number(daily));
    });
    on(EventName.error, (error: Error, code: number, id: number) => this.onError(error, Number(code), Number(id)));
  }

  private onNextValidId(orderId: number): void {
    this.ids.observe(orderId);
    // NEXT_VALID_ID also answers reqIds(): only a new connection starts a rebuild.
    if (this.phase === 'offline' && !this.disposed) this.startReconcile();
  }

  private onDisconnected(): void {
    this.whatIfs.failAll('the connection to TWS dropped before it answered');
    if (this.phase === 'offline') return;
    this.phase = 'offline';
    this.queue.pause();
    this.rehearsal.stop();
    this.reconciliation?.dispose();
    this.reconciliation = null;
    const inFlight = this.orders.unanswered();
    for (const id of inFlight) this.unconfirmed.add(id);
    this.log.warn(`broker: disconnected; ${inFlight.length} order(s) sent without an answer will be checked against TWS on reconnect${inFlight.length ? ` (${inFlight.join(', ')})` : ''}`);
  }

  private onOpenOrder(orderId: number, contract: Contract, order: Order, orderState: OrderState): void {
    if (this.whatIfs.has(orderId)) {
      this.whatIfs.answer(orderId, orderState);
      return;
    }
    const taken = this.orders.onOpenOrder(orderId, contract, order, orderState);
    if (!taken) return;
    if (taken === 'adopted') this.ids.used(orderId);
    this.reconciliation?.seenOpen.add(orderId);
  }

  private onPosition(account: string, contract: Contract, pos: number, avgCost?: number): void {
    if (!isAccountInUse(this.account(), account)) return;
    const key = this.keys.keyOf(contract);
    if (!this.contracts.has(key)) {
      const secType = String(contract.secType ?? 'STK').toUpperCase();
      // Positions name the primary exchange or none; orders route through SMART (see ReportedKeys).
      this.contracts.set(key, { ...contract, exchange: secType === 'STK' ? 'SMART' : contract.exchange || contract.primaryExch });
    }
    const position = this.positionBook.fromReport(account, key, pos, avgCost, contractMultiplier(contract));
    if (this.reconciliation?.collectsPositions()) this.reconciliation.positions.set(position.symbol, position);
    else this.positionBook.set(position);
  }

  private onPositionEnd(): void {
    const reconciliation = this.reconciliation;
    if (!reconciliation?.collectsPositions()) return;
    this.positionBook.replaceAll(reconciliation.positions);
    reconciliation.done('positions');
  }

  private onAccountSummary(account: string, tag: string, value: string, currency: string): void {
    if (tag !== 'NetLiquidation' && tag !== 'ExchangeRate') return;
    const mine = this.account();
    if (mine && account !== mine) return;
    const n = Number(value);
    if (!Number.isFinite(n)) return;
    const code = String(currency ?? '').toUpperCase();
    if (tag === 'NetLiquidation') {
      this.equityMark.onNetLiquidation(n);
      // NetLiquidation comes in the account's base currency.
      if (code && code !== 'BASE') this.baseCurrency = code;
    } else if (code && code !== 'BASE' && n > 0) {
      // $LEDGER:ALL: one unit of `code` in the base currency.
      this.exchangeRates.set(code, n);
    }
  }

  currencyValue(currency: string): { base: string; rate: number | null } | null {
    if (this.baseCurrency === null) return null;
    const code = currency.toUpperCase();
    return { base: this.baseCurrency, rate: code === this.baseCurrency ? 1 : (this.exchangeRates.get(code) ?? null) };
  }

  private onError(error: Error, code: number, id: number): void {
    if (this.whatIfs.has(id)) {
      this.whatIfs.fail(id, new Error(`what-if refused by TWS (${code}): ${error.message}`));
      return;
    }
    if (this.reconciliation && id === this.reconciliation.execReqId) {
      // reqExecutions failed: go on as if TWS had listed none.
      this.reconciliation.done('executions');
      return;
    }
    this.orders.onOrderError(error, code, id);
  }

  // ---------------------------------------------------------------- rebuild after connect

  private startReconcile(attempt = 1): void {
    this.phase = 'reconciling';
    this.reconciliation?.dispose();
    const reconciliation = new Reconciliation(
      this.session,
      attempt,
      this.options.reconcileTimeoutMs ?? 5000,
      () => this.onReconcileTimeout(),
      (done) => this.completeReconcile(done),
    );
    this.reconciliation = reconciliation;
    this.equityMark.restart();
    this.pnlReqId = reconciliation.pnlReqId;
    this.log.debug('broker: connected; rebuilding open orders, positions and executions from TWS');
    const sent = reconciliation.request(this.options.clientId, this.account());
    for (let i = 0; i < sent; i++) this.queue.noteSent();
  }

  private onReconcileTimeout(): void {
    const reconciliation = this.reconciliation;
    if (!reconciliation) return;
    if (reconciliation.attempt < RECONCILE_ATTEMPTS) {
      this.log.warn(`broker: TWS did not finish answering ${reconciliation.missing().join(', ')} within ${this.options.reconcileTimeoutMs ?? 5000} ms; asking again`);
      reconciliation.dispose();
      this.reconciliation = null;
      this.startReconcile(reconciliation.attempt + 1);
      return;
    }
    // Still no complete answer: go on with what is known, and re-send nothing that might exist.
    this.log.warn(`broker: TWS never finished answering ${reconciliation.missing().join(', ')}; orders sent before the drop are not re-sent`);
    reconciliation.resendAllowed = false;
    this.completeReconcile(reconciliation);
  }

  /** Once open orders, positions and executions are all in (or the last attempt timed out). */
  private completeReconcile(reconciliation: Reconciliation): void {
    if (this.reconciliation !== reconciliation) return;
    reconciliation.dispose(true);
    this.reconciliation = null;
    if (reconciliation.collectsPositions()) {
      // Timed out before positionEnd: keep what came (better than nothing) over the old map.
      for (const position of reconciliation.positions.values()) this.positionBook.set(position);
      reconciliation.finished.add('positions');
    }
    let adopted = 0;
    for (const id of this.unconfirmed) if (reconciliation.knows(id)) adopted++;
    this.unconfirmed.clear();
    const resent = reconciliation.settle(this.orders, this.queue, this.clock);
    this.phase = 'ready';
    this.log.info(`broker: ready (${this.workingOrders().length} working order(s), ${this.positions().length} position(s)${adopted ? `, ${adopted} confirmed after reconnect` : ''}${resent ? `, ${resent} re-sent with the same id` : ''})`);
    this.queue.resume();
    this.rehearsal.start(this.options.rehearseEveryMs ?? 20);
  }
}
