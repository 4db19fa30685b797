/**
 * The fill engine: keeps orders, positions, cash and commissions for one account and fills orders
 * against the prices it is fed. Backtests feed bars, the TWS simulator feeds quotes; both share every
 * rule. This file is the public face (FillEngineApi) and the wiring of the parts:
 * - book.ts: per-instrument Book (working orders, last prices, position) and LiveOrder (order state);
 * - order-handler.ts: placing, modifying, transmitting, brackets, OCA groups, cancelling, fills;
 * - bar-matching.ts / quote-matching.ts: when and at what price orders fill on a bar / a quote
 *   (the fill rules are described there); trailing.ts: how trailing stops follow the price;
 * - portfolio.ts: IB-style accounting (positions, average cost, realized PnL, cash, commissions);
 * - events.ts: order / execution / position events, delivered only after the outermost engine call
 *   has finished, so listeners always see a consistent state and may call back into the engine.
 * A bar for an instrument without working orders (the common case of a batch backtest) is handled
 * here without calling into the other parts: keep that path short.
 */
import type { Bar, Execution, InstrumentKey, OrderEvent, Position } from '../messages';
import type { EngineOrder, FillEngineApi, FillEngineEvents, FillEngineOptions, QuoteTick } from './types';
import { Book, OrderState, PriceFeed, type LiveOrder } from './book';
import { BarMatcher } from './bar-matching';
import { TypedEmitter } from './emitter';
import { EventQueue, orderEventOf } from './events';
import { OrderHandler } from './order-handler';
import { Portfolio } from './portfolio';
import { QuoteMatcher } from './quote-matching';
import { isTrailing } from './validate';
import { CANCELLED_BY_REQUEST } from './reasons';
import { contractMultiplier, currencyOfKey, defaultMinTick, resolveTerms, secTypeOfKey, type ContractTerms, type InstrumentSpec } from './contract-terms';
import { Currencies, isCurrencyCode, ratesTableProblem, upperCaseRates } from './currency';
import { ACCOUNT_TYPES, BuyingPower, type MarginFigures, type MarginPreview } from './margin';

const MS_PER_DAY = 86_400_000;

export class FillEngine extends TypedEmitter<FillEngineEvents> implements FillEngineApi {
  readonly account: string;
  private readonly minTickOf: (symbol: InstrumentKey) => number;
  private readonly multiplierOf: ((symbol: InstrumentKey) => number | undefined) | undefined;
  private readonly specOf: ((symbol: InstrumentKey) => InstrumentSpec | undefined) | undefined;
  private readonly now: (() => number) | undefined;

  private readonly books = new Map<string, Book>();
  private readonly bookList: Book[] = [];
  /** The book of the last symbol looked up: consecutive bars of one symbol skip the map. */
  private lastBook: Book | null = null;
  private lastEventTime = NaN;

  private readonly events: EventQueue;
  private readonly portfolio: Portfolio;
  private readonly orders: OrderHandler;
  private readonly bars: BarMatcher;
  private readonly quotes: QuoteMatcher;
  private readonly buyingPower: BuyingPower | null;
  private readonly currencies: Currencies | null;

  constructor(options: FillEngineOptions) {
    super();
    if (!Number.isFinite(options.startingCash)) {
      throw new Error(`startingCash must be a number, got ${String(options.startingCash)}`);
    }
    if (options.maxFillPerEvent !== undefined && !(options.maxFillPerEvent > 0)) {
      throw new Error(`maxFillPerEvent must be a positive number, got ${String(options.maxFillPerEvent)}`);
    }
    this.account = options.account;
    this.specOf = options.instrument;
    const specOf = options.instrument;
    this.minTickOf = options.minTick ?? (specOf === undefined ? defaultMinTick : (symbol) => specOf(symbol)?.minTick ?? defaultMinTick(symbol));
    this.multiplierOf = options.multiplier;
    this.now = options.now;
    const dayOf = options.dayOf ?? ((time: number) => Math.floor(time / MS_PER_DAY));
    this.events = new EventQueue(
      (event) => this.listens(event),
      (event, data) => this.emit(event, data as never),
    );
    if (options.accountType !== undefined && !ACCOUNT_TYPES.includes(options.accountType)) {
      throw new Error(`accountType must be one of ${ACCOUNT_TYPES.join(', ')}, got ${String(options.accountType)}`);
    }
    const base = options.baseCurrency;
    if (base !== undefined && !isCurrencyCode(base)) throw new Error(`baseCurrency must be a 3-letter code such as "USD", got ${JSON.stringify(base)}`);
    const ratesProblem = options.fxRates === undefined ? null : ratesTableProblem(options.fxRates);
    if (ratesProblem !== null) throw new Error(ratesProblem);
    this.currencies = base === undefined ? null : new Currencies(base.toUpperCase(), upperCaseRates(options.fxRates));
    this.portfolio = new Portfolio(options.account, options.startingCash, options.commission, options.slippage, this.currencies);
    const portfolio = this.portfolio;
    this.buyingPower = options.accountType === undefined ? null : new BuyingPower(options.accountType, () => portfolio.cash(), this.bookList, this.currencies?.base);
    this.orders = new OrderHandler(
      this.events,
      this.portfolio,
      options.maxFillPerEvent ?? Infinity,
      dayOf,
      (live) => this.lookNow(live),
      this.buyingPower,
      (symbol) => this.books.get(symbol),
    );
    this.bars = new BarMatcher(this.orders, options.fillAt === 'close', dayOf);
    this.quotes = new QuoteMatcher(this.orders, dayOf, options.now);
  }

  // ---------------------------------------------------------------- prices

  onBar(symbol: InstrumentKey, bar: Bar): void {
    let book = this.lastBook;
    if (book === null || book.symbol !== symbol) book = this.bookFor(symbol);
    if (book.working.length !== 0) {
      this.barWithOrders(book, bar);
      return;
    }
    const close = bar.close;
    if (typeof close !== 'number' || close !== close) throw badBar(symbol, bar);
    book.mark = close;
    book.lastTime = bar.time;
    book.feed = PriceFeed.Bars;
    this.lastEventTime = bar.time;
  }

  private barWithOrders(book: Book, bar: Bar): void {
    const { open, high, low, close, time } = bar;
    if (!(Number.isFinite(open) && Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close))) {
      throw badBar(book.symbol, bar);
    }
    this.events.enter();
    try {
      this.bars.match(book, bar);
      book.mark = close;
      book.lastTime = time;
      book.feed = PriceFeed.Bars;
      this.lastEventTime = time;
    } finally {
      this.events.leave();
    }
  }

  onQuote(symbol: InstrumentKey, quote: QuoteTick): void {
    let book = this.lastBook;
    if (book === null || book.symbol !== symbol) book = this.bookFor(symbol);
    this.events.enter();
    try {
      if (book.working.length !== 0) this.quotes.match(book, quote);
      book.bid = quote.bid;
      book.ask = quote.ask;
      book.last = quote.last;
      const mark = quote.last > 0 ? quote.last : quote.bid > 0 && quote.ask > 0 ? (quote.bid + quote.ask) / 2 : NaN;
      if (mark === mark) book.mark = mark;
      book.lastTime = quote.time;
      book.feed = PriceFeed.Quotes;
      this.lastEventTime = quote.time;
    } finally {
      this.events.leave();
    }
  }

  /**
   * An order that just started working (or changed) is looked at against the price it can already see:
   * quotes fill at once; with fillAt 'close' a market order fills at the close of the last bar fed.
   */
  private lookNow(live: LiveOrder): void {
    if (live.state !== OrderState.Working) return;
    const feed = live.book.feed;
    if (feed === PriceFeed.Quotes) this.quotes.lookNow(live);
    else if (feed === PriceFeed.Bars) this.bars.lookNow(live);
  }

  // ---------------------------------------------------------------- orders

  submit(order: EngineOrder): void {
    if (order === null || typeof order !== 'object') {
      throw new TypeError(`submit needs an order object (orderId, symbol, action, totalQuantity, orderType), got ${String(order)}`);
    }
    this.events.enter();
    try {
      const existing = this.orders.get(order.orderId);
      if (existing !== undefined) {
        this.orders.modify(existing, order, this.timeOf(existing.book));
        return;
      }
      const symbol = order.symbol;
      const book = typeof symbol === 'string' && symbol !== '' ? this.bookFor(symbol) : null;
      // A rejected order is stamped with its symbol's last price time when the engine knows the symbol.
      this.orders.place(order, book, this.timeOf(typeof symbol === 'string' ? this.books.get(symbol) : undefined));
    } finally {
      this.events.leave();
    }
  }

  /**
   * What-if: the account's margins now and after `order`, and its commission, without placing it (TWS's
   * whatIf orders). Null when the engine checks no buying power; the reason when the order is malformed.
   */
  whatIf(order: EngineOrder): MarginPreview | string | null {
    const symbol = order?.symbol;
    if (typeof symbol !== 'string' || symbol === '') return 'The order has no symbol (instrument key).';
    return this.orders.preview(order, this.bookFor(symbol));
  }

  /** Cancels a working or held order (and its unfilled bracket children). False when it was not open. */
  cancel(orderId: number, reason: string = CANCELLED_BY_REQUEST): boolean {
    const live = this.orders.get(orderId);
    if (live === undefined) return false;
    this.events.enter();
    try {
      if (live.state === OrderState.Done) {
        this.events.order(live, this.timeOf(live.book), `Order ${orderId} cannot be cancelled, state: ${live.status}.`);
        return false;
      }
      this.orders.cancel(live, reason, this.timeOf(live.book));
      return true;
    } finally {
      this.events.leave();
    }
  }

  cancelAll(): void {
    this.events.enter();
    try {
      for (const live of [...this.orders.open]) {
        if (live.state !== OrderState.Done) this.orders.cancel(live, CANCELLED_BY_REQUEST, this.timeOf(live.book));
      }
    } finally {
      this.events.leave();
    }
  }

  // ---------------------------------------------------------------- account

  cash(): number {
    return this.portfolio.cash();
  }

  cashByCurrency(): Array<{ currency: string; cash: number }> {
    const currencies = this.currencies;
    const balances = [{ currency: currencies?.base ?? '', cash: this.portfolio.baseCash() }];
    if (currencies !== null) for (const slot of currencies.list) balances.push({ currency: slot.currency, cash: slot.cash });
    return balances;
  }

  equity(): number {
    return this.portfolio.equity(this.bookList);
  }

  currencyValue(currency: string): { base: string; rate: number | null } | null {
    const currencies = this.currencies;
    if (currencies === null) return null;
    const rate = currencies.rateOf(currency);
    return { base: currencies.base, rate: rate > 0 ? rate : null };
  }

  rateOf(symbol: InstrumentKey): number {
    const fx = this.books.get(symbol)?.fx;
    return fx === undefined || fx === null ? 1 : fx.rate();
  }

  /** Margin figures of the account (null when the engine checks no buying power). */
  margin(): MarginFigures | null {
    return this.buyingPower === null ? null : this.buyingPower.figures();
  }

  position(symbol: InstrumentKey): Position | undefined {
    const book = this.books.get(symbol);
    return book?.traded ? this.portfolio.positionOf(book) : undefined;
  }

  /** Every instrument traded so far, including the ones now flat (quantity 0), as TWS reports them. */
  positions(): Position[] {
    return this.bookList.filter((b) => b.traded).map((b) => this.portfolio.positionOf(b));
  }

  /**
   * Open orders (of `symbol` only, when given); a trailing order carries its current stop in
   * trailStopPrice, as TWS reports it. Asked on every order a strategy plans: only the orders asked
   * for are copied.
   */
  openOrders(symbol?: InstrumentKey): Array<{ order: EngineOrder; state: OrderEvent }> {
    const out: Array<{ order: EngineOrder; state: OrderEvent }> = [];
    if (this.orders.open.size === 0) return out;
    for (const live of this.orders.open) {
      if (symbol !== undefined && live.order.symbol !== symbol) continue;
      const order = { ...live.order };
      if (isTrailing(order.orderType) && live.trailStop === live.trailStop) order.trailStopPrice = live.trailStop;
      out.push({ order, state: orderEventOf(live, this.timeOf(live.book)) });
    }
    return out;
  }

  executions(): Execution[] {
    return this.portfolio.executions.slice();
  }

  commissionsPaid(): number {
    return this.portfolio.commissionsPaid();
  }

  // ---------------------------------------------------------------- helpers

  private bookFor(symbol: string): Book {
    let book = this.books.get(symbol);
    if (book === undefined) {
      const spec = this.specOf?.(symbol);
      const margins =
        spec === undefined || (spec.initialMargin === undefined && spec.maintenanceMargin === undefined)
          ? null
          : { initialMargin: spec.initialMargin, maintenanceMargin: spec.maintenanceMargin };
      book = new Book(symbol, this.minTickOf(symbol), margins);
      // A multiplier the caller knows fixes the terms now; else the first order's contract does.
      const known = contractMultiplier({ multiplier: this.multiplierOf?.(symbol) ?? spec?.multiplier });
      if (known !== undefined) book.fixTerms(resolveTerms(symbol, known) as ContractTerms);
      const currencies = this.currencies;
      if (currencies !== null) {
        const currency = isCurrencyCode(spec?.currency) ? spec.currency : currencyOfKey(symbol);
        book.fx = currencies.slotFor(currency);
        if (secTypeOfKey(symbol) === 'CASH') currencies.pairMet(book, String(symbol).split(':')[0]!, currency);
      }
      this.books.set(symbol, book);
      this.bookList.push(book);
    }
    this.lastBook = book;
    return book;
  }

  /** Time stamp for an event not caused by a price: the wall clock when given, else the last price's time. */
  private timeOf(book: Book | undefined): number {
    if (this.now !== undefined) return this.now();
    if (book !== undefined && book.lastTime === book.lastTime) return book.lastTime;
    return this.lastEventTime === this.lastEventTime ? this.lastEventTime : 0;
  }
}

function badBar(symbol: string, bar: Bar): Error {
  return new Error(
    `bar of ${symbol} at ${String(bar?.time)} has a missing or non-numeric price (open ${String(bar?.open)}, high ${String(bar?.high)}, low ${String(bar?.low)}, close ${String(bar?.close)}): fix or drop it before the backtest`,
  );
}
