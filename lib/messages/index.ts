/**
 * The message contracts every node speaks (README's node table and each node's help). Plain JSON-safe shapes:
 * times are epoch milliseconds UTC, prices and sizes are numbers, "missing" is null, never 0.
 */

/** One OHLCV bar. `time` is the bar's start in epoch ms UTC. */
export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Volume-weighted average price, when the source has it. */
  wap?: number;
  /** Number of trades in the bar, when the source has it. */
  count?: number;
  /** The trading day the bar belongs to ("2026-01-07"), when the source knows the session (the bars node). */
  session?: string;
}

/**
 * A batch of bars as columns (msg.payload of a columnar batch): entry i of each column is bar i.
 * Compact where an array of a million bar objects is not (see lib/bar-columns.ts). `time` and `close`
 * are required; the others as the reader needs them.
 */
export interface BarColumns {
  time: ArrayLike<number>;
  open?: ArrayLike<number>;
  high?: ArrayLike<number>;
  low?: ArrayLike<number>;
  close: ArrayLike<number>;
  volume?: ArrayLike<number>;
}

/** A top-of-book quote; fields not yet seen are null. */
export interface Quote {
  time: number;
  bid: number | null;
  ask: number | null;
  last: number | null;
  bidSize: number | null;
  askSize: number | null;
  lastSize: number | null;
  volume: number | null;
  open?: number | null;
  high?: number | null;
  low?: number | null;
  close?: number | null;
  /** Options only: TWS's model volatility and greeks (tick option computation), once it sent them. */
  greeks?: OptionGreeks;
}

/** An option's model values as TWS computes them: delta and gamma per point, vega per volatility point, theta per day. */
export interface OptionGreeks {
  impliedVolatility: number | null;
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
  modelPrice: number | null;
  underlyingPrice: number | null;
}

export type Side = 'BUY' | 'SELL';

/** What crossover emits in `msg.signal`. */
export interface Signal {
  side: Side;
  /** Human readable, e.g. "fast crossed above slow". */
  reason: string;
  time: number;
  /** From a bar still forming (crossover's "signals on forming bars"); absent for closed bars. */
  forming?: boolean;
}

/** The order types and times in force, and what each type does with its prices: lib/messages/order-types.ts. */
export { ORDER_TYPES, TIMES_IN_FORCE, type OrderType, type TimeInForce } from './order-types';
import type { OrderType, TimeInForce } from './order-types';

/**
 * `msg.order`: either a target position (`targetQuantity`, signed: negative is short) or an explicit
 * order (`action` + `totalQuantity`), optionally with `orderId` to modify a working order.
 */
export interface OrderIntent {
  targetQuantity?: number;
  action?: Side;
  totalQuantity?: number;
  orderType?: OrderType;
  lmtPrice?: number;
  auxPrice?: number;
  trailingPercent?: number;
  trailStopPrice?: number;
  /** TRAIL LIMIT: the limit's distance from the trailing stop once it triggers. */
  lmtPriceOffset?: number;
  tif?: TimeInForce;
  /** tif GTD: when the order expires, IB's "yyyyMMdd HH:mm:ss" with an optional zone (else US/Eastern), or "yyyyMMdd-HH:mm:ss" in UTC. */
  goodTillDate?: string;
  /** The order waits until then (same forms as goodTillDate). */
  goodAfterTime?: string;
  /** Not shown in the book (IB: NASDAQ-routed orders). */
  hidden?: boolean;
  /** An IB algo: "Adaptive", "Vwap" or "Twap", with its parameters as TWS takes them ([{tag, value}]) or as an object. */
  algoStrategy?: string;
  algoParams?: Array<{ tag: string; value: string }> | Record<string, unknown>;
  /** Price and time conditions (see place-order's help); conditionsCancelOrder: they cancel the order instead of releasing it. */
  conditions?: Array<Record<string, unknown>>;
  conditionsCancelOrder?: boolean;
  conditionsIgnoreRth?: boolean;
  /** Preview only: TWS's margins and commission for the order, placing nothing. */
  whatIf?: boolean;
  outsideRth?: boolean;
  account?: string;
  orderRef?: string;
  /** Modify this working order instead of placing a new one. */
  orderId?: number;
  /** Protective levels a risk-sizer attaches for stop-order. */
  stopLoss?: number;
  takeProfit?: number;
}

/** Order status names as TWS reports them. */
export type OrderStatus =
  | 'PendingSubmit'
  | 'PendingCancel'
  | 'PreSubmitted'
  | 'Submitted'
  | 'ApiCancelled'
  | 'Cancelled'
  | 'Filled'
  | 'Inactive';

/** One order event out of place-order / stop-order (and the fill engine). */
export interface OrderEvent {
  orderId: number;
  permId: number;
  parentId: number;
  symbol: string;
  action: Side;
  orderType: OrderType;
  totalQuantity: number;
  status: OrderStatus;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  lastFillPrice: number;
  /** Total commission charged so far for this order. */
  commission: number;
  orderRef: string;
  /** IB's reason for a rejection or cancel, when there is one. */
  reason?: string;
  time: number;
}

/** One execution (fill or partial fill). */
export interface Execution {
  execId: string;
  orderId: number;
  permId: number;
  symbol: string;
  side: Side;
  shares: number;
  price: number;
  cumQty: number;
  avgPrice: number;
  commission: number;
  realizedPnl: number | null;
  orderRef: string;
  account: string;
  time: number;
  /** Contract multiplier when it is not 1 (futures, options): money is shares x price x multiplier. */
  multiplier?: number;
  /**
   * A backtest's execution of an instrument quoted in another currency than the account's base: that
   * currency (price, commission and realizedPnl are in it) and its rate at the fill (base units per unit).
   */
  currency?: string;
  fxRate?: number;
}

/**
 * A position in one instrument. `quantity` is signed (negative is short). As TWS reports it: avgCost
 * per contract (price x multiplier, commissions included), marketPrice per unit, marketValue and
 * P&L in currency (quantity x price x multiplier).
 */
export interface Position {
  account: string;
  symbol: string;
  quantity: number;
  avgCost: number;
  marketPrice: number | null;
  marketValue: number | null;
  unrealizedPnl: number | null;
  realizedPnl: number;
  /** Contract multiplier when it is not 1: avgCost / multiplier is the average price per unit. */
  multiplier?: number;
}

/** The instrument key of a message: its `msg.topic` (lib/messages/instrument.ts spells it). */
export type InstrumentKey = string;

/**
 * A bar message as it travels between computing nodes (the message contract, for readers; no code
 * names the type).
 * @public
 */
export interface BarMessage {
  topic: InstrumentKey;
  payload: Bar | Bar[];
  indicators?: Record<string, number | null | Record<string, number | null> | Array<unknown>>;
  signal?: Signal | null;
  order?: OrderIntent;
}

/**
 * Batch convention: when `msg.payload` is an array of N bars, every computing node writes an array of
 * N at its output property, index-aligned with the bars (null where nothing is defined, e.g. warm-up):
 * sma/indicator -> `msg.indicators.<name>: Array<number | null>` (or objects for multi-value
 * indicators), crossover -> `msg.signal: Array<Signal | null>`, risk-sizer ->
 * `msg.order: Array<OrderIntent | null>` (targetQuantity per bar, null = no change).
 * backtest-report then runs the vectorized backtest over bars + orders with the fill engine's rules.
 * @public
 */
export interface BatchMessage {
  topic: InstrumentKey;
  payload: Bar[];
  indicators?: Record<string, Array<unknown>>;
  signal?: Array<Signal | null>;
  order?: Array<OrderIntent | null>;
}
