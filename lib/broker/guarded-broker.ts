/**
 * The account-level guard every order passes, whatever broker is underneath (TWS, simulator, backtest):
 * the live-account interlock, the kill switch, the daily-loss lock, duplicate protection and the risk
 * limits. It writes every decision (inputs, limit checks, what was sent or why not) and every order
 * event, fill and commission to the journal, before the order leaves.
 *
 * A refusal throws OrderRefusedError whose message names the limit: nodes turn it into done(err).
 */
import type { Contract, Order } from '@stoqey/ib';
import type { ConnectionStatus } from '../ib/connection';
import { contractFromKey, contractMultiplier, instrumentKey } from '../messages/instrument';
import type { JournalMemory } from '../journal/journal';
import type { Journal } from '../journal/journal';
import type { Execution, InstrumentKey, OrderEvent, Position, Side } from '../messages';
import { sideSign } from '../orders/build';
import { orderOwnPrice } from '../messages/order-types';
import { OrderRefusedError } from '../orders/errors';
import { isWholeIncrements, MAX_ORDER_QUANTITY, quantityProblem } from '../orders/quantity';
import { orderSizeRules } from '../messages/size-rules';
import { said, type Said } from '../messages/texts';
import { DailyLossLock } from '../risk-controls/daily-loss';
import { checkOrderLimits, type LimitCheck, type RiskLimits } from '../risk-controls/limits';
import { SlidingWindowCounter } from '../risk-controls/rate-window';
import { BrokerEmitter } from './broker-emitter';
import type { Broker, BrokerEvents, FlattenOutcome, FlattenScope, OrderContext, WhatIfPreview, WorkingOrder } from '../orders/broker';
import type { LedgerTrips, StrategyBook } from '../fills/strategy-positions';

/** Measurements one flatten makes at most: the first, then one after each round of closing orders filled. */
const FLATTEN_PASSES = 3;
/** How long orders still working after a flatten are watched for a late fill to close. */
const LATE_FILL_WATCH_MS = 15 * 60_000;

/** One market order of a flatten: a position's share of one owner (orderRef) to close. */
interface FlattenLeg {
  symbol: InstrumentKey;
  quantity: number;
  orderRef: string;
  multiplier?: number;
}

export interface GuardOptions {
  limits: RiskLimits;
  /** Where decisions and fills are written; null writes nothing (e.g. a fast batch backtest). */
  journal: Journal | null;
  /**
   * The connection's status, for the live interlock: orders are refused while status.live and not
   * status.liveOrdersAllowed, and while the account is not yet known. Omit for a backtest.
   */
  statusProvider?: () => ConnectionStatus | null;
  /** Clock for orders-per-minute and the session day (a backtest passes its replay clock). */
  clock?: () => number;
  /** Time zone whose calendar day is the trading session (daily-loss lock). Default America/New_York. */
  timeZone?: string;
  /**
   * What the journal of a previous run remembers: dedup keys already sent, and a kill switch or a
   * daily-loss lock still on, which hold again from the start (until msg.resume, or for the daily loss
   * the next session day).
   */
  memory?: JournalMemory;
  /** Re-measure the daily loss from equity this often (ms); 0 only on fills and orders. Default 5000. */
  lossCheckMs?: number;
  /**
   * How long flatten waits for the orders working at the halt to end, and then for its closing orders
   * to fill, before it measures the positions (again). Default 3000.
   */
  flattenWaitMs?: number;
}

export class GuardedBroker extends BrokerEmitter implements Broker {
  private readonly clock: () => number;
  private readonly rate: SlidingWindowCounter;
  private readonly dailyLoss: DailyLossLock;
  private readonly sentByDedupKey: Map<string, number>;
  /** Who placed each order of this run (OrderContext.source), for placedBy. */
  private readonly placers = new Map<number, string>();
  private readonly prices = new Map<InstrumentKey, number>();
  private halted: string | null = null;
  private readonly lossTimer: NodeJS.Timeout | null;
  private readonly forward: { [E in keyof BrokerEvents]: BrokerEvents[E] };
  /** The last order placed, for the dry run of the checks and the journal line (rehearse()). */
  private sample: { orderId: number; contract: Contract; order: Order; context: OrderContext } | null = null;
  private readonly stopRehearsal: (() => void) | null;
  /** The flatten under way (flattens run one after the other: two at once would both close the same position). */
  private flattening: Promise<unknown> = Promise.resolve();
  /** Closing orders flatten sent, by instrument, until they settle: a later measurement leaves their instrument to them. */
  private readonly closing = new Map<number, InstrumentKey>();
  private disposed = false;

  constructor(
    readonly inner: Broker,
    private readonly options: GuardOptions,
  ) {
    super();
    this.clock = options.clock ?? Date.now;
    this.rate = new SlidingWindowCounter(60_000, this.clock);
    this.dailyLoss = new DailyLossLock({ maxDailyLoss: options.limits.maxDailyLoss ?? null, timeZone: options.timeZone, clock: this.clock });
    this.sentByDedupKey = new Map(options.memory?.sentByDedupKey ?? []);
    const halt = options.memory?.halt;
    if (halt) this.halted = `${halt.reason} (since ${new Date(halt.time).toISOString()}, kept across the restart)`;
    const lock = options.memory?.dailyLossLock;
    if (lock) this.dailyLoss.restore(lock.session, lock.reason);
    this.forward = {
      order: (event: OrderEvent) => {
        this.options.journal?.appendSoon('order', { orderId: event.orderId, event });
        this.emit('order', event);
      },
      execution: (execution: Execution) => {
        this.options.journal?.appendSoon('execution', { orderId: execution.orderId, execution });
        if (execution.realizedPnl !== null) this.dailyLoss.addRealized(execution.realizedPnl);
        this.emit('execution', execution);
        this.checkDailyLoss();
      },
      position: (position: Position) => this.emit('position', position),
    };
    inner.on('order', this.forward.order);
    inner.on('execution', this.forward.execution);
    inner.on('position', this.forward.position);
    this.stopRehearsal = inner.keepWarm?.(() => this.rehearse()) ?? null;
    const every = options.lossCheckMs ?? 5000;
    this.lossTimer = options.limits.maxDailyLoss && every > 0 ? setInterval(() => this.checkDailyLoss(), every) : null;
    this.lossTimer?.unref();
  }

  get kind() {
    return this.inner.kind;
  }

  account(): string | null {
    return this.inner.account();
  }

  orderBlock(): string | null {
    if (this.halted) return `trading halted: ${this.halted} (send msg.resume = true to lift it)`;
    const locked = this.dailyLoss.locked();
    if (locked) return locked;
    return this.connectionBlock();
  }

  /** Why no order may go to this account now, locks aside: the live interlock, the account, the socket. */
  private connectionBlock(): string | null {
    const status = this.options.statusProvider?.() ?? null;
    if (status && status.mode !== 'backtest') {
      // A configured account TWS does not manage: its message names the accounts TWS does manage.
      if (!status.account && status.error && status.accounts.length > 0) return status.error;
      if (status.live && !status.liveOrdersAllowed) {
        const live = status.accounts.filter((a) => !a.toUpperCase().startsWith('D'));
        const which = live.length ? live.join(', ') : (status.account ?? '');
        return `live account ${which}: orders are refused because "allow live orders" is not ticked on the ib-connect node`.replace('  ', ' ');
      }
      const inner = this.inner.orderBlock();
      if (inner) return inner;
      if (!status.account) return 'the account is not known yet (TWS has not sent its managed accounts): orders wait until it is, so a live account is never traded by mistake';
      return null;
    }
    return this.inner.orderBlock();
  }

  /**
   * Why an order naming `account` (msg.order.account, place-order's Account) cannot go there: TWS does
   * not manage it. null when it may, or when the order names none (it then goes to the connection's).
   */
  private accountRefusal(account: unknown): string | null {
    if (account === undefined || account === null || account === '') return null;
    const status = this.options.statusProvider?.() ?? null;
    if (!status || status.mode === 'backtest' || status.accounts.length === 0) return null;
    const named = String(account).trim().toUpperCase();
    if (status.accounts.some((a) => a.toUpperCase() === named)) return null;
    return `order account ${String(account)} is not managed by this TWS login, which manages ${status.accounts.join(', ')}: fix msg.order.account or the place-order node's Account`;
  }

  nextOrderId(): Promise<number> {
    return this.inner.nextOrderId();
  }

  placeOrder(orderId: number, contract: Contract, order: Order, context: OrderContext = {}): void {
    const key = instrumentKey(contract);
    const working = this.inner.workingOrders(key);
    const isModify = working.some((w) => w.orderId === orderId);
    if (context.price !== undefined && Number.isFinite(context.price) && context.price > 0) this.prices.set(key, context.price);
    // The journal line of the decision; without a journal (a batch backtest, a million bars) not built.
    const decision = this.options.journal
      ? {
          orderId,
          key,
          source: context.source,
          dedupKey: context.dedupKey,
          modify: isModify,
          order: summarize(order),
          inputs: context.inputs,
        }
      : null;
    const refuse = (rule: string, reason: string | Said, checks?: LimitCheck[]): never => {
      const refusal = new OrderRefusedError(rule, reason);
      this.record('decision', { ...decision, checks, result: 'refused', rule, reason: refusal.message });
      throw refusal;
    };
    if (context.history) {
      const history = this.historyBlock();
      if (history) refuse('history', history);
    }
    if (context.dedupKey && !isModify && this.sentByDedupKey.has(context.dedupKey)) {
      refuse('duplicate', said('orders.duplicate', { orderId: this.sentByDedupKey.get(context.dedupKey) ?? null }));
    }
    const rules = context.sizeRules ?? orderSizeRules(null, contract);
    const increment = rules.increment;
    // The label of the refusal is built only for a quantity that is wrong (the common case is a plain whole number).
    const plainQuantity = typeof order.totalQuantity === 'number' && order.totalQuantity >= rules.minSize && order.totalQuantity > 0 && order.totalQuantity <= MAX_ORDER_QUANTITY && isWholeIncrements(order.totalQuantity, increment);
    const quantityWrong = plainQuantity ? null : quantityProblem(order.totalQuantity, said('quantity.orderField', { orderId, field: 'totalQuantity' }), increment, rules.minSize);
    if (quantityWrong) refuse('order quantity', quantityWrong);
    this.checkDailyLoss();
    const block = this.orderBlock();
    if (block) refuse(this.halted ? 'halt' : this.dailyLoss.locked() ? 'max daily loss' : 'interlock', block);
    const wrongAccount = this.accountRefusal(order.account);
    if (wrongAccount) refuse('account', wrongAccount);
    const checks = this.limitChecks(key, orderId, contract, order, context, working);
    const breach = checks.find((c) => !c.ok);
    if (breach) refuse(breach.limit, breach.said ?? breach.message ?? breach.limit, checks);
    if (decision) this.record('decision', { ...decision, checks, result: 'sent' });
    // Known before the order's first event, which the broker underneath may emit as it places it.
    const newPlacer = context.source !== undefined && !this.placers.has(orderId) ? context.source : null;
    if (newPlacer !== null) this.placers.set(orderId, newPlacer);
    try {
      this.inner.placeOrder(orderId, contract, order, context);
    } catch (err) {
      if (newPlacer !== null) this.placers.delete(orderId);
      if (decision) this.record('decision', { ...decision, result: 'failed', reason: (err as Error).message });
      throw err;
    }
    this.sample = { orderId, contract, order, context };
    this.rate.record();
    if (context.dedupKey) this.sentByDedupKey.set(context.dedupKey, orderId);
  }

  /** The risk limits checked for an order about to go (working: the instrument's working orders). */
  private limitChecks(key: InstrumentKey, orderId: number, contract: Contract, order: Order, context: OrderContext, working: readonly WorkingOrder[]): LimitCheck[] {
    // Orders whose cancel is not confirmed can still fill: they count until TWS says they are done.
    const limits = this.options.limits;
    // What only one limit reads is looked up only when that limit is set (a batch sends an order every
    // few bars: its price, currency, position and working orders were built for every one).
    const notional = !!limits.maxOrderNotional;
    const exposure = !!limits.maxPosition;
    return checkOrderLimits(limits, {
      key,
      action: sideSign(order.action) < 0 ? 'SELL' : 'BUY',
      quantity: Number(order.totalQuantity),
      price: notional ? this.priceOf(key, order, context) : null,
      multiplier: contractMultiplier(contract),
      secType: contract.secType,
      currency: notional ? this.currencyOf(contract) : undefined,
      position: exposure ? this.inner.position(key) : 0,
      working: 0,
      workingOrders: exposure
        ? working
            .filter((w) => w.orderId !== orderId)
            .map((w) => ({ orderId: w.orderId, action: String(w.order.action), remaining: remainingOf(w), parentId: Number(w.order.parentId) || 0, ocaGroup: w.order.ocaGroup || undefined }))
        : [],
      parentId: Number(order.parentId) || 0,
      ocaGroup: order.ocaGroup || undefined,
      ordersLastMinute: this.rate.count(),
    });
  }

  /**
   * A dry run of the checks and the journal line on the last order placed (Broker.keepWarm): read
   * only, nothing recorded, placed or written, so that this code is not cold when an order comes.
   */
  rehearse(): void {
    const sample = this.sample;
    if (!sample) return;
    const key = instrumentKey(sample.contract);
    const checks = this.limitChecks(key, sample.orderId, sample.contract, sample.order, sample.context, this.inner.workingOrders(key));
    this.options.journal?.lineOf('decision', { orderId: sample.orderId, key, source: sample.context.source, dedupKey: sample.context.dedupKey, modify: false, order: summarize(sample.order), inputs: sample.context.inputs, checks, result: 'sent' });
  }

  keepWarm(rehearse: () => void, group?: string): () => void {
    return this.inner.keepWarm?.(rehearse, group) ?? (() => {});
  }

  cancelOrder(orderId: number): void {
    this.record('cancel', { orderId });
    this.inner.cancelOrder(orderId);
  }

  cancelAll(): void {
    this.record('cancel', { all: true, global: this.inner.kind === 'ib', orderIds: this.inner.workingOrders().map((w) => w.orderId) });
    this.inner.cancelAll();
  }

  placedFor(dedupKey: string): number | null {
    return this.sentByDedupKey.get(dedupKey) ?? null;
  }

  placedBy(orderId: number): string | undefined {
    return this.placers.get(orderId);
  }

  /**
   * Kill switch: the global cancel (every working order of the account, whoever placed it) and no new
   * order until resume(); journaled, so it holds again after a restart. flatten() may follow it.
   */
  halt(reason: string, options: { flatten?: FlattenScope } = {}): void {
    this.halted = reason || 'kill switch';
    this.record('halt', { reason: this.halted, flatten: options.flatten });
    this.cancelAll();
  }

  /**
   * Closes positions with market orders, journaled like every order (source "flatten"), past the
   * kill switch and the loss lock (closing is what they are for) but never past the live interlock.
   * Scope 'strategy': the positions of `strategy` (its orderRef), from its own executions; 'account':
   * every position of the account, also ones traded by hand, each strategy's share closed under its
   * own orderRef (so every strategy ends flat too) and the rest under none. `by` (a node id) placed
   * the closing orders, as placedBy answers: its node reports them, not the strategies they close.
   *
   * An order working at the halt can still fill (its cancel reaches the exchange too late), and TWS
   * reports a fill a moment after it happened: measured at once, such a fill would stay open. So the
   * positions are measured only once the orders working at the halt have ended and their fills are in
   * (waiting up to flattenWaitMs), and again once the closing orders have filled, closing what a late
   * fill left; what can still fill after that is watched, and its fill closed when it comes. Each
   * measurement is of settled orders only, and an instrument whose closing order has not filled yet is
   * left to it, so no fill is closed twice. Flattens run one after the other.
   */
  flatten(scope: FlattenScope, strategy = '', by?: string): Promise<FlattenOutcome> {
    const run = this.flattening.then(() => this.flattenNow(scope, strategy, by));
    this.flattening = run.catch(() => {});
    return run;
  }

  private async flattenNow(scope: FlattenScope, strategy: string, by: string | undefined): Promise<FlattenOutcome> {
    const block = this.connectionBlock();
    if (block) throw new OrderRefusedError('interlock', `flatten: nothing sent: ${block}`);
    if (scope === 'strategy' && !this.inner.strategyBook) throw new OrderRefusedError('flatten', 'flatten: this connection keeps no positions per strategy; send msg.flatten = "account" to close every position of the account');
    const waitMs = this.options.flattenWaitMs ?? 3000;
    const outcome: FlattenOutcome = { orderIds: [], positions: 0, failed: [], open: [], closing: [], working: [] };
    let unsettled = await this.settle(waitMs);
    for (let pass = 0; pass < FLATTEN_PASSES && !this.disposed; pass++) {
      const legs = this.flattenLegs(scope, strategy).filter((leg) => !this.closingOn(leg.symbol));
      if (legs.length === 0) break;
      outcome.positions += legs.length;
      const sent = await this.sendClosingOrders(legs, scope, by, outcome.failed);
      outcome.orderIds.push(...sent);
      if (sent.length === 0 || !this.inner.awaitSettled) break;
      unsettled = await this.settle(waitMs);
    }
    outcome.open = this.flattenLegs(scope, strategy).map((leg) => `${leg.symbol} ${leg.quantity}`);
    // A broker that cannot say when orders settle (a backtest's) still lists the ones working.
    const working = this.inner.awaitSettled ? unsettled : this.inner.workingOrders().map((w) => w.orderId);
    outcome.closing = outcome.orderIds.filter((id) => working.includes(id));
    outcome.working = working.filter((id) => !outcome.orderIds.includes(id));
    this.record('flatten', { scope, strategy: scope === 'strategy' ? strategy : undefined, orderIds: outcome.orderIds, open: outcome.open, closing: outcome.closing, working: outcome.working, failed: outcome.failed });
    const late = outcome.working.filter((id) => !this.closing.has(id));
    if (late.length && this.inner.awaitSettled) void this.closeLateFills(late, scope, strategy, by);
    return outcome;
  }

  /** Orders still working after a flatten may fill yet: once they have settled, flatten again (while halted). */
  private async closeLateFills(orderIds: number[], scope: FlattenScope, strategy: string, by: string | undefined): Promise<void> {
    const still = await this.inner.awaitSettled!(LATE_FILL_WATCH_MS, orderIds);
    if (this.disposed || !this.halted || still.length === orderIds.length) return;
    await this.flatten(scope, strategy, by).catch((err: Error) => this.record('flatten', { scope, late: true, failed: [err.message] }));
  }

  /** Waits for every order not settled now (see Broker.awaitSettled); returns those still unsettled, closing orders no longer so forgotten. */
  private async settle(timeoutMs: number): Promise<number[]> {
    const unsettled = (await this.inner.awaitSettled?.(timeoutMs)) ?? [];
    for (const id of [...this.closing.keys()]) if (!unsettled.includes(id)) this.closing.delete(id);
    return unsettled;
  }

  /** True while a closing order flatten sent on `key` has not settled. */
  private closingOn(key: InstrumentKey): boolean {
    for (const on of this.closing.values()) if (on === key) return true;
    return false;
  }

  /** What there is to close now: per instrument and owner (orderRef), the signed quantity. */
  private flattenLegs(scope: FlattenScope, strategy: string): FlattenLeg[] {
    const book = this.inner.strategyBook?.() ?? null;
    const legs: FlattenLeg[] = [];
    if (scope === 'strategy') {
      for (const [symbol, p] of Object.entries(book?.[strategy] ?? {})) if (p.quantity) legs.push({ symbol, quantity: p.quantity, orderRef: strategy, multiplier: p.multiplier });
      return legs;
    }
    for (const position of this.inner.positions()) {
      if (!Number.isFinite(position.quantity) || position.quantity === 0) continue;
      let rest = position.quantity;
      for (const [owner, byKey] of Object.entries(book ?? {})) {
        const share = owner ? (byKey[position.symbol]?.quantity ?? 0) : 0;
        if (!share) continue;
        legs.push({ symbol: position.symbol, quantity: share, orderRef: owner, multiplier: position.multiplier });
        rest -= share;
      }
      if (Math.abs(rest) > 1e-9) legs.push({ symbol: position.symbol, quantity: rest, orderRef: '', multiplier: position.multiplier });
    }
    return legs;
  }

  /** One market order per leg, each journaled before it leaves; returns the ids sent, failures added to `failed`. */
  private async sendClosingOrders(legs: FlattenLeg[], scope: FlattenScope, by: string | undefined, failed: string[]): Promise<number[]> {
    const orderIds: number[] = [];
    for (const leg of legs) {
      const key = leg.symbol;
      const known = this.inner.contractOf?.(key) ?? contractOrNull(key);
      const contract = known ? { ...known } : null;
      if (!contract) {
        failed.push(`${key}: no contract known to trade it with`);
        continue;
      }
      if (leg.multiplier && !contract.multiplier) contract.multiplier = String(leg.multiplier) as unknown as Contract['multiplier'];
      const action: Side = leg.quantity > 0 ? 'SELL' : 'BUY';
      const order: Order = { action: action as Order['action'], totalQuantity: Math.abs(leg.quantity), orderType: 'MKT' as Order['orderType'], tif: 'DAY' as Order['tif'], orderRef: leg.orderRef, transmit: true };
      const orderId = await this.inner.nextOrderId();
      const decision = { orderId, key, source: 'flatten', scope, order: summarize(order), inputs: { position: leg.quantity } };
      try {
        this.record('decision', { ...decision, result: 'sent' });
        if (by !== undefined) this.placers.set(orderId, by);
        this.inner.placeOrder(orderId, contract, order, { source: 'flatten' });
        this.closing.set(orderId, key);
        orderIds.push(orderId);
      } catch (err) {
        this.placers.delete(orderId);
        this.record('decision', { ...decision, result: 'failed', reason: (err as Error).message });
        failed.push(`${key}: ${(err as Error).message}`);
      }
    }
    return orderIds;
  }

  /**
   * Why an order from history is refused: everywhere but on a backtest, whose fill engine replays the
   * same history. Decided by the broker underneath (the fill engine's or TWS's), not by a setting.
   */
  historyBlock(): string | null {
    if (this.inner.kind === 'backtest') return null;
    const mode = this.options.statusProvider?.()?.mode ?? 'tws';
    return `history is not traded: this message carries msg.history = true (bars replayed from a file or a message, or IB's history), and on a ${mode} connection history never becomes orders; indicators still warm up on it. To trade this flow on history, backtest it: set the ib-connect node's mode to "backtest"`;
  }

  /** Why trading is halted (kill switch, also one kept from before a restart), or null. */
  haltReason(): string | null {
    return this.halted;
  }

  /** Lifts a halt and the daily-loss lock (measuring the day's loss again from now). */
  resume(): void {
    this.halted = null;
    this.dailyLoss.reset(this.inner.equity());
    this.record('resume', {});
  }

  /** The daily-loss measure and lock, for status displays. */
  dailyLossState() {
    return this.dailyLoss.state();
  }

  limits(): RiskLimits {
    return { ...this.options.limits };
  }

  position(key: InstrumentKey): number {
    return this.inner.position(key);
  }

  positions(): Position[] {
    return this.inner.positions();
  }

  workingOrders(key?: InstrumentKey): WorkingOrder[] {
    return this.inner.workingOrders(key);
  }

  strategyPosition(strategy: string, key: InstrumentKey): number | null {
    return this.inner.strategyPosition?.(strategy, key) ?? null;
  }

  strategyBook(): StrategyBook {
    return this.inner.strategyBook?.() ?? {};
  }

  strategyTrips(): LedgerTrips {
    return this.inner.strategyTrips?.() ?? { strategies: {}, instruments: {} };
  }

  equity(): number | null {
    return this.inner.equity();
  }

  currencyValue(currency: string): { base: string; rate: number | null } | null {
    return this.inner.currencyValue?.(currency) ?? null;
  }

  lastPrice(key: InstrumentKey): number | null {
    return this.inner.lastPrice(key) ?? this.prices.get(key) ?? null;
  }

  /**
   * A what-if places nothing: it passes no limit and is not journaled as an order sent; the broker
   * underneath asks TWS (or its fill engine).
   */
  whatIf(contract: Contract, order: Order): Promise<WhatIfPreview> {
    if (!this.inner.whatIf) return Promise.reject(new Error('this connection cannot preview orders (its broker has no what-if)'));
    return this.inner.whatIf(contract, order);
  }

  /** Stops listening to the inner broker and closes the journal. */
  dispose(): void {
    this.disposed = true;
    if (this.lossTimer) clearInterval(this.lossTimer);
    this.stopRehearsal?.();
    this.inner.off('order', this.forward.order);
    this.inner.off('execution', this.forward.execution);
    this.inner.off('position', this.forward.position);
    this.options.journal?.close();
  }

  /** The contract's currency against the account's base, when the broker knows the account's (TWS's). */
  private currencyOf(contract: Contract): { code: string; base: string | null; rate: number | null } | undefined {
    // A broker that keeps one currency (a backtest's) converts nothing.
    if (!this.inner.currencyValue) return undefined;
    // A contract without a currency is priced in USD, as the instrument keys default it.
    const code = String(contract.currency || 'USD').toUpperCase();
    const value = this.inner.currencyValue(code);
    return value ? { code, base: value.base, rate: value.rate } : { code, base: null, rate: null };
  }

  private priceOf(key: InstrumentKey, order: Order, context: OrderContext): number | null {
    const own = orderOwnPrice(String(order.orderType), order.lmtPrice, order.auxPrice);
    if (own !== undefined) return own;
    if (context.price !== undefined && context.price > 0) return context.price;
    return this.lastPrice(key);
  }

  private checkDailyLoss(): void {
    if (!this.options.limits.maxDailyLoss) return;
    const reason = this.dailyLoss.update(this.inner.equity());
    if (!reason) return;
    this.record('daily-loss', { reason, state: this.dailyLoss.state() });
    this.cancelAll();
  }

  /** Journal write; a failure on a decision must stop the order, so it throws from placeOrder. */
  private record(type: Parameters<Journal['append']>[0], fields: Record<string, unknown>): void {
    if (!this.options.journal) return;
    try {
      this.options.journal.append(type, fields);
    } catch (err) {
      if (type === 'decision' && fields.result === 'sent') {
        throw new OrderRefusedError('journal', `the order journal ${this.options.journal.path} cannot be written (${(err as Error).message}): no order is sent unrecorded`);
      }
      // Events after the fact: losing the line must not break the order flow.
    }
  }
}

function remainingOf(w: WorkingOrder): number {
  const r = Number(w.state.remaining);
  return Number.isFinite(r) ? r : Number(w.order.totalQuantity) || 0;
}

/** The fields of an order worth a journal line (IB's Order has ~150). */
function summarize(order: Order): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of ['action', 'totalQuantity', 'orderType', 'lmtPrice', 'auxPrice', 'trailingPercent', 'trailStopPrice', 'lmtPriceOffset', 'tif', 'goodTillDate', 'goodAfterTime', 'outsideRth', 'account', 'orderRef', 'parentId', 'ocaGroup', 'ocaType', 'transmit', 'algoStrategy', 'algoParams', 'conditions', 'conditionsCancelOrder', 'whatIf'] as const) {
    if (order[field] !== undefined) out[field] = order[field];
  }
  return out;
}

function contractOrNull(key: InstrumentKey): Contract | null {
  try {
    return contractFromKey(key);
  } catch {
    return null;
  }
}
