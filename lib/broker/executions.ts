/**
 * The IB broker's fills: TWS's execDetails, each once (by execId), held until its commissionReport
 * comes (or a short wait ends) so the execution event carries its commission and realized PnL. A new
 * fill moves the position at once; executions TWS lists on request after a connect are already in the
 * position snapshot and are news only for orders this broker tracks. Also keeps the last fill price.
 */
import type { Contract, Execution as IbExecution } from '@stoqey/ib';
import type { CommissionReport } from '@stoqey/ib/dist/api/report/commissionReport';
import type { Execution, InstrumentKey, Side } from '../messages';
import { sideSign } from '../orders/build';
import type { OrderBook } from './order-book';
import { isAccountInUse, type PositionBook } from './positions';
import type { Reconciliation } from './reconciliation';
import type { ReportedKeys } from './reported-keys';
import { executionSide } from '../ib/sides';
import { contractMultiplier } from '../messages/instrument';
import type { StrategyLedger } from '../fills/strategy-positions';

export interface ExecutionTrackerOptions {
  /** This session's client id: other clients' executions count only for orders tracked here. */
  clientId: number;
  clock: () => number;
  /** How long an execution waits for its commission report. */
  commissionWaitMs: number;
  orders: OrderBook;
  positions: PositionBook;
  keys: ReportedKeys;
  /** The account in use, once known. */
  account: () => string | null;
  /** Positions per strategy: every execution of this client's orders is booked here, rebuilt ones too. */
  strategies?: StrategyLedger;
  emitExecution: (execution: Execution) => void;
}

interface PendingExecution {
  execution: Execution;
  timer: NodeJS.Timeout;
}

/** The reqId TWS gives executions nobody asked for (fills as they happen). */
const UNSOLICITED = -1;

export class ExecutionTracker {
  private readonly seenExecIds = new Set<string>();
  private readonly pending = new Map<string, PendingExecution>();
  private readonly prices = new Map<InstrumentKey, number>();

  constructor(private readonly options: ExecutionTrackerOptions) {}

  /** TWS's execDetails; `reconciliation` is the rebuild under way, if any (it counts executions per order). */
  onExecDetails(reqId: number, contract: Contract, ib: IbExecution, reconciliation: Reconciliation | null): void {
    const execId = ib.execId;
    if (!execId) return;
    const orderId = Number(ib.orderId);
    const tracked = this.options.orders.get(orderId);
    if (ib.clientId !== undefined && ib.clientId !== this.options.clientId && !tracked) return;
    const shares = Number(ib.shares) || 0;
    reconciliation?.noteExecution(execId, orderId, shares);
    if (this.seenExecIds.has(execId)) return;
    this.seenExecIds.add(execId);
    const key = tracked?.key ?? this.options.keys.keyOf(contract);
    const side: Side = executionSide(ib.side);
    const price = Number(ib.price) || 0;
    if (price > 0) this.prices.set(key, price);
    const unsolicited = reqId === UNSOLICITED;
    const account = ib.acctNumber ?? this.options.account() ?? '';
    // Requested executions (the rebuild after a connect) are already in the positions snapshot.
    const multiplier = contractMultiplier(contract);
    if (unsolicited && isAccountInUse(this.options.account(), account)) this.options.positions.applyFill(key, account, sideSign(side) * shares, price, multiplier);
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
      time: this.options.clock(),
    };
    // Round trips (backtest-report's trade list, the running account) count P&L x multiplier.
    if (multiplier !== undefined && multiplier !== 1) execution.multiplier = multiplier;
    // Every execution of this client moves its strategy's position, the ones TWS lists after a
    // restart too: that is how each strategy's position is rebuilt.
    if (isAccountInUse(this.options.account(), account)) this.options.strategies?.add(execution);
    // Now in the positions: an order waited for (a flatten) may have settled with it.
    if (tracked) this.options.orders.addExecuted(tracked, shares);
    // Requested executions of orders this broker never tracked are history: not news for the flow.
    if (!unsolicited && !tracked) return;
    const timer = setTimeout(() => this.release(execId), this.options.commissionWaitMs);
    this.pending.set(execId, { execution, timer });
  }

  onCommission(report: CommissionReport): void {
    const execId = report.execId;
    if (!execId) return;
    const pending = this.pending.get(execId);
    if (!pending) return;
    // TWS sends Double.MAX_VALUE for "not known".
    const commission = Number(report.commission);
    pending.execution.commission = Number.isFinite(commission) && commission < 1e300 ? commission : 0;
    const pnl = Number(report.realizedPNL);
    pending.execution.realizedPnl = Number.isFinite(pnl) && Math.abs(pnl) < 1e300 ? pnl : null;
    this.release(execId);
  }

  /** True while an execution of the order waits for its commission report. */
  awaitsCommission(orderId: number): boolean {
    for (const pending of this.pending.values()) if (pending.execution.orderId === orderId) return true;
    return false;
  }

  lastPrice(key: InstrumentKey): number | null {
    return this.prices.get(key) ?? null;
  }

  /** Drops the held executions (not reported). */
  dispose(): void {
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
  }

  /** Reports an execution (with its commission when it came in time) and folds it into its order. */
  private release(execId: string): void {
    const pending = this.pending.get(execId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(execId);
    const { execution } = pending;
    const tracked = this.options.orders.get(execution.orderId);
    if (tracked) this.options.orders.addCommission(tracked, execution);
    this.options.emitExecution(execution);
    if (tracked) this.options.orders.reportIfCommissioned(tracked);
  }
}
