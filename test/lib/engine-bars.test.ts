/** Fill engine on bars: every order type, gaps, time in force, partial fills, no look-ahead. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, Execution, OrderEvent } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { EngineOrder, FillEngineOptions } from '../../lib/fills/types';
import { EXPIRED_DAY, NOT_FILLED_IOC, NOT_FILLED_LOC, NOT_FILLED_OPG } from '../../lib/fills/reasons';

const DAY = 86_400_000;
const SYM = 'AAPL';

function bar(day: number, open: number, high: number, low: number, close: number, minute = 0): Bar {
  return { time: day * DAY + minute * 60_000, open, high, low, close, volume: 1000 };
}

function setup(options: Partial<FillEngineOptions> = {}) {
  const engine = new FillEngine({ account: 'DU1234567', startingCash: 100_000, ...options });
  const events: OrderEvent[] = [];
  const fills: Execution[] = [];
  engine.on('order', (e) => events.push(e));
  engine.on('execution', (x) => fills.push(x));
  let nextId = 1;
  const place = (order: Partial<EngineOrder>): number => {
    const orderId = order.orderId ?? nextId++;
    engine.submit({ orderId, symbol: SYM, action: 'BUY', totalQuantity: 10, orderType: 'MKT', tif: 'GTC', ...order } as EngineOrder);
    return orderId;
  };
  const statusOf = (orderId: number) => events.filter((e) => e.orderId === orderId).at(-1)?.status;
  return { engine, events, fills, place, statusOf };
}

test('MKT placed after bar t fills at the open of bar t+1, never on bar t', () => {
  const { engine, fills, place, statusOf } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100.5));
  const id = place({ action: 'BUY', orderType: 'MKT' });
  assert.equal(fills.length, 0);
  assert.equal(statusOf(id), 'Submitted');
  engine.onBar(SYM, bar(2, 101.25, 102, 100, 101.5));
  assert.equal(fills.length, 1);
  assert.equal(fills[0].price, 101.25);
  assert.equal(fills[0].time, 2 * DAY);
  assert.equal(statusOf(id), 'Filled');
});

test("fillAt 'close': MKT fills at once at the close of the last bar fed", () => {
  const { engine, fills, place } = setup({ fillAt: 'close' });
  engine.onBar(SYM, bar(1, 100, 101, 99, 100.5));
  place({ action: 'SELL', orderType: 'MKT', totalQuantity: 5 });
  assert.equal(fills.length, 1);
  assert.equal(fills[0].price, 100.5);
  assert.equal(fills[0].time, 1 * DAY);
  assert.equal(engine.position(SYM)?.quantity, -5);
});

test('LMT buy fills when the low reaches the limit, at the limit; a gap below fills at the open', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99.5, 100));
  place({ action: 'BUY', orderType: 'LMT', lmtPrice: 99 });
  engine.onBar(SYM, bar(2, 100, 100.5, 99.5, 100)); // low 99.5 > 99: nothing
  assert.equal(fills.length, 0);
  engine.onBar(SYM, bar(3, 100, 100.2, 98.7, 99.2));
  assert.equal(fills[0].price, 99);
  place({ action: 'BUY', orderType: 'LMT', lmtPrice: 99 });
  engine.onBar(SYM, bar(4, 97, 98, 96.5, 97.5)); // opens through the limit
  assert.equal(fills[1].price, 97);
});

test('LMT sell mirrors: at the limit when the high reaches it, at the open on a gap up', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ action: 'SELL', orderType: 'LMT', lmtPrice: 105 });
  engine.onBar(SYM, bar(2, 103, 106, 102, 104));
  assert.equal(fills[0].price, 105);
  place({ action: 'SELL', orderType: 'LMT', lmtPrice: 105 });
  engine.onBar(SYM, bar(3, 107, 108, 106, 107));
  assert.equal(fills[1].price, 107);
});

test('STP buy triggers when the high reaches the stop, at max(open, stop); STP sell mirrors', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ action: 'BUY', orderType: 'STP', auxPrice: 105 });
  engine.onBar(SYM, bar(2, 101, 104, 100, 103));
  assert.equal(fills.length, 0);
  engine.onBar(SYM, bar(3, 103, 106, 102, 105.5));
  assert.equal(fills[0].price, 105);
  place({ action: 'BUY', orderType: 'STP', auxPrice: 106 });
  engine.onBar(SYM, bar(4, 107, 108, 106.5, 107)); // gap above the stop
  assert.equal(fills[1].price, 107);
  place({ action: 'SELL', orderType: 'STP', auxPrice: 95, totalQuantity: 20 });
  engine.onBar(SYM, bar(5, 97, 98, 94, 96));
  assert.equal(fills[2].price, 95);
  place({ action: 'SELL', orderType: 'STP', auxPrice: 95 });
  engine.onBar(SYM, bar(6, 93, 94, 92, 93.5)); // gap below
  assert.equal(fills[3].price, 93);
});

test('STP LMT: the stop triggers, then it is a limit on the same bar when the range allows', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  // Triggered at 105 inside the bar; 105 is within the limit: fills at 105.
  place({ action: 'BUY', orderType: 'STP LMT', auxPrice: 105, lmtPrice: 105.5 });
  engine.onBar(SYM, bar(2, 103, 106, 102, 104));
  assert.equal(fills[0].price, 105);
  // Gap over the limit: triggered at the open 106, then the bar comes back to 105.2: fills at the limit.
  place({ action: 'BUY', orderType: 'STP LMT', auxPrice: 105, lmtPrice: 105.5 });
  engine.onBar(SYM, bar(3, 106, 107, 105.2, 106));
  assert.equal(fills[1].price, 105.5);
  // Gap over the limit and the bar stays above it: triggered, not filled; next bar opens within the limit.
  const id = place({ action: 'BUY', orderType: 'STP LMT', auxPrice: 105, lmtPrice: 105.5 });
  engine.onBar(SYM, bar(4, 106, 107, 105.8, 106.5));
  assert.equal(fills.length, 2);
  assert.equal(engine.openOrders().find((o) => o.order.orderId === id)?.state.status, 'Submitted');
  engine.onBar(SYM, bar(5, 105.3, 106, 104, 105));
  assert.equal(fills[2].price, 105.3);
  // Sell side: stop 95 limit 94.5, triggered at 95 on the way down.
  place({ action: 'SELL', orderType: 'STP LMT', auxPrice: 95, lmtPrice: 94.5 });
  engine.onBar(SYM, bar(6, 97, 97.5, 94, 94.2));
  assert.equal(fills[3].price, 95);
});

test('TRAIL sell: checks open, then low, then high, then close; the stop follows the best price', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 99, 100.5, 98, 100));
  // Starts from the last price seen (close 100): stop 98.
  const id = place({ action: 'SELL', orderType: 'TRAIL', auxPrice: 2 });
  const stopOf = () => engine.openOrders().find((o) => o.order.orderId === id)?.order.trailStopPrice;
  assert.equal(stopOf(), 98);
  // open 101 -> stop 99; low 99.5 stays above it; high 104 -> stop 102; close 103 above: no fill.
  engine.onBar(SYM, bar(2, 101, 104, 99.5, 103));
  assert.equal(fills.length, 0);
  assert.equal(stopOf(), 102);
  // A lower bar never lowers the stop.
  engine.onBar(SYM, bar(3, 103, 103.5, 102.5, 103));
  assert.equal(stopOf(), 102);
  // open 103.5 (best stays 104); low 101.5 crosses 102: fills at the stop.
  engine.onBar(SYM, bar(4, 103.5, 105, 101.5, 104.5));
  assert.equal(fills[0].price, 102);
});

test('TRAIL sell: the low is taken before the high (conservative), a rise then a fall to the close triggers at the raised stop', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 99, 100.5, 98, 100));
  place({ action: 'SELL', orderType: 'TRAIL', auxPrice: 2 }); // stop 98
  // open 100.5 -> stop 98.5; low 97.5 crosses it before the high can raise it: fills at 98.5.
  engine.onBar(SYM, bar(2, 100.5, 105, 97.5, 104));
  assert.equal(fills[0].price, 98.5);
  place({ action: 'SELL', orderType: 'TRAIL', auxPrice: 2 }); // from close 104: stop 102
  // open 104.5 -> 102.5; low 103 above; high 107 -> 105; close 104 is below 105: the fall crossed 105.
  engine.onBar(SYM, bar(3, 104.5, 107, 103, 104));
  assert.equal(fills[1].price, 105);
  place({ action: 'SELL', orderType: 'TRAIL', auxPrice: 2 }); // from close 104: stop 102
  engine.onBar(SYM, bar(4, 101, 101.5, 100, 101)); // gap below the stop: fills at the open
  assert.equal(fills[2].price, 101);
});

test('TRAIL buy by percent mirrors: high first, then low', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const id = place({ action: 'BUY', orderType: 'TRAIL', trailingPercent: 1 }); // stop 101
  assert.equal(engine.openOrders().find((o) => o.order.orderId === id)?.order.trailStopPrice, 101);
  // open 99 -> stop 99.99; high 99.5 below it; low 98 -> stop 98.98; close 99.2 >= 98.98: fills at 98.98.
  engine.onBar(SYM, bar(2, 99, 99.5, 98, 99.2));
  assert.equal(fills[0].price, 98.98);
});

test('TRAIL LIMIT: after the trailing stop triggers, a limit at stop - offset', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ action: 'SELL', orderType: 'TRAIL LIMIT', auxPrice: 2, lmtPriceOffset: 0.5 }); // stop 98
  // Gap to 97: triggered at the open, limit 97.5 above the open; the high 97.8 reaches it.
  engine.onBar(SYM, bar(2, 97, 97.8, 96.5, 97));
  assert.equal(fills[0].price, 97.5);
});

test('MOC fills at the next bar close; LOC only when the close satisfies the limit, else it is cancelled', () => {
  const { engine, fills, events, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ action: 'BUY', orderType: 'MOC', tif: 'DAY' });
  place({ action: 'BUY', orderType: 'LOC', lmtPrice: 100, tif: 'DAY' });
  const loc = place({ action: 'BUY', orderType: 'LOC', lmtPrice: 99, tif: 'DAY' });
  engine.onBar(SYM, bar(2, 100.5, 101, 98, 99.8));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [
      [1, 99.8],
      [2, 99.8],
    ],
  );
  const last = events.filter((e) => e.orderId === loc).at(-1)!;
  assert.equal(last.status, 'Cancelled');
  assert.equal(last.reason, NOT_FILLED_LOC);
});

test('DAY orders expire at the first bar of a later day; GTC orders keep working', () => {
  const { engine, events, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const day = place({ action: 'BUY', orderType: 'LMT', lmtPrice: 95, tif: 'DAY' });
  const gtc = place({ action: 'BUY', orderType: 'LMT', lmtPrice: 95, tif: 'GTC' });
  engine.onBar(SYM, bar(2, 100, 101, 98, 99)); // the DAY order's day
  assert.equal(engine.openOrders().length, 2);
  engine.onBar(SYM, bar(3, 99, 100, 94, 95));
  const dayEnd = events.filter((e) => e.orderId === day).at(-1)!;
  assert.equal(dayEnd.status, 'Cancelled');
  assert.equal(dayEnd.reason, EXPIRED_DAY);
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[gtc, 95]],
  );
});

test('DAY on intraday bars: good for the rest of the day, cancelled by the next day', () => {
  const { engine, events, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100, 600));
  const id = place({ action: 'BUY', orderType: 'LMT', lmtPrice: 90, tif: 'DAY' });
  engine.onBar(SYM, bar(1, 100, 101, 99, 100, 605));
  engine.onBar(SYM, bar(1, 100, 101, 99, 100, 955));
  assert.equal(events.filter((e) => e.orderId === id).at(-1)!.status, 'Submitted');
  engine.onBar(SYM, bar(2, 100, 101, 99, 100, 570));
  assert.equal(events.filter((e) => e.orderId === id).at(-1)!.reason, EXPIRED_DAY);
});

test('IOC looks once, at the next open: what does not fill is cancelled', () => {
  const { engine, events, fills, place } = setup({ maxFillPerEvent: 4 });
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const lmt = place({ action: 'BUY', orderType: 'LMT', lmtPrice: 99, tif: 'IOC' });
  const mkt = place({ action: 'BUY', orderType: 'MKT', totalQuantity: 10, tif: 'IOC' });
  engine.onBar(SYM, bar(2, 100, 100.5, 98, 99)); // the low reaches 99 only after the open
  const lmtEnd = events.filter((e) => e.orderId === lmt).at(-1)!;
  assert.equal(lmtEnd.status, 'Cancelled');
  assert.equal(lmtEnd.reason, NOT_FILLED_IOC);
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.shares, f.price]),
    [[mkt, 4, 100]],
  );
  const mktEnd = events.filter((e) => e.orderId === mkt).at(-1)!;
  assert.deepEqual([mktEnd.status, mktEnd.filled, mktEnd.remaining], ['Cancelled', 4, 6]);
});

test('OPG fills at the open of the next day, skipping the rest of today, and is cancelled if the open misses', () => {
  const { engine, events, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100, 600));
  const mkt = place({ action: 'BUY', orderType: 'MKT', tif: 'OPG' });
  const lmt = place({ action: 'BUY', orderType: 'LMT', lmtPrice: 99, tif: 'OPG' });
  engine.onBar(SYM, bar(1, 100, 101, 98, 100, 605)); // same day: not yet
  assert.equal(fills.length, 0);
  engine.onBar(SYM, bar(2, 102, 103, 98, 100, 570));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[mkt, 102]],
  );
  assert.equal(events.filter((e) => e.orderId === lmt).at(-1)!.reason, NOT_FILLED_OPG);
});

test('maxFillPerEvent splits a fill across bars; events go Submitted, execution, Submitted ... Filled', () => {
  const { engine, events, fills, place } = setup({ maxFillPerEvent: 10 });
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const id = place({ action: 'BUY', orderType: 'MKT', totalQuantity: 25 });
  engine.onBar(SYM, bar(2, 101, 102, 100, 101));
  engine.onBar(SYM, bar(3, 102, 103, 101, 102));
  engine.onBar(SYM, bar(4, 104, 105, 103, 104));
  assert.deepEqual(
    fills.map((f) => [f.shares, f.price, f.cumQty]),
    [
      [10, 101, 10],
      [10, 102, 20],
      [5, 104, 25],
    ],
  );
  assert.equal(fills[2].avgPrice, (1010 + 1020 + 520) / 25);
  const mine = events.filter((e) => e.orderId === id);
  assert.deepEqual(
    mine.map((e) => [e.status, e.filled, e.remaining]),
    [
      ['Submitted', 0, 25],
      ['Submitted', 10, 15],
      ['Submitted', 20, 5],
      ['Filled', 25, 0],
    ],
  );
  assert.equal(mine.at(-1)!.avgFillPrice, 102);
});

test('an order placed from a listener while a bar is handled waits for the next bar', () => {
  const { engine, fills, place } = setup();
  engine.on('execution', (x) => {
    if (x.orderId === 1) place({ orderId: 2, action: 'SELL', orderType: 'MKT' });
  });
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ orderId: 1, action: 'BUY', orderType: 'MKT' });
  engine.onBar(SYM, bar(2, 101, 102, 100, 101.5));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[1, 101]],
  );
  engine.onBar(SYM, bar(3, 103, 104, 102, 103));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [
      [1, 101],
      [2, 103],
    ],
  );
});

test('a bar with a missing price is refused with a message naming the symbol', () => {
  const { engine, place } = setup();
  assert.throws(() => engine.onBar(SYM, { ...bar(1, 100, 101, 99, 100), close: Number.NaN }), /bar of AAPL .*close NaN/);
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  place({ action: 'BUY', orderType: 'MKT' });
  assert.throws(() => engine.onBar(SYM, { ...bar(2, 100, 101, 99, 100), low: Number.NaN }), /missing or non-numeric/);
});

test('TRAIL with an explicit trailStopPrice starts from it and only tightens', () => {
  const { engine, fills, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const id = place({ action: 'SELL', orderType: 'TRAIL', auxPrice: 2, trailStopPrice: 99 });
  assert.equal(engine.openOrders().find((o) => o.order.orderId === id)?.order.trailStopPrice, 99);
  engine.onBar(SYM, bar(2, 100.5, 101, 98.8, 100)); // 100.5 - 2 = 98.5 would be looser: stays 99
  assert.equal(fills[0].price, 99);
});

test('modifying a trailing amount re-applies it from the best price seen', () => {
  const { engine, place } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const id = place({ action: 'SELL', orderType: 'TRAIL', auxPrice: 2 });
  engine.onBar(SYM, bar(2, 101, 104, 100.5, 103)); // best 104, stop 102
  const stopOf = () => engine.openOrders().find((o) => o.order.orderId === id)?.order.trailStopPrice;
  assert.equal(stopOf(), 102);
  place({ orderId: id, action: 'SELL', orderType: 'TRAIL', auxPrice: 1 });
  assert.equal(stopOf(), 103);
  place({ orderId: id, action: 'SELL', orderType: 'TRAIL', auxPrice: 3 });
  assert.equal(stopOf(), 101);
});

test('OCA type 1: a partial fill cancels the other orders at once', () => {
  const { engine, events, fills, place } = setup({ maxFillPerEvent: 5 });
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const target = place({ action: 'SELL', orderType: 'LMT', lmtPrice: 105, ocaGroup: 'exit', ocaType: 1 });
  const stop = place({ action: 'SELL', orderType: 'STP', auxPrice: 95, ocaGroup: 'exit', ocaType: 1 });
  engine.onBar(SYM, bar(2, 104, 106, 103, 105));
  assert.equal(events.filter((e) => e.orderId === stop).at(-1)!.status, 'Cancelled');
  engine.onBar(SYM, bar(3, 104, 106, 94, 100));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.shares, f.price]),
    [
      [target, 5, 105],
      [target, 5, 105],
    ],
  );
});
