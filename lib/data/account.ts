/**
 * What an account holds and does, from a TWS session: summary values (net liquidation, cash, buying
 * power ...), positions with average cost, P&L for the account and per position, open orders and
 * today's executions, and positions per strategy (orderRef). Each part is loaded on start and kept up
 * to date from TWS's updates; `snapshot()` gives it all as one plain object. The open-orders and
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

export type AccountPart = 'summary' | 'positions' | 'pnl' | 'orders' | 'executions';
export const ACCOUNT_PARTS: readonly AccountPart[] = ['summary', 'positions', 'pnl', 'orders', 'executions'];

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

export interface OpenOrderInfo {
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
  remaining: number;
  avgFillPrice: number;
  orderRef: string;
  account: string;
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
  currency: string | null;
  positions: AccountPosition[];
  pnl: AccountPnl | null;
  orders: OpenOrderInfo[];
  executions: Execution[];
  /** strategy (orderRef, protective legs mapped back) -> instrument -> position, from today's executions. */
  strategies: StrategyBook;
  /**
   * Per instrument, the part of the account's position no strategy's executions explain (manual
   * trades, holdings from before today): shown, never traded away. Only instruments where it is not 0.
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
 * A request whose answer ends with an end marker (open orders, executions), shared: while one is being
 * answered, everyone who asks waits for the next one, which is sent once when the current one ends.
 * However many ask meanwhile (200 account messages in a burst, several account nodes), at most two
 * are on the wire, and every asker hears a full answer that started after it was listening.
 */
interface SharedRequest {
  reqId: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** One session's account requests (reqAllOpenOrders, reqExecutions), coalesced. */
export class AccountRequests {
  private openOrdersNow: SharedRequest | null = null;
  private openOrdersNext: SharedRequest | null = null;
  private executionsNow: SharedRequest | null = null;
  private executionsNext: SharedRequest | null = null;
  /** Requests written to TWS (for status and tests). */
  sent = { openOrders: 0, executions: 0 };

  constructor(private readonly session: IbSession) {
    const api = session.api as unknown as NodeJS.EventEmitter;
    api.on(EventName.openOrderEnd, () => {
      const ended = this.openOrdersNow;
      this.openOrdersNow = null;
      ended?.resolve();
      this.sendNextOpenOrders();
    });
    api.on(EventName.execDetailsEnd, (reqId: number) => {
      const ended = this.executionsNow;
      if (!ended || Number(reqId) !== ended.reqId) return;
      this.executionsNow = null;
      this.session.releaseReqId(ended.reqId);
      ended.resolve();
      this.sendNextExecutions();
    });
    // A request written to a dropped socket is never answered: ask again. After this turn, when
    // @stoqey/ib holds new requests until the next connection's handshake.
    api.on(EventName.disconnected, () => queueMicrotask(() => this.askAgain()));
  }

  private askAgain(): void {
    if (this.openOrdersNow) {
      this.sent.openOrders++;
      this.session.api.reqAllOpenOrders();
    }
    if (this.executionsNow) this.sendExecutions(this.executionsNow);
  }

  /** Resolves at the openOrderEnd of an all-open-orders request sent after this call. */
  openOrders(): Promise<void> {
    if (!this.openOrdersNow) {
      this.openOrdersNow = shared(-1);
      this.sent.openOrders++;
      this.session.api.reqAllOpenOrders();
      return this.openOrdersNow.done;
    }
    this.openOrdersNext ??= shared(-1);
    return this.openOrdersNext.done;
  }

  /** Today's executions: the request id their execDetails carry, and when they are complete. */
  executions(): { reqId: number; done: Promise<void> } {
    if (!this.executionsNow) {
      this.executionsNow = this.executionRequest();
      this.sendExecutions(this.executionsNow);
      return this.executionsNow;
    }
    this.executionsNext ??= this.executionRequest();
    return this.executionsNext;
  }

  private executionRequest(): SharedRequest {
    let request: SharedRequest | null = null;
    const reqId = this.session.allocateReqId({
      onRequestError: (error) => {
        if (!request) return;
        if (this.executionsNow === request) {
          this.executionsNow = null;
          this.sendNextExecutions();
        }
        if (this.executionsNext === request) this.executionsNext = null;
        this.session.releaseReqId(reqId);
        request.reject(new Error(`${error.message} (${error.code})`));
      },
    });
    request = shared(reqId);
    return request;
  }

  private sendExecutions(request: SharedRequest): void {
    this.sent.executions++;
    this.session.api.reqExecutions(request.reqId, {});
  }

  private sendNextOpenOrders(): void {
    const next = this.openOrdersNext;
    if (!next) return;
    this.openOrdersNext = null;
    this.openOrdersNow = next;
    this.sent.openOrders++;
    this.session.api.reqAllOpenOrders();
  }

  private sendNextExecutions(): void {
    const next = this.executionsNext;
    if (!next) return;
    this.executionsNext = null;
    this.executionsNow = next;
    this.sendExecutions(next);
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
  private readonly pnlByConId = new Map<number, { daily: number | null; unrealized: number | null; realized: number | null; value: number | null }>();
  private readonly orders = new Map<number, OpenOrderInfo>();
  private readonly executions = new Map<string, Execution>();
  private readonly loaded = new Set<AccountPart>();
  private running = false;
  /** Bumped on every start(): answers to an earlier start's requests are ignored. */
  private generation = 0;

  constructor(
    private readonly session: IbSession,
    readonly account: string,
    readonly parts: ReadonlySet<AccountPart>,
    private readonly handlers: AccountFeedHandlers,
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
    const next = this.session.next;
    const fail = (what: string) => (err: unknown) => this.handlers.onError(new Error(`account ${what} for ${this.account}: ${describeError(err)}`));
    if (this.parts.has('summary')) {
      this.subscriptions.push(
        next.getAccountSummary('All', SUMMARY_TAGS.join(',')).subscribe({
          next: (update) => {
            const tags = update.all.get(this.account);
            if (tags) for (const [tag, values] of tags) for (const [currency, v] of values) this.summary.set(tag, { value: v.value, currency });
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
            this.markChanged('pnl');
          },
          error: fail('P&L'),
        }),
      );
    }
    if (this.parts.has('orders')) this.startOrders();
    if (this.parts.has('executions')) this.startExecutions();
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
    const request = accountRequestsFor(this.session).executions();
    const reqId = request.reqId;
    this.listen(EventName.execDetails, (id: number, contract: Contract, e: IbExecution) => {
      if (id !== reqId && id !== -1) return;
      if (e.acctNumber && e.acctNumber !== this.account) return;
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
        time: parseTime(e.time ?? '') || Date.now(),
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
        if (this.running && generation === this.generation) this.handlers.onError(new Error(`today's executions for ${this.account}: ${err.message}`));
      },
    );
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
    const strategies = markStrategies(attributeByOrderRef(executions), this.positionsList);
    return {
      account: this.account,
      time: Date.now(),
      summary,
      currency,
      positions: this.positionsList.map((p) => ({ ...p })),
      pnl: this.pnl ? { ...this.pnl } : null,
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      executions: executions.map((e) => ({ ...e })),
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
