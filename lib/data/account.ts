/**
 * What an account holds and does, from a TWS session: summary values (net liquidation, cash, buying
 * power ...), positions with average cost, P&L for the account and per position, open orders,
 * executions (today's, or since a time as far back as TWS keeps them), completed orders, and positions
 * per strategy (orderRef) from those executions. Each part is loaded on start and kept up to date from
 * TWS's updates; `snapshot()` gives it all as one plain object. The open-orders, completed-orders and
 * executions requests of every feed on a session are coalesced (AccountRequests), so a burst of account
 * messages does not fill the connection's message budget ahead of orders.
 */
import { EventName, type Contract, type Execution as IbExecution, type CommissionReport, type Order, type OrderState } from '@stoqey/ib';
import type { Subscription } from 'rxjs';
import type { Execution, Position } from '../messages';
import type { IbSession } from '../ib/connection';
import { instrumentKey } from '../messages/instrument';
import { attributeByOrderRef, markStrategies, unattributedPositions, type StrategyBook } from './attribution';
import { parseTime } from './dates';
import { executionSide } from '../ib/sides';
import { describeValue } from '../messages/describe-value';
import { isGiven, messageOrSetting } from '../messages/setting';
import { EquityMark } from './equity-mark';

export type AccountPart = 'summary' | 'positions' | 'pnl' | 'orders' | 'executions' | 'completed';
export const ACCOUNT_PARTS: readonly AccountPart[] = ['summary', 'positions', 'pnl', 'orders', 'executions', 'completed'];
/** Parts an account shows unless told otherwise; completed orders (one more request to TWS) only when asked. */
export function partShownByDefault(part: AccountPart): boolean {
  return part !== 'completed';
}

/** How far back TWS lists executions at most (its Trade Log's longest "Show trades for" setting). */
export const EXECUTION_DAYS_KEPT = 7;
const DAY_MS = 24 * 3600_000;

/**
 * Where the executions a feed loads start: null for TWS's default (today's), else `days` x 24 hours
 * before `now` (to the minute). Refuses a count TWS cannot answer, saying what it takes.
 */
export function executionsSinceDays(value: unknown, now: number, name = 'days'): number | null {
  const days = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(days) || days < 0 || days > EXECUTION_DAYS_KEPT) {
    throw new Error(`${name} (of executions) must be a whole number from 0 (today, as TWS lists them) to ${EXECUTION_DAYS_KEPT} (TWS keeps at most ${EXECUTION_DAYS_KEPT} days of executions), not ${describeValue(value)}`);
  }
  // To the minute: requests asked for within one minute share one answer.
  return days === 0 ? null : Math.floor((now - days * DAY_MS) / 60_000) * 60_000;
}

/**
 * Where a request's executions start: the message's `since` (a time: epoch ms, ISO or IB's
 * `yyyyMMdd HH:mm:ss [zone]`) or `days`, else the node's days setting. `fromMessage` says the message
 * asked for its own period. Throws a message naming the bad value.
 */
export function requestedExecutionsSince(
  message: { since?: unknown; days?: unknown },
  settingDays: unknown,
  now: number,
): { since: number | null; fromMessage: boolean } {
  if (isGiven(message.since)) {
    const since = parseTime(message.since);
    if (!Number.isFinite(since)) {
      throw new Error(`msg.since must be a time (epoch ms, an ISO date such as "2024-07-01T00:00:00Z" or IB's "20240701 09:30:00 US/Eastern"), not ${describeValue(message.since)}`);
    }
    return { since, fromMessage: true };
  }
  if (isGiven(message.days)) return { since: executionsSinceDays(message.days, now, 'msg.days'), fromMessage: true };
  return { since: executionsSinceDays(messageOrSetting(undefined, settingDays, 0), now, 'days'), fromMessage: false };
}

/** An ExecutionFilter's time for executions since `epochMs`: `yyyyMMdd-HH:mm:ss` in UTC, which TWS reads whatever its zone. */
export function executionFilterTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}

export const SUMMARY_TAGS = [
  'NetLiquidation', 'TotalCashValue', 'SettledCash', 'AvailableFunds', 'ExcessLiquidity', 'BuyingPower', 'EquityWithLoanValue',
  'GrossPositionValue', 'InitMarginReq', 'MaintMarginReq', 'Cushion', 'Leverage', 'DayTradesRemaining', 'AccruedCash', 'AccountType',
];

export interface AccountPosition extends Position {
  key: string;
  conId: number | null;
  secType: string;
  currency: string;
  dailyPnl: number | null;
}

/** Price per unit from a position's market value: value / (quantity x multiplier), as TWS quotes it. */
function marketPriceOf(marketValue: number | null | undefined, quantity: number, multiplier: number): number | null {
  return marketValue != null && quantity ? marketValue / (quantity * multiplier) : null;
}

/** What TWS says of any order of the account, working or ended. */
interface OrderInfo {
  orderId: number;
  permId: number;
  key: string;
  symbol: string;
  action: string;
  orderType: string;
  totalQuantity: number;
  lmtPrice: number | null;
  auxPrice: number | null;
  tif: string;
  status: string;
  filled: number;
  orderRef: string;
  account: string;
}

export interface OpenOrderInfo extends OrderInfo {
  remaining: number;
  avgFillPrice: number;
}

/** A filled, cancelled or inactive order, as TWS lists completed orders. */
export interface CompletedOrderInfo extends OrderInfo {
  /** TWS's words for how it ended: "Filled Size: 100", "Cancelled by Trader" ... */
  completedStatus: string;
  /** When it ended (epoch ms), null when TWS gave no time. */
  completedTime: number | null;
}

export interface AccountPnl {
  daily: number | null;
  unrealized: number | null;
  realized: number | null;
}

export interface AccountSnapshot {
  account: string;
  /**
   * The connection's own live flag (ConnectionStatus.live: TWS's managedAccounts and the port decide
   * it, as for the live interlock): real money may be at stake. false on a backtest connection.
   */
  live: boolean;
  time: number;
  /** Summary values by tag; numbers where TWS sent a number. */
  summary: Record<string, number | string>;
  /**
   * The account's equity now: NetLiquidation marked with the account's P&L since TWS sent it (TWS
   * refreshes NetLiquidation every 3 minutes, the P&L every second; see equity-mark.ts), or null.
   */
  equity: number | null;
  currency: string | null;
  positions: AccountPosition[];
  pnl: AccountPnl | null;
  orders: OpenOrderInfo[];
  /** Today's executions, or those since `executionsSince`. */
  executions: Execution[];
  /** Where the executions start (epoch ms), null for TWS's default: today's. */
  executionsSince: number | null;
  /** Completed orders, oldest first, when asked for (empty otherwise). */
  completed: CompletedOrderInfo[];
  /** strategy (orderRef, protective legs mapped back) -> instrument -> position, from the executions listed. */
  strategies: StrategyBook;
  /**
   * Per instrument, the part of the account's position no strategy's executions explain (manual
   * trades, holdings from before the executions listed): shown, never traded away. Only instruments
   * where it is not 0.
   */
  unattributed: Record<string, number>;
}

export interface AccountFeedHandlers {
  /** A part changed (or finished loading). */
  onChange(part: AccountPart): void;
  onError(err: Error): void;
}

const DONE_STATUSES = new Set(['Filled', 'Cancelled', 'ApiCancelled', 'Inactive']);

function finite(n: unknown): number | null {
  return typeof n === 'number' && Number.isFinite(n) && Math.abs(n) < 1e300 ? n : null;
}

/**
 * A request whose answer ends with an end marker (open orders, completed orders, executions), shared:
 * while one is being answered, everyone who asks waits for the next one, which is sent once when the
 * current one ends. However many ask meanwhile (200 account messages in a burst, several account
 * nodes), at most two are on the wire, and every asker hears a full answer that started after it was
 * listening.
 */
interface SharedRequest {
  reqId: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** One kind of request without a request id (its end marker names none), coalesced. */
class CoalescedRequest {
  private now: SharedRequest | null = null;
  private next: SharedRequest | null = null;

  constructor(private readonly send: () => void) {}

  /** Resolves at the end of an answer to a request sent after this call. */
  ask(): Promise<void> {
    if (!this.now) {
      this.now = shared(-1);
      this.send();
      return this.now.done;
    }
    this.next ??= shared(-1);
    return this.next.done;
  }

  /** The end marker arrived: the current request is answered, the next (if any) goes. */
  ended(): void {
    const ended = this.now;
    this.now = null;
    ended?.resolve();
    const next = this.next;
    if (!next) return;
    this.next = null;
    this.now = next;
    this.send();
  }

  /** A request written to a dropped socket is never answered: ask again. */
  askAgain(): void {
    if (this.now) this.send();
  }
}

/** The executions requests of one filter time ('' for TWS's default, today's). */
interface ExecutionQueue {
  time: string;
  now: SharedRequest | null;
  next: SharedRequest | null;
}

/** One session's account requests (reqAllOpenOrders, reqCompletedOrders, reqExecutions), coalesced. */
export class AccountRequests {
  private readonly openOrdersRequest: CoalescedRequest;
  private readonly completedOrdersRequest: CoalescedRequest;
  /** Executions requests per filter time: only those asking for the same time share an answer. */
  private readonly executionQueues = new Map<string, ExecutionQueue>();
  /** Requests written to TWS (for status and tests). */
  sent = { openOrders: 0, completedOrders: 0, executions: 0 };

  constructor(private readonly session: IbSession) {
    this.openOrdersRequest = new CoalescedRequest(() => {
      this.sent.openOrders++;
      this.session.api.reqAllOpenOrders();
    });
    this.completedOrdersRequest = new CoalescedRequest(() => {
      this.sent.completedOrders++;
      // Every client's, and orders entered in TWS by hand: the account's, not only this API's.
      this.session.api.reqCompletedOrders(false);
    });
    const api = session.api as unknown as NodeJS.EventEmitter;
    api.on(EventName.openOrderEnd, () => this.openOrdersRequest.ended());
    api.on(EventName.completedOrdersEnd, () => this.completedOrdersRequest.ended());
    api.on(EventName.execDetailsEnd, (reqId: number) => {
      for (const queue of this.executionQueues.values()) {
        const ended = queue.now;
        if (!ended || Number(reqId) !== ended.reqId) continue;
        queue.now = null;
        this.session.releaseReqId(ended.reqId);
        ended.resolve();
        this.sendNextExecutions(queue);
        return;
      }
    });
    // A request written to a dropped socket is never answered: ask again. After this turn, when
    // @stoqey/ib holds new requests until the next connection's handshake.
    api.on(EventName.disconnected, () => queueMicrotask(() => this.askAgain()));
  }

  private askAgain(): void {
    this.openOrdersRequest.askAgain();
    this.completedOrdersRequest.askAgain();
    for (const queue of this.executionQueues.values()) if (queue.now) this.sendExecutions(queue.now, queue.time);
  }

  /** Resolves at the openOrderEnd of an all-open-orders request sent after this call. */
  openOrders(): Promise<void> {
    return this.openOrdersRequest.ask();
  }

  /** Resolves at the completedOrdersEnd of a completed-orders request sent after this call. */
  completedOrders(): Promise<void> {
    return this.completedOrdersRequest.ask();
  }

  /**
   * Executions since `since` (epoch ms; null: TWS's default, today's): the request id their execDetails
   * carry, and when they are complete.
   */
  executions(since: number | null = null): { reqId: number; done: Promise<void> } {
    const time = since === null ? '' : executionFilterTime(since);
    let queue = this.executionQueues.get(time);
    if (!queue) {
      queue = { time, now: null, next: null };
      this.executionQueues.set(time, queue);
    }
    if (!queue.now) {
      queue.now = this.executionRequest(queue);
      this.sendExecutions(queue.now, time);
      return queue.now;
    }
    queue.next ??= this.executionRequest(queue);
    return queue.next;
  }

  private executionRequest(queue: ExecutionQueue): SharedRequest {
    let request: SharedRequest | null = null;
    const reqId = this.session.allocateReqId({
      onRequestError: (error) => {
        if (!request) return;
        if (queue.now === request) {
          queue.now = null;
          this.sendNextExecutions(queue);
        }
        if (queue.next === request) queue.next = null;
        this.session.releaseReqId(reqId);
        request.reject(new Error(`${error.message} (${error.code})`));
      },
    });
    request = shared(reqId);
    return request;
  }

  private sendExecutions(request: SharedRequest, time: string): void {
    this.sent.executions++;
    this.session.api.reqExecutions(request.reqId, time ? { time } : {});
  }

  private sendNextExecutions(queue: ExecutionQueue): void {
    const next = queue.next;
    if (!next) {
      // Nothing more for this time: forget it, so a node's changing "since" leaves no queues behind.
      if (!queue.now) this.executionQueues.delete(queue.time);
      return;
    }
    queue.next = null;
    queue.now = next;
    this.sendExecutions(next, queue.time);
  }
}

function shared(reqId: number): SharedRequest {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting any more (the node closed): a rejection must not end the process.
  done.catch(() => undefined);
  return { reqId, done, resolve, reject };
}

const accountRequests = new WeakMap<object, AccountRequests>();

/** The one AccountRequests of a session (every account node on a connection shares it). */
export function accountRequestsFor(session: IbSession): AccountRequests {
  let requests = accountRequests.get(session.api);
  if (!requests) {
    requests = new AccountRequests(session);
    accountRequests.set(session.api, requests);
  }
  return requests;
}

export class AccountFeed {
  private readonly subscriptions: Subscription[] = [];
  private readonly pnlSingles = new Map<number, Subscription>();
  private readonly rawListeners: Array<[string, (...args: any[]) => void]> = [];
  private readonly summary = new Map<string, { value: string; currency: string }>();
  private positionsList: AccountPosition[] = [];
  private pnl: AccountPnl | null = null;
  private readonly equityMark = new EquityMark();
  private readonly pnlByConId = new Map<number, { daily: number | null; unrealized: number | null; realized: number | null; value: number | null }>();
  private readonly orders = new Map<number, OpenOrderInfo>();
  private readonly executions = new Map<string, Execution>();
  /** Completed orders by permId (TWS lists each again on every request). */
  private readonly completed = new Map<number, CompletedOrderInfo>();
  private readonly loaded = new Set<AccountPart>();
  private running = false;
  /** Bumped on every start(): answers to an earlier start's requests are ignored. */
  private generation = 0;

  constructor(
    private readonly session: IbSession,
    readonly account: string,
    readonly parts: ReadonlySet<AccountPart>,
    private readonly handlers: AccountFeedHandlers,
    /** Where the executions start (epoch ms); null: TWS's default, today's. */
    readonly executionsSince: number | null = null,
  ) {}

  /** True once every requested part has loaded (P&L counts as loaded after its first value or `pnlGraceMs`). */
  isLoaded(): boolean {
    for (const part of this.parts) if (!this.loaded.has(part)) return false;
    return true;
  }

  start(): void {
    if (this.running) this.stop();
    this.running = true;
    this.generation++;
    this.loaded.clear();
    this.equityMark.restart();
    const next = this.session.next;
    const fail = (what: string) => (err: unknown) => this.handlers.onError(new Error(`account ${what} for ${this.account}: ${describeError(err)}`));
    if (this.parts.has('summary')) {
      this.subscriptions.push(
        next.getAccountSummary('All', SUMMARY_TAGS.join(',')).subscribe({
          next: (update) => {
            const tags = update.all.get(this.account);
            if (tags) {
              for (const [tag, values] of tags) {
                for (const [currency, v] of values) {
                  // Only a NetLiquidation TWS sent again marks from the P&L of now (an update lists every tag).
                  if (tag === 'NetLiquidation' && v.value !== this.summary.get(tag)?.value) this.equityMark.onNetLiquidation(Number(v.value));
                  this.summary.set(tag, { value: v.value, currency });
                }
              }
            }
            this.markChanged('summary');
          },
          error: fail('summary'),
        }),
      );
    }
    if (this.parts.has('positions') || this.parts.has('pnl')) {
      this.subscriptions.push(
        next.getPositions().subscribe({
          next: (update) => {
            const list = update.all.get(this.account) ?? [];
            this.positionsList = list.map((p) => this.toPosition(p.account, p.contract, p.pos, p.avgCost));
            if (this.parts.has('pnl')) this.followPositionPnl();
            this.markChanged('positions');
          },
          error: fail('positions'),
        }),
      );
    }
    if (this.parts.has('pnl')) {
      this.subscriptions.push(
        next.getPnL(this.account).subscribe({
          next: (p) => {
            this.pnl = { daily: finite(p.dailyPnL), unrealized: finite(p.unrealizedPnL), realized: finite(p.realizedPnL) };
            if (this.pnl.daily !== null) this.equityMark.onDailyPnl(this.pnl.daily);
            this.markChanged('pnl');
          },
          error: fail('P&L'),
        }),
      );
    }
    if (this.parts.has('orders')) this.startOrders();
    if (this.parts.has('executions')) this.startExecutions();
    if (this.parts.has('completed')) this.startCompleted();
  }

  /** Marks P&L loaded even if TWS has not sent any yet (an empty account may never send it). */
  settlePnl(): void {
    if (this.parts.has('pnl') && !this.loaded.has('pnl')) this.markChanged('pnl');
  }

  stop(): void {
    this.running = false;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions.length = 0;
    for (const s of this.pnlSingles.values()) s.unsubscribe();
    this.pnlSingles.clear();
    for (const [event, listener] of this.rawListeners) (this.session.api as unknown as NodeJS.EventEmitter).off(event, listener);
    this.rawListeners.length = 0;
  }

  private listen(event: EventName, listener: (...args: any[]) => void): void {
    (this.session.api as unknown as NodeJS.EventEmitter).on(event, listener);
    this.rawListeners.push([event, listener]);
  }

  private markChanged(part: AccountPart): void {
    this.loaded.add(part);
    this.handlers.onChange(part);
  }

  private toPosition(account: string, contract: Contract, quantity: number, avgCost: number | undefined): AccountPosition {
    const conId = contract.conId ?? null;
    const pnl = conId !== null ? this.pnlByConId.get(conId) : undefined;
    const multiplier = Number(contract.multiplier) || 1;
    return {
      account,
      symbol: contract.symbol ?? contract.localSymbol ?? '',
      key: instrumentKey({ ...contract, exchange: contract.exchange || 'SMART' }),
      conId,
      secType: String(contract.secType ?? ''),
      currency: contract.currency ?? '',
      quantity,
      multiplier,
      avgCost: finite(avgCost) ?? 0,
      marketPrice: marketPriceOf(pnl?.value, quantity, multiplier),
      marketValue: pnl?.value ?? null,
      unrealizedPnl: pnl?.unrealized ?? null,
      realizedPnl: pnl?.realized ?? 0,
      dailyPnl: pnl?.daily ?? null,
    };
  }

  /** One PnLSingle stream per position held. */
  private followPositionPnl(): void {
    for (const position of this.positionsList) {
      const conId = position.conId;
      if (conId === null || this.pnlSingles.has(conId)) continue;
      this.pnlSingles.set(
        conId,
        this.session.next.getPnLSingle(this.account, '', conId).subscribe({
          next: (p) => {
            this.pnlByConId.set(conId, { daily: finite(p.dailyPnL), unrealized: finite(p.unrealizedPnL), realized: finite(p.realizedPnL), value: finite(p.marketValue) });
            this.positionsList = this.positionsList.map((old) => (old.conId === conId ? this.refreshPositionPnl(old) : old));
            this.handlers.onChange('positions');
          },
          // A position-level P&L failure does not stop the rest of the account.
          error: () => this.pnlSingles.delete(conId),
        }),
      );
    }
  }

  private refreshPositionPnl(p: AccountPosition): AccountPosition {
    const pnl = p.conId !== null ? this.pnlByConId.get(p.conId) : undefined;
    if (!pnl) return p;
    return {
      ...p,
      marketValue: pnl.value,
      marketPrice: marketPriceOf(pnl.value, p.quantity, p.multiplier ?? 1),
      unrealizedPnl: pnl.unrealized,
      realizedPnl: pnl.realized ?? 0,
      dailyPnl: pnl.daily,
    };
  }

  private startOrders(): void {
    this.orders.clear();
    this.listen(EventName.openOrder, (orderId: number, contract: Contract, order: Order, state: OrderState) => {
      if (order.account && order.account !== this.account) return;
      const previous = this.orders.get(orderId);
      const status = String(state?.status ?? previous?.status ?? '');
      if (DONE_STATUSES.has(status)) this.orders.delete(orderId);
      else {
        this.orders.set(orderId, {
          orderId,
          permId: order.permId ?? previous?.permId ?? 0,
          key: instrumentKey({ ...contract, exchange: contract.exchange || 'SMART' }),
          symbol: contract.symbol ?? '',
          action: String(order.action ?? ''),
          orderType: String(order.orderType ?? ''),
          totalQuantity: Number(order.totalQuantity ?? 0),
          lmtPrice: finite(order.lmtPrice),
          auxPrice: finite(order.auxPrice),
          tif: String(order.tif ?? ''),
          status,
          filled: previous?.filled ?? 0,
          remaining: previous?.remaining ?? Number(order.totalQuantity ?? 0),
          avgFillPrice: previous?.avgFillPrice ?? 0,
          orderRef: order.orderRef ?? '',
          account: order.account ?? this.account,
        });
      }
      if (this.loaded.has('orders')) this.handlers.onChange('orders');
    });
    this.listen(EventName.orderStatus, (orderId: number, status: string, filled: number, remaining: number, avgFillPrice: number) => {
      const order = this.orders.get(orderId);
      if (!order) return;
      if (DONE_STATUSES.has(status)) this.orders.delete(orderId);
      else Object.assign(order, { status, filled: Number(filled), remaining: Number(remaining), avgFillPrice: finite(avgFillPrice) ?? 0 });
      if (this.loaded.has('orders')) this.handlers.onChange('orders');
    });
    const generation = this.generation;
    accountRequestsFor(this.session)
      .openOrders()
      .then(
        () => {
          if (this.running && generation === this.generation && !this.loaded.has('orders')) this.markChanged('orders');
        },
        (err: Error) => {
          if (this.running && generation === this.generation) this.handlers.onError(new Error(`open orders for ${this.account}: ${err.message}`));
        },
      );
  }

  private startExecutions(): void {
    this.executions.clear();
    const generation = this.generation;
    const request = accountRequestsFor(this.session).executions(this.executionsSince);
    const reqId = request.reqId;
    this.listen(EventName.execDetails, (id: number, contract: Contract, e: IbExecution) => {
      if (id !== reqId && id !== -1) return;
      if (e.acctNumber && e.acctNumber !== this.account) return;
      const time = parseTime(e.time ?? '') || Date.now();
      if (this.executionsSince !== null && time < this.executionsSince) return;
      const execId = e.execId ?? '';
      const previous = this.executions.get(execId);
      this.executions.set(execId, {
        execId,
        orderId: e.orderId ?? 0,
        permId: e.permId ?? 0,
        symbol: instrumentKey({ ...contract, exchange: contract.exchange && contract.secType !== 'STK' ? contract.exchange : 'SMART' }),
        side: executionSide(e.side),
        shares: Number(e.shares ?? 0),
        price: Number(e.price ?? 0),
        cumQty: Number(e.cumQty ?? 0),
        avgPrice: Number(e.avgPrice ?? 0),
        commission: previous?.commission ?? 0,
        realizedPnl: previous?.realizedPnl ?? null,
        orderRef: e.orderRef ?? '',
        account: e.acctNumber ?? this.account,
        time,
      });
      if (this.loaded.has('executions')) this.handlers.onChange('executions');
    });
    this.listen(EventName.commissionReport, (report: CommissionReport) => {
      const execution = this.executions.get(report.execId ?? '');
      if (!execution) return;
      execution.commission = finite(report.commission) ?? 0;
      execution.realizedPnl = finite(report.realizedPNL);
      if (this.loaded.has('executions')) this.handlers.onChange('executions');
    });
    request.done.then(
      () => {
        if (this.running && generation === this.generation && !this.loaded.has('executions')) this.markChanged('executions');
      },
      (err: Error) => {
        if (this.running && generation === this.generation) this.handlers.onError(new Error(`${this.executionsSince === null ? "today's executions" : 'executions'} for ${this.account}: ${err.message}`));
      },
    );
  }

  /** Completed orders: listed once on start, and again whenever one of the account's orders ends. */
  private startCompleted(): void {
    this.completed.clear();
    const generation = this.generation;
    this.listen(EventName.completedOrder, (contract: Contract, order: Order, state: OrderState) => {
      if (order.account && order.account !== this.account) return;
      const permId = Number(order.permId ?? 0);
      this.completed.set(permId || -(this.completed.size + 1), {
        orderId: Number(order.orderId ?? 0),
        permId,
        key: instrumentKey({ ...contract, exchange: contract.exchange || 'SMART' }),
        symbol: contract.symbol ?? '',
        action: String(order.action ?? ''),
        orderType: String(order.orderType ?? ''),
        totalQuantity: Number(order.totalQuantity ?? 0),
        lmtPrice: finite(order.lmtPrice),
        auxPrice: finite(order.auxPrice),
        tif: String(order.tif ?? ''),
        status: String(state?.status ?? ''),
        completedStatus: String(state?.completedStatus ?? ''),
        completedTime: parseTime(state?.completedTime ?? '') || null,
        filled: Number(order.filledQuantity ?? 0),
        orderRef: order.orderRef ?? '',
        account: order.account ?? this.account,
      });
    });
    const requests = accountRequestsFor(this.session);
    const ask = () =>
      requests.completedOrders().then(
        () => {
          if (this.running && generation === this.generation) this.markChanged('completed');
        },
        (err: Error) => {
          if (this.running && generation === this.generation) this.handlers.onError(new Error(`completed orders for ${this.account}: ${err.message}`));
        },
      );
    // An order that ends is a completed order from then on: TWS does not push it, so ask again.
    this.listen(EventName.orderStatus, (_orderId: number, status: string) => {
      if (DONE_STATUSES.has(String(status)) && this.loaded.has('completed')) void ask();
    });
    void ask();
  }

  /** The account's data; whether it is live is the connection's to say (IbAccountSource adds it). */
  snapshot(): Omit<AccountSnapshot, 'live'> {
    const summary: Record<string, number | string> = {};
    let currency: string | null = null;
    for (const [tag, { value, currency: cur }] of this.summary) {
      const n = Number(value);
      summary[tag] = value !== '' && Number.isFinite(n) ? n : value;
      if (tag === 'NetLiquidation' && cur) currency = cur;
    }
    const executions = [...this.executions.values()].sort((a, b) => a.time - b.time);
    const completed = [...this.completed.values()].sort((a, b) => (a.completedTime ?? 0) - (b.completedTime ?? 0));
    const strategies = markStrategies(attributeByOrderRef(executions), this.positionsList);
    return {
      account: this.account,
      time: Date.now(),
      summary,
      equity: this.equityMark.value(),
      currency,
      positions: this.positionsList.map((p) => ({ ...p })),
      pnl: this.pnl ? { ...this.pnl } : null,
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      executions: executions.map((e) => ({ ...e })),
      executionsSince: this.executionsSince,
      completed: completed.map((o) => ({ ...o })),
      strategies,
      unattributed: unattributedPositions(this.positionsList, strategies),
    };
  }
}

function describeError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { error?: Error; message?: string; code?: number };
    const message = e.error?.message ?? e.message ?? String(err);
    return e.code !== undefined ? `${message} (${e.code})` : message;
  }
  return String(err);
}
