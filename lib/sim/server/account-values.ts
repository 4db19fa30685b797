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
 *
 * Cash is kept per currency, as TWS keeps it, by the engine itself: a trade in an instrument quoted in
 * another currency moves that currency's cash, its commission included (a buy of SAP on IBIS pays EUR),
 * and a currency pair's position is a balance of its base currency (a long EUR.USD is EUR cash, a long
 * USD.JPY USD cash), not a position value. The totals are in USD, each currency at the rate the engine
 * values it at (the mark of its dollar pair), so that the margins it checks orders against and the
 * values reported are one figure.
 *
 * A bond trades at its price plus the interest accrued since its last coupon, which the buyer pays the
 * seller in cash; the holder is paid each coupon in cash, and the interest accrued on the bonds held
 * is part of the net liquidation value (lib/sim/market/bond-interest.ts). The engine counts the clean
 * price only, so both are added here; the portfolio's market value stays at the price.
 */
import type { FillEngineApi } from '../../fills/types';
import type { Market } from '../market/market';
import type { Position } from '../../messages';
import type { Instrument } from '../market/universe';
import { isMarginedPerContract } from '../../fills/margin';
import { accruedInterest, couponsPaid } from '../market/bond-interest';

/** One currency's part of the account, in that currency; `rate` is one unit of it in USD. */
export interface CurrencyBalance {
  currency: string;
  rate: number;
  cash: number;
  stockMarketValue: number;
  netLiquidation: number;
  unrealizedPnl: number;
  realizedPnl: number;
}

export interface AccountNumbers {
  /** Every currency's cash, in USD. */
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
  /** USD first, then every other currency with cash or positions, by code. */
  currencies: CurrencyBalance[];
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

export function accountNumbers(engine: FillEngineApi, market: Market, now: number): AccountNumbers {
  const lines = positionLines(engine, market);
  // One unit of each currency in USD: the rate the engine values it at (its dollar pair's mark, which it
  // is fed with every quote, so every currency it holds has one).
  const rateOf = (currency: string): number => (currency === 'USD' ? 1 : (engine.currencyValue(currency)?.rate ?? NaN));
  const balances = new Map<string, CurrencyBalance>();
  const balance = (currency: string): CurrencyBalance => {
    let b = balances.get(currency);
    if (!b) {
      b = { currency, rate: rateOf(currency), cash: 0, stockMarketValue: 0, netLiquidation: 0, unrealizedPnl: 0, realizedPnl: 0 };
      balances.set(currency, b);
    }
    return b;
  };
  const usd = balance('USD');
  for (const { currency, cash } of engine.cashByCurrency()) balance(currency).cash += cash;
  for (const execution of engine.executions()) {
    const instrument = market.universe.byInstrumentKey(execution.symbol);
    if (!instrument?.bond) continue;
    const signed = execution.side === 'BUY' ? execution.shares : -execution.shares;
    // The accrued interest paid (bought) or received (sold) with the price, then the coupons since, per bond.
    balance(instrument.currency).cash += signed * (couponsPaid(instrument.bond, execution.time, now) - accruedInterest(instrument.bond, execution.time));
  }
  let gross = 0;
  let stock = 0;
  let unrealized = 0;
  let realized = 0;
  for (const { position, instrument } of lines) {
    const local = balance(instrument.currency);
    const value = position.marketValue ?? 0;
    const rate = local.rate;
    local.unrealizedPnl += position.unrealizedPnl ?? 0;
    local.realizedPnl += position.realizedPnl;
    unrealized += (position.unrealizedPnl ?? 0) * rate;
    realized += position.realizedPnl * rate;
    if (instrument.secType === 'CASH') {
      // A pair held is a balance of its base currency, not a position value.
      balance(instrument.symbol).cash += position.quantity;
      continue;
    }
    if (isMarginedPerContract(instrument.secType)) {
      // Marked to market: what the engine paid for the contracts is cash again, their P&L is cash.
      local.cash += value;
      continue;
    }
    gross += Math.abs(value) * rate;
    local.netLiquidation += value;
    // The interest the bonds held have accrued is theirs: part of what the account is worth.
    if (instrument.bond) local.netLiquidation += position.quantity * accruedInterest(instrument.bond, now);
    if (instrument.secType === 'STK') {
      stock += value * rate;
      local.stockMarketValue += value;
    }
  }
  let cash = 0;
  let netLiquidation = 0;
  for (const b of balances.values()) {
    b.netLiquidation += b.cash;
    cash += b.cash * b.rate;
    netLiquidation += b.netLiquidation * b.rate;
  }
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
    currencies: [usd, ...[...balances.values()].filter((b) => b !== usd && (b.cash !== 0 || b.netLiquidation !== 0)).sort((a, b) => a.currency.localeCompare(b.currency))],
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

/** The BASE row of the ledger: every currency together, in USD. */
export function baseBalance(n: AccountNumbers): CurrencyBalance {
  return { currency: 'BASE', rate: 1, cash: n.cash, stockMarketValue: n.stockMarketValue, netLiquidation: n.netLiquidation, unrealizedPnl: n.unrealizedPnl, realizedPnl: n.realizedPnl };
}

/** An exchange rate as TWS writes it: "1.00" for one, else to 10 significant digits (a yen is 0.006644518272 dollars). */
export function rateText(rate: number): string {
  return rate === 1 ? '1.00' : String(Number(rate.toPrecision(10)));
}

/** One currency's ledger values ($LEDGER tags) in that currency, with its ExchangeRate (one unit in the base currency). */
export function ledgerTags(b: CurrencyBalance, exchangeRate: number): Array<[string, string]> {
  return [
    ['CashBalance', money(b.cash)],
    ['TotalCashBalance', money(b.cash)],
    ['NetLiquidationByCurrency', money(b.netLiquidation)],
    ['StockMarketValue', money(b.stockMarketValue)],
    ['RealizedPnL', money(b.realizedPnl)],
    ['UnrealizedPnL', money(b.unrealizedPnl)],
    ['ExchangeRate', rateText(exchangeRate)],
  ];
}
