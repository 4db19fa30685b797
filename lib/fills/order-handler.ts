/**
 * Order handling: the lifecycle of every order the engine takes, apart from where its prices come from.
 * Placing (validation, permIds), modifying, transmitting held brackets (transmit: false until a later
 * order of the bracket is sent), bracket children waiting for their parent, OCA groups, cancelling, and
 * what a fill does to the order (filled, its OCA siblings reduced or cancelled, its children activated).
 * The price matchers (bar-matching.ts, quote-matching.ts) decide when and at what price an order fills
 * and call fill(); the accounting of a fill is the portfolio's.
 */
import type { EngineOrder } from './types';
import type { OrderStatus } from '../messages';
import type { EventQueue } from './events';
import type { Portfolio } from './portfolio';
import { type Book, LiveOrder, OrderState, QTY_EPSILON, removeItem } from './book';
import { contractMultiplier, resolveTerms, type ContractTerms } from './contract-terms';
import { initTrail, retrail } from './trailing';
import { isTrailing, modifyProblem, orderProblem } from './validate';
import { orderOwnPrice } from '../messages/order-types';
import { isPegged, repeg } from './pegging';
import type { BuyingPower, MarginPreview } from './margin';
import { conditionsMet } from './conditions';
import { CONDITIONS_CANCELLED, CANNOT_MODIFY_CANCELLED, CANNOT_MODIFY_FILLED, OCA_FILLED, OCA_REDUCED_TO_ZERO, PARENT_CANCELLED } from './reasons';

const FIRST_PERM_ID = 1_000_000_001;

/** The price an order is checked at when placed: its limit (or cap) or stop price, else the instrument's last mark. */
function placingPrice(order: EngineOrder, book: Book): number {
  return orderOwnPrice(order.orderType, order.lmtPrice, order.auxPrice) ?? book.mark;
}

export class OrderHandler {
  /** Every order taken, by orderId (filled and cancelled ones too: they can still be asked about). */
  private readonly orders = new Map<number, LiveOrder>();
  /** Orders not yet filled or cancelled (held, waiting or working), in placing order. */
  readonly open = new Set<LiveOrder>();
  /** OCA groups and bracket children (linked like a reducing OCA group), by key. */
  private readonly ocaGroups = new Map<string, LiveOrder[]>();
  private nextPermId = FIRST_PERM_ID;

  /**
   * `lookNow` looks at an order that just started working (or changed) against the prices it can
   * already see; `maxFill` caps one fill (simulator partial fills); `dayOf` gives an event's trading day.
   */
  constructor(
    private readonly events: EventQueue,
    private readonly portfolio: Portfolio,
    private readonly maxFill: number,
    private readonly dayOf: (time: number) => number,
    private readonly lookNow: (live: LiveOrder) => void,
    /** The account's buying-power check; null: every order fits (no account type set). */
    private readonly buyingPower: BuyingPower | null = null,
    /** The book of an instrument, for conditions on another instrument's price. */
    private readonly bookOf: (symbol: string) => Book | undefined = () => undefined,
  ) {}

  /**
   * Whether `live` may trade on this price event (its own instrument's `bid`, `ask`, `last` at `time`):
   * yes without conditions or once they were met. Conditions met now release it (PreSubmitted to
   * Submitted) or, with conditionsCancelOrder, cancel it; while unmet only a conditionsCancelOrder
   * order trades.
   */
  mayTrade(live: LiveOrder, bid: number, ask: number, last: number, time: number): boolean {
    const o = live.order;
    if (o.conditions === undefined || o.conditions.length === 0 || live.conditionsDone) return true;
    if (!conditionsMet(live, bid, ask, last, time, this.bookOf)) return o.conditionsCancelOrder === true;
    live.conditionsDone = true;
    if (o.conditionsCancelOrder) {
      this.cancel(live, CONDITIONS_CANCELLED, time);
      return false;
    }
    live.status = 'Submitted';
    this.events.order(live, time);
    return true;
  }

  /** Whether one price event can fill what remains of `live` (FOK: all at once or not at all). */
  fillsWhole(live: LiveOrder): boolean {
    return live.remaining <= this.maxFill;
  }

  get(orderId: number): LiveOrder | undefined {
    return this.orders.get(orderId);
  }

  /** A new order for `book` (null: the order has no usable symbol). */
  place(raw: EngineOrder, book: Book | null, time: number): void {
    const order: EngineOrder = { ...raw };
    if (order.parentId === 0) delete order.parentId;
    const problem = orderProblem(order, book === null ? 0 : book.tick) ?? this.parentProblem(order);
    const terms = problem === null && book !== null ? termsFor(book, order) : null;
    if (problem !== null || book === null || typeof terms === 'string') {
      this.events.rejection(order, problem ?? (typeof terms === 'string' ? terms : 'The order has no symbol (instrument key).'), time);
      return;
    }
    if (terms !== null) book.fixTerms(terms);
    // Money in a currency without a rate could be neither valued nor checked.
    const noRate = book.fx === null ? null : this.portfolio.currencies!.refusal(book, book.fx);
    if (noRate !== null) {
      this.events.rejection(order, noRate, time);
      return;
    }
    // A bracket child is checked when it fills: placed beside its parent it looks like a new position.
    const unaffordable = order.parentId === undefined ? this.placingProblem(order, book) : null;
    if (unaffordable !== null) {
      this.events.rejection(order, unaffordable, time);
      return;
    }
    const live = new LiveOrder(order, this.nextPermId++, book);
    live.submitDay = book.lastTime === book.lastTime ? this.dayOf(book.lastTime) : NaN;
    this.orders.set(order.orderId, live);
    this.open.add(live);
    if (order.parentId !== undefined) {
      const parent = this.orders.get(order.parentId)!;
      (parent.children ??= []).push(live);
    }
    this.joinOca(live);
    if (order.transmit === false) this.events.order(live, time);
    else if (order.parentId === undefined) {
      // A new order without a parent: no bracket to look through.
      this.startWorking(live, time);
      this.lookNow(live);
    } else this.transmit(live, time);
  }

  /** Whether the account can take `order` at the price the strategy last saw (or the order's own price). */
  private placingProblem(order: EngineOrder, book: Book): string | null {
    const check = this.buyingPower;
    if (check === null) return null;
    const price = placingPrice(order, book);
    const commission = this.portfolio.orderCommission(book, order.totalQuantity, price);
    return check.problem(book, order.action, order.totalQuantity, price, commission);
  }

  /**
   * What-if: the account's margins now and as `order` would leave them, at the price the placing
   * check uses, and its commission. Places nothing. Null when the engine checks no buying power; the
   * reason when the order itself is malformed.
   */
  preview(order: EngineOrder, book: Book): MarginPreview | string | null {
    const check = this.buyingPower;
    if (check === null) return null;
    const problem = orderProblem(order, book.tick);
    if (problem !== null) return problem;
    const terms = termsFor(book, order);
    if (typeof terms === 'string') return terms;
    // The instrument's terms (its multiplier) are a fact of the contract, fixed as its first order would.
    if (terms !== null) book.fixTerms(terms);
    // Without a rate its money cannot be valued: previewed as it would be refused.
    const noRate = book.fx === null ? null : this.portfolio.currencies!.refusal(book, book.fx);
    if (noRate !== null) return noRate;
    const price = placingPrice(order, book);
    const commission = this.portfolio.orderCommission(book, order.totalQuantity, price);
    const { equityWithLoan, initialMargin, maintenanceMargin } = check.figures();
    return {
      before: { equityWithLoan, initialMargin, maintenanceMargin },
      after: check.afterOrder(book, order.action, order.totalQuantity, price, commission),
      commission,
      problem: check.problem(book, order.action, order.totalQuantity, price, commission),
    };
  }

  private parentProblem(order: EngineOrder): string | null {
    if (order.parentId === undefined) return null;
    const parent = this.orders.get(order.parentId);
    if (parent === undefined) return `Parent order ${order.parentId} not found: place the parent first.`;
    if (parent.state === OrderState.Done && parent.status !== 'Filled') {
      return `Parent order ${order.parentId} is ${parent.status}: a child order needs a working or filled parent.`;
    }
    return null;
  }

  /** A new version of an order already taken (same orderId). */
  modify(live: LiveOrder, raw: EngineOrder, time: number): void {
    if (live.state === OrderState.Done) {
      this.events.order(live, time, live.status === 'Filled' ? CANNOT_MODIFY_FILLED : CANNOT_MODIFY_CANCELLED);
      return;
    }
    const order: EngineOrder = { ...raw };
    if (order.parentId === 0) delete order.parentId;
    const old = live.order;
    const terms = termsFor(live.book, order);
    const problem = modifyProblem(order, old, live.filled, live.book.tick) ?? (typeof terms === 'string' ? terms : null);
    if (problem !== null) {
      this.events.order(live, time, problem);
      return;
    }
    live.order = order;
    if (order.orderType !== old.orderType) {
      live.triggered = false;
      live.activeLimit = NaN;
      live.trailBest = NaN;
      live.trailStop = NaN;
      if (live.state === OrderState.Working) initTrail(live, live.book.mark);
    } else if (isTrailing(order.orderType)) {
      retrail(live, old);
    }
    if ((order.orderType === 'STP LMT' || order.orderType === 'LIT') && live.triggered) live.activeLimit = order.lmtPrice!;
    if (live.state === OrderState.Working && isPegged(live)) repeg(live, live.book.bid, live.book.ask, live.book.mark);
    if ((order.ocaGroup ?? '') !== (old.ocaGroup ?? '')) {
      this.leaveOca(live);
      this.joinOca(live);
    }
    this.events.order(live, time);
    if (live.state === OrderState.Held && order.transmit !== false) this.transmit(live, time);
    else if (live.state === OrderState.Working) this.lookNow(live);
  }

  /** Sends every held order of `live`'s bracket (its root parent and all descendants) to the market. */
  private transmit(live: LiveOrder, time: number): void {
    let root = live;
    while (root.order.parentId !== undefined) {
      const parent = this.orders.get(root.order.parentId);
      if (parent === undefined) break;
      root = parent;
    }
    const nowWorking: LiveOrder[] = [];
    this.transmitTree(root, time, nowWorking);
    for (const w of nowWorking) this.lookNow(w);
  }

  private transmitTree(node: LiveOrder, time: number, nowWorking: LiveOrder[]): void {
    if (node.state === OrderState.Held) {
      const parent = node.order.parentId === undefined ? undefined : this.orders.get(node.order.parentId);
      if (parent === undefined || (parent.state === OrderState.Done && parent.status === 'Filled')) {
        this.startWorking(node, time);
        nowWorking.push(node);
      } else if (parent.state === OrderState.Done) {
        this.cancel(node, PARENT_CANCELLED, time);
      } else {
        node.state = OrderState.Waiting;
        node.status = 'PreSubmitted';
        this.events.order(node, time);
      }
    }
    if (node.children !== null) for (const child of node.children) this.transmitTree(child, time, nowWorking);
  }

  /**
   * The order enters the market. A trailing order starts trailing here, from `reference`: the last
   * price seen, or for a bracket child the parent's fill price (not the price when it was placed).
   */
  private startWorking(live: LiveOrder, time: number, reference: number = live.book.mark): void {
    if (isTrailing(live.order.orderType) && !live.triggered && live.trailBest !== live.trailBest) {
      initTrail(live, reference);
    }
    if (isPegged(live)) repeg(live, live.book.bid, live.book.ask, reference);
    live.state = OrderState.Working;
    // Held by its conditions until they are met (TWS shows such an order PreSubmitted).
    const held = live.order.conditions !== undefined && live.order.conditions.length > 0 && !live.order.conditionsCancelOrder && !live.conditionsDone;
    live.status = held ? 'PreSubmitted' : 'Submitted';
    live.book.working.push(live);
    this.events.order(live, time);
  }

  /**
   * Fills as much of `live` as one price event allows at `rawPrice` (before slippage). Returns the
   * children the fill activated (parent now filled), else null.
   */
  fill(live: LiveOrder, rawPrice: number, time: number): LiveOrder[] | null {
    let quantity = live.remaining;
    if (quantity > this.maxFill) quantity = this.maxFill;
    if (!(quantity > 0)) return null;

    const portfolio = this.portfolio;
    const price = portfolio.fillPrice(live, rawPrice);
    const commission = portfolio.commissionFor(live, quantity, price);
    if (this.buyingPower !== null) {
      // Prices moved since the order was placed: what no longer fits is cancelled, as a broker would.
      const problem = this.buyingPower.problem(live.book, live.order.action, quantity, price, commission);
      if (problem !== null) {
        this.cancel(live, problem, time);
        return null;
      }
    }
    const execution = portfolio.execute(live, quantity, price, commission, time);
    const complete = live.remaining <= QTY_EPSILON;
    const ocaKey = live.ocaKey; // finish() leaves the group
    if (complete) this.finish(live, 'Filled');

    const events = this.events;
    events.execution(execution);
    events.order(live, time);
    if (events.listens('position')) events.position(this.portfolio.positionOf(live.book));

    if (ocaKey !== null) this.ocaAfterFill(live, ocaKey, quantity, time);
    return complete && live.children !== null ? this.activateChildren(live, Infinity, time) : null;
  }

  /** Another order of `live`'s OCA group (or bracket) filled `quantity`. */
  private ocaAfterFill(live: LiveOrder, key: string, quantity: number, time: number): void {
    const group = this.ocaGroups.get(key);
    if (group === undefined) return;
    // A bracket's children without an explicit group behave like ocaType 3 (reduce), as TWS links them.
    const type = live.order.ocaGroup ? (live.order.ocaType ?? 1) : 3;
    for (const other of group.slice()) {
      if (other === live || other.state === OrderState.Done) continue;
      if (type === 1) {
        this.cancel(other, OCA_FILLED, time);
        continue;
      }
      // Types 2 and 3 differ only in IB's overfill protection ("block"), which a simulated market
      // that fills one order at a time does not need.
      const total = other.order.totalQuantity - quantity;
      if (total - other.filled <= QTY_EPSILON) {
        this.cancel(other, OCA_REDUCED_TO_ZERO, time);
      } else {
        other.order = { ...other.order, totalQuantity: total };
        this.events.order(other, time);
      }
    }
  }

  /** The children of `parent` start working (quantity capped at `cap`). */
  private activateChildren(parent: LiveOrder, cap: number, time: number): LiveOrder[] {
    const activated: LiveOrder[] = [];
    for (const child of parent.children!) {
      if (child.state !== OrderState.Waiting) continue;
      if (child.order.totalQuantity > cap) child.order = { ...child.order, totalQuantity: cap };
      this.startWorking(child, time, parent.lastFillPrice);
      activated.push(child);
    }
    return activated;
  }

  /** Cancels an open order: its unfilled children with it, or, when it partly filled, they protect that part. */
  cancel(live: LiveOrder, reason: string, time: number): void {
    if (live.state === OrderState.Done) return;
    this.finish(live, 'Cancelled');
    this.events.order(live, time, reason);
    if (live.children === null) return;
    if (live.filled > 0) {
      // A partly filled parent: its children protect what did fill.
      for (const child of this.activateChildren(live, live.filled, time)) this.lookNow(child);
    } else {
      for (const child of live.children) this.cancel(child, PARENT_CANCELLED, time);
    }
  }

  private finish(live: LiveOrder, status: OrderStatus): void {
    if (live.state === OrderState.Working) {
      removeItem(live.book.working, live);
    }
    live.state = OrderState.Done;
    live.status = status;
    this.open.delete(live);
    this.leaveOca(live);
  }

  private joinOca(live: LiveOrder): void {
    const o = live.order;
    const key = o.ocaGroup ? `oca:${o.ocaGroup}` : o.parentId !== undefined ? `bracket:${o.parentId}` : null;
    live.ocaKey = key;
    if (key === null) return;
    const group = this.ocaGroups.get(key);
    if (group === undefined) this.ocaGroups.set(key, [live]);
    else group.push(live);
  }

  private leaveOca(live: LiveOrder): void {
    const key = live.ocaKey;
    if (key === null) return;
    live.ocaKey = null;
    const group = this.ocaGroups.get(key);
    if (group === undefined) return;
    removeItem(group, live);
    if (group.length === 0) this.ocaGroups.delete(key);
  }
}

/**
 * The contract terms an order brings to its book: null when the book's terms are already fixed and the
 * order agrees with them, new terms for a book's first order, or the reason to refuse the order (a
 * derivative without a multiplier, or a multiplier other than the one the instrument trades at).
 */
function termsFor(book: Book, order: EngineOrder): ContractTerms | string | null {
  const given = contractMultiplier(order);
  if (book.termsFixed) {
    if (given === undefined || given === book.multiplier) return null;
    return `The order's contract multiplier ${given} differs from the ${book.multiplier} that ${book.symbol} trades at here: send the same contract (multiplier) for every order of an instrument.`;
  }
  return resolveTerms(book.symbol, given);
}
