/**
 * The IB broker's order book fed TWS's messages directly, in the orders TWS sends them: duplicate
 * status messages make one event, a Cancelled status waits for its reason (ERR_MSG 202) to go out as
 * one event, a failed cancel puts the order back to Submitted, a refused modification leaves it
 * working, and another client's openOrder is not adopted while this client's is.
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
