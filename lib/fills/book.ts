/**
 * The engine's state records: one Book per instrument (its working orders, the last prices fed, the
 * position) and one LiveOrder per order the engine has taken (where it is in its lifecycle and what has
 * filled). They are plain mutable records that the other parts of the engine update: keeping them
 * together here, with no behaviour beyond a few derived values, lets every part read the same fields
 * without indirection on the per-bar path.
 */
import type { OrderStatus } from '../messages';
import { ORDER_TYPE_RULES } from '../messages/order-types';
import type { EngineOrder } from './types';
import { SHARE_TERMS, type ContractTerms } from './contract-terms';
import type { CurrencyCash } from './currency';

/** Where an order is in its lifecycle inside the engine. */
export const enum OrderState {
  /** transmit: false, waiting for its bracket to be transmitted. */
  Held,
  /** A transmitted child waiting for its parent to fill. */
  Waiting,
  /** In the market: on its book's `working` list. */
  Working,
  /** Filled or cancelled. */
  Done,
}

/** What an instrument was last fed with: it decides how a newly working order is looked at at once. */
export const enum PriceFeed {
  None,
  Bars,
  Quotes,
}

/** Quantities closer than this are equal (fills of fractional sizes add up with binary noise). */
export const QTY_EPSILON = 1e-9;

/** Per instrument: working orders, last prices, position. */
export class Book {
  /** Orders in the market for this symbol, in arrival order. */
  readonly working: LiveOrder[] = [];
  feed = PriceFeed.None;
  /** Time of the last price event of this symbol. */
  lastTime = NaN;
  /** The price positions are marked at: bar close, quote last (or mid), else the first fill price. */
  mark = NaN;
  bid = NaN;
  ask = NaN;
  last = NaN;
  // The position (portfolio.ts keeps it).
  quantity = 0;
  avgCost = 0;
  realized = 0;
  /** Traded at least once: TWS keeps reporting a position that went flat. */
  traded = false;
  /**
   * Contract terms: money is quantity x price x multiplier. Fixed by the first order the engine takes
   * (or the engine's multiplier option); `termsFixed` false until then.
   */
  terms: ContractTerms = SHARE_TERMS;
  /** terms.multiplier, read on the per-bar equity path. */
  multiplier = 1;
  termsFixed = false;
  /**
   * The cash of the currency it is quoted in, when that is not the account's base currency (currency.ts):
   * its fills move that cash, its money is valued at that currency's rate. Null: the base currency.
   */
  fx: CurrencyCash | null = null;

  constructor(
    readonly symbol: string,
    readonly tick: number,
    /** Margins per contract the caller knows (futures), kept whatever terms the first order brings. */
    private readonly margins: Pick<ContractTerms, 'initialMargin' | 'maintenanceMargin'> | null = null,
  ) {}

  fixTerms(terms: ContractTerms): void {
    this.terms = this.margins === null ? terms : { ...terms, ...this.margins };
    this.multiplier = terms.multiplier;
    this.termsFixed = true;
  }
}

/** One order as the engine tracks it. */
export class LiveOrder {
  state = OrderState.Held;
  status: OrderStatus = 'PendingSubmit';
  filled = 0;
  filledValue = 0;
  lastFillPrice = 0;
  commission = 0;
  /** STP / TRAIL: the stop has triggered (a market order now, or a limit for the *LMT kinds). */
  triggered = false;
  /** The limit in force once a STP LMT / TRAIL LIMIT triggered. */
  activeLimit = NaN;
  trailBest = NaN;
  trailStop = NaN;
  /** Its conditions were met (it was released, or cancelled with conditionsCancelOrder). */
  conditionsDone = false;
  /** REL, PEG MID, MIDPRICE: the price the order stands at now (pegging.ts); NaN until first pegged. */
  pegPrice = NaN;
  /** DAY clock: the trading day of the first price event the order was looked at. */
  day = NaN;
  /** The trading day of the last price seen when the order was placed (OPG, MOC/LOC on quotes). */
  submitDay = NaN;
  /** Looked at by a price event (IOC/OPG/LOC end after their one look). */
  looked = false;
  children: LiveOrder[] | null = null;
  ocaKey: string | null = null;

  constructor(
    public order: EngineOrder,
    readonly permId: number,
    readonly book: Book,
  ) {}

  get remaining(): number {
    return this.order.totalQuantity - this.filled;
  }

  /** A market order now: MKT, or a STP / TRAIL / MIT whose stop or trigger has been reached. */
  isMarket(): boolean {
    const rule = ORDER_TYPE_RULES[this.order.orderType];
    return rule.lmtPrice === null && rule.pegged === null && !rule.auction && (!rule.waitsForPrice || this.triggered);
  }

  /** The limit a fill must respect (slippage never crosses it), or NaN for market-like orders. */
  limitInForce(): number {
    const o = this.order;
    const rule = ORDER_TYPE_RULES[o.orderType];
    if (rule.pegged !== null) return this.pegPrice;
    if (rule.lmtPrice === null) return NaN;
    return rule.waitsForPrice ? this.activeLimit : o.lmtPrice!;
  }
}

/** Removes `item` keeping the order, without the garbage array splice() returns. */
export function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i < 0) return;
  for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j];
  list.pop();
}
