/**
 * The account as a backtest sees it: the same snapshot shape as a TWS account (lib/data/account), read
 * from the backtest's fill engine, so an account node shows positions, equity and fills whether the
 * flow trades or backtests.
 */
import type { FillEngineApi } from '../fills/types';
import type { AccountPosition, AccountSnapshot, OpenOrderInfo } from './account';
import { attributeByOrderRef, markStrategies, unattributedPositions } from './attribution';

export function backtestAccountSnapshot(engine: FillEngineApi, currency = 'USD'): AccountSnapshot {
  const cash = engine.cash();
  const equity = engine.equity();
  const positions: AccountPosition[] = engine.positions().map((p) => ({
    ...p,
    key: p.symbol,
    conId: null,
    secType: 'STK',
    currency,
    dailyPnl: null,
  }));
  const unrealized = positions.reduce((sum, p) => sum + (p.unrealizedPnl ?? 0), 0);
  const realized = positions.reduce((sum, p) => sum + p.realizedPnl, 0);
  const orders: OpenOrderInfo[] = engine.openOrders().map(({ order, state }) => ({
    orderId: order.orderId,
    permId: state.permId,
    key: order.symbol,
    symbol: order.symbol,
    action: order.action,
    orderType: order.orderType,
    totalQuantity: order.totalQuantity,
    lmtPrice: order.lmtPrice ?? null,
    auxPrice: order.auxPrice ?? null,
    tif: order.tif ?? 'DAY',
    status: state.status,
    filled: state.filled,
    remaining: state.remaining,
    avgFillPrice: state.avgFillPrice,
    orderRef: order.orderRef ?? '',
    account: engine.account,
  }));
  const executions = engine.executions().map((e) => ({ ...e }));
  const strategies = markStrategies(attributeByOrderRef(executions), positions);
  return {
    account: engine.account,
    // A backtest connection can never reach a real account.
    live: false,
    time: Date.now(),
    summary: { NetLiquidation: equity, TotalCashValue: cash, GrossPositionValue: positions.reduce((s, p) => s + Math.abs(p.marketValue ?? 0), 0) },
    equity,
    currency,
    positions,
    pnl: { daily: null, unrealized, realized },
    orders,
    executions,
    // A run's executions are all listed; its finished orders are not kept as completed orders.
    executionsSince: null,
    completed: [],
    strategies,
    unattributed: unattributedPositions(positions, strategies),
  };
}
