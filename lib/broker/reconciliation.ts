/**
 * One rebuild after a (re)connect: the IB broker asks TWS for this client's open orders, the
 * positions, today's executions of this client and the net liquidation, collects the answers here,
 * and once all three lists are complete (or the wait gave up) settles every order that had left for
 * TWS against them. That settling is the lost-ack rule: an order TWS has (open or executed) is taken
 * as delivered; one TWS has no trace of is re-sent with the same id, which TWS would treat as a
 * modification, so even a wrong guess cannot make a second order.
 */
import type { IbSession, RequestOwner } from '../ib/connection';
import type { InstrumentKey, Position } from '../messages';
import type { OrderBook } from './order-book';
import type { OutgoingQueue } from './outgoing-queue';

export type ReconcilePart = 'openOrders' | 'positions' | 'executions';

const PARTS: readonly ReconcilePart[] = ['openOrders', 'positions', 'executions'];

export class Reconciliation implements RequestOwner {
  readonly execReqId: number;
  readonly summaryReqId: number;
  /** The account's P&L stream (reqPnL), which marks NetLiquidation between TWS's refreshes (EquityMark). */
  readonly pnlReqId: number;
  readonly finished = new Set<ReconcilePart>();
  /** Open orders TWS listed. */
  readonly seenOpen = new Set<number>();
  /** Shares TWS executed per order id (each execution counted once). */
  readonly executedShares = new Map<number, number>();
  /** The position snapshot, collected until positionEnd. */
  readonly positions = new Map<InstrumentKey, Position>();
  /** False once TWS's answer is known to be incomplete: nothing that might exist is re-sent. */
  resendAllowed = true;
  private readonly execIds = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly session: IbSession,
    readonly attempt: number,
    timeoutMs: number,
    onTimeout: () => void,
    private readonly onComplete: (reconciliation: Reconciliation) => void,
  ) {
    this.execReqId = session.allocateReqId(this);
    this.summaryReqId = session.allocateReqId({ onRequestError: () => {} });
    this.pnlReqId = session.allocateReqId({ onRequestError: () => {} });
    this.timer = setTimeout(onTimeout, timeoutMs);
  }

  /** Sends the rebuild's requests (the P&L stream once `account` is known); returns how many messages went to TWS. */
  request(clientId: number, account: string | null): number {
    const api = this.session.api;
    api.reqOpenOrders();
    api.reqPositions();
    api.reqExecutions(this.execReqId, { clientId: String(clientId) });
    // NetLiquidation (in the base currency) for the daily-loss lock; $LEDGER:ALL's ExchangeRate per
    // currency for limits set in the base currency on orders priced in another.
    api.reqAccountSummary(this.summaryReqId, 'All', 'NetLiquidation,$LEDGER:ALL');
    if (!account) return 4;
    api.reqPnL(this.pnlReqId, account, '');
    return 5;
  }

  onRequestError(): void {
    // reqExecutions failed: the broker treats it as "no executions" via its error listener.
  }

  /** True while position reports belong to the snapshot rather than to the live book. */
  collectsPositions(): boolean {
    return !this.finished.has('positions');
  }

  /** An execution TWS reported during the rebuild (requested or not). */
  noteExecution(execId: string, orderId: number, shares: number): void {
    if (this.execIds.has(execId)) return;
    this.execIds.add(execId);
    this.executedShares.set(orderId, (this.executedShares.get(orderId) ?? 0) + shares);
  }

  /** Whether TWS knows the order (open or executed). */
  knows(orderId: number): boolean {
    return this.seenOpen.has(orderId) || (this.executedShares.get(orderId) ?? 0) > 0;
  }

  done(part: ReconcilePart): void {
    this.finished.add(part);
    if (this.finished.size === PARTS.length) this.onComplete(this);
  }

  missing(): ReconcilePart[] {
    return PARTS.filter((p) => !this.finished.has(p));
  }

  /**
   * Settles every order that left for TWS before this connect: open at TWS (acked; a cancel that may
   * have been lost with the connection is asked again), executed (finished with what TWS executed),
   * or unknown (re-sent first in the queue with the same id, or given up when re-sending is not
   * allowed). Orders still queued simply go when the queue resumes. Returns how many were re-sent.
   */
  settle(orders: OrderBook, queue: OutgoingQueue, clock: () => number): number {
    let resent = 0;
    for (const tracked of orders.all()) {
      if (tracked.delivery === 'done' || tracked.delivery === 'queued') continue;
      const executed = this.executedShares.get(tracked.orderId) ?? 0;
      if (this.seenOpen.has(tracked.orderId)) {
        tracked.delivery = 'acked';
        if (tracked.cancelRequested) queue.pushFront({ kind: 'cancel', orderId: tracked.orderId });
        continue;
      }
      if (executed > 0) {
        const total = Number(tracked.order.totalQuantity) || 0;
        tracked.state = { ...tracked.state, filled: executed, remaining: Math.max(0, total - executed), time: clock() };
        orders.finish(tracked, executed >= total ? 'Filled' : 'Cancelled', executed >= total ? undefined : `partly filled (${executed} of ${total}) and no longer open at TWS after reconnect`);
        continue;
      }
      if (tracked.delivery === 'sent' && this.resendAllowed) {
        // TWS has no trace of it: it never arrived.
        resent++;
        queue.pushFront({ kind: 'place', orderId: tracked.orderId });
        continue;
      }
      if (tracked.delivery === 'sent') {
        orders.finish(tracked, 'Inactive', 'sent just before the connection dropped; TWS could not confirm it and it was not re-sent');
        continue;
      }
      orders.finish(tracked, tracked.cancelRequested ? 'Cancelled' : 'Inactive', tracked.cancelRequested ? 'cancelled while disconnected' : 'no longer open at TWS after reconnect');
    }
    return resent;
  }

  /** Stops the wait; the account summary and P&L subscriptions may live on for equity updates until the next connect. */
  dispose(keepSummary = false): void {
    clearTimeout(this.timer);
    this.session.releaseReqId(this.execReqId);
    if (keepSummary) return;
    this.session.releaseReqId(this.summaryReqId);
    this.session.releaseReqId(this.pnlReqId);
  }
}
