/**
 * The fill engine's contract: one engine keeps orders, positions, cash and commissions, and fills
 * orders against the prices it is fed. The TWS simulator feeds it quotes from its random walk; a
 * backtest feeds it bars. Both therefore share every fill rule.
 */
import type { Bar, Execution, InstrumentKey, OrderEvent, OrderType, Position, Side, TimeInForce } from '../messages';
import type { ContractTerms, InstrumentSpec } from './contract-terms';

export type { ContractTerms, InstrumentSpec } from './contract-terms';

/** An order as the engine takes it (the subset of IB's Order that changes how it fills). */
export interface EngineOrder {
  orderId: number;
  /** 0 or undefined: no parent. A child waits until its parent has filled. */
  parentId?: number;
  symbol: InstrumentKey;
  action: Side;
  totalQuantity: number;
  orderType: OrderType;
  lmtPrice?: number;
  /** Stop price for STP and STP LMT; trailing amount for TRAIL when trailingPercent is unset. */
  auxPrice?: number;
  trailingPercent?: number;
  /** Initial stop of a TRAIL order; computed from the first price seen when unset. */
  trailStopPrice?: number;
  /**
   * TRAIL LIMIT: distance of the limit from the stop once it triggers (sell: stop - offset, buy: stop +
   * offset). When unset, lmtPrice - trailStopPrice (both given) fixes it.
   */
  lmtPriceOffset?: number;
  tif?: TimeInForce;
  /** tif GTD: the instant (epoch ms) it expires. */
  goodTillDate?: number;
  /** The instant (epoch ms) before which the order does not work (goodAfterTime). */
  goodAfterTime?: number;
  /**
   * Conditions (IB's order conditions) that release the order to work when met, or with
   * conditionsCancelOrder cancel it: see conditions.ts. Each joins the next by its conjunction.
   */
  conditions?: EngineCondition[];
  conditionsCancelOrder?: boolean;
  /** Orders sharing an OCA group: when one fills (ocaType 1) the others are cancelled. */
  ocaGroup?: string;
  ocaType?: 1 | 2 | 3;
  orderRef?: string;
  account?: string;
  /** false: the order is held (not working) until a later order of its bracket is sent with transmit true. */
  transmit?: boolean;
  outsideRth?: boolean;
  /** The client that placed it (TWS reports it back). */
  clientId?: number;
  /**
   * The contract multiplier of the contract the order was placed with (contract.multiplier: 50 for ES,
   * 100 for a US equity option). Absent, empty or invalid: the engine's multiplier option, else 1 for
   * stocks and currencies; a FUT/OPT/FOP order without one is rejected (see contract-terms.ts).
   */
  multiplier?: number | string;
}

/**
 * A price condition (the price of instrument `symbol` at or above / at or below `price`, read as its
 * trigger method says: 0 default and 2 last, 8 midpoint) or a time condition (at or after / before `time`).
 */
export type EngineCondition =
  | { kind: 'price'; symbol: InstrumentKey; isMore: boolean; price: number; triggerMethod: number; or?: boolean }
  | { kind: 'time'; isMore: boolean; time: number; or?: boolean };

/** Prices the engine fills against: a bar (backtest) or a quote (simulator). */
export interface QuoteTick {
  time: number;
  bid: number;
  ask: number;
  last: number;
}

/**
 * Commission for one execution, in the account currency. `shares` is the quantity in units the order
 * counts (shares, or contracts of a future/option); `terms` says which (absent: shares, multiplier 1).
 */
export interface CommissionModel {
  readonly name: string;
  /** `price` per unit of the underlying: the trade value is shares x price x terms.multiplier. */
  commission(shares: number, price: number, terms?: ContractTerms): number;
  /**
   * Total commission of one order whose fills add up to `shares` worth `value` (in currency: quantity x
   * price x multiplier). When present the engine charges each execution the increase of this total, so
   * per-order minimums and maximums apply to the order, not to every partial fill (as IB charges).
   */
  forOrder?(shares: number, value: number, terms?: ContractTerms): number;
}

/** Adjusts a fill price against the trader (a buy pays more, a sell gets less). */
export interface SlippageModel {
  readonly name: string;
  adjust(side: Side, price: number, minTick: number): number;
}

export interface FillEngineOptions {
  account: string;
  startingCash: number;
  commission?: CommissionModel;
  slippage?: SlippageModel;
  /**
   * Bars only. 'next-open' (default): an order placed while bar t is being handled fills on bar t+1
   * (market at its open; stops and limits when its range reaches them, gaps at the open).
   * 'close': market orders fill at the close of the last bar fed (the bar the strategy just saw).
   */
  fillAt?: 'next-open' | 'close';
  /** Simulator option: fill at most this many shares per price event, to exercise partial fills. */
  maxFillPerEvent?: number;
  /**
   * Price increment per instrument; orders whose prices are not multiples of it are rejected, and tick
   * slippage moves fills by it. Default: `instrument`'s minTick, else defaultMinTick (contract-terms.ts:
   * 0.01 for stocks, 0.00005 for currency pairs, the contract's tick for common futures).
   */
  minTick?: (symbol: InstrumentKey) => number;
  /**
   * What the caller knows of an instrument (a contracts table, contract details): minTick, multiplier,
   * margins per contract. Read when the engine first meets the instrument.
   */
  instrument?: (symbol: InstrumentKey) => InstrumentSpec | undefined;
  /**
   * Contract multiplier per instrument when the caller knows it (the simulator's contract details);
   * undefined: the first order's contract.multiplier decides (see EngineOrder.multiplier).
   */
  multiplier?: (symbol: InstrumentKey) => number | undefined;
  /**
   * Buying power the account checks every order against (margin.ts): 'cash' (paid in full, no short
   * sales) or 'reg-t' (Reg T margin). Absent: no check (orders fill whatever they cost).
   */
  accountType?: AccountType;
  /**
   * The account's base currency (a backtest's: USD unless set). Given, instruments quoted in another
   * currency (their InstrumentSpec's currency, else their key's) keep cash in it and are valued at its
   * rate (currency.ts); absent, every amount is counted as is, in one currency (the simulator).
   */
  baseCurrency?: string;
  /** Fixed rates by currency (base units per unit), used where no FX instrument's bars give one. */
  fxRates?: Readonly<Record<string, number>>;
  /** Wall clock for quotes-driven use; bars carry their own time. */
  now?: () => number;
  /**
   * The trading day of a price event's time, for DAY/OPG expiry and MOC/LOC on quotes. Default: the UTC
   * calendar day (Math.floor(time / 86400000)), right for US sessions and daily bars.
   */
  dayOf?: (time: number) => number;
}

export interface FillEngineEvents {
  /** Every change of an order's state, in the order TWS would report it. */
  order: (event: OrderEvent) => void;
  /** Every execution, followed by its commission in `Execution.commission`. */
  execution: (execution: Execution) => void;
  /** A position changed (after an execution). */
  position: (position: Position) => void;
}

/** What the engine exposes; lib/fills implements it. */
export interface FillEngineApi {
  readonly account: string;
  /** Places or, when orderId is already working, modifies an order. Rejections are order events with status 'Inactive' (or 'Cancelled') and a reason. */
  submit(order: EngineOrder): void;
  cancel(orderId: number, reason?: string): void;
  cancelAll(): void;
  /** Feeds one bar of `symbol`: fills what it triggers, then marks positions at its close. */
  onBar(symbol: InstrumentKey, bar: Bar): void;
  /** Feeds one quote of `symbol`: fills what it triggers and marks positions at last. */
  onQuote(symbol: InstrumentKey, quote: QuoteTick): void;
  /** Cash in the base currency (every currency's at its rate now). */
  cash(): number;
  /**
   * Cash per currency, each in its own: the base currency's first (an engine without a base currency has
   * that one only, its currency ''), then every other currency met, in the order met.
   */
  cashByCurrency(): Array<{ currency: string; cash: number }>;
  /** Cash plus positions at their marks, in the base currency. */
  equity(): number;
  /**
   * Base-currency units per unit of the currency `symbol` is quoted in, now: 1 for the base currency (or
   * an engine without one), NaN while no rate is known.
   */
  rateOf(symbol: InstrumentKey): number;
  /** The base currency and one unit of `currency` in it (rate null while unknown); null without a base currency. */
  currencyValue(currency: string): { base: string; rate: number | null } | null;
  /** The account's margin figures, or null when it checks no buying power (no accountType). */
  margin(): MarginFigures | null;
  /** What-if: margins now and after `order`, and its commission, placing nothing (null: no buying power check; text: why the order is malformed). */
  whatIf(order: EngineOrder): MarginPreview | string | null;
  position(symbol: InstrumentKey): Position | undefined;
  positions(): Position[];
  /** Orders not yet filled or cancelled, including held bracket children. */
  /** Open orders, of every instrument or of `symbol` only. */
  openOrders(symbol?: InstrumentKey): Array<{ order: EngineOrder; state: OrderEvent }>;
  executions(): Execution[];
  /** Total commission paid so far. */
  commissionsPaid(): number;
  on<E extends keyof FillEngineEvents>(event: E, listener: FillEngineEvents[E]): this;
  off<E extends keyof FillEngineEvents>(event: E, listener: FillEngineEvents[E]): this;
}

/** A cash account pays in full and cannot sell short; a Reg T margin account borrows against its securities. */
export type AccountType = 'cash' | 'reg-t';

/** The account's margin figures, as TWS reports them (account summary tags). */
export interface MarginFigures {
  /** Net liquidation: cash plus positions at their marks. */
  equityWithLoan: number;
  initialMargin: number;
  maintenanceMargin: number;
  /** equityWithLoan - initialMargin. */
  availableFunds: number;
  /** equityWithLoan - maintenanceMargin. */
  excessLiquidity: number;
  /** What stocks the available funds could buy: funds / 100% (cash) or / 50% (Reg T); never below 0. */
  buyingPower: number;
}

/** What a what-if order shows before it is sent: the account now, after the order, and its commission. */
export interface MarginPreview {
  before: Pick<MarginFigures, 'equityWithLoan' | 'initialMargin' | 'maintenanceMargin'>;
  after: Pick<MarginFigures, 'equityWithLoan' | 'initialMargin' | 'maintenanceMargin'>;
  commission: number;
  /** Why the order would be refused (IB's error 201 text), or null when it fits. */
  problem: string | null;
}
