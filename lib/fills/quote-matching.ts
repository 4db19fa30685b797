/**
 * Matching working orders against quotes (the TWS simulator). MKT fills at once at the ask (buy) / bid
 * (sell) of the latest quote, or at the next quote when there is none yet; a limit when the quote
 * crosses it, at that ask/bid; stops and trailing stops trigger on last and then fill at the ask/bid;
 * MOC/LOC at the last price of the day, when the first quote of a later day arrives; OPG at the first
 * quote of a later day. DAY orders expire with the first quote of a later day. Children activated by a
 * fill are looked at against the same quote at once. REL fills like a limit at the price it is pegged
 * to (pegging.ts), MIDPRICE and PEG MID at the midpoint when it is at or better than theirs; FOK fills
 * its whole quantity at the first look or is cancelled.
 */
import type { QuoteTick } from './types';
import type { OrderHandler } from './order-handler';
import { OrderState, PriceFeed, type Book, type LiveOrder } from './book';
import { trailTo, triggerTrail } from './trailing';
import { EXPIRED_DAY, EXPIRED_GTD, NOT_FILLED_FOK, NOT_FILLED_IOC, NOT_FILLED_LOC, NOT_FILLED_OPG } from './reasons';
import { isPegged, midpoint, repeg } from './pegging';

export class QuoteMatcher {
  constructor(
    private readonly orders: OrderHandler,
    private readonly dayOf: (time: number) => number,
    /** Wall clock of the simulator, for orders looked at between quotes. */
    private readonly now: (() => number) | undefined,
  ) {}

  /** Fills, expires and cancels what quote `q` does to the working orders of `book` (before `book` takes it). */
  match(book: Book, q: QuoteTick): void {
    const day = this.dayOf(q.time);
    const looking = book.working.slice();
    for (const live of looking) this.look(live, q.bid, q.ask, q.last, q.time, day, book.last);
  }

  /** An order that just started working (or changed) is looked at against its book's latest quote. */
  lookNow(live: LiveOrder): void {
    const book = live.book;
    this.look(live, book.bid, book.ask, book.last, this.now ? this.now() : book.lastTime, this.dayOf(book.lastTime), book.last);
  }

  /** Looks at one working order against a quote; children activated by its fill are looked at at once. */
  private look(live: LiveOrder, bid: number, ask: number, last: number, time: number, day: number, prevLast: number): void {
    if (live.state !== OrderState.Working) return;
    const orders = this.orders;
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
          orders.cancel(live, EXPIRED_DAY, time);
          return;
        }
      }
      if (tif === 'GTD' && time >= o.goodTillDate!) {
        orders.cancel(live, EXPIRED_GTD, time);
        return;
      }
      if (tif === 'OPG' && day <= live.submitDay) return;
      if (o.goodAfterTime !== undefined && time < o.goodAfterTime) return;
      if (!orders.mayTrade(live, bid, ask, last, time)) return;
      live.looked = true;
      // Fill or kill: all of it at once, or nothing (cancelled below).
      price = tif === 'FOK' && !orders.fillsWhole(live) ? NaN : this.fillPrice(live, bid, ask, last);
    }
    if (price === price && price > 0) {
      const activated = orders.fill(live, price, time);
      if (activated !== null) {
        for (const child of activated) {
          const b = child.book;
          if (b === live.book) this.look(child, bid, ask, last, time, day, prevLast);
          else if (b.feed === PriceFeed.Quotes) this.look(child, b.bid, b.ask, b.last, time, this.dayOf(b.lastTime), b.last);
        }
      }
    }
    if (live.state === OrderState.Working) {
      // A pegged order stands where this quote puts it until the next one.
      if (isPegged(live)) repeg(live, bid, ask, last);
      if (tif === 'IOC') orders.cancel(live, NOT_FILLED_IOC, time);
      else if (tif === 'FOK') orders.cancel(live, NOT_FILLED_FOK, time);
      else if (tif === 'OPG') orders.cancel(live, NOT_FILLED_OPG, time);
      else if (o.orderType === 'LOC' && live.looked) orders.cancel(live, NOT_FILLED_LOC, time);
    }
  }

  /** The fill price of `live` on a quote, or NaN (triggers stops and moves trailing stops on the way). */
  private fillPrice(live: LiveOrder, bid: number, ask: number, last: number): number {
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
      case 'MIT':
      case 'LIT':
        // Touched: a buy when the price comes down to the trigger, a sell when it comes up to it.
        if (!live.triggered) {
          if (!(buy ? last <= o.auxPrice! : last >= o.auxPrice!)) return NaN;
          live.triggered = true;
          live.activeLimit = o.lmtPrice ?? NaN;
        }
        break;
      case 'REL':
        // A limit at the price it stands at (pegged to the bid or ask): filled when the other side reaches it.
        return buy ? (market <= live.pegPrice ? market : NaN) : market >= live.pegPrice ? market : NaN;
      case 'MIDPRICE':
      case 'PEG MID': {
        // Filled at the midpoint, when the midpoint is at or better than the price it stands at.
        const mid = midpoint(bid, ask);
        if (!(mid === mid)) return NaN;
        return buy ? (mid <= live.pegPrice ? mid : NaN) : mid >= live.pegPrice ? mid : NaN;
      }
      case 'TRAIL':
      case 'TRAIL LIMIT':
        if (!live.triggered) {
          const stop = live.trailStop;
          if (stop === stop && (buy ? last >= stop : last <= stop)) triggerTrail(live, buy);
          else {
            trailTo(live, last, buy);
            return NaN;
          }
        }
        break;
      default:
        return NaN;
    }
    if (o.orderType === 'STP' || o.orderType === 'TRAIL' || o.orderType === 'MIT') return market;
    return buy ? (market <= live.activeLimit ? market : NaN) : market >= live.activeLimit ? market : NaN;
  }
}
