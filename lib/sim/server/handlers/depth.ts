/**
 * REQ_MKT_DEPTH / CANCEL_MKT_DEPTH: a book around the walk, one tick apart from the top, sizes drawn
 * per level and quarter second. It starts with inserts of every row, then sends updates of the rows that
 * changed and inserts / deletes when the number of levels on a side changes. SMART depth comes as
 * MARKET_DEPTH_L2 with market makers, exchange depth as MARKET_DEPTH. The clients' own resting limit
 * orders are in the book at their price (their remaining size), as on an exchange; hidden ones are not.
 */
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import { readContract, resolveOne } from '../contract-codec';
import type { ClientSession } from '../session';
import { num } from '../fields';
import { marketClock } from '../market-clock';
import { hashSeed, Random } from '../../market/rng';
import type { Instrument } from '../../market/universe';
import type { Market } from '../../market/market';
import type { DisplayedOrder } from '../orders/order-desk';
import { orderDesk } from './orders';

const MAX_ROWS = 20;
const MARKET_MAKERS = ['NSDQ', 'ARCA', 'BATS', 'EDGX', 'IEX', 'NYSE', 'MEMX', 'BYX'];

interface Level {
  price: number;
  size: number;
  marketMaker: string;
}

interface Book {
  bids: Level[];
  asks: Level[];
}

function bookAt(market: Market, instrument: Instrument, time: number, rows: number): Book {
  const quote = market.quote(instrument, time);
  const path = market.path(instrument);
  const tick = instrument.minTick;
  const slot = Math.floor(time / 250);
  const side = (top: number, direction: 1 | -1, salt: number): Level[] => {
    const random = new Random(hashSeed(market.seed, instrument.conId, slot, salt));
    // Now and then the deepest level is missing, so rows come and go.
    const count = rows > 1 && random.next() < 0.2 ? rows - 1 : rows;
    const levels: Level[] = [];
    for (let i = 0; i < count; i++) {
      levels.push({
        price: path.roundTick(top + direction * i * tick),
        size: instrument.lotSize * random.int(1, 40) * (i + 1),
        marketMaker: MARKET_MAKERS[random.int(0, MARKET_MAKERS.length - 1)],
      });
    }
    return levels;
  };
  return { bids: side(quote.bid, -1, 11), asks: side(quote.ask, 1, 12) };
}

/** The market-maker code a venue shows under in SMART depth (NASDAQ's is NSDQ). */
function marketMakerOf(venue: string): string {
  return venue === 'NASDAQ' || venue === 'ISLAND' ? 'NSDQ' : venue;
}

/**
 * The market's book with the clients' own displayed orders in it, as an exchange's book holds them:
 * each adds its size to the level at its price, or is a level of its own there (a price inside the
 * spread is the side's best); the side keeps at most `rows` levels. Hidden orders are not among them.
 */
function withOwnOrders(book: Book, own: readonly DisplayedOrder[], rows: number): Book {
  if (own.length === 0) return book;
  const merge = (levels: Level[], side: DisplayedOrder['side'], better: (a: number, b: number) => boolean): Level[] => {
    const merged = levels.map((level) => ({ ...level }));
    for (const order of own) {
      if (order.side !== side) continue;
      const same = merged.find((level) => Math.abs(level.price - order.price) < 1e-9);
      if (same) {
        same.size += order.size;
        continue;
      }
      const at = merged.findIndex((level) => better(order.price, level.price));
      merged.splice(at === -1 ? merged.length : at, 0, { price: order.price, size: order.size, marketMaker: marketMakerOf(order.venue) });
    }
    return merged.slice(0, rows);
  };
  return { bids: merge(book.bids, 'bid', (a, b) => a > b), asks: merge(book.asks, 'ask', (a, b) => a < b) };
}

const INSERT = 0;
const UPDATE = 1;
const DELETE = 2;
const ASK = 0;
const BID = 1;

function sendRow(session: ClientSession, reqId: number, smart: boolean, position: number, operation: number, side: number, level: Level): void {
  if (smart) {
    session.send([Outgoing.MARKET_DEPTH_L2, 1, reqId, position, level.marketMaker, operation, side, num(level.price), num(level.size), 1]);
  } else {
    session.send([Outgoing.MARKET_DEPTH, 1, reqId, position, operation, side, num(level.price), num(level.size)]);
  }
}

function sendSideChanges(session: ClientSession, reqId: number, smart: boolean, side: number, before: Level[], after: Level[]): void {
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) {
    const a = before[i];
    const b = after[i];
    if (a.price !== b.price || a.size !== b.size || a.marketMaker !== b.marketMaker) sendRow(session, reqId, smart, i, UPDATE, side, b);
  }
  for (let i = common; i < after.length; i++) sendRow(session, reqId, smart, i, INSERT, side, after[i]);
  for (let i = before.length - 1; i >= common; i--) sendRow(session, reqId, smart, i, DELETE, side, before[i]);
}

export function registerDepthHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_MKT_DEPTH, 'REQ_MKT_DEPTH', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const query = readContract(reader);
    const numRows = reader.int('numRows', 5);
    const isSmartDepth = reader.bool('isSmartDepth');
    if (reader.remaining > 0) reader.str('mktDepthOptions');
    let state = session.state.get('depth') as Map<number, () => void> | undefined;
    if (!state) {
      const created = new Map<number, () => void>();
      state = created;
      session.state.set('depth', created);
      session.onClose(() => {
        for (const stop of created.values()) stop();
      });
    }
    if (state.has(reqId)) {
      session.error(reqId, 322, `Error processing request.-'bM' : cause - Duplicate ticker id ${reqId}`);
      return;
    }
    const instrument = resolveOne(session, context.market, query, reqId);
    if (!instrument) return;
    const rows = Math.max(1, Math.min(MAX_ROWS, numRows));
    const smart = isSmartDepth;
    const desk = orderDesk(context);
    const bookNow = (time: number) => withOwnOrders(bookAt(context.market, instrument, time, rows), desk.displayedOrders(instrument), rows);
    let book = bookNow(context.now());
    sendSideChanges(session, reqId, smart, BID, [], book.bids);
    sendSideChanges(session, reqId, smart, ASK, [], book.asks);
    const stop = marketClock(context).subscribe((time) => {
      const next = bookNow(time);
      sendSideChanges(session, reqId, smart, BID, book.bids, next.bids);
      sendSideChanges(session, reqId, smart, ASK, book.asks, next.asks);
      book = next;
    });
    state.set(reqId, stop);
  });

  register(registry, Incoming.CANCEL_MKT_DEPTH, 'CANCEL_MKT_DEPTH', (session, reader) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    if (reader.remaining > 0) reader.bool('isSmartDepth');
    const state = session.state.get('depth') as Map<number, () => void> | undefined;
    const stop = state?.get(reqId);
    if (!stop) {
      session.error(reqId, 300, `Can't find EId with tickerId:${reqId}`);
      return;
    }
    stop();
    state!.delete(reqId);
  });
}
