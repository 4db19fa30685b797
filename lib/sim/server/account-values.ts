/**
 * The account's numbers as TWS reports them (account summary tags, reqAccountUpdates keys), derived
 * from the fill engine: cash, net liquidation marked at the last quotes, and the margins the engine
 * checks orders against (Reg T for a paper account: 50% initial, 25% maintenance on stocks; buying
 * power 2 x the available funds, see lib/fills/margin.ts).
 *
 * Futures are marked to market as at IB: opening one moves no cash (the engine pays the notional, so
 * the contracts' market value is added back), its P&L shows in cash, and it has no position value for
 * GrossPositionValue or Reg T. Its margin is a share of the notional, about what exchanges ask of
 * equity-index futures (ES: roughly 5% initial); TWS would report the exchange's own figure.
 */
import type { FillEngineApi } from '../../fills/types';
import type { Market } from '../market/market';
import type { Position } from '../../messages';
import type { Instrument } from '../market/universe';
import { isMarginedPerContract } from '../../fills/margin';

export interface AccountNumbers {
  cash: number;
  netLiquidation: number;
  grossPositionValue: number;
  stockMarketValue: number;
  initMargin: number;
  maintMargin: number;
  availableFunds: number;
  excessLiquidity: number;
  buyingPower: number;
  unrealizedPnl: number;
  realizedPnl: number;
}

export interface PositionLine {
  position: Position;
  instrument: Instrument;
}

export function positionLines(engine: FillEngineApi, market: Market): PositionLine[] {
  const lines: PositionLine[] = [];
  for (const position of engine.positions()) {
    const instrument = market.universe.byInstrumentKey(position.symbol);
    if (instrument) lines.push({ position, instrument });
  }
  return lines;
}

export function accountNumbers(engine: FillEngineApi, market: Market): AccountNumbers {
  let gross = 0;
  let stock = 0;
  let futuresValue = 0;
  let unrealized = 0;
  let realized = 0;
  for (const { position, instrument } of positionLines(engine, market)) {
    const value = position.marketValue ?? 0;
    if (isMarginedPerContract(instrument.secType)) futuresValue += value;
    else gross += Math.abs(value);
    if (instrument.secType === 'STK') stock += value;
    unrealized += position.unrealizedPnl ?? 0;
    realized += position.realizedPnl;
  }
  const cash = engine.cash() + futuresValue;
  const netLiquidation = engine.equity();
  // The margins are the ones the engine checks orders against (lib/fills/margin.ts): one answer.
  const margin = engine.margin();
  return {
    cash,
    netLiquidation,
    grossPositionValue: gross,
    stockMarketValue: stock,
    initMargin: margin?.initialMargin ?? 0,
    maintMargin: margin?.maintenanceMargin ?? 0,
    availableFunds: margin?.availableFunds ?? netLiquidation,
    excessLiquidity: margin?.excessLiquidity ?? netLiquidation,
    buyingPower: margin?.buyingPower ?? Math.max(0, netLiquidation),
    unrealizedPnl: unrealized,
    realizedPnl: realized,
  };
}

function money(value: number): string {
  return value.toFixed(2);
}

/** Account summary tags (reqAccountSummary) and their values. */
export function summaryTags(n: AccountNumbers): Array<[string, string]> {
  return [
    ['AccountType', 'INDIVIDUAL'],
    ['NetLiquidation', money(n.netLiquidation)],
    ['TotalCashValue', money(n.cash)],
    ['SettledCash', money(n.cash)],
    ['AccruedCash', '0.00'],
    ['BuyingPower', money(n.buyingPower)],
    ['EquityWithLoanValue', money(n.netLiquidation)],
    ['PreviousDayEquityWithLoanValue', money(n.netLiquidation - n.unrealizedPnl - n.realizedPnl)],
    ['GrossPositionValue', money(n.grossPositionValue)],
    ['RegTEquity', money(n.netLiquidation)],
    ['RegTMargin', money(n.initMargin)],
    ['SMA', money(Math.max(0, n.netLiquidation - n.initMargin))],
    ['InitMarginReq', money(n.initMargin)],
    ['MaintMarginReq', money(n.maintMargin)],
    ['AvailableFunds', money(n.availableFunds)],
    ['ExcessLiquidity', money(n.excessLiquidity)],
    ['Cushion', n.netLiquidation > 0 ? (n.excessLiquidity / n.netLiquidation).toFixed(6) : '0'],
    ['FullInitMarginReq', money(n.initMargin)],
    ['FullMaintMarginReq', money(n.maintMargin)],
    ['FullAvailableFunds', money(n.availableFunds)],
    ['FullExcessLiquidity', money(n.excessLiquidity)],
    ['LookAheadNextChange', '0'],
    ['LookAheadInitMarginReq', money(n.initMargin)],
    ['LookAheadMaintMarginReq', money(n.maintMargin)],
    ['LookAheadAvailableFunds', money(n.availableFunds)],
    ['LookAheadExcessLiquidity', money(n.excessLiquidity)],
    ['HighestSeverity', '0'],
    ['DayTradesRemaining', '-1'],
    ['Leverage', n.netLiquidation > 0 ? (n.grossPositionValue / n.netLiquidation).toFixed(4) : '0'],
  ];
}

/** Ledger values by currency ($LEDGER tags). */
export function ledgerTags(n: AccountNumbers): Array<[string, string]> {
  return [
    ['CashBalance', money(n.cash)],
    ['TotalCashBalance', money(n.cash)],
    ['NetLiquidationByCurrency', money(n.netLiquidation)],
    ['StockMarketValue', money(n.stockMarketValue)],
    ['RealizedPnL', money(n.realizedPnl)],
    ['UnrealizedPnL', money(n.unrealizedPnl)],
    ['ExchangeRate', '1.00'],
  ];
}
