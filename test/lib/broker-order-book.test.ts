/**
 * The IB broker's order book fed TWS's messages directly, in the orders TWS sends them: duplicate
 * status messages make one event, a Cancelled status waits for its reason (ERR_MSG 202) to go out as
 * one event, a failed cancel puts the order back to Submitted, a refused modification leaves it
 * working, another client's openOrder is not adopted while this client's is, and an order is settled
 * (what a flatten waits for) only once it has ended and its fills are in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Contract, Order, OrderState } from '@stoqey/ib';
import type { OrderEvent } from '../../lib/messages';
import { OrderBook } from '../../lib/broker/order-book';
import { ReportedKeys } from '../../lib/broker/reported-keys';
import { silentLog } from '../../lib/broker/log';

const contract: Contract = { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD', conId: 265598 };
const limitBuy = { action: 'BUY', totalQuantity: 100, orderType: 'LMT', lmtPrice: 10, orderRef: 'test' } as Order;

function makeBook() {
  const events: OrderEvent[] = [];
  const book = new OrderBook({ clientId: 5, clock: () => 1, commissionWaitMs: 1000, awaitsCommission: () => false, emitOrder: (e) => events.push(e), keys: new ReportedKeys(), log: silentLog });
  return { book, events };
}

test('duplicate statuses are one event; a cancel waits for its reason and goes out once with it', async () => {
  const { book, events } = makeBook();
  const tracked = book.add(1, 'AAPL', contract, { ...limitBuy, orderId: 1 }, 'sent');
  assert.equal(book.onOpenOrder(1, contract, { ...limitBuy, orderId: 1, clientId: 5 }, { status: 'Submitted' } as OrderState), 'known');
  book.onOrderStatus(1, 'Submitted', 0, 100, 0);
  book.onOrderStatus(1, 'Submitted', 0, 100, 0);
  assert.deepEqual(events.map((e) => e.status), ['Submitted']);
  assert.equal(tracked.delivery, 'acked');
  book.onOrderStatus(1, 'Cancelled', 0, 100, 0);
  assert.equal(events.length, 1, 'the Cancelled event is held for its reason');
  book.onOrderError(new Error('Order Canceled - reason:'), 202, 1);
  assert.deepEqual(events.map((e) => e.status), ['Submitted', 'Cancelled']);
  assert.match(events[1].reason ?? '', /IB 202/);
  assert.deepEqual(book.working(), []);
});

test('a failed cancel returns the order to Submitted; a refused modification leaves it working', () => {
  const { book, events } = makeBook();
  const tracked = book.add(2, 'AAPL', contract, { ...limitBuy, orderId: 2 }, 'acked');
  book.onOrderStatus(2, 'Submitted', 0, 100, 0);
  book.markCancelling(tracked);
  book.onOrderError(new Error('Cannot cancel the order'), 161, 2);
  assert.deepEqual(events.map((e) => e.status), ['Submitted', 'PendingCancel', 'Submitted']);
  assert.equal(tracked.cancelRequested, false);
  book.onOrderError(new Error('price out of range'), 201, 2);
  assert.equal(book.working().length, 1, 'a refused modification of an acked order is not its end');
  assert.match(events.at(-1)?.reason ?? '', /IB 201/);
});

test('openOrder of this client from before is adopted with its status; another client\'s is not', () => {
  const { book } = makeBook();
  assert.equal(book.onOpenOrder(9, contract, { ...limitBuy, orderId: 9, clientId: 6 }, { status: 'Submitted' } as OrderState), null);
  assert.equal(book.onOpenOrder(10, contract, { ...limitBuy, orderId: 10, clientId: 5, permId: 77 }, { status: 'PreSubmitted' } as OrderState), 'adopted');
  const [adopted] = book.working();
  assert.deepEqual([adopted.orderId, adopted.state.status, adopted.state.permId], [10, 'PreSubmitted', 77]);
  assert.deepEqual(book.unanswered(), []);
});

test('working orders are exactly the unfinished ones, in the order they were added, however they finished', () => {
  const { book } = makeBook();
  const msft: Contract = { ...contract, symbol: 'MSFT', conId: 272093 };
  const expected = (key?: string) =>
    book
      .all()
      .filter((t) => t.delivery !== 'done' && (key === undefined || t.key === key))
      .map((t) => t.orderId);
  for (let id = 1; id <= 60; id++) {
    const onMsft = id % 3 === 0;
    book.add(id, onMsft ? 'MSFT' : 'AAPL', onMsft ? msft : contract, { ...limitBuy, orderId: id }, 'sent');
    book.onOpenOrder(id, onMsft ? msft : contract, { ...limitBuy, orderId: id, clientId: 5 }, { status: 'Submitted' } as OrderState);
    // Every way an order ends: filled, cancelled with its reason, rejected, cancelled before it left.
    if (id % 5 === 0) book.onOrderStatus(id, 'Filled', 100, 0, 10);
    else if (id % 5 === 1) book.onOrderError(new Error('Order Canceled - reason:'), 202, id);
    else if (id % 7 === 0) book.onOrderError(new Error('rejected'), 201, id);
    else if (id % 11 === 0) book.finish(book.get(id)!, 'Cancelled', 'cancelled before it was sent');
  }
  // An adopted order (openOrder of this client from before) is working too.
  book.onOpenOrder(500, contract, { ...limitBuy, orderId: 500, clientId: 5 }, { status: 'Submitted' } as OrderState);
  const working = book.working().map((w) => w.orderId);
  assert.ok(working.length > 10 && working.length < 61, `some finished, some working: ${working.length}`);
  assert.deepEqual(working, expected());
  assert.deepEqual(book.working('AAPL').map((w) => w.orderId), expected('AAPL'));
  assert.deepEqual(book.working('MSFT').map((w) => w.orderId), expected('MSFT'));
  assert.ok(working.includes(500));
  // Finishing a working order takes it out at once; a late message on a finished order does not bring it back.
  const last = working[working.length - 1];
  book.onOrderStatus(last, 'Filled', 100, 0, 10);
  book.onOrderStatus(last, 'Submitted', 0, 100, 0);
  assert.deepEqual(book.working().map((w) => w.orderId), working.slice(0, -1));
  assert.deepEqual(book.working().map((w) => w.orderId), expected());
});

test('a status TWS sent before it read the cancel leaves the order cancelling, with its new fill counts', () => {
  const { book, events } = makeBook();
  const tracked = book.add(3, 'AAPL', contract, { ...limitBuy, orderId: 3 }, 'acked');
  book.onOrderStatus(3, 'Submitted', 0, 100, 0);
  book.markCancelling(tracked);
  // In flight when the cancel left: the plain Submitted, then a partial fill.
  book.onOrderStatus(3, 'Submitted', 0, 100, 0);
  book.onOrderStatus(3, 'Submitted', 40, 60, 10);
  const [working] = book.working();
  assert.deepEqual([working.state.status, working.state.filled, working.state.remaining], ['PendingCancel', 40, 60]);
  assert.equal(tracked.cancelRequested, true);
  assert.deepEqual(events.map((e) => [e.status, e.filled]), [['Submitted', 0], ['PendingCancel', 0], ['PendingCancel', 40]]);
  // TWS's own PendingCancel, then the end: the order is done and no longer cancelling.
  book.onOrderStatus(3, 'PendingCancel', 40, 60, 10);
  book.onOrderStatus(3, 'Cancelled', 40, 60, 10);
  book.onOrderError(new Error('Order Canceled - reason:'), 202, 3);
  assert.deepEqual(book.working(), []);
  assert.equal(events.at(-1)?.status, 'Cancelled');
});

test('an order is settled once it has ended and its fills are in the positions, whichever TWS reports first', async () => {
  const { book } = makeBook();
  const filledFirst = book.add(3, 'AAPL', contract, { ...limitBuy, orderId: 3 }, 'acked');
  const executedFirst = book.add(4, 'AAPL', contract, { ...limitBuy, orderId: 4 }, 'acked');
  const cancelled = book.add(5, 'AAPL', contract, { ...limitBuy, orderId: 5 }, 'acked');
  const settled = book.whenSettled([3, 4, 5], 5000);
  // TWS's status of order 3 comes before its executions: Filled, yet its 100 shares not in the positions.
  book.onOrderStatus(3, 'Filled', 100, 0, 10);
  book.addExecuted(filledFirst, 60);
  book.addExecuted(executedFirst, 100);
  book.onOrderStatus(5, 'Cancelled', 0, 100, 0);
  assert.deepEqual(book.unsettled(), [3, 4]);
  assert.deepEqual(await book.whenSettled([3, 4], 20), [3, 4], 'a wait that runs out names the orders still unsettled');
  book.onOrderStatus(4, 'Filled', 100, 0, 10);
  book.addExecuted(filledFirst, 40);
  assert.deepEqual(await settled, []);
  assert.deepEqual(book.unsettled(), []);
  assert.equal(cancelled.delivery, 'done');
});
