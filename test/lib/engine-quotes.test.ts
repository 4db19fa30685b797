/** Fill engine on quotes (the simulator's feed): fills at bid/ask, stops on last, event order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Execution, OrderEvent, Position } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { EngineOrder, FillEngineOptions, QuoteTick } from '../../lib/fills/types';
import { NOT_FILLED_IOC } from '../../lib/fills/reasons';

const SYM = 'MSFT';
const DAY = 86_400_000;
let clock = 10 * DAY + 14 * 3_600_000;

function quote(bid: number, ask: number, last: number, time = (clock += 1000)): QuoteTick {
  return { time, bid, ask, last };
}

function setup(options: Partial<FillEngineOptions> = {}) {
  const engine = new FillEngine({ account: 'DU1234567', startingCash: 50_000, ...options });
  const log: string[] = [];
  const events: OrderEvent[] = [];
  const fills: Execution[] = [];
  const positions: Position[] = [];
  engine.on('order', (e) => {
    events.push(e);
    log.push(`order ${e.orderId} ${e.status} ${e.filled}/${e.totalQuantity}`);
  });
  engine.on('execution', (x) => {
    fills.push(x);
    log.push(`exec ${x.orderId} ${x.shares}@${x.price}`);
  });
  engine.on('position', (p) => {
    positions.push(p);
    log.push(`position ${p.symbol} ${p.quantity}`);
  });
  let nextId = 1;
  const place = (order: Partial<EngineOrder>): number => {
    const orderId = order.orderId ?? nextId++;
    engine.submit({ orderId, symbol: SYM, action: 'BUY', totalQuantity: 100, orderType: 'MKT', tif: 'GTC', ...order } as EngineOrder);
    return orderId;
  };
  return { engine, log, events, fills, positions, place };
}

test('MKT with a quote fills at once at the ask; TWS order: Submitted, execution, Filled, then position', () => {
  const { engine, log, fills, place } = setup();
  engine.onQuote(SYM, quote(99.98, 100.02, 100));
  place({ action: 'BUY', orderType: 'MKT' });
  assert.deepEqual(log, ['order 1 Submitted 0/100', 'exec 1 100@100.02', 'order 1 Filled 100/100', 'position MSFT 100']);
  place({ action: 'SELL', orderType: 'MKT', totalQuantity: 40 });
  assert.equal(fills[1].price, 99.98);
  assert.equal(engine.position(SYM)?.quantity, 60);
});

test('MKT before any quote waits for the next quote', () => {
  const { engine, fills, place } = setup();
  place({ action: 'SELL', orderType: 'MKT' });
  assert.equal(fills.length, 0);
  engine.onQuote(SYM, quote(50.1, 50.2, 50.15));
  assert.equal(fills[0].price, 50.1);
  assert.equal(engine.position(SYM)?.quantity, -100);
});

test('LMT fills when the quote crosses it, at the ask / bid; a marketable limit fills at once', () => {
  const { engine, fills, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100, 99.95));
  place({ action: 'BUY', orderType: 'LMT', lmtPrice: 99.5 });
  engine.onQuote(SYM, quote(99.6, 99.7, 99.65));
  assert.equal(fills.length, 0);
  engine.onQuote(SYM, quote(99.3, 99.4, 99.35));
  assert.equal(fills[0].price, 99.4);
  place({ action: 'SELL', orderType: 'LMT', lmtPrice: 99.2 }); // bid 99.3 >= 99.2: at once
  assert.equal(fills[1].price, 99.3);
});

test('STP triggers on last, then fills at the bid (sell) / ask (buy)', () => {
  const { engine, fills, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100, 100));
  place({ action: 'SELL', orderType: 'STP', auxPrice: 98 });
  place({ action: 'BUY', orderType: 'STP', auxPrice: 102 });
  engine.onQuote(SYM, quote(98.4, 98.6, 98.5));
  assert.equal(fills.length, 0);
  engine.onQuote(SYM, quote(97.8, 98.0, 97.9));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[1, 97.8]],
  );
  engine.onQuote(SYM, quote(101.9, 102.1, 102));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [
      [1, 97.8],
      [2, 102.1],
    ],
  );
});

test('STP LMT on quotes: triggers on last, fills only within the limit', () => {
  const { engine, fills, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100, 100));
  place({ action: 'BUY', orderType: 'STP LMT', auxPrice: 101, lmtPrice: 101.2 });
  engine.onQuote(SYM, quote(101.3, 101.4, 101.35)); // triggered, ask above the limit
  assert.equal(fills.length, 0);
  engine.onQuote(SYM, quote(101.05, 101.15, 101.1));
  assert.equal(fills[0].price, 101.15);
});

test('TRAIL on quotes follows last and triggers like a stop', () => {
  const { engine, fills, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100.1, 100));
  const id = place({ action: 'SELL', orderType: 'TRAIL', auxPrice: 1 });
  const stopOf = () => engine.openOrders().find((o) => o.order.orderId === id)?.order.trailStopPrice;
  assert.equal(stopOf(), 99);
  engine.onQuote(SYM, quote(101.9, 102.1, 102));
  assert.equal(stopOf(), 101);
  engine.onQuote(SYM, quote(101.4, 101.6, 101.5));
  assert.equal(stopOf(), 101);
  assert.equal(fills.length, 0);
  engine.onQuote(SYM, quote(100.8, 101.0, 100.9));
  assert.equal(fills[0].price, 100.8);
});

test('maxFillPerEvent: a 100-share order fills 30 per quote', () => {
  const { engine, fills, events, place } = setup({ maxFillPerEvent: 30 });
  engine.onQuote(SYM, quote(9.99, 10, 10));
  place({ action: 'BUY', orderType: 'MKT' });
  engine.onQuote(SYM, quote(10, 10.01, 10));
  engine.onQuote(SYM, quote(10.01, 10.02, 10.01));
  engine.onQuote(SYM, quote(10.02, 10.03, 10.02));
  assert.deepEqual(
    fills.map((f) => [f.shares, f.price]),
    [
      [30, 10],
      [30, 10.01],
      [30, 10.02],
      [10, 10.03],
    ],
  );
  assert.deepEqual(
    events.map((e) => [e.status, e.filled, e.remaining]),
    [
      ['Submitted', 0, 100],
      ['Submitted', 30, 70],
      ['Submitted', 60, 40],
      ['Submitted', 90, 10],
      ['Filled', 100, 0],
    ],
  );
  const execIds = new Set(fills.map((f) => f.execId));
  assert.equal(execIds.size, 4);
});

test('IOC on quotes: what the current quote cannot fill is cancelled at once', () => {
  const { engine, events, fills, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100, 100));
  const id = place({ action: 'BUY', orderType: 'LMT', lmtPrice: 99.5, tif: 'IOC' });
  assert.equal(fills.length, 0);
  const last = events.at(-1)!;
  assert.deepEqual([last.orderId, last.status, last.reason], [id, 'Cancelled', NOT_FILLED_IOC]);
  assert.equal(engine.openOrders().length, 0);
});

test('MOC on quotes fills at the last price of its day when the next day starts', () => {
  const { engine, fills, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100, 100, 20 * DAY + 15 * 3_600_000));
  place({ action: 'BUY', orderType: 'MOC', tif: 'DAY' });
  engine.onQuote(SYM, quote(100.4, 100.6, 100.5, 20 * DAY + 20 * 3_600_000));
  assert.equal(fills.length, 0);
  engine.onQuote(SYM, quote(101, 101.2, 101.1, 21 * DAY + 14 * 3_600_000));
  assert.equal(fills[0].price, 100.5);
});

test('equity marks positions at the last price of each quote', () => {
  const { engine, place } = setup();
  engine.onQuote(SYM, quote(19.99, 20.01, 20));
  place({ action: 'BUY', orderType: 'MKT' }); // 100 @ 20.01
  assert.equal(engine.cash(), 50_000 - 2001);
  assert.equal(engine.equity(), 50_000 - 2001 + 2000);
  engine.onQuote(SYM, quote(20.99, 21.01, 21));
  assert.equal(engine.equity(), 50_000 - 2001 + 2100);
  const p = engine.position(SYM)!;
  assert.equal(p.marketPrice, 21);
  assert.equal(p.marketValue, 2100);
  assert.ok(Math.abs(p.unrealizedPnl! - 99) < 1e-9);
});

test('a listener may call back into the engine: events stay in order and state is consistent', () => {
  const { engine, log, place } = setup();
  engine.on('execution', (x) => {
    if (x.orderId === 1) {
      assert.equal(engine.position(SYM)?.quantity, 100); // the fill is booked before listeners run
      place({ orderId: 2, action: 'SELL', orderType: 'MKT' });
    }
  });
  engine.onQuote(SYM, quote(9.9, 10, 10));
  place({ orderId: 1, action: 'BUY', orderType: 'MKT' });
  assert.deepEqual(log, [
    'order 1 Submitted 0/100',
    'exec 1 100@10',
    'order 1 Filled 100/100',
    'position MSFT 100',
    'order 2 Submitted 0/100',
    'exec 2 100@9.9',
    'order 2 Filled 100/100',
    'position MSFT 0',
  ]);
});

test('bracket on quotes: the parent fills at once, its children work from that quote on', () => {
  const { engine, log, fills, events, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100, 100));
  place({ orderId: 1, action: 'BUY', orderType: 'MKT', totalQuantity: 10, transmit: false });
  place({ orderId: 2, parentId: 1, action: 'SELL', orderType: 'LMT', lmtPrice: 102, totalQuantity: 10, transmit: false });
  place({ orderId: 3, parentId: 1, action: 'SELL', orderType: 'STP', auxPrice: 99, totalQuantity: 10 });
  assert.deepEqual(log, [
    'order 1 PendingSubmit 0/10',
    'order 2 PendingSubmit 0/10',
    'order 1 Submitted 0/10',
    'order 2 PreSubmitted 0/10',
    'order 3 PreSubmitted 0/10',
    'exec 1 10@100',
    'order 1 Filled 10/10',
    'position MSFT 10',
    'order 2 Submitted 0/10',
    'order 3 Submitted 0/10',
  ]);
  engine.onQuote(SYM, quote(98.9, 99.1, 99));
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [
      [1, 100],
      [3, 98.9],
    ],
  );
  assert.equal(events.filter((e) => e.orderId === 2).at(-1)!.status, 'Cancelled');
  assert.equal(engine.position(SYM)?.quantity, 0);
});

test('DAY is the default time in force: an unfilled order is cancelled by the next day', () => {
  const { engine, events, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100, 100, 30 * DAY + 15 * 3_600_000));
  const id = place({ action: 'BUY', orderType: 'LMT', lmtPrice: 90, tif: undefined });
  engine.onQuote(SYM, quote(99.9, 100, 100, 30 * DAY + 16 * 3_600_000));
  assert.equal(events.at(-1)!.status, 'Submitted');
  engine.onQuote(SYM, quote(99.9, 100, 100, 31 * DAY + 14 * 3_600_000));
  const last = events.filter((e) => e.orderId === id).at(-1)!;
  assert.deepEqual([last.status, last.reason], ['Cancelled', 'Order expired: time in force DAY ended.']);
});

test('a throwing listener does not stop the others; the engine call rethrows its error afterwards', () => {
  const engine = new FillEngine({ account: 'DU1234567', startingCash: 10_000 });
  const seen: string[] = [];
  engine.on('order', () => {
    throw new Error('listener broke');
  });
  engine.on('order', (e) => seen.push(e.status));
  engine.on('execution', (x) => seen.push(`exec ${x.shares}`));
  engine.onQuote(SYM, quote(9.9, 10, 10));
  assert.throws(
    () => engine.submit({ orderId: 1, symbol: SYM, action: 'BUY', totalQuantity: 5, orderType: 'MKT' }),
    /listener broke/,
  );
  assert.deepEqual(seen, ['Submitted', 'exec 5', 'Filled']);
  assert.equal(engine.position(SYM)?.quantity, 5);
  assert.equal(engine.cash(), 10_000 - 50);
});

test('TRAIL LIMIT on quotes: triggers on last, then fills only at or better than stop - offset', () => {
  const { engine, fills, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100.1, 100));
  place({ action: 'SELL', orderType: 'TRAIL LIMIT', auxPrice: 1, lmtPriceOffset: 0.2 }); // stop 99
  engine.onQuote(SYM, quote(98.7, 98.9, 98.8)); // triggered, limit 98.8; bid 98.7 is below it
  assert.equal(fills.length, 0);
  engine.onQuote(SYM, quote(98.8, 99.0, 98.9));
  assert.equal(fills[0].price, 98.8);
});

test('a modified order on quotes is looked at again at once', () => {
  const { engine, fills, place } = setup();
  engine.onQuote(SYM, quote(99.9, 100, 100));
  const id = place({ action: 'BUY', orderType: 'LMT', lmtPrice: 99 });
  assert.equal(fills.length, 0);
  place({ orderId: id, action: 'BUY', orderType: 'LMT', lmtPrice: 100 });
  assert.deepEqual(
    fills.map((f) => [f.orderId, f.price]),
    [[id, 100]],
  );
});
