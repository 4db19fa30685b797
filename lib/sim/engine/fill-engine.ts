/**
 * The fill engine: keeps orders, positions, cash and commissions for one account and fills orders
 * against the prices it is fed. Backtests feed bars, the TWS simulator feeds quotes; both share every
 * rule below.
 *
 * Bars (backtest). An order placed after bar t was fed is first looked at on bar t+1:
 * - MKT at the open (with fillAt 'close': at the close of the last bar fed, at once).
 * - LMT buy when the path reaches low <= limit, at min(open, limit); sells mirrored.
 * - STP buy when high >= stop, at max(open, stop); sells mirrored. A triggered stop is a market order.
 * - STP LMT: the stop triggers, then the order is a limit from that point of the bar on.
 * - TRAIL / TRAIL LIMIT: see bar-path.ts for the order of the bar's prices; the best price is updated
 *   after each point is checked, the stop only ratchets in the holder's favour and is rounded to the tick.
 * - MOC at the bar's close; LOC at the close when the close satisfies the limit, else cancelled.
 * - IOC: looked at once, at the next open; what does not fill is cancelled. OPG: at the open of the
 *   first bar of a later day than the last price seen when it was placed, then cancelled.
 * - DAY (the default, as in TWS): good for the trading day of the first price event it is looked at;
 *   cancelled by the first price event of a later day. GTC: until filled or cancelled.
 * - Bracket children wait for the parent to fill. Children activated by a fill inside a bar are looked
 *   at on the rest of that bar, from the parent's fill price (pessimistic: a stop the bar reaches fills).
 * Fills inside one bar happen in path order, so an OCA sibling reached earlier wins.
 *
 * Quotes (simulator): MKT fills at once at the ask (buy) / bid (sell) of the latest quote, or at the next
 * quote when there is none yet; a limit when the quote crosses it, at that ask/bid; stops and trailing
 * stops trigger on last and then fill at the ask/bid; MOC/LOC at the last price of the day, when the
 * first quote of a later day arrives; OPG at the first quote of a later day.
 *
 * Accounting is IB-style: a position's avgCost includes the commissions paid to open it; realized PnL
 * of a reducing execution is net of its commission. Cash pays for fills and commissions; equity is cash
 * plus every position marked at its last price (bar close / quote last). Listeners run after the engine
 * has finished the call that caused the events, so they always see a consistent state and may call back
 * into the engine.
 */
import type { Bar, Execution, InstrumentKey, OrderEvent, OrderStatus, Position } from '../../messages';
import type {
  CommissionModel,
  EngineOrder,
  FillEngineApi,
  FillEngineEvents,
  FillEngineOptions,
  QuoteTick,
  SlippageModel,
} from './types';
import { BarPath } from './bar-path';
import { TypedEmitter } from './emitter';
import { isTrailing, orderProblem, usesLimitPrice } from './validate';
import {
  CANCELLED_BY_REQUEST,
  CANNOT_MODIFY_CANCELLED,
  CANNOT_MODIFY_FILLED,
  EXPIRED_DAY,
  NOT_FILLED_IOC,
  NOT_FILLED_LOC,
  NOT_FILLED_OPG,
  OCA_FILLED,
  OCA_REDUCED_TO_ZERO,
  PARENT_CANCELLED,
} from './reasons';

/** Order lifecycle inside the engine. */
const HELD = 0; // transmit: false, waiting for its bracket to be transmitted
const WAITING = 1; // transmitted child waiting for its parent to fill
const WORKING = 2; // in the market
const DONE = 3; // filled or cancelled

/** What a symbol was last fed with. */
const NO_PRICES = 0;
const BARS = 1;
const QUOTES = 2;

const MS_PER_DAY = 86_400_000;
const FIRST_PERM_ID = 1_000_000_001;
const QTY_EPSILON = 1e-9;

/** Per instrument: working orders, last prices, position. */
class Book {
  /** Orders in the market for this symbol, in arrival order. */
  readonly working: Live[] = [];
  mode = NO_PRICES;
  lastTime = NaN;
  mark = NaN;
  bid = NaN;
  ask = NaN;
  last = NaN;
  quantity = 0;
  avgCost = 0;
  realized = 0;
  traded = false;

  constructor(
    readonly symbol: string,
    readonly tick: number,
  ) {}
}

/** One order as the engine tracks it. */
class Live {
  state = HELD;
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
  /** DAY clock: the trading day of the first price event the order was looked at. */
  day = NaN;
  /** The trading day of the last price seen when the order was placed (OPG, MOC/LOC on quotes). */
  submitDay = NaN;
  /** Looked at by a price event (IOC/OPG/LOC end after their one look). */
  looked = false;
  children: Live[] | null = null;
  ocaKey: string | null = null;

  constructor(
    public order: EngineOrder,
    readonly permId: number,
    readonly book: Book,
  ) {}

  get remaining(): number {
    return this.order.totalQuantity - this.filled;
  }
}

const ORDER_EVENT = 0;
const EXECUTION_EVENT = 1;
const POSITION_EVENT = 2;

export class FillEngine extends TypedEmitter<FillEngineEvents> implements FillEngineApi {
  readonly account: string;
  private readonly commissionModel: CommissionModel | undefined;
  private readonly slippageModel: SlippageModel | undefined;
  private readonly closeFills: boolean;
  private readonly maxFill: number;
  private readonly minTickOf: (symbol: InstrumentKey) => number;
  private readonly now: (() => number) | undefined;
  private readonly dayOf: (time: number) => number;

  private readonly books = new Map<string, Book>();
  private readonly bookList: Book[] = [];
  private lastBook: Book | null = null;
  private readonly orders = new Map<number, Live>();
  private readonly open = new Set<Live>();
  private readonly ocaGroups = new Map<string, Live[]>();
  private readonly fills: Execution[] = [];
  private cashBalance: number;
  private commissionTotal = 0;
  private nextPermId = FIRST_PERM_ID;
  private nextExecId = 1;
  private lastEventTime = NaN;

  /** Events wait here until the outermost engine call finishes (see the header). */
  private readonly queueKinds: number[] = [];
  private readonly queueData: unknown[] = [];
  private depth = 0;
  private flushing = false;
  /** True while a bar is being handled (a fillAt 'close' market order placed then waits for the next bar). */
  private inBar = false;

  // Scratch space of bar handling, reused so a bar with resting orders allocates nothing.
  private readonly path = new BarPath();
  private readonly looking: Live[] = [];
  private readonly candOrder: Live[] = [];
  private readonly candPrice: number[] = [];
  private readonly candPos: number[] = [];
  private candCount = 0;

  constructor(options: FillEngineOptions) {
    super();
    if (!Number.isFinite(options.startingCash)) {
      throw new Error(`startingCash must be a number, got ${String(options.startingCash)}`);
    }
    if (options.maxFillPerEvent !== undefined && !(options.maxFillPerEvent > 0)) {
      throw new Error(`maxFillPerEvent must be a positive number, got ${String(options.maxFillPerEvent)}`);
    }
    this.account = options.account;
    this.cashBalance = options.startingCash;
    this.commissionModel = options.commission;
    this.slippageModel = options.slippage;
    this.closeFills = options.fillAt === 'close';
    this.maxFill = options.maxFillPerEvent ?? Infinity;
    this.minTickOf = options.minTick ?? (() => 0.01);
    this.now = options.now;
    this.dayOf = options.dayOf ?? ((time: number) => Math.floor(time / MS_PER_DAY));
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
    book.mode = BARS;
    this.lastEventTime = bar.time;
  }

  onQuote(symbol: InstrumentKey, quote: QuoteTick): void {
    let book = this.lastBook;
    if (book === null || book.symbol !== symbol) book = this.bookFor(symbol);
    this.depth++;
    try {
      if (book.working.length !== 0) this.quoteWithOrders(book, quote);
      book.bid = quote.bid;
      book.ask = quote.ask;
      book.last = quote.last;
      const mark = quote.last > 0 ? quote.last : quote.bid > 0 && quote.ask > 0 ? (quote.bid + quote.ask) / 2 : NaN;
      if (mark === mark) book.mark = mark;
      book.lastTime = quote.time;
      book.mode = QUOTES;
      this.lastEventTime = quote.time;
    } finally {
      this.leave();
    }
  }

  // ---------------------------------------------------------------- orders

  submit(order: EngineOrder): void {
    if (order === null || typeof order !== 'object') {
      throw new TypeError(`submit needs an order object (orderId, symbol, action, totalQuantity, orderType), got ${String(order)}`);
    }
    this.depth++;
    try {
      const existing = this.orders.get(order.orderId);
      if (existing !== undefined) this.modify(existing, order);
      else this.place(order);
    } finally {
      this.leave();
    }
  }

  /** Cancels a working or held order (and its unfilled bracket children). False when it was not open. */
  cancel(orderId: number, reason: string = CANCELLED_BY_REQUEST): boolean {
    const live = this.orders.get(orderId);
    if (live === undefined) return false;
    this.depth++;
    try {
      if (live.state === DONE) {
        this.queueOrder(live, this.timeOf(live.book), `Order ${orderId} cannot be cancelled, state: ${live.status}.`);
        return false;
      }
      this.cancelLive(live, reason, this.timeOf(live.book));
      return true;
    } finally {
      this.leave();
    }
  }

  cancelAll(): void {
    this.depth++;
    try {
      for (const live of [...this.open]) {
        if (live.state !== DONE) this.cancelLive(live, CANCELLED_BY_REQUEST, this.timeOf(live.book));
      }
    } finally {
      this.leave();
    }
  }

  // ---------------------------------------------------------------- account

  cash(): number {
    return this.cashBalance;
  }

  equity(): number {
    let value = this.cashBalance;
    const books = this.bookList;
    for (let i = 0; i < books.length; i++) {
      const b = books[i];
      if (b.quantity !== 0) value += b.quantity * b.mark;
    }
    return value;
  }

  position(symbol: InstrumentKey): Position | undefined {
    const book = this.books.get(symbol);
    return book !== undefined && book.traded ? this.positionOf(book) : undefined;
  }

  /** Every instrument traded so far, including the ones now flat (quantity 0), as TWS reports them. */
  positions(): Position[] {
    return this.bookList.filter((b) => b.traded).map((b) => this.positionOf(b));
  }

  /** Open orders; a trailing order carries its current stop in trailStopPrice, as TWS reports it. */
  openOrders(): Array<{ order: EngineOrder; state: OrderEvent }> {
    return [...this.open].map((live) => {
      const order = { ...live.order };
      if (isTrailing(order.orderType) && live.trailStop === live.trailStop) order.trailStopPrice = live.trailStop;
      return { order, state: this.eventOf(live, this.timeOf(live.book)) };
    });
  }

  executions(): Execution[] {
    return this.fills.slice();
  }

  commissionsPaid(): number {
    return this.commissionTotal;
  }

  // ---------------------------------------------------------------- placing and modifying

  private place(raw: EngineOrder): void {
    const order: EngineOrder = { ...raw };
    if (order.parentId === 0) delete order.parentId;
    const book = typeof order.symbol === 'string' && order.symbol !== '' ? this.bookFor(order.symbol) : null;
    const problem = orderProblem(order, book === null ? 0 : book.tick) ?? this.parentProblem(order);
    if (problem !== null || book === null) {
      this.queueRejection(order, problem ?? 'The order has no symbol (instrument key).');
      return;
    }
    const live = new Live(order, this.nextPermId++, book);
    live.submitDay = book.lastTime === book.lastTime ? this.dayOf(book.lastTime) : NaN;
    this.orders.set(order.orderId, live);
    this.open.add(live);
    if (order.parentId !== undefined) {
      const parent = this.orders.get(order.parentId)!;
      (parent.children ??= []).push(live);
    }
    this.joinOca(live);
    const time = this.timeOf(book);
    if (order.transmit === false) this.queueOrder(live, time);
    else if (order.parentId === undefined) {
      // A new order without a parent: no bracket to look through.
      this.startWorking(live, time);
      this.lookNow(live);
    } else this.transmit(live, time);
  }

  private parentProblem(order: EngineOrder): string | null {
    if (order.parentId === undefined) return null;
    const parent = this.orders.get(order.parentId);
    if (parent === undefined) return `Parent order ${order.parentId} not found: place the parent first.`;
    if (parent.state === DONE && parent.status !== 'Filled') {
      return `Parent order ${order.parentId} is ${parent.status}: a child order needs a working or filled parent.`;
    }
    return null;
  }

  private modify(live: Live, raw: EngineOrder): void {
    const time = this.timeOf(live.book);
    if (live.state === DONE) {
      this.queueOrder(live, time, live.status === 'Filled' ? CANNOT_MODIFY_FILLED : CANNOT_MODIFY_CANCELLED);
      return;
    }
    const order: EngineOrder = { ...raw };
    if (order.parentId === 0) delete order.parentId;
    const old = live.order;
    const problem =
      orderProblem(order, live.book.tick) ??
      (order.symbol !== old.symbol ? `An order's symbol cannot be modified (${old.symbol} to ${order.symbol}).` : null) ??
      (order.action !== old.action ? `An order's action cannot be modified (${old.action} to ${order.action}).` : null) ??
      ((order.parentId ?? 0) !== (old.parentId ?? 0) ? "An order's parentId cannot be modified." : null) ??
      (order.orderType !== old.orderType && (isAuction(order.orderType) || isAuction(old.orderType))
        ? `The order type cannot be modified from ${old.orderType} to ${order.orderType}.`
        : null) ??
      (order.totalQuantity <= live.filled + QTY_EPSILON
        ? `The new quantity ${order.totalQuantity} must be more than the ${live.filled} already filled.`
        : null);
    if (problem !== null) {
      this.queueOrder(live, time, problem);
      return;
    }
    live.order = order;
    if (order.orderType !== old.orderType) {
      live.triggered = false;
      live.activeLimit = NaN;
      live.trailBest = NaN;
      live.trailStop = NaN;
      if (live.state === WORKING) this.initTrail(live, live.book.mark);
    } else if (isTrailing(order.orderType)) {
      this.retrail(live, old);
    }
    if (order.orderType === 'STP LMT' && live.triggered) live.activeLimit = order.lmtPrice!;
    if ((order.ocaGroup ?? '') !== (old.ocaGroup ?? '')) {
      this.leaveOca(live);
      this.joinOca(live);
    }
    this.queueOrder(live, time);
    if (live.state === HELD && order.transmit !== false) this.transmit(live, time);
    else if (live.state === WORKING) this.lookNow(live);
  }

  /** Sends every held order of `live`'s bracket (its root parent and all descendants) to the market. */
  private transmit(live: Live, time: number): void {
    let root = live;
    while (root.order.parentId !== undefined) {
      const parent = this.orders.get(root.order.parentId);
      if (parent === undefined) break;
      root = parent;
    }
    const nowWorking: Live[] = [];
    this.transmitTree(root, time, nowWorking);
    for (const w of nowWorking) this.lookNow(w);
  }

  private transmitTree(node: Live, time: number, nowWorking: Live[]): void {
    if (node.state === HELD) {
      const parent = node.order.parentId === undefined ? undefined : this.orders.get(node.order.parentId);
      if (parent === undefined || (parent.state === DONE && parent.status === 'Filled')) {
        this.startWorking(node, time);
        nowWorking.push(node);
      } else if (parent.state === DONE) {
        this.cancelLive(node, PARENT_CANCELLED, time);
      } else {
        node.state = WAITING;
        node.status = 'PreSubmitted';
        this.queueOrder(node, time);
      }
    }
    if (node.children !== null) for (const child of node.children) this.transmitTree(child, time, nowWorking);
  }

  /**
   * The order enters the market. A trailing order starts trailing here, from `reference`: the last
   * price seen, or for a bracket child the parent's fill price (not the price when it was placed).
   */
  private startWorking(live: Live, time: number, reference: number = live.book.mark): void {
    if (isTrailing(live.order.orderType) && !live.triggered && live.trailBest !== live.trailBest) {
      this.initTrail(live, reference);
    }
    live.state = WORKING;
    live.status = 'Submitted';
    live.book.working.push(live);
    this.queueOrder(live, time);
  }

  /**
   * An order that just started working (or changed) is looked at against the price it can already see:
   * quotes fill at once; with fillAt 'close' a market order fills at the close of the last bar fed.
   */
  private lookNow(live: Live): void {
    if (live.state !== WORKING) return;
    const book = live.book;
    if (book.mode === QUOTES) {
      this.quoteLook(live, book.bid, book.ask, book.last, this.now ? this.now() : book.lastTime, this.dayOf(book.lastTime), book.last);
    } else if (book.mode === BARS && this.closeFills && !this.inBar && this.isMarket(live) && live.order.tif !== 'OPG') {
      live.looked = true;
      if (live.order.tif === 'DAY' || live.order.tif === undefined) live.day = this.dayOf(book.lastTime);
      // Children it activates start working and are looked at from the next bar.
      this.fill(live, book.mark, book.lastTime);
      if (live.state === WORKING && live.order.tif === 'IOC') this.cancelLive(live, NOT_FILLED_IOC, book.lastTime);
    }
  }

  private isMarket(live: Live): boolean {
    const type = live.order.orderType;
    return type === 'MKT' || ((type === 'STP' || type === 'TRAIL') && live.triggered);
  }

  // ---------------------------------------------------------------- bars

  private barWithOrders(book: Book, bar: Bar): void {
    const { open, high, low, close, time } = bar;
    if (!(Number.isFinite(open) && Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close))) {
      throw badBar(book.symbol, bar);
    }
    this.depth++;
    this.inBar = true;
    try {
      const day = this.dayOf(time);
      // Scratch arrays are filled by index, never truncated: `length = 0` costs a runtime call and
      // reallocation on every bar.
      const looking = this.looking;
      const working = book.working;
      let lookingCount = 0;
      for (let i = 0; i < working.length; i++) looking[lookingCount++] = working[i];
      this.candCount = 0;
      for (let i = 0; i < lookingCount; i++) {
        const live = looking[i];
        if (live.state !== WORKING) continue;
        const tif = live.order.tif;
        if (tif === undefined || tif === 'DAY') {
          if (live.day !== live.day) live.day = day;
          else if (day > live.day) {
            this.cancelLive(live, EXPIRED_DAY, time);
            continue;
          }
        } else if (tif === 'OPG' && day <= live.submitDay) continue;
        live.looked = true;
        if (this.barFill(live, bar, open, 0)) this.addCandidate(live, this.path.price, this.path.pos, 0);
      }
      for (let c = 0; c < this.candCount; c++) {
        const live = this.candOrder[c];
        if (live.state !== WORKING) continue; // cancelled by an OCA sibling filled earlier in the bar
        const rawPrice = this.candPrice[c];
        const pos = this.candPos[c];
        const activated = this.fill(live, rawPrice, time);
        // Children of a parent filled at the close are looked at from the next bar.
        if (activated === null || pos >= 3) continue;
        for (const child of activated) {
          if (child.book !== book || child.state !== WORKING) continue;
          looking[lookingCount++] = child;
          child.looked = true;
          if (child.order.tif === undefined || child.order.tif === 'DAY') child.day = day;
          if (this.barFill(child, bar, rawPrice, pos)) {
            // Map the child's own path position (0..3 from the parent's fill) into the rest of the bar.
            this.addCandidate(child, this.path.price, pos + (this.path.pos * (3 - pos)) / 3, c + 1);
          }
        }
      }
      for (let i = 0; i < lookingCount; i++) {
        const live = looking[i];
        if (live.state !== WORKING || !live.looked) continue;
        const tif = live.order.tif;
        if (tif === 'IOC') this.cancelLive(live, NOT_FILLED_IOC, time);
        else if (tif === 'OPG') this.cancelLive(live, NOT_FILLED_OPG, time);
        else if (live.order.orderType === 'LOC') this.cancelLive(live, NOT_FILLED_LOC, time);
      }
      book.mark = close;
      book.lastTime = time;
      book.mode = BARS;
      this.lastEventTime = time;
    } finally {
      this.inBar = false;
      this.leave();
    }
  }

  /**
   * Where `live` fills on this bar, walked from `start` (the open, or a parent's fill price); sets
   * path.price / path.pos. `offset` > 0 means the walk starts after the open (a child activated mid-bar).
   */
  private barFill(live: Live, bar: Bar, start: number, offset: number): boolean {
    const o = live.order;
    const buy = o.action === 'BUY';
    const path = this.path;
    path.set(start, buy ? bar.high : bar.low, buy ? bar.low : bar.high, bar.close);
    const tif = o.tif;
    if (tif === 'IOC' || tif === 'OPG') {
      // One look, at the open.
      if (offset !== 0) return false;
      if (o.orderType === 'MKT' || (buy ? start <= o.lmtPrice! : start >= o.lmtPrice!)) return this.at(start, 0);
      return false;
    }
    switch (o.orderType) {
      case 'MKT':
        return this.closeFills ? this.at(bar.close, 3) : this.at(start, 0);
      case 'LMT':
        return path.cross(0, start, o.lmtPrice!, !buy);
      case 'STP':
        if (live.triggered) return this.at(start, 0);
        if (!path.cross(0, start, o.auxPrice!, buy)) return false;
        live.triggered = true;
        return true;
      case 'STP LMT':
        if (live.triggered) return path.cross(0, start, live.activeLimit, !buy);
        if (!path.cross(0, start, o.auxPrice!, buy)) return false;
        live.triggered = true;
        live.activeLimit = o.lmtPrice!;
        return path.cross(path.seg, path.price, live.activeLimit, !buy);
      case 'TRAIL':
      case 'TRAIL LIMIT':
        return this.trailOnPath(live, buy);
      case 'MOC':
        return this.at(bar.close, 3);
      case 'LOC':
        return (buy ? bar.close <= o.lmtPrice! : bar.close >= o.lmtPrice!) && this.at(bar.close, 3);
      default:
        return false;
    }
  }

  private at(price: number, pos: number): boolean {
    this.path.price = price;
    this.path.pos = pos;
    this.path.seg = pos >= 3 ? 2 : pos;
    return true;
  }

  /** A trailing stop along the bar's path: check each point against the stop so far, then move the stop. */
  private trailOnPath(live: Live, buy: boolean): boolean {
    const path = this.path;
    const p = path.p;
    const limitKind = live.order.orderType === 'TRAIL LIMIT';
    if (live.triggered) {
      return limitKind ? path.cross(0, p[0], live.activeLimit, !buy) : this.at(p[0], 0);
    }
    for (let k = 0; k < 4; k++) {
      const x = p[k];
      const stop = live.trailStop;
      if (stop === stop && (buy ? x >= stop : x <= stop)) {
        // At the open the price jumps (gap: fill at the open); later it moves through the stop.
        const seg = k === 0 ? 0 : k - 1;
        const price = k === 0 ? x : stop;
        this.triggerTrail(live, buy);
        if (!limitKind) return this.at(price, k === 0 ? 0 : path.posOn(seg, price));
        return path.cross(seg, price, live.activeLimit, !buy);
      }
      this.trailTo(live, x, buy);
    }
    return false;
  }

  private triggerTrail(live: Live, buy: boolean): void {
    live.triggered = true;
    if (live.order.orderType === 'TRAIL LIMIT') {
      const offset = this.limitOffset(live.order);
      live.activeLimit = roundToTick(buy ? live.trailStop + offset : live.trailStop - offset, live.book.tick);
    }
  }

  private limitOffset(o: EngineOrder): number {
    return o.lmtPriceOffset !== undefined ? o.lmtPriceOffset : Math.abs(o.lmtPrice! - o.trailStopPrice!);
  }

  /** Moves the trailing stop for a new price `x` (ratchets only in the holder's favour). */
  private trailTo(live: Live, x: number, buy: boolean): void {
    if (!(x > 0)) return;
    const best = live.trailBest;
    if (best === best && (buy ? x >= best : x <= best)) return;
    live.trailBest = x;
    const o = live.order;
    const distance = o.trailingPercent !== undefined ? (x * o.trailingPercent) / 100 : o.auxPrice!;
    const stop = roundToTick(buy ? x + distance : x - distance, live.book.tick);
    const current = live.trailStop;
    if (current !== current || (buy ? stop < current : stop > current)) live.trailStop = stop;
  }

  private initTrail(live: Live, reference: number): void {
    const o = live.order;
    if (!isTrailing(o.orderType)) return;
    if (o.trailStopPrice !== undefined) live.trailStop = o.trailStopPrice;
    if (reference === reference) this.trailTo(live, reference, o.action === 'BUY');
  }

  /** A modified trailing order: a new explicit trailStopPrice resets the stop; a new distance re-applies it. */
  private retrail(live: Live, old: EngineOrder): void {
    const o = live.order;
    if (live.triggered) return;
    if (o.trailStopPrice !== undefined && o.trailStopPrice !== old.trailStopPrice) live.trailStop = o.trailStopPrice;
    else if (o.auxPrice !== old.auxPrice || o.trailingPercent !== old.trailingPercent) live.trailStop = NaN;
    const best = live.trailBest;
    live.trailBest = NaN;
    if (best === best) this.trailTo(live, best, o.action === 'BUY');
  }

  /** Inserts a fill candidate keeping (path position, orderId) order, not before index `from`. */
  private addCandidate(live: Live, price: number, pos: number, from: number): void {
    let i = this.candCount;
    const order = this.candOrder;
    const prices = this.candPrice;
    const poss = this.candPos;
    while (i > from && (poss[i - 1] > pos || (poss[i - 1] === pos && order[i - 1].order.orderId > live.order.orderId))) {
      order[i] = order[i - 1];
      prices[i] = prices[i - 1];
      poss[i] = poss[i - 1];
      i--;
    }
    order[i] = live;
    prices[i] = price;
    poss[i] = pos;
    this.candCount++;
  }

  // ---------------------------------------------------------------- quotes

  private quoteWithOrders(book: Book, q: QuoteTick): void {
    const day = this.dayOf(q.time);
    const looking = book.working.slice();
    for (const live of looking) this.quoteLook(live, q.bid, q.ask, q.last, q.time, day, book.last);
  }

  /** Looks at one working order against a quote; children activated by its fill are looked at at once. */
  private quoteLook(live: Live, bid: number, ask: number, last: number, time: number, day: number, prevLast: number): void {
    if (live.state !== WORKING) return;
    const o = live.order;
    const tif = o.tif;
    let price: number;
    if (o.orderType === 'MOC' || o.orderType === 'LOC') {
      // The close is the last price of the order's day, known when a later day's first quote arrives.
      if (live.submitDay !== live.submitDay) live.submitDay = day;
      if (!(day > live.submitDay)) return;
      live.looked = true;
      price = o.orderType === 'MOC' || (o.action === 'BUY' ? prevLast <= o.lmtPrice! : prevLast >= o.lmtPrice!) ? prevLast : NaN;
    } else {
      if (tif === undefined || tif === 'DAY') {
        if (live.day !== live.day) live.day = day;
        else if (day > live.day) {
          this.cancelLive(live, EXPIRED_DAY, time);
          return;
        }
      }
      if (tif === 'OPG' && day <= live.submitDay) return;
      live.looked = true;
      price = this.quotePrice(live, bid, ask, last);
    }
    if (price === price && price > 0) {
      const activated = this.fill(live, price, time);
      if (activated !== null) {
        for (const child of activated) {
          const b = child.book;
          if (b === live.book) this.quoteLook(child, bid, ask, last, time, day, prevLast);
          else if (b.mode === QUOTES) this.quoteLook(child, b.bid, b.ask, b.last, time, this.dayOf(b.lastTime), b.last);
        }
      }
    }
    if (live.state === WORKING) {
      if (tif === 'IOC') this.cancelLive(live, NOT_FILLED_IOC, time);
      else if (tif === 'OPG') this.cancelLive(live, NOT_FILLED_OPG, time);
      else if (o.orderType === 'LOC' && live.looked) this.cancelLive(live, NOT_FILLED_LOC, time);
    }
  }

  /** The fill price of `live` on a quote, or NaN. */
  private quotePrice(live: Live, bid: number, ask: number, last: number): number {
    const o = live.order;
    const buy = o.action === 'BUY';
    const market = buy ? (ask > 0 ? ask : last) : bid > 0 ? bid : last;
    switch (o.orderType) {
      case 'MKT':
        return market;
      case 'LMT':
        return buy ? (market <= o.lmtPrice! ? market : NaN) : market >= o.lmtPrice! ? market : NaN;
      case 'STP':
      case 'STP LMT':
        if (!live.triggered) {
          if (!(buy ? last >= o.auxPrice! : last <= o.auxPrice!)) return NaN;
          live.triggered = true;
          live.activeLimit = o.lmtPrice ?? NaN;
        }
        break;
      case 'TRAIL':
      case 'TRAIL LIMIT':
        if (!live.triggered) {
          const stop = live.trailStop;
          if (stop === stop && (buy ? last >= stop : last <= stop)) this.triggerTrail(live, buy);
          else {
            this.trailTo(live, last, buy);
            return NaN;
          }
        }
        break;
      default:
        return NaN;
    }
    if (o.orderType === 'STP' || o.orderType === 'TRAIL') return market;
    return buy ? (market <= live.activeLimit ? market : NaN) : market >= live.activeLimit ? market : NaN;
  }

  // ---------------------------------------------------------------- fills and accounting

  /**
   * Fills as much of `live` as one price event allows at `rawPrice` (before slippage). Returns the
   * children the fill activated (parent now filled), else null.
   */
  private fill(live: Live, rawPrice: number, time: number): Live[] | null {
    const o = live.order;
    const book = live.book;
    const buy = o.action === 'BUY';
    let quantity = live.remaining;
    if (quantity > this.maxFill) quantity = this.maxFill;
    if (!(quantity > 0)) return null;

    let price = rawPrice;
    if (this.slippageModel !== undefined) {
      price = this.slippageModel.adjust(o.action, rawPrice, book.tick);
      const limit = this.limitInForce(live);
      if (limit === limit && (buy ? price > limit : price < limit)) price = buy ? Math.max(limit, rawPrice) : Math.min(limit, rawPrice);
    }
    const value = quantity * price;
    const filledBefore = live.filled;
    let commission = 0;
    const model = this.commissionModel;
    if (model !== undefined) {
      commission =
        model.forOrder !== undefined
          ? model.forOrder(filledBefore + quantity, live.filledValue + value) - live.commission
          : model.commission(quantity, price);
    }

    live.filled = filledBefore + quantity;
    live.filledValue += value;
    live.lastFillPrice = price;
    live.commission += commission;
    const realized = this.applyToPosition(book, buy, quantity, price, commission);
    this.cashBalance -= (buy ? value : -value) + commission;
    this.commissionTotal += commission;
    if (book.mark !== book.mark) book.mark = price;

    const complete = live.remaining <= QTY_EPSILON;
    const ocaKey = live.ocaKey; // finish() leaves the group
    if (complete) this.finish(live, 'Filled');

    const execution: Execution = {
      execId: this.execIdFor(this.nextExecId++),
      orderId: o.orderId,
      permId: live.permId,
      symbol: book.symbol,
      side: o.action,
      shares: quantity,
      price,
      cumQty: live.filled,
      avgPrice: live.filledValue / live.filled,
      commission,
      realizedPnl: realized,
      orderRef: o.orderRef ?? '',
      account: this.account,
      time,
    };
    this.fills.push(execution);
    this.queue(EXECUTION_EVENT, execution);
    this.queueOrder(live, time);
    if (this.listens('position')) this.queue(POSITION_EVENT, this.positionOf(book));

    if (ocaKey !== null) this.ocaAfterFill(live, ocaKey, quantity, time);
    return complete && live.children !== null ? this.activateChildren(live, Infinity, time) : null;
  }

  private limitInForce(live: Live): number {
    const o = live.order;
    if (o.orderType === 'LMT' || o.orderType === 'LOC') return o.lmtPrice!;
    if (o.orderType === 'STP LMT' || o.orderType === 'TRAIL LIMIT') return live.activeLimit;
    return NaN;
  }

  /** Applies an execution to the position; returns the realized PnL (null for an opening execution). */
  private applyToPosition(book: Book, buy: boolean, quantity: number, price: number, commission: number): number | null {
    book.traded = true;
    const position = book.quantity;
    const signed = buy ? quantity : -quantity;
    let realized: number | null = null;
    if (position === 0 || position > 0 === buy) {
      const perShare = buy ? price + commission / quantity : price - commission / quantity;
      const held = Math.abs(position);
      book.avgCost = (held * book.avgCost + quantity * perShare) / (held + quantity);
    } else {
      const closing = Math.min(quantity, Math.abs(position));
      const closingCommission = (commission * closing) / quantity;
      realized = (position > 0 ? price - book.avgCost : book.avgCost - price) * closing - closingCommission;
      book.realized += realized;
      const opening = quantity - closing;
      if (opening > QTY_EPSILON) {
        const openingCommission = commission - closingCommission;
        book.avgCost = buy ? price + openingCommission / opening : price - openingCommission / opening;
      }
    }
    let next = position + signed;
    if (Math.abs(next) < QTY_EPSILON) next = 0;
    book.quantity = next;
    if (next === 0) book.avgCost = 0;
    return realized;
  }

  /** Another order of `live`'s OCA group (or bracket) filled `quantity`. */
  private ocaAfterFill(live: Live, key: string, quantity: number, time: number): void {
    const group = this.ocaGroups.get(key);
    if (group === undefined) return;
    // A bracket's children without an explicit group behave like ocaType 3 (reduce), as TWS links them.
    const type = live.order.ocaGroup ? (live.order.ocaType ?? 1) : 3;
    for (const other of group.slice()) {
      if (other === live || other.state === DONE) continue;
      if (type === 1) {
        this.cancelLive(other, OCA_FILLED, time);
        continue;
      }
      // Types 2 and 3 differ only in IB's overfill protection ("block"), which a simulated market
      // that fills one order at a time does not need.
      const total = other.order.totalQuantity - quantity;
      if (total - other.filled <= QTY_EPSILON) {
        this.cancelLive(other, OCA_REDUCED_TO_ZERO, time);
      } else {
        other.order = { ...other.order, totalQuantity: total };
        this.queueOrder(other, time);
      }
    }
  }

  /** The children of `parent` start working (quantity capped at `cap`). */
  private activateChildren(parent: Live, cap: number, time: number): Live[] {
    const activated: Live[] = [];
    for (const child of parent.children!) {
      if (child.state !== WAITING) continue;
      if (child.order.totalQuantity > cap) child.order = { ...child.order, totalQuantity: cap };
      this.startWorking(child, time, parent.lastFillPrice);
      activated.push(child);
    }
    return activated;
  }

  private cancelLive(live: Live, reason: string, time: number): void {
    if (live.state === DONE) return;
    this.finish(live, 'Cancelled');
    this.queueOrder(live, time, reason);
    if (live.children === null) return;
    if (live.filled > 0) {
      // A partly filled parent: its children protect what did fill.
      for (const child of this.activateChildren(live, live.filled, time)) this.lookNow(child);
    } else {
      for (const child of live.children) this.cancelLive(child, PARENT_CANCELLED, time);
    }
  }

  private finish(live: Live, status: OrderStatus): void {
    if (live.state === WORKING) {
      removeItem(live.book.working, live);
    }
    live.state = DONE;
    live.status = status;
    this.open.delete(live);
    this.leaveOca(live);
  }

  private joinOca(live: Live): void {
    const o = live.order;
    const key = o.ocaGroup ? `oca:${o.ocaGroup}` : o.parentId !== undefined ? `bracket:${o.parentId}` : null;
    live.ocaKey = key;
    if (key === null) return;
    const group = this.ocaGroups.get(key);
    if (group === undefined) this.ocaGroups.set(key, [live]);
    else group.push(live);
  }

  private leaveOca(live: Live): void {
    const key = live.ocaKey;
    if (key === null) return;
    live.ocaKey = null;
    const group = this.ocaGroups.get(key);
    if (group === undefined) return;
    removeItem(group, live);
    if (group.length === 0) this.ocaGroups.delete(key);
  }

  // ---------------------------------------------------------------- events

  private queue(kind: number, data: unknown): void {
    this.queueKinds.push(kind);
    this.queueData.push(data);
  }

  private queueOrder(live: Live, time: number, reason?: string): void {
    if (this.listens('order')) this.queue(ORDER_EVENT, this.eventOf(live, time, reason));
  }

  private queueRejection(order: EngineOrder, reason: string): void {
    if (!this.listens('order')) return;
    const quantity = Number.isFinite(order.totalQuantity) ? order.totalQuantity : 0;
    this.queue(ORDER_EVENT, {
      orderId: order.orderId,
      permId: 0,
      parentId: order.parentId ?? 0,
      symbol: String(order.symbol ?? ''),
      action: order.action,
      orderType: order.orderType,
      totalQuantity: quantity,
      status: 'Inactive',
      filled: 0,
      remaining: quantity,
      avgFillPrice: 0,
      lastFillPrice: 0,
      commission: 0,
      orderRef: order.orderRef ?? '',
      reason,
      time: this.timeOf(typeof order.symbol === 'string' ? this.books.get(order.symbol) : undefined),
    } satisfies OrderEvent);
  }

  /** Ends an engine call: delivers queued events once the outermost call is done. */
  private leave(): void {
    this.depth--;
    if (this.depth !== 0 || this.flushing || this.queueKinds.length === 0) return;
    this.flushing = true;
    const kinds = this.queueKinds;
    const data = this.queueData;
    let failed = false;
    let failure: unknown;
    try {
      for (let i = 0; i < kinds.length; i++) {
        try {
          const kind = kinds[i];
          if (kind === ORDER_EVENT) this.emit('order', data[i] as OrderEvent);
          else if (kind === EXECUTION_EVENT) this.emit('execution', data[i] as Execution);
          else this.emit('position', data[i] as Position);
        } catch (err) {
          if (!failed) {
            failed = true;
            failure = err;
          }
        }
      }
    } finally {
      kinds.length = 0;
      data.length = 0;
      this.flushing = false;
    }
    if (failed) throw failure;
  }

  private eventOf(live: Live, time: number, reason?: string): OrderEvent {
    const o = live.order;
    const event: OrderEvent = {
      orderId: o.orderId,
      permId: live.permId,
      parentId: o.parentId ?? 0,
      symbol: o.symbol,
      action: o.action,
      orderType: o.orderType,
      totalQuantity: o.totalQuantity,
      status: live.status,
      filled: live.filled,
      remaining: Math.max(0, live.remaining),
      avgFillPrice: live.filled > 0 ? live.filledValue / live.filled : 0,
      lastFillPrice: live.lastFillPrice,
      commission: live.commission,
      orderRef: o.orderRef ?? '',
      time,
    };
    if (reason !== undefined) event.reason = reason;
    return event;
  }

  private positionOf(book: Book): Position {
    const marked = book.mark === book.mark;
    return {
      account: this.account,
      symbol: book.symbol,
      quantity: book.quantity,
      avgCost: book.avgCost,
      marketPrice: marked ? book.mark : null,
      marketValue: marked ? book.quantity * book.mark : null,
      unrealizedPnl: marked ? (book.mark - book.avgCost) * book.quantity : null,
      realizedPnl: book.realized,
    };
  }

  // ---------------------------------------------------------------- helpers

  private bookFor(symbol: string): Book {
    let book = this.books.get(symbol);
    if (book === undefined) {
      book = new Book(symbol, this.minTickOf(symbol));
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

  /** IB-like execution ids ("0000e0d5.00000001.01.01"), unique within the engine. */
  private execIdFor(n: number): string {
    return `0000e0d5.${n.toString(16).padStart(8, '0')}.01.01`;
  }
}

/** Removes `item` keeping the order, without the garbage array splice() returns. */
function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i < 0) return;
  for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j];
  list.pop();
}

function isAuction(type: string): boolean {
  return type === 'MOC' || type === 'LOC';
}

function roundToTick(price: number, tick: number): number {
  if (!(tick > 0)) return price;
  return Math.round(Math.round(price / tick) * tick * 1e9) / 1e9;
}

function badBar(symbol: string, bar: Bar): Error {
  return new Error(
    `bar of ${symbol} at ${String(bar?.time)} has a missing or non-numeric price (open ${String(bar?.open)}, high ${String(bar?.high)}, low ${String(bar?.low)}, close ${String(bar?.close)}): fix or drop it before the backtest`,
  );
}
