/**
 * Turns the fill engine's events into TWS's order reporting and keeps what the wire needs about each
 * order (the client's fields, the placing client, the permId). Every client of the account sees every
 * order (TWS reports the placing clientId in each message). Order of messages, as TWS sends them:
 * OPEN_ORDER + ORDER_STATUS for each state change; a fill is EXECUTION_DATA, then OPEN_ORDER +
 * ORDER_STATUS with the new filled quantity, then COMMISSION_REPORT; a cancel is OPEN_ORDER + ORDER_STATUS
 * Cancelled, then ERR_MSG 202 to the placing client; an order the account cannot pay for is ERR_MSG 201,
 * then OPEN_ORDER + ORDER_STATUS Inactive (at the fill: Cancelled, then 201).
 */
import type { Execution, OrderEvent, OrderStatus } from '../../../messages';
import { CANCELLED_BY_REQUEST, twsErrorCode } from '../../../fills/reasons';
import { isBuyingPowerRejection } from '../../../fills/margin';
import type { SimContext } from '../context';
import type { Instrument } from '../../market/universe';
import type { ClientSession } from '../session';
import { twsDateTime } from '../tws-time';
import {
  commissionReportFields,
  executionFields,
  openOrderFields,
  orderStatusFields,
  type ExecutionRecord,
  executionVenue,
  type OrderRecord,
} from './order-messages';

/** An own order as the book shows it. */
export interface DisplayedOrder {
  side: 'bid' | 'ask';
  price: number;
  size: number;
  /** The exchange it rests at. */
  venue: string;
}

/** Statuses after which an order is a completed order (reqCompletedOrders). */
const COMPLETED: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['Filled', 'Cancelled', 'ApiCancelled', 'Inactive']);

/** A completed order's status text: what filled, or why it ended. */
function completedStatusText(event: OrderEvent): string {
  if (event.status === 'Filled') return `Filled Size: ${event.filled}`;
  if (event.reason && event.reason !== CANCELLED_BY_REQUEST) return `${event.status}: ${event.reason}`;
  return event.status === 'Cancelled' ? 'Cancelled by Trader' : event.status;
}

export class OrderDesk {
  readonly records = new Map<number, OrderRecord>();
  /** Order ids a client used that never became an order (rejected): reusing them is a duplicate. */
  readonly rejectedIds = new Set<number>();
  readonly executions: ExecutionRecord[] = [];
  private readonly pendingCommissions = new Map<number, ExecutionRecord[]>();
  /** Listeners of account changes (positions, account values, PnL) after each engine event batch. */
  readonly accountListeners = new Set<() => void>();

  constructor(private readonly context: SimContext) {
    for (const engine of context.engines.values()) {
      engine.on('order', (event) => this.onOrder(event));
      engine.on('execution', (execution) => this.onExecution(execution));
      engine.on('position', () => {
        for (const listener of this.accountListeners) listener();
      });
    }
  }

  private owner(orderId: number): ClientSession | undefined {
    const record = this.records.get(orderId);
    for (const session of this.context.startedSessions()) if (session.clientId === record?.clientId) return session;
    return undefined;
  }

  /** OPEN_ORDER then ORDER_STATUS of one order to one session. */
  sendOrder(session: ClientSession, record: OrderRecord): void {
    session.send(openOrderFields(record, session.serverVersion));
    session.send(orderStatusFields(record));
  }

  private broadcastOrder(record: OrderRecord): void {
    for (const session of this.context.startedSessions()) this.sendOrder(session, record);
  }

  private onOrder(event: OrderEvent): void {
    const record = this.records.get(event.orderId);
    if (!record) return;
    if (event.status === 'Inactive' && event.permId === 0) {
      // Refused before it became an order: only the placing client hears of it (found before the
      // record goes). TWS words 201 as "Order rejected - reason:..." and sends other codes (110 ...) as is.
      const placer = this.owner(event.orderId);
      this.rejectedIds.add(event.orderId);
      const reason = event.reason ?? '';
      const code = twsErrorCode(reason);
      placer?.error(event.orderId, code, code === 201 ? `Order rejected - reason:${reason}` : reason);
      if (isBuyingPowerRejection(reason)) {
        // TWS follows a margin rejection with the order itself, Inactive (OPEN_ORDER + ORDER_STATUS).
        record.status = 'Inactive';
        record.remaining = event.remaining;
        this.broadcastOrder(record);
      }
      this.records.delete(event.orderId);
      return;
    }
    const refused = event.reason !== undefined && event.status !== 'Cancelled' && event.status !== 'Inactive';
    if (refused) {
      // A modify or cancel the engine refused: the order itself did not change.
      const reason = event.reason!;
      const code = /cannot be cancelled/.test(reason) ? 10148 : twsErrorCode(reason);
      this.ownerOrAny(record)?.error(event.orderId, code, reason);
      return;
    }
    const changed = record.status !== event.status || record.filled !== event.filled || record.permId !== event.permId || record.remaining !== event.remaining;
    record.permId = event.permId;
    record.status = event.status;
    record.filled = event.filled;
    record.remaining = event.remaining;
    record.avgFillPrice = event.avgFillPrice;
    record.lastFillPrice = event.lastFillPrice;
    record.commission = event.commission;
    record.order.totalQuantity = event.totalQuantity;
    if (record.completedAt === undefined && COMPLETED.has(event.status)) {
      record.completedAt = this.context.now();
      record.completedStatus = completedStatusText(event);
    }
    if (changed || !record.announced) this.broadcastOrder(record);
    record.announced = true;
    const reports = this.pendingCommissions.get(event.orderId);
    if (reports) {
      this.pendingCommissions.delete(event.orderId);
      for (const execution of reports) for (const session of this.context.startedSessions()) session.send(commissionReportFields(execution));
    }
    if (event.status === 'Cancelled' && isBuyingPowerRejection(event.reason)) {
      // The account could no longer pay for it at the fill: TWS's margin rejection, not a cancel.
      this.ownerOrAny(record)?.error(event.orderId, 201, `Order rejected - reason:${event.reason}`);
    } else if (event.status === 'Cancelled') {
      const reason = event.reason && event.reason !== CANCELLED_BY_REQUEST ? event.reason : '';
      this.ownerOrAny(record)?.error(event.orderId, 202, `Order Canceled - reason:${reason}`);
    } else if (event.status === 'Inactive' && event.reason) {
      this.ownerOrAny(record)?.error(event.orderId, twsErrorCode(event.reason), `Order rejected - reason:${event.reason}`);
    }
  }

  private ownerOrAny(record: OrderRecord): ClientSession | undefined {
    return this.owner(record.order.orderId);
  }

  private onExecution(execution: Execution): void {
    const record = this.records.get(execution.orderId);
    if (!record) return;
    const e: ExecutionRecord = {
      execId: execution.execId,
      orderId: execution.orderId,
      permId: execution.permId,
      clientId: record.clientId,
      instrument: record.instrument,
      venue: executionVenue(record.instrument, record.order.contract.exchange ?? ''),
      account: execution.account,
      side: execution.side === 'BUY' ? 'BOT' : 'SLD',
      shares: execution.shares,
      price: execution.price,
      cumQty: execution.cumQty,
      avgPrice: execution.avgPrice,
      orderRef: execution.orderRef,
      time: execution.time,
      timeText: twsDateTime(execution.time),
      commission: execution.commission,
      realizedPnl: execution.realizedPnl,
    };
    this.executions.push(e);
    for (const session of this.context.startedSessions()) session.send(executionFields(-1, e, session.serverVersion));
    const pending = this.pendingCommissions.get(e.orderId) ?? [];
    pending.push(e);
    this.pendingCommissions.set(e.orderId, pending);
  }

  /** Orders filled, cancelled or inactive, in the order they ended. */
  completedRecords(): OrderRecord[] {
    return [...this.records.values()].filter((r) => r.completedAt !== undefined).sort((a, b) => a.completedAt! - b.completedAt!);
  }

  /** Orders still working or held, oldest first. */
  /**
   * The own orders the market's book shows on `instrument`: resting limit orders (working, not held),
   * their remaining quantity at their price, each on the venue it rests at. A hidden order rests unseen,
   * as IB's hidden orders do; held orders (PreSubmitted: a condition, a parent, goodAfterTime) are not
   * on an exchange yet.
   */
  displayedOrders(instrument: Instrument): DisplayedOrder[] {
    const shown: DisplayedOrder[] = [];
    for (const record of this.openRecords()) {
      const { order } = record;
      if (record.instrument.conId !== instrument.conId || order.hidden || record.status !== 'Submitted') continue;
      if (order.orderType !== 'LMT' || order.lmtPrice === undefined || !(record.remaining > 0)) continue;
      shown.push({ side: order.action === 'BUY' ? 'bid' : 'ask', price: order.lmtPrice, size: record.remaining, venue: executionVenue(instrument, order.contract.exchange ?? '') });
    }
    return shown;
  }

  openRecords(): OrderRecord[] {
    const open = new Set<number>();
    for (const engine of this.context.engines.values()) for (const o of engine.openOrders()) open.add(o.order.orderId);
    return [...this.records.values()].filter((r) => open.has(r.order.orderId));
  }
}
