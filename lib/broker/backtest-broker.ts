/**
 * The broker of a backtest connection: orders go into the backtest session's fill engine and nowhere
 * else. It has no socket and imports nothing that could open one, so a backtest can never reach an
 * account, whatever a message carries.
 */
import type { Contract, Order } from '@stoqey/ib';
import type { Execution, InstrumentKey, OrderEvent, Position } from '../messages';
import { StrategyLedger, type LedgerTrips, type StrategyBook } from '../fills/strategy-positions';
import { engineOrderFromIb } from '../fills/ib-order';
import type { BacktestRun } from '../backtest/session';
import { contractFromKey } from '../messages/instrument';
import type { Broker, BrokerEvents, OrderContext, WhatIfPreview, WorkingOrder } from '../orders/broker';
import type { MarginPreview } from '../fills/types';

export class BacktestBroker implements Broker {
  readonly kind = 'backtest' as const;
  private nextId = 1;
  /** What each order was placed as, to report working orders in IB's own shapes. */
  private readonly placed = new Map<number, { contract: Contract; order: Order }>();
  /** Positions per strategy, from the engine's executions. */
  /** The engine reports each execution once. */
  private readonly strategies = new StrategyLedger(true);

  constructor(private readonly run: BacktestRun) {
    run.brokerEvents.on('execution', (execution: Execution) => this.strategies.add(execution));
    // Only working orders are reported in their placed shapes: a done order's are let go (a long batch
    // would otherwise keep every order it ever placed).
    run.brokerEvents.on('order', (event: OrderEvent) => {
      if (event.status === 'Filled' || event.status === 'Cancelled' || event.status === 'Inactive' || event.status === 'ApiCancelled') this.placed.delete(event.orderId);
    });
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

  account(): string {
    return this.run.engine().account;
  }

  /** The backtest's base currency and its rates (an FX instrument's last close, else the fixed table): limits count in it. */
  currencyValue(currency: string): { base: string; rate: number | null } | null {
    return this.run.engine().currencyValue(currency);
  }

  orderBlock(): string | null {
    return null;
  }

  nextOrderId(): Promise<number> {
    return Promise.resolve(this.nextId++);
  }

  /** The same without a promise, for the batch backtest's loop. */
  reserveOrderId(): number {
    return this.nextId++;
  }

  placeOrder(orderId: number, contract: Contract, order: Order, _context?: OrderContext): void {
    if (!Number.isInteger(orderId) || orderId <= 0) throw new Error(`order id must be a positive integer, got ${String(orderId)}`);
    if (orderId >= this.nextId) this.nextId = orderId + 1;
    const engineOrder = engineOrderFromIb(orderId, contract, order, { account: this.account() });
    if (engineOrder.action !== 'BUY' && engineOrder.action !== 'SELL') throw new Error(`order ${orderId} for ${engineOrder.symbol}: action must be BUY or SELL, got ${String(order.action)}`);
    if (!(engineOrder.totalQuantity > 0) || !Number.isFinite(engineOrder.totalQuantity)) {
      throw new Error(`order ${orderId} for ${engineOrder.symbol}: totalQuantity must be a positive number, got ${String(order.totalQuantity)}`);
    }
    this.placed.set(orderId, { contract, order });
    this.run.engine().submit(engineOrder);
  }

  /** What-if: the fill engine's margins before and after `order` and its commission; nothing placed. */
  whatIf(contract: Contract, order: Order): Promise<WhatIfPreview> {
    const preview = this.run.engine().whatIf(engineOrderFromIb(this.nextId, contract, order, { account: this.account() }));
    if (typeof preview === 'string') return Promise.reject(new Error(`what-if: ${preview}`));
    return Promise.resolve(previewOfEngine(preview));
  }

  cancelOrder(orderId: number): void {
    this.run.engine().cancel(orderId);
  }

  cancelAll(): void {
    this.run.engine().cancelAll();
  }

  position(key: InstrumentKey): number {
    return this.run.engine().position(key)?.quantity ?? 0;
  }

  positions(): Position[] {
    return this.run.engine().positions();
  }

  workingOrders(key?: InstrumentKey): WorkingOrder[] {
    const result: WorkingOrder[] = [];
    for (const { order, state } of this.run.engine().openOrders(key)) {
      const placed = this.placed.get(order.orderId);
      result.push({
        orderId: order.orderId,
        key: order.symbol,
        contract: placed?.contract ?? contractFromKey(order.symbol),
        order: placed?.order ?? { action: order.action as Order['action'], totalQuantity: order.totalQuantity, orderType: order.orderType as Order['orderType'] },
        state,
      });
    }
    return result;
  }

  equity(): number {
    return this.run.engine().equity();
  }

  lastPrice(key: InstrumentKey): number | null {
    return this.run.engine().position(key)?.marketPrice ?? this.run.lastPrice(key);
  }

  on<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): this {
    this.run.brokerEvents.on(event, listener);
    return this;
  }

  off<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): this {
    this.run.brokerEvents.off(event, listener);
    return this;
  }
}

/** The fill engine's preview (a backtest) as TWS words one; an account that checks no margin shows none. */
function previewOfEngine(preview: MarginPreview | null): WhatIfPreview {
  const round = (n: number) => Math.round(n * 100) / 100;
  const b = preview?.before;
  const a = preview?.after;
  const money = (n: number | undefined) => (n === undefined ? null : round(n));
  const change = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? null : round(y - x));
  return {
    initMarginBefore: money(b?.initialMargin),
    initMarginChange: change(b?.initialMargin, a?.initialMargin),
    initMarginAfter: money(a?.initialMargin),
    maintMarginBefore: money(b?.maintenanceMargin),
    maintMarginChange: change(b?.maintenanceMargin, a?.maintenanceMargin),
    maintMarginAfter: money(a?.maintenanceMargin),
    equityWithLoanBefore: money(b?.equityWithLoan),
    equityWithLoanChange: change(b?.equityWithLoan, a?.equityWithLoan),
    equityWithLoanAfter: money(a?.equityWithLoan),
    commission: preview ? preview.commission : null,
    minCommission: null,
    maxCommission: null,
    commissionCurrency: null,
    warningText: preview?.problem ?? null,
  };
}
