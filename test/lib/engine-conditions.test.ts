/**
 * Fill engine: order conditions (IB's price and time conditions). An order with conditions waits,
 * PreSubmitted, until they are met, then works; with conditionsCancelOrder it works until they are met
 * and is then cancelled. On quotes a price condition reads the quote; on bars the close before the
 * bar, a time condition the bar's start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, Execution, OrderEvent } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { EngineCondition, EngineOrder, QuoteTick } from '../../lib/fills/types';
import { CONDITIONS_CANCELLED } from '../../lib/fills/reasons';

const SYM = 'AAPL';
const OTHER = 'MSFT';
const DAY = 86_400_000;
const T0 = 10 * DAY + 14 * 3_600_000;

function quote(time: number, last: number): QuoteTick {
  const cents = (x: number) => Math.round(x * 100) / 100;
  return { time, bid: cents(last - 0.01), ask: cents(last + 0.01), last };
}

function bar(i: number, open: number, high: number, low: number, close: number): Bar {
  return { time: T0 + i * 60_000, open, high, low, close, volume: 1000 };
}

function setup() {
  const engine = new FillEngine({ account: 'DU1234567', startingCash: 100_000 });
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
  const statuses = (orderId: number) => events.filter((e) => e.orderId === orderId).map((e) => e.status);
  return { engine, events, fills, place, statuses };
}

const price = (isMore: boolean, value: number, symbol = SYM, or = false): EngineCondition => ({ kind: 'price', symbol, isMore, price: value, triggerMethod: 0, or });

test('a price condition on quotes holds the order PreSubmitted until the price crosses, then it works and fills', () => {
  const { engine, fills, place, statuses } = setup();
  engine.onQuote(SYM, quote(T0, 100));
  const id = place({ conditions: [price(true, 101)] });
  assert.deepEqual(statuses(id), ['PreSubmitted']);
  engine.onQuote(SYM, quote(T0 + 1000, 100.9));
  assert.equal(fills.length, 0, 'below the condition: nothing');
  engine.onQuote(SYM, quote(T0 + 2000, 101.2));
  assert.deepEqual(statuses(id), ['PreSubmitted', 'Submitted', 'Filled']);
  assert.equal(fills[0].price, 101.21, 'released on the quote that met it, filled at its ask');
});

test('a time condition releases the order at its time; on another instrument, a price condition reads that one', () => {
  const { engine, fills, place, statuses } = setup();
  engine.onQuote(SYM, quote(T0, 100));
  engine.onQuote(OTHER, quote(T0, 400));
  const timed = place({ orderType: 'LMT', lmtPrice: 100.5, conditions: [{ kind: 'time', isMore: true, time: T0 + 5000 }] });
  const other = place({ conditions: [price(false, 395, OTHER)] });
  engine.onQuote(SYM, quote(T0 + 4000, 100));
  assert.deepEqual([statuses(timed).at(-1), statuses(other).at(-1)], ['PreSubmitted', 'PreSubmitted']);
  engine.onQuote(OTHER, quote(T0 + 4500, 394));
  engine.onQuote(SYM, quote(T0 + 5000, 100));
  assert.equal(statuses(timed).at(-1), 'Filled');
  assert.equal(statuses(other).at(-1), 'Filled', 'MSFT came down to 395: the AAPL order works');
  assert.equal(fills.length, 2);
});

test('conditions join by their conjunctions, left to right: and holds until both, or releases on either', () => {
  const { engine, place, statuses } = setup();
  engine.onQuote(SYM, quote(T0, 100));
  const both = place({ conditions: [price(true, 101), { kind: 'time', isMore: true, time: T0 + 10_000 }] });
  const either = place({ conditions: [price(true, 101, SYM, true), { kind: 'time', isMore: true, time: T0 + 10_000 }] });
  engine.onQuote(SYM, quote(T0 + 1000, 101.5));
  assert.equal(statuses(either).at(-1), 'Filled');
  assert.equal(statuses(both).at(-1), 'PreSubmitted', 'the price is there, the time not yet');
  engine.onQuote(SYM, quote(T0 + 10_000, 101.5));
  assert.equal(statuses(both).at(-1), 'Filled');
});

test('conditionsCancelOrder: the order works at once and is cancelled when its conditions are met', () => {
  const { engine, events, place, statuses } = setup();
  engine.onQuote(SYM, quote(T0, 100));
  const id = place({ orderType: 'LMT', lmtPrice: 95, conditions: [price(false, 99)], conditionsCancelOrder: true });
  assert.deepEqual(statuses(id), ['Submitted']);
  engine.onQuote(SYM, quote(T0 + 1000, 98.9));
  assert.equal(statuses(id).at(-1), 'Cancelled');
  assert.equal(events.at(-1)?.reason, CONDITIONS_CANCELLED);
});

test('conditions the engine does not watch are refused: an unknown instrument, a trigger method, a kind', () => {
  const { engine, events, place } = setup();
  engine.onQuote(SYM, quote(T0, 100));
  place({ conditions: [price(true, 101, '')] });
  assert.match(events.at(-1)?.reason ?? '', /price condition names an instrument this account does not know/);
  place({ conditions: [{ ...price(true, 101), triggerMethod: 4 } as EngineCondition] });
  assert.match(events.at(-1)?.reason ?? '', /trigger method 0 \(default\), 2 \(last\) or 8 \(midpoint\), got 4/);
  place({ conditions: [{ kind: 'volume' } as never] });
  assert.match(events.at(-1)?.reason ?? '', /Only price and time conditions/);
});

test('on bars a price condition reads the close before the bar: the order works from the bar after the close that met it', () => {
  const { engine, fills, place, statuses } = setup();
  engine.onBar(SYM, bar(0, 100, 100.5, 99.5, 100));
  const id = place({ conditions: [price(true, 102)] });
  engine.onBar(SYM, bar(1, 100, 103, 99.8, 102.5)); // the high passed 102 inside the bar: unseen by the condition
  assert.equal(fills.length, 0);
  assert.equal(statuses(id).at(-1), 'PreSubmitted');
  engine.onBar(SYM, bar(2, 102.6, 103, 102, 102.8));
  assert.equal(fills[0].price, 102.6, 'released by the 102.5 close, filled at the next open');
  const timed = place({ conditions: [{ kind: 'time', isMore: true, time: T0 + 4 * 60_000 }] });
  engine.onBar(SYM, bar(3, 103, 103, 103, 103));
  assert.equal(statuses(timed).at(-1), 'PreSubmitted');
  engine.onBar(SYM, bar(4, 104, 104, 104, 104));
  assert.equal(fills.at(-1)?.price, 104, 'the bar that begins at the time fills it');
});
