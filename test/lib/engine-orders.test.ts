/** Fill engine: modify, cancel, rejections, ids. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, Execution, OrderEvent } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { EngineOrder } from '../../lib/fills/types';
import {
  CANCELLED_BY_REQUEST,
  CANNOT_MODIFY_CANCELLED,
  CANNOT_MODIFY_FILLED,
  PRICE_NOT_ON_TICK,
  twsErrorCode,
} from '../../lib/fills/reasons';

const DAY = 86_400_000;
const SYM = 'IBM';

function bar(day: number, open: number, high: number, low: number, close: number): Bar {
  return { time: day * DAY, open, high, low, close, volume: 1000 };
}

function setup() {
  const engine = new FillEngine({
    account: 'DU1234567',
    startingCash: 100_000,
    minTick: (symbol) => (symbol === 'ES' ? 0.25 : 0.01),
  });
  const events: OrderEvent[] = [];
  const fills: Execution[] = [];
  engine.on('order', (e) => events.push(e));
  engine.on('execution', (x) => fills.push(x));
  const place = (order: Partial<EngineOrder> & { orderId: number }) =>
    engine.submit({ symbol: SYM, action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 95, tif: 'GTC', ...order } as EngineOrder);
  const last = (orderId: number) => events.filter((e) => e.orderId === orderId).at(-1)!;
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  return { engine, events, fills, place, last };
}

test('modify: a new limit price and quantity apply from the next bar', () => {
  const { engine, fills, place, last } = setup();
  place({ orderId: 1, lmtPrice: 95 });
  const permId = last(1).permId;
  place({ orderId: 1, lmtPrice: 99, totalQuantity: 15 });
  assert.deepEqual([last(1).status, last(1).totalQuantity, last(1).permId], ['Submitted', 15, permId]);
  engine.onBar(SYM, bar(2, 100, 100.5, 98, 99.5));
  assert.deepEqual(
    fills.map((f) => [f.shares, f.price]),
    [[15, 99]],
  );
});

test('modify: the order type can change (LMT to STP) where TWS allows it', () => {
  const { engine, fills, place } = setup();
  place({ orderId: 1, action: 'SELL', lmtPrice: 105 });
  place({ orderId: 1, action: 'SELL', orderType: 'STP', auxPrice: 98, lmtPrice: undefined });
  engine.onBar(SYM, bar(2, 99, 99.5, 97, 98));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[1, 98]],
  );
});

test('modify of a filled or cancelled order is rejected with a reason and changes nothing', () => {
  const { engine, place, last } = setup();
  place({ orderId: 1, orderType: 'MKT', lmtPrice: undefined });
  engine.onBar(SYM, bar(2, 100, 101, 99, 100));
  assert.equal(last(1).status, 'Filled');
  place({ orderId: 1, orderType: 'MKT', totalQuantity: 20, lmtPrice: undefined });
  assert.deepEqual([last(1).status, last(1).totalQuantity, last(1).reason], ['Filled', 10, CANNOT_MODIFY_FILLED]);
  assert.equal(twsErrorCode(CANNOT_MODIFY_FILLED), 104);

  place({ orderId: 2 });
  engine.cancel(2);
  place({ orderId: 2, lmtPrice: 96 });
  assert.deepEqual([last(2).status, last(2).reason], ['Cancelled', CANNOT_MODIFY_CANCELLED]);
  assert.equal(engine.position(SYM)?.quantity, 10);
});

test('modify that changes side or cuts below the filled quantity is rejected; the order keeps working', () => {
  const { engine, place, last } = setup();
  place({ orderId: 1, lmtPrice: 95 });
  place({ orderId: 1, action: 'SELL', lmtPrice: 95 });
  assert.equal(last(1).status, 'Submitted');
  assert.match(last(1).reason!, /action cannot be modified/);
  assert.equal(engine.openOrders()[0].order.action, 'BUY');
  place({ orderId: 1, lmtPrice: 95.005 });
  assert.equal(last(1).reason, PRICE_NOT_ON_TICK);
  assert.equal(engine.openOrders()[0].order.lmtPrice, 95);
});

test('cancel: Cancelled with a reason; unknown ids return false; a filled order cannot be cancelled', () => {
  const { engine, place, last } = setup();
  place({ orderId: 1 });
  assert.equal(engine.cancel(1), true);
  assert.deepEqual([last(1).status, last(1).reason], ['Cancelled', CANCELLED_BY_REQUEST]);
  assert.equal(engine.cancel(1), false);
  assert.equal(engine.cancel(12345), false);
  place({ orderId: 2, orderType: 'MKT', lmtPrice: undefined });
  engine.onBar(SYM, bar(2, 100, 101, 99, 100));
  assert.equal(engine.cancel(2), false);
  assert.deepEqual([last(2).status, last(2).reason], ['Filled', 'Order 2 cannot be cancelled, state: Filled.']);
});

test('cancelAll cancels working and held orders', () => {
  const { engine, place, last } = setup();
  place({ orderId: 1 });
  place({ orderId: 2, action: 'SELL', orderType: 'STP', auxPrice: 90, lmtPrice: undefined });
  place({ orderId: 3, transmit: false });
  assert.equal(engine.openOrders().length, 3);
  engine.cancelAll();
  assert.equal(engine.openOrders().length, 0);
  for (const id of [1, 2, 3]) assert.equal(last(id).status, 'Cancelled');
  engine.onBar(SYM, bar(2, 80, 120, 80, 100));
  assert.equal(engine.executions().length, 0);
});

test('rejections: bad quantity, missing prices, off-tick price, unknown type: Inactive with a reason', () => {
  const { engine, place, last } = setup();
  const cases: Array<[Partial<EngineOrder>, RegExp | string]> = [
    [{ totalQuantity: 0 }, /order size must be a positive number, got 0/],
    [{ totalQuantity: -5 }, /got -5/],
    [{ totalQuantity: Number.NaN }, /got NaN/],
    [{ totalQuantity: Number.POSITIVE_INFINITY }, /got Infinity/],
    [{ orderType: 'LMT', lmtPrice: undefined }, /LMT order needs a limit price/],
    [{ orderType: 'STP', auxPrice: undefined }, /STP order needs a stop price/],
    [{ orderType: 'STP LMT', auxPrice: undefined }, /STP LMT order needs a stop price/],
    [{ orderType: 'TRAIL' }, /trailing amount/],
    [{ orderType: 'LMT', lmtPrice: 100.123 }, PRICE_NOT_ON_TICK],
    [{ orderType: 'STP', auxPrice: 100.005 }, PRICE_NOT_ON_TICK],
    [{ orderType: 'FOO' as EngineOrder['orderType'] }, /Unsupported order type 'FOO'/],
    [{ tif: 'DTC' as EngineOrder['tif'] }, /Unsupported time in force/],
    [{ action: 'HOLD' as EngineOrder['action'] }, /BUY or SELL/],
    [{ orderType: 'STP', auxPrice: 90, tif: 'IOC' }, /IOC is for MKT and LMT/],
  ];
  cases.forEach(([fields, reason], i) => {
    const orderId = 100 + i;
    place({ orderId, ...fields });
    const event = last(orderId);
    assert.equal(event.status, 'Inactive', `case ${i}`);
    if (typeof reason === 'string') assert.equal(event.reason, reason, `case ${i}`);
    else assert.match(event.reason!, reason, `case ${i}`);
  });
  assert.equal(engine.openOrders().length, 0);
  assert.equal(twsErrorCode(PRICE_NOT_ON_TICK), 110);
  assert.equal(twsErrorCode(last(100).reason!), 434);
  assert.equal(twsErrorCode(last(110).reason!), 387);
});

test('the tick is per instrument: 0.25 for ES accepts 4512.75 and rejects 4512.1', () => {
  const { engine, events } = setup();
  engine.submit({ orderId: 1, symbol: 'ES', action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 4512.75 });
  engine.submit({ orderId: 2, symbol: 'ES', action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 4512.1 });
  assert.deepEqual(
    events.map((e) => [e.orderId, e.status, e.reason]),
    [
      [1, 'Submitted', undefined],
      [2, 'Inactive', PRICE_NOT_ON_TICK],
    ],
  );
});

test('permIds are unique per order, execIds unique per execution', () => {
  const { engine, fills, place, last } = setup();
  for (let id = 1; id <= 5; id++) place({ orderId: id, orderType: 'MKT', lmtPrice: undefined, action: id % 2 ? 'BUY' : 'SELL' });
  const permIds = new Set([1, 2, 3, 4, 5].map((id) => last(id).permId));
  assert.equal(permIds.size, 5);
  engine.onBar(SYM, bar(2, 100, 101, 99, 100));
  assert.equal(fills.length, 5);
  assert.equal(new Set(fills.map((f) => f.execId)).size, 5);
  for (const f of fills) assert.equal(f.permId, last(f.orderId).permId);
});

test('events not caused by a price carry the last price time of their symbol, else of any symbol, else the wall clock', () => {
  const { engine, place, last } = setup(); // IBM has a bar of day 1
  engine.onBar('MSFT', bar(3, 50, 51, 49, 50));
  place({ orderId: 1 }); // IBM: accepted
  assert.equal(last(1).time, 1 * DAY);
  place({ orderId: 2, totalQuantity: 0 }); // IBM: rejected
  assert.equal(last(2).status, 'Inactive');
  assert.equal(last(2).time, 1 * DAY);
  place({ orderId: 3, symbol: 'AAPL' }); // never priced: the last price event (MSFT, day 3)
  assert.equal(last(3).status, 'Submitted');
  assert.equal(last(3).time, 3 * DAY);
  place({ orderId: 4, symbol: '' }); // no symbol: rejected, stamped like an unpriced symbol
  assert.equal(last(4).status, 'Inactive');
  assert.equal(last(4).time, 3 * DAY);
  engine.cancel(1);
  assert.equal(last(1).status, 'Cancelled');
  assert.equal(last(1).time, 1 * DAY);
  assert.equal(engine.openOrders().find((o) => o.order.orderId === 3)!.state.time, 3 * DAY);

  let clock = 42;
  const timed = new FillEngine({ account: 'DU1234567', startingCash: 100_000, now: () => clock });
  const stamped: OrderEvent[] = [];
  timed.on('order', (e) => stamped.push(e));
  timed.onBar(SYM, bar(1, 100, 101, 99, 100));
  timed.submit({ orderId: 1, symbol: SYM, action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 95, tif: 'GTC' });
  clock = 43;
  timed.submit({ orderId: 2, symbol: SYM, action: 'BUY', totalQuantity: 0, orderType: 'LMT', lmtPrice: 95 });
  assert.deepEqual(
    stamped.map((e) => [e.orderId, e.status, e.time]),
    [
      [1, 'Submitted', 42],
      [2, 'Inactive', 43],
    ],
  );
});

test('MIT and LIT: touched when the price comes to the trigger (down for a buy, up for a sell), then a market or a limit order', () => {
  const { engine, fills, place, last } = setup();
  place({ orderId: 1, orderType: 'MIT', auxPrice: 98, lmtPrice: undefined });
  place({ orderId: 2, orderType: 'LIT', action: 'SELL', auxPrice: 102, lmtPrice: 101.5 });
  // A buy MIT is not triggered by a rise, a sell LIT not by a fall.
  engine.onBar(SYM, bar(2, 100, 101, 98.5, 100.5));
  assert.equal(fills.length, 0);
  assert.equal(last(1).status, 'Submitted');
  engine.onBar(SYM, bar(3, 100, 102.5, 97, 99));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.side, f.shares, f.price]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [1, 'BUY', 10, 98],
      [2, 'SELL', 10, 102],
    ],
  );
});

test('MIT and LIT on quotes, and without their prices refused naming them', () => {
  const { engine, fills, place, last } = setup();
  place({ orderId: 3, orderType: 'MIT', action: 'SELL', auxPrice: 101, lmtPrice: undefined });
  engine.onQuote(SYM, { time: 3 * DAY, bid: 100.4, ask: 100.6, last: 100.5 });
  assert.equal(fills.length, 0);
  engine.onQuote(SYM, { time: 3 * DAY + 1000, bid: 101.1, ask: 101.3, last: 101.2 });
  assert.deepEqual(fills.map((f) => [f.orderId, f.price]), [[3, 101.1]], 'touched: sold at the bid');
  place({ orderId: 4, orderType: 'LIT', auxPrice: 99, lmtPrice: undefined });
  assert.equal(last(4).status, 'Inactive');
  assert.match(last(4).reason ?? '', /A LIT order needs a limit price \(lmtPrice\)/);
  place({ orderId: 5, orderType: 'MIT', auxPrice: undefined, lmtPrice: undefined });
  assert.match(last(5).reason ?? '', /A MIT order needs a trigger price \(auxPrice\)/);
});

test('GTD: the order works until its goodTillDate, then expires (on quotes and on bars)', () => {
  const { engine, events, place, last } = setup();
  // Bars: one beginning at or after the expiry cannot fill it.
  place({ orderId: 6, lmtPrice: 95, tif: 'GTD', goodTillDate: 2 * DAY + 1 } as never);
  engine.onBar(SYM, bar(2, 100, 101, 99, 100));
  assert.equal(last(6).status, 'Submitted');
  engine.onBar(SYM, bar(3, 96, 97, 90, 92));
  assert.equal(last(6).status, 'Cancelled');
  assert.match(last(6).reason ?? '', /goodTillDate has passed/);
  assert.equal(events.filter((e) => e.orderId === 6 && e.status === 'Filled').length, 0);
  place({ orderId: 7, tif: 'GTD', goodTillDate: Number.NaN } as never);
  assert.equal(last(7).status, 'Inactive');
  assert.match(last(7).reason ?? '', /A GTD order needs goodTillDate/);
});

test('GTD on quotes expires at its instant', () => {
  const { engine, place, last } = setup();
  engine.onQuote(SYM, { time: 5 * DAY, bid: 100, ask: 100.1, last: 100 });
  place({ orderId: 8, lmtPrice: 90, tif: 'GTD', goodTillDate: 5 * DAY + 60_000 } as never);
  engine.onQuote(SYM, { time: 5 * DAY + 59_000, bid: 100, ask: 100.1, last: 100 });
  assert.equal(last(8).status, 'Submitted');
  engine.onQuote(SYM, { time: 5 * DAY + 60_000, bid: 100, ask: 100.1, last: 100 });
  assert.equal(last(8).status, 'Cancelled');
});

test('goodAfterTime: the order does not work before it (bars and quotes)', () => {
  const { engine, fills, place } = setup();
  place({ orderId: 9, lmtPrice: 99.5, goodAfterTime: 3 * DAY } as never);
  engine.onBar(SYM, bar(2, 100, 101, 95, 96));
  assert.equal(fills.length, 0, 'a bar before goodAfterTime does not fill it');
  engine.onBar(SYM, bar(3, 100, 101, 95, 96));
  assert.deepEqual(fills.map((f) => [f.orderId, f.price]), [[9, 99.5]]);
  engine.onQuote(SYM, { time: 4 * DAY, bid: 100, ask: 100.1, last: 100 });
  place({ orderId: 10, orderType: 'MKT', lmtPrice: undefined, goodAfterTime: 4 * DAY + 5000 } as never);
  engine.onQuote(SYM, { time: 4 * DAY + 1000, bid: 100, ask: 100.1, last: 100 });
  assert.equal(fills.length, 1);
  engine.onQuote(SYM, { time: 4 * DAY + 5000, bid: 100.2, ask: 100.3, last: 100.2 });
  assert.deepEqual(fills.map((f) => [f.orderId, f.price]), [[9, 99.5], [10, 100.3]]);
});
