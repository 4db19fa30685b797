/**
 * The clients' own orders in the market depth, through the real @stoqey/ib client: a resting limit
 * order's remaining size is in the book at its price, as on an exchange; a hidden one (order.hidden) at
 * the same price is not, and a cancelled one leaves. The simulator's own levels are whole round lots
 * (multiples of 100 shares), so an order of 37 shares shows as a size of 37 modulo 100.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract } from '@stoqey/ib';
import { connectApi, delay, startSimulator, waitFor, type ApiClient } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

interface Level {
  price: number;
  size: number;
}

/** Keeps the bid side of a depth subscription from its insert/update/delete rows. */
function trackBids(client: ApiClient, reqId: number, smart: boolean): { bids: Level[]; updates: number } {
  const state = { bids: [] as Level[], updates: 0 };
  const apply = (position: number, operation: number, side: number, price: number, size: number) => {
    if (side !== 1) return;
    state.updates++;
    if (operation === 0) state.bids.splice(position, 0, { price, size });
    else if (operation === 1) state.bids[position] = { price, size };
    else state.bids.splice(position, 1);
  };
  if (smart) {
    client.api.on(EventName.updateMktDepthL2, (id: number, position: number, _mm: string, operation: number, side: number, price: number, size: number) => id === reqId && apply(position, operation, side, price, size));
  } else {
    client.api.on(EventName.updateMktDepth, (id: number, position: number, operation: number, side: number, price: number, size: number) => id === reqId && apply(position, operation, side, price, size));
  }
  return state;
}

/** What the book holds at `price` beyond the market's round lots: the own orders shown there. */
function ownAt(bids: readonly Level[], price: number): number | undefined {
  const level = bids.find((l) => Math.abs(l.price - price) < 1e-9);
  return level === undefined ? undefined : level.size % 100;
}

function placeLimit(client: ApiClient, quantity: number, price: number, hidden: boolean): number {
  const id = client.nextValidId++;
  client.api.placeOrder(id, AAPL, { action: OrderAction.BUY, totalQuantity: quantity, orderType: OrderType.LMT, lmtPrice: price, hidden, tif: 'DAY', transmit: true });
  return id;
}

for (const smart of [false, true]) {
  test(`${smart ? 'SMART' : 'exchange'} depth: a resting limit shows at its price, a hidden one at the same price does not`, async () => {
    const sim = await startSimulator({ ticksPerSecond: 40 });
    try {
      const client = await connectApi(sim, 1);
      const book = trackBids(client, 1, smart);
      client.api.reqMktDepth(1, AAPL, 10, smart, []);
      await waitFor(() => book.bids.length >= 8, 'the bid side');
      const price = Math.round((book.bids[0]!.price - 0.03) * 100) / 100;

      const hiddenId = placeLimit(client, 50, price, true);
      const shownId = placeLimit(client, 37, price, false);
      await waitFor(() => ownAt(book.bids, price) === 37, `the visible 37 at ${price} (book: ${JSON.stringify(book.bids.slice(0, 5))})`);
      // Over a second of updates the level never shows the hidden 50 (37 + 50 = 87).
      const seen = new Set<number | undefined>();
      const until = book.updates + 40;
      while (book.updates < until) {
        seen.add(ownAt(book.bids, price));
        await delay(10);
      }
      assert.deepEqual([...seen], [37], 'only the visible order is in the book');

      client.api.cancelOrder(shownId);
      await waitFor(() => ownAt(book.bids, price) === 0 || ownAt(book.bids, price) === undefined, 'the cancelled order leaves the book');
      await delay(300);
      assert.ok([0, undefined].includes(ownAt(book.bids, price)), 'the hidden order alone shows nothing');
      assert.equal(sim.engine.openOrders().filter((o) => o.order.orderId === hiddenId).length, 1, 'the hidden order still rests');
      client.api.cancelMktDepth(1, smart);
      assert.deepEqual(client.errors.filter((e) => e.code !== 202), []);
      client.disconnect();
    } finally {
      await sim.close();
    }
  });
}
