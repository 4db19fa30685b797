/**
 * Matching working orders against one bar (backtests). An order placed after bar t was fed is first
 * looked at on bar t+1:
 * - MKT at the open (with fillAt 'close': at the close of the last bar fed, at once: see lookNow()).
 * - LMT buy when the path reaches low <= limit, at min(open, limit); sells mirrored.
 * - STP buy when high >= stop, at max(open, stop); sells mirrored. A triggered stop is a market order.
 * - STP LMT: the stop triggers, then the order is a limit from that point of the bar on.
 * - TRAIL / TRAIL LIMIT: see bar-path.ts for the order of the bar's prices; the best price is updated
 *   after each point is checked, the stop only ratchets in the holder's favour and is rounded to the tick.
 * - MOC at the bar's close; LOC at the close when the close satisfies the limit, else cancelled.
 * - REL, PEG MID, MIDPRICE: a bar has no bid or ask, so each is a limit at the price the last close
 *   pegged it to (close plus or minus its offset, never past its cap; MIDPRICE at its cap, without
 *   one at the open), set again from every close (pegging.ts).
 * - FOK: like IOC, and only when the whole quantity fills at once.
 * - Conditions (conditions.ts): a price condition reads the close before the bar, a time condition the
 *   bar's start; the order works from the bar they are met on.
 * - IOC: looked at once, at the next open; what does not fill is cancelled. OPG: at the open of the
 *   first bar of a later day than the last price seen when it was placed, then cancelled.
 * - DAY (the default, as in TWS): good for the trading day of the first price event it is looked at;
 *   cancelled by the first price event of a later day. GTC: until filled or cancelled.
 * - Bracket children wait for the parent to fill. Children activated by a fill inside a bar are looked
 *   at on the rest of that bar, from the parent's fill price (pessimistic: a stop the bar reaches fills).
 * Fills inside one bar happen in path order, so an OCA sibling reached earlier wins: every order's
 * fill point is found first (a candidate), then candidates fill sorted by path position.
 *
 * Scratch space is kept between bars, so a bar with resting orders allocates nothing.
 */
import type { Bar } from '../messages';
import type { OrderHandler } from './order-handler';
import { OrderState, type Book, type LiveOrder } from './book';
import { BarPath } from './bar-path';
import { trailTo, triggerTrail } from './trailing';
import { EXPIRED_DAY, EXPIRED_GTD, NOT_FILLED_FOK, NOT_FILLED_IOC, NOT_FILLED_LOC, NOT_FILLED_OPG } from './reasons';
import { isPegged, repeg } from './pegging';

export class BarMatcher {
  /** True while a bar is being matched (a fillAt 'close' market order placed then waits for the next bar). */
  private inBar = false;
  private readonly path = new BarPath();
  /** Orders looked at on this bar: the book's working orders, then children activated inside the bar. */
  private readonly looking: LiveOrder[] = [];
  // Fill candidates of this bar, sorted by (path position, orderId).
  private readonly candOrder: LiveOrder[] = [];
  private readonly candPrice: number[] = [];
  private readonly candPos: number[] = [];
  private candCount = 0;

  constructor(
    private readonly orders: OrderHandler,
    /** fillAt 'close': market orders fill at the close of the bar the strategy just saw. */
    private readonly closeFills: boolean,
    private readonly dayOf: (time: number) => number,
  ) {}

  /** Fills, expires and cancels what `bar` does to the working orders of `book` (the bar is valid). */
  match(book: Book, bar: Bar): void {
    this.inBar = true;
    try {
      this.matchOrders(book, bar);
    } finally {
      this.inBar = false;
    }
  }

  private matchOrders(book: Book, bar: Bar): void {
    const { open, time } = bar;
    const orders = this.orders;
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
      if (live.state !== OrderState.Working) continue;
      const tif = live.order.tif;
      if (tif === undefined || tif === 'DAY') {
        if (live.day !== live.day) live.day = day;
        else if (day > live.day) {
          orders.cancel(live, EXPIRED_DAY, time);
          continue;
        }
      } else if (tif === 'GTD' && time >= live.order.goodTillDate!) {
        // A bar that begins at or after the expiry cannot fill it.
        orders.cancel(live, EXPIRED_GTD, time);
        continue;
      } else if (tif === 'OPG' && day <= live.submitDay) continue;
      // Not working before its goodAfterTime: a bar that begins earlier does not fill it.
      if (live.order.goodAfterTime !== undefined && time < live.order.goodAfterTime) continue;
      // Conditions see the close before this bar (book.mark until the bar is taken), never the bar itself.
      if (!orders.mayTrade(live, NaN, NaN, book.mark, time)) continue;
      live.looked = true;
      if (this.fillPoint(live, bar, open, 0)) this.addCandidate(live, this.path.price, this.path.pos, 0);
    }
    for (let c = 0; c < this.candCount; c++) {
      const live = this.candOrder[c];
      if (live.state !== OrderState.Working) continue; // cancelled by an OCA sibling filled earlier in the bar
      const rawPrice = this.candPrice[c];
      const pos = this.candPos[c];
      const activated = orders.fill(live, rawPrice, time);
      // Children of a parent filled at the close are looked at from the next bar.
      if (activated === null || pos >= 3) continue;
      for (const child of activated) {
        if (child.book !== book || child.state !== OrderState.Working) continue;
        looking[lookingCount++] = child;
        child.looked = true;
        if (child.order.tif === undefined || child.order.tif === 'DAY') child.day = day;
        if (this.fillPoint(child, bar, rawPrice, pos)) {
          // Map the child's own path position (0..3 from the parent's fill) into the rest of the bar.
          this.addCandidate(child, this.path.price, pos + (this.path.pos * (3 - pos)) / 3, c + 1);
        }
      }
    }
    for (let i = 0; i < lookingCount; i++) {
      const live = looking[i];
      if (live.state !== OrderState.Working || !live.looked) continue;
      const tif = live.order.tif;
      if (tif === 'IOC') orders.cancel(live, NOT_FILLED_IOC, time);
      else if (tif === 'FOK') orders.cancel(live, NOT_FILLED_FOK, time);
      else if (tif === 'OPG') orders.cancel(live, NOT_FILLED_OPG, time);
      else if (live.order.orderType === 'LOC') orders.cancel(live, NOT_FILLED_LOC, time);
    }
    // Pegged orders stand at the price this bar's close puts them at until the next bar.
    for (let i = 0; i < lookingCount; i++) {
      const live = looking[i];
      if (live.state === OrderState.Working && isPegged(live)) repeg(live, NaN, NaN, bar.close);
    }
  }

  /**
   * An order that just started working (or changed) while the last prices of its book are bars: with
   * fillAt 'close' a market order fills at once at the close of the last bar fed, outside a bar only.
   */
  lookNow(live: LiveOrder): void {
    if (!this.closeFills || this.inBar || !live.isMarket() || live.order.tif === 'OPG') return;
    const book = live.book;
    if (live.order.goodAfterTime !== undefined && book.lastTime < live.order.goodAfterTime) return;
    if (!this.orders.mayTrade(live, NaN, NaN, book.mark, book.lastTime)) return;
    live.looked = true;
    if (live.order.tif === 'DAY' || live.order.tif === undefined) live.day = this.dayOf(book.lastTime);
    // Children it activates start working and are looked at from the next bar.
    this.orders.fill(live, book.mark, book.lastTime);
    if (live.state === OrderState.Working && live.order.tif === 'IOC') this.orders.cancel(live, NOT_FILLED_IOC, book.lastTime);
  }

  /**
   * Where `live` fills on this bar, walked from `start` (the open, or a parent's fill price); sets
   * path.price / path.pos. `offset` > 0 means the walk starts after the open (a child activated mid-bar).
   */
  private fillPoint(live: LiveOrder, bar: Bar, start: number, offset: number): boolean {
    const o = live.order;
    const buy = o.action === 'BUY';
    const path = this.path;
    path.set(start, buy ? bar.high : bar.low, buy ? bar.low : bar.high, bar.close);
    const tif = o.tif;
    if (tif === 'IOC' || tif === 'FOK' || tif === 'OPG') {
      // One look, at the open (FOK: only when it fills whole).
      if (offset !== 0 || (tif === 'FOK' && !this.orders.fillsWhole(live))) return false;
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
      case 'MIT':
        // Touched (the price comes to the trigger, as a limit's does): a market order from there.
        if (live.triggered) return this.at(start, 0);
        if (!path.cross(0, start, o.auxPrice!, !buy)) return false;
        live.triggered = true;
        return true;
      case 'LIT':
        if (live.triggered) return path.cross(0, start, live.activeLimit, !buy);
        if (!path.cross(0, start, o.auxPrice!, !buy)) return false;
        live.triggered = true;
        live.activeLimit = o.lmtPrice!;
        return path.cross(path.seg, path.price, live.activeLimit, !buy);
      case 'TRAIL':
      case 'TRAIL LIMIT':
        return this.trailOnPath(live, buy);
      case 'REL':
      case 'PEG MID':
      case 'MIDPRICE':
        // A limit at the price the last close pegged it to (a bar has no spread: bid, ask and midpoint
        // are its price); MIDPRICE without a cap stands at no price and fills at the open.
        if (!Number.isFinite(live.pegPrice)) return live.pegPrice === live.pegPrice && this.at(start, 0);
        return path.cross(0, start, live.pegPrice, !buy);
      case 'MOC':
        return this.at(bar.close, 3);
      case 'LOC':
        return (buy ? bar.close <= o.lmtPrice! : bar.close >= o.lmtPrice!) && this.at(bar.close, 3);
      default:
        return false;
    }
  }

  /** The fill point is `price` at path position `pos`. */
  private at(price: number, pos: number): boolean {
    this.path.price = price;
    this.path.pos = pos;
    this.path.seg = pos >= 3 ? 2 : pos;
    return true;
  }

  /** A trailing stop along the bar's path: check each point against the stop so far, then move the stop. */
  private trailOnPath(live: LiveOrder, buy: boolean): boolean {
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
        triggerTrail(live, buy);
        if (!limitKind) return this.at(price, k === 0 ? 0 : path.posOn(seg, price));
        return path.cross(seg, price, live.activeLimit, !buy);
      }
      trailTo(live, x, buy);
    }
    return false;
  }

  /** Inserts a fill candidate keeping (path position, orderId) order, not before index `from`. */
  private addCandidate(live: LiveOrder, price: number, pos: number, from: number): void {
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
}
