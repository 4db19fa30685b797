/** Fill engine: brackets (parent/children, transmit), OCA groups. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, Execution, OrderEvent } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { EngineOrder } from '../../lib/fills/types';
import { OCA_FILLED, OCA_REDUCED_TO_ZERO, PARENT_CANCELLED } from '../../lib/fills/reasons';

const DAY = 86_400_000;
const SYM = 'SPY';

function bar(day: number, open: number, high: number, low: number, close: number): Bar {
  return { time: day * DAY, open, high, low, close, volume: 1000 };
}

function setup(maxFillPerEvent?: number) {
  const engine = new FillEngine({ account: 'DU1234567', startingCash: 100_000, maxFillPerEvent });
  const events: OrderEvent[] = [];
  const fills: Execution[] = [];
  engine.on('order', (e) => events.push(e));
  engine.on('execution', (x) => fills.push(x));
  const place = (order: Partial<EngineOrder> & { orderId: number }) =>
    engine.submit({ symbol: SYM, action: 'BUY', totalQuantity: 10, orderType: 'MKT', tif: 'GTC', ...order } as EngineOrder);
  const last = (orderId: number) => events.filter((e) => e.orderId === orderId).at(-1)!;
  return { engine, events, fills, place, last };
}

/** Parent BUY LMT 100 x10, take-profit SELL LMT 110, stop-loss SELL STP 95, sent like TWS's bracket sample. */
function bracket(place: ReturnType<typeof setup>['place'], parentType: 'LMT' | 'MKT' = 'LMT') {
  place({ orderId: 1, orderType: parentType, lmtPrice: parentType === 'LMT' ? 100 : undefined, transmit: false });
  place({ orderId: 2, parentId: 1, action: 'SELL', orderType: 'LMT', lmtPrice: 110, transmit: false });
  place({ orderId: 3, parentId: 1, action: 'SELL', orderType: 'STP', auxPrice: 95, transmit: true });
}

test('transmit false holds the bracket until its last order arrives with transmit true', () => {
  const { engine, events, fills, place } = setup();
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  place({ orderId: 1, orderType: 'LMT', lmtPrice: 100, transmit: false });
  place({ orderId: 2, parentId: 1, action: 'SELL', orderType: 'LMT', lmtPrice: 110, transmit: false });
  assert.deepEqual(
    events.map((e) => [e.orderId, e.status]),
    [
      [1, 'PendingSubmit'],
      [2, 'PendingSubmit'],
    ],
  );
  engine.onBar(SYM, bar(2, 100, 101, 99, 100)); // would fill the parent, but nothing was transmitted
  assert.equal(fills.length, 0);
  assert.equal(engine.openOrders().length, 2);
  place({ orderId: 3, parentId: 1, action: 'SELL', orderType: 'STP', auxPrice: 95, transmit: true });
  assert.deepEqual(
    events.slice(2).map((e) => [e.orderId, e.status]),
    [
      [1, 'Submitted'],
      [2, 'PreSubmitted'],
      [3, 'PreSubmitted'],
    ],
  );
});

test('re-sending the held parent with transmit true transmits its bracket', () => {
  const { engine, events, place } = setup();
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  place({ orderId: 1, orderType: 'LMT', lmtPrice: 100, transmit: false });
  place({ orderId: 2, parentId: 1, action: 'SELL', orderType: 'STP', auxPrice: 95, transmit: false });
  place({ orderId: 1, orderType: 'LMT', lmtPrice: 100, transmit: true });
  assert.deepEqual(
    events.slice(2).map((e) => [e.orderId, e.status]),
    [
      [1, 'PendingSubmit'],
      [1, 'Submitted'],
      [2, 'PreSubmitted'],
    ],
  );
});

test('bracket, stop-loss hit: the take-profit is cancelled as its OCA sibling', () => {
  const { engine, fills, place, last } = setup();
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  bracket(place);
  engine.onBar(SYM, bar(2, 101, 101.5, 99.5, 100.5)); // parent fills at 100; the stop is not reached
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[1, 100]],
  );
  assert.equal(last(2).status, 'Submitted');
  assert.equal(last(3).status, 'Submitted');
  engine.onBar(SYM, bar(3, 99, 99.5, 94, 96));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [
      [1, 100],
      [3, 95],
    ],
  );
  assert.deepEqual([last(2).status, last(2).reason], ['Cancelled', OCA_REDUCED_TO_ZERO]);
  assert.equal(engine.position(SYM)?.quantity, 0);
  assert.equal(engine.position(SYM)?.realizedPnl, -50);
  assert.equal(engine.openOrders().length, 0);
});

test('bracket, take-profit hit: the stop-loss is cancelled', () => {
  const { engine, fills, place, last } = setup();
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  bracket(place);
  engine.onBar(SYM, bar(2, 101, 101.5, 99.5, 100.5));
  engine.onBar(SYM, bar(3, 105, 111, 104, 109));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [
      [1, 100],
      [2, 110],
    ],
  );
  assert.equal(last(3).status, 'Cancelled');
  assert.equal(engine.position(SYM)?.realizedPnl, 100);
});

test('one bar reaching both take-profit and stop fills the stop (adverse extreme first)', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  bracket(place);
  engine.onBar(SYM, bar(2, 101, 101.5, 99.5, 100.5));
  engine.onBar(SYM, bar(3, 100, 112, 93, 105));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [
      [1, 100],
      [3, 95],
    ],
  );
});

test('children activated by a fill inside a bar are looked at on the rest of that bar', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  bracket(place, 'MKT');
  engine.onBar(SYM, bar(2, 100, 101, 94, 96)); // parent at the open 100, then the low 94 hits the stop
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [
      [1, 100],
      [3, 95],
    ],
  );
  assert.equal(engine.position(SYM)?.quantity, 0);
});

test('explicit OCA group, type 1: the first fill cancels the others', () => {
  const { engine, fills, place, last } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ orderId: 1, orderType: 'LMT', lmtPrice: 98, ocaGroup: 'breakout', ocaType: 1 });
  place({ orderId: 2, orderType: 'STP', auxPrice: 102, ocaGroup: 'breakout', ocaType: 1 });
  engine.onBar(SYM, bar(2, 100.5, 103, 100, 102.5));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[2, 102]],
  );
  assert.deepEqual([last(1).status, last(1).reason], ['Cancelled', OCA_FILLED]);
});

test('OCA type 3: a partial fill reduces the others by the filled quantity', () => {
  const { engine, fills, place, last } = setup(40);
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ orderId: 1, action: 'SELL', orderType: 'LMT', lmtPrice: 110, totalQuantity: 100, ocaGroup: 'exit', ocaType: 3 });
  place({ orderId: 2, action: 'SELL', orderType: 'STP', auxPrice: 90, totalQuantity: 100, ocaGroup: 'exit', ocaType: 3 });
  engine.onBar(SYM, bar(2, 105, 111, 104, 108));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.shares, f.price]),
    [[1, 40, 110]],
  );
  assert.deepEqual([last(2).status, last(2).totalQuantity, last(2).remaining], ['Submitted', 60, 60]);
  engine.onBar(SYM, bar(3, 112, 113, 111, 112)); // 40 more at the open (gap above the limit)
  assert.deepEqual([last(2).totalQuantity, last(2).remaining], [20, 20]);
  engine.onBar(SYM, bar(4, 112, 113, 111, 112));
  assert.deepEqual([last(1).status, last(1).filled], ['Filled', 100]);
  assert.deepEqual([last(2).status, last(2).reason], ['Cancelled', OCA_REDUCED_TO_ZERO]);
});

test('cancelling a parent before it fills cancels its children', () => {
  const { engine, place, last } = setup();
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  bracket(place);
  assert.equal(engine.cancel(1), true);
  assert.equal(last(1).status, 'Cancelled');
  assert.deepEqual([last(2).status, last(2).reason], ['Cancelled', PARENT_CANCELLED]);
  assert.deepEqual([last(3).status, last(3).reason], ['Cancelled', PARENT_CANCELLED]);
  assert.equal(engine.openOrders().length, 0);
});

test('cancelling a partly filled parent starts its children for the filled quantity', () => {
  const { engine, place, last } = setup(4);
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  bracket(place, 'MKT');
  engine.onBar(SYM, bar(2, 100, 100.5, 99.5, 100)); // parent: 4 of 10
  engine.cancel(1);
  assert.deepEqual([last(2).status, last(2).totalQuantity], ['Submitted', 4]);
  assert.deepEqual([last(3).status, last(3).totalQuantity], ['Submitted', 4]);
});

test('a child of an unknown or cancelled parent is rejected', () => {
  const { engine, place, last } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ orderId: 7, parentId: 99, action: 'SELL', orderType: 'STP', auxPrice: 95 });
  assert.equal(last(7).status, 'Inactive');
  assert.match(last(7).reason!, /Parent order 99 not found/);
  place({ orderId: 8, orderType: 'LMT', lmtPrice: 90 });
  engine.cancel(8);
  place({ orderId: 9, parentId: 8, action: 'SELL', orderType: 'STP', auxPrice: 85 });
  assert.equal(last(9).status, 'Inactive');
  assert.match(last(9).reason!, /Parent order 8 is Cancelled/);
});

test('openOrders lists waiting children as PreSubmitted with their parent', () => {
  const { engine, place } = setup();
  engine.onBar(SYM, bar(1, 101, 102, 100.5, 101));
  bracket(place);
  assert.deepEqual(
    engine.openOrders().map((o) => [o.order.orderId, o.state.status, o.state.parentId]),
    [
      [1, 'Submitted', 0],
      [2, 'PreSubmitted', 1],
      [3, 'PreSubmitted', 1],
    ],
  );
});

test('a trailing child starts trailing from the parent fill, not from the price when it was placed', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 102, 103.5, 101.5, 103)); // last price 103 when the bracket is placed
  place({ orderId: 1, orderType: 'LMT', lmtPrice: 100, transmit: false });
  place({ orderId: 2, parentId: 1, action: 'SELL', orderType: 'TRAIL', auxPrice: 2 });
  // Parent fills at 100 on the way down; the trail starts at 100 (stop 98). The rest of the bar, taken
  // as low 99.5 then high 101.5, raises it to 99.5; the close 100.5 stays above: no fill.
  engine.onBar(SYM, bar(2, 101, 101.5, 99.5, 100.5));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[1, 100]],
  );
  assert.equal(engine.openOrders().find((o) => o.order.orderId === 2)?.order.trailStopPrice, 99.5);
});
