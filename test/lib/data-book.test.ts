import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveDepthBook } from '../../lib/data/depth-book';
import { QuoteAssembler } from '../../lib/data/quote';
import { KeyedThrottle, type ThrottleClock } from '../../lib/data/throttle';
import { attributeByOrderRef } from '../../lib/data/attribution';
import type { Execution } from '../../lib/messages';

test('depth book: insert shifts, update replaces, delete removes; output sorted and cut to rows', () => {
  const book = new LiveDepthBook();
  assert.ok(book.apply(0, 0, 1, 100, 5, 'NSDQ', 1));
  assert.ok(book.apply(0, 0, 1, 100.5, 3, 'ARCA', 2)); // inserted above: the old row moves to position 1
  assert.ok(book.apply(0, 0, 0, 101, 7, '', 3));
  assert.ok(book.apply(1, 0, 0, 101.5, 2, '', 4));
  assert.deepEqual(book.snapshot(), {
    time: 4,
    bids: [
      { price: 100.5, size: 3, marketMaker: 'ARCA' },
      { price: 100, size: 5, marketMaker: 'NSDQ' },
    ],
    asks: [
      { price: 101, size: 7, marketMaker: '' },
      { price: 101.5, size: 2, marketMaker: '' },
    ],
  });
  assert.ok(book.apply(1, 1, 1, 100, 9, 'NSDQ', 5));
  assert.equal(book.snapshot().bids[1].size, 9);
  assert.ok(book.apply(0, 2, 0, 0, 0, '', 6));
  assert.deepEqual(book.snapshot(1).asks, [{ price: 101.5, size: 2, marketMaker: '' }]);
  assert.equal(book.snapshot(1).bids.length, 1);
  // Messages that do not fit are refused and leave the book alone.
  assert.equal(book.apply(5, 2, 0, 0, 0), false);
  assert.equal(book.apply(9, 0, 1, 1, 1), false);
  assert.equal(book.apply(0, 7, 1, 1, 1), false);
  assert.equal(book.apply(0, 0, 3, 1, 1), false);
  book.clear();
  assert.deepEqual(book.snapshot().bids, []);
});

test('quote assembler: live and delayed ticks fill the same fields; -1 means none; reports changes only', () => {
  const q = new QuoteAssembler();
  assert.equal(q.hasPrice(), false);
  assert.ok(q.apply(1, 99.5, 10));
  assert.ok(q.apply(0, 300, 11));
  assert.equal(q.apply(0, 300, 12), false, 'same value is no change');
  assert.ok(q.apply(67, 100, 13), 'delayed ask');
  assert.ok(q.apply(4, 99.75, 14));
  assert.ok(q.apply(8, 12345, 15));
  assert.equal(q.apply(45, 1, 16), false, 'tick types without a quote field are ignored');
  assert.deepEqual(q.current(), { time: 15, bid: 99.5, ask: 100, last: 99.75, bidSize: 300, askSize: null, lastSize: null, volume: 12345, open: null, high: null, low: null, close: null });
  assert.ok(q.apply(1, -1, 17));
  assert.equal(q.current().bid, null);
  assert.ok(q.hasPrice());
});

function fakeClock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  const clock: ThrottleClock & { advance(ms: number): void } = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      const target = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > target) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = target;
    },
  };
  return clock;
}

test('throttle: first value at once, then at most one per interval per key, newest value last', () => {
  const clock = fakeClock();
  const sent: Array<[string, number]> = [];
  const throttle = new KeyedThrottle<number>(100, (k, v) => sent.push([k, v]), clock);
  throttle.push('A', 1);
  throttle.push('B', 1);
  throttle.push('A', 2);
  throttle.push('A', 3);
  assert.deepEqual(sent, [['A', 1], ['B', 1]]);
  clock.advance(99);
  assert.equal(sent.length, 2);
  clock.advance(1);
  assert.deepEqual(sent.at(-1), ['A', 3]);
  assert.equal(throttle.coalesced, 1);
  clock.advance(500);
  throttle.push('A', 4);
  assert.deepEqual(sent.at(-1), ['A', 4], 'after a quiet interval the next value goes at once');
  throttle.push('A', 5);
  throttle.forget('A');
  clock.advance(1000);
  assert.deepEqual(sent.at(-1), ['A', 4], 'a forgotten key sends nothing more');
  const passthrough: number[] = [];
  new KeyedThrottle<number>(0, (_k, v) => passthrough.push(v)).push('X', 7);
  assert.deepEqual(passthrough, [7]);
});

test('attribution by orderRef: average cost, realized P&L on reduce and flip, per strategy', () => {
  const exec = (orderRef: string, side: 'BUY' | 'SELL', shares: number, price: number, time: number): Execution => ({
    execId: `${time}`, orderId: time, permId: time, symbol: 'AAPL', side, shares, price, cumQty: shares, avgPrice: price, commission: 1, realizedPnl: null, orderRef, account: 'DU1', time,
  });
  const book = attributeByOrderRef([
    exec('trend', 'BUY', 100, 10, 1),
    exec('meanrev', 'SELL', 50, 11, 2),
    exec('trend', 'BUY', 100, 12, 3),
    exec('trend', 'SELL', 150, 13, 4),
    exec('trend', 'SELL', 100, 14, 5),
  ]);
  assert.deepEqual(book.meanrev.AAPL, { quantity: -50, avgCost: 11, realizedPnl: 0, commission: 1, executions: 1 });
  // trend: 200 @ 11 avg; sell 150 @ 13 realizes 300; 50 left; sell 100 @ 14 closes 50 (+150) and opens -50 @ 14.
  assert.deepEqual(book.trend.AAPL, { quantity: -50, avgCost: 14, realizedPnl: 450, commission: 4, executions: 4 });
});
