/**
 * The broker of a backtest connection: orders go into the backtest session's fill engine and nowhere
 * else. It has no socket and imports nothing that could open one, so a backtest can never reach an
 * account, whatever a message carries.
 */
import type { Contract, Order } from '@stoqey/ib';
import type { Execution, InstrumentKey, OrderType, Position, Side, TimeInForce } from '../messages';
import { StrategyLedger, type StrategyBook } from '../fills/strategy-positions';
import type { EngineOrder } from '../fills/types';
import type { BacktestRun } from '../backtest/session';
import { contractFromKey, contractMultiplier, instrumentKey } from '../messages/instrument';
import type { Broker, BrokerEvents, OrderContext, WorkingOrder } from './types';

export class BacktestBroker implements Broker {
  readonly kind = 'backtest' as const;
  private nextId = 1;
  /** What each order was placed as, to report working orders in IB's own shapes. */
  private readonly placed = new Map<number, { contract: Contract; order: Order }>();
  /** Positions per strategy, from the engine's executions. */
  private readonly strategies = new StrategyLedger();

  constructor(private readonly run: BacktestRun) {
    run.brokerEvents.on('execution', (execution: Execution) => this.strategies.add(execution));
  }

  strategyPosition(strategy: string, key: InstrumentKey): number {
    return this.strategies.quantity(strategy, key);
  }

  strategyBook(): StrategyBook {
    return this.strategies.book();
  }

  account(): string {
    return this.run.engine().account;
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
    const engineOrder = toEngineOrder(orderId, contract, order, this.account());
    this.placed.set(orderId, { contract, order });
    this.run.engine().submit(engineOrder);
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
    for (const { order, state } of this.run.engine().openOrders()) {
      if (key !== undefined && order.symbol !== key) continue;
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

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** IB's Order (as place-order builds it) to the engine's order. */
export function toEngineOrder(orderId: number, contract: Contract, order: Order, account: string): EngineOrder {
  const symbol = instrumentKey(contract);
  const action = String(order.action ?? '').toUpperCase();
  if (action !== 'BUY' && action !== 'SELL') throw new Error(`order ${orderId} for ${symbol}: action must be BUY or SELL, got ${String(order.action)}`);
  const totalQuantity = Number(order.totalQuantity);
  if (!(totalQuantity > 0) || !Number.isFinite(totalQuantity)) {
    throw new Error(`order ${orderId} for ${symbol}: totalQuantity must be a positive number, got ${String(order.totalQuantity)}`);
  }
  const result: EngineOrder = {
    orderId,
    symbol,
    action: action as Side,
    totalQuantity,
    orderType: String(order.orderType ?? 'MKT').toUpperCase() as OrderType,
    account,
  };
  const lmtPrice = optionalNumber(order.lmtPrice);
  if (lmtPrice !== undefined) result.lmtPrice = lmtPrice;
  const auxPrice = optionalNumber(order.auxPrice);
  if (auxPrice !== undefined) result.auxPrice = auxPrice;
  const trailingPercent = optionalNumber(order.trailingPercent);
  if (trailingPercent !== undefined) result.trailingPercent = trailingPercent;
  const trailStopPrice = optionalNumber(order.trailStopPrice);
  if (trailStopPrice !== undefined) result.trailStopPrice = trailStopPrice;
  const lmtPriceOffset = optionalNumber(order.lmtPriceOffset);
  if (lmtPriceOffset !== undefined) result.lmtPriceOffset = lmtPriceOffset;
  if (order.parentId) result.parentId = order.parentId;
  if (order.tif) result.tif = String(order.tif).toUpperCase() as TimeInForce;
  if (order.ocaGroup) result.ocaGroup = order.ocaGroup;
  if (order.ocaType) result.ocaType = order.ocaType as 1 | 2 | 3;
  if (order.orderRef) result.orderRef = order.orderRef;
  if (order.transmit === false) result.transmit = false;
  if (order.outsideRth) result.outsideRth = true;
  const multiplier = contractMultiplier(contract);
  if (multiplier !== undefined) result.multiplier = multiplier;
  return result;
}
