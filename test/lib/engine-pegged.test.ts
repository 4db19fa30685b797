/**
 * Fill engine: the pegged types (REL, MIDPRICE, PEG MID) and FOK, on quotes (the simulator) and on
 * bars (a backtest), as TWS describes them: REL pegs to the bid (buy) or the ask (sell) plus its
 * offset, MIDPRICE fills at the midpoint within its cap, PEG MID at the midpoint less its offset, FOK
 * fills all at once or is cancelled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, Execution, OrderEvent } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { EngineOrder, FillEngineOptions, QuoteTick } from '../../lib/fills/types';
import { NOT_FILLED_FOK } from '../../lib/fills/reasons';

const SYM = 'MSFT';
const DAY = 86_400_000;
let clock = 10 * DAY + 14 * 3_600_000;

function quote(bid: number, ask: number, last = (bid + ask) / 2): QuoteTick {
  return { time: (clock += 1000), bid, ask, last };
}

function bar(day: number, open: number, high: number, low: number, close: number): Bar {
  return { time: day * DAY, open, high, low, close, volume: 1000 };
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
    engine.submit({ orderId, symbol: SYM, action: 'BUY', totalQuantity: 100, orderType: 'MKT', tif: 'GTC', ...order } as EngineOrder);
    return orderId;
  };
  const last = (orderId: number) => events.filter((e) => e.orderId === orderId).at(-1);
  return { engine, events, fills, place, last };
}

test('REL on quotes: an offset across the spread fills at once at the ask; a smaller one rests pegged to the bid and fills when the ask comes to it', () => {
  const { engine, fills, place, last } = setup();
  engine.onQuote(SYM, quote(99.98, 100.02));
  const marketable = place({ orderType: 'REL', auxPrice: 0.05 });
  assert.equal(last(marketable)?.status, 'Filled');
  assert.equal(fills[0].price, 100.02);
  const resting = place({ orderType: 'REL', auxPrice: 0.01 });
  assert.equal(last(resting)?.status, 'Submitted', 'bid + 0.01 = 99.99 is below the ask');
  // The bid rises: the order follows it (now 100.11), so an ask that comes down to 100.11 fills it.
  engine.onQuote(SYM, quote(100.1, 100.14));
  assert.equal(last(resting)?.status, 'Submitted');
  engine.onQuote(SYM, quote(100.07, 100.11));
  assert.equal(last(resting)?.status, 'Filled');
  assert.equal(fills[1].price, 100.11);
  // Had it not followed the bid (a fixed 99.99) that ask would not have filled it.
});

test('REL sell pegs to the ask less the offset; lmtPrice caps it', () => {
  const { engine, fills, place, last } = setup();
  engine.onQuote(SYM, quote(99.98, 100.02));
  const capped = place({ action: 'SELL', orderType: 'REL', auxPrice: 0.05, lmtPrice: 100.0 });
  // ask - 0.05 = 99.97 would meet the bid, but the cap keeps it at 100.00 or better.
  assert.equal(last(capped)?.status, 'Submitted');
  engine.onQuote(SYM, quote(100.0, 100.04));
  assert.equal(last(capped)?.status, 'Filled');
  assert.equal(fills[0].price, 100.0);
});

test('MIDPRICE on quotes fills at the midpoint, never past its cap; without a cap at once', () => {
  const { engine, fills, place, last } = setup();
  engine.onQuote(SYM, quote(99.98, 100.02));
  const free = place({ orderType: 'MIDPRICE' });
  assert.equal(last(free)?.status, 'Filled');
  assert.equal(fills[0].price, 100);
  const capped = place({ orderType: 'MIDPRICE', lmtPrice: 99.95 });
  assert.equal(last(capped)?.status, 'Submitted', 'the midpoint 100 is above the cap');
  engine.onQuote(SYM, quote(99.9, 99.98));
  assert.equal(last(capped)?.status, 'Filled');
  assert.equal(fills[1].price, 99.94);
  const sell = place({ action: 'SELL', orderType: 'MIDPRICE', lmtPrice: 99.9 });
  assert.equal(last(sell)?.status, 'Filled');
  assert.equal(fills[2].price, 99.94);
});

test('PEG MID on quotes: without an offset at the midpoint at once; with one it stands at the midpoint less it and fills when the midpoint drops to it', () => {
  const { engine, fills, place, last } = setup();
  engine.onQuote(SYM, quote(99.98, 100.02));
  const atMid = place({ orderType: 'PEG MID' });
  assert.equal(last(atMid)?.status, 'Filled');
  assert.equal(fills[0].price, 100);
  const offset = place({ orderType: 'PEG MID', auxPrice: 0.05 });
  assert.equal(last(offset)?.status, 'Submitted');
  engine.onQuote(SYM, quote(99.97, 100.01)); // mid 99.99: above the 99.95 it stands at; now it stands at 99.94
  assert.equal(last(offset)?.status, 'Submitted');
  engine.onQuote(SYM, quote(99.9, 99.96)); // mid 99.93 <= 99.94
  assert.equal(last(offset)?.status, 'Filled');
  assert.equal(fills[1].price, 99.93);
});

test('FOK fills its whole quantity at once or is cancelled; IOC would keep the part it got', () => {
  const { engine, fills, place, last } = setup({ maxFillPerEvent: 30 });
  engine.onQuote(SYM, quote(99.98, 100.02));
  const fok = place({ orderType: 'LMT', lmtPrice: 100.05, tif: 'FOK' });
  assert.equal(last(fok)?.status, 'Cancelled');
  assert.equal(last(fok)?.reason, NOT_FILLED_FOK);
  assert.equal(fills.length, 0, 'nothing filled: not 30 of 100');
  const whole = place({ orderType: 'MKT', tif: 'FOK', totalQuantity: 30 });
  assert.equal(last(whole)?.status, 'Filled');
  const away = place({ orderType: 'LMT', lmtPrice: 99, tif: 'FOK', totalQuantity: 10 });
  assert.equal(last(away)?.status, 'Cancelled', 'a limit the quote does not reach is killed too');
});

test('FOK is for MKT and LMT orders', () => {
  const { engine, place, last } = setup();
  engine.onQuote(SYM, quote(99.98, 100.02));
  const id = place({ orderType: 'STP', auxPrice: 101, tif: 'FOK' });
  assert.equal(last(id)?.status, 'Inactive');
  assert.match(last(id)?.reason ?? '', /FOK is for MKT and LMT/);
});

test('the pegged types check their prices: REL needs an offset >= 0, a cap must be a price, prices on the tick', () => {
  const { engine, place, last } = setup();
  engine.onQuote(SYM, quote(99.98, 100.02));
  assert.match(last(place({ orderType: 'REL' }))?.reason ?? '', /REL order needs its offset from the bid or ask as auxPrice/);
  assert.match(last(place({ orderType: 'PEG MID', auxPrice: -0.01 }))?.reason ?? '', /offset from the midpoint/);
  assert.match(last(place({ orderType: 'MIDPRICE', lmtPrice: Number.NaN }))?.reason ?? '', /price cap/);
  assert.match(last(place({ orderType: 'MIDPRICE', lmtPrice: 100.005 }))?.reason ?? '', /minimum price variation/);
  assert.equal(last(place({ orderType: 'PEG MID', auxPrice: 0.02, lmtPrice: 99 }))?.status, 'Submitted');
});

test('on bars (no spread) REL and PEG MID are limits at the last close plus or minus the offset, set again at every close; MIDPRICE a limit at its cap, or the open without one', () => {
  const { engine, fills, place, last } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const rel = place({ orderType: 'REL', auxPrice: 0.5 }); // stands at 100.5
  const peg = place({ orderType: 'PEG MID', auxPrice: 1 }); // stands at 99
  const mid = place({ orderType: 'MIDPRICE' });
  const capped = place({ action: 'SELL', orderType: 'MIDPRICE', lmtPrice: 103 });
  engine.onBar(SYM, bar(2, 101, 102, 99.5, 101.5));
  assert.equal(fills.find((f) => f.orderId === rel)?.price, 100.5, 'the open 101 is above the 100.5 it stands at; the low reaches it');
  assert.equal(fills.find((f) => f.orderId === mid)?.price, 101, 'MIDPRICE without a cap: at the open');
  assert.equal(last(peg)?.status, 'Submitted', '99 not reached (low 99.5); now it stands at 100.5');
  assert.equal(last(capped)?.status, 'Submitted');
  engine.onBar(SYM, bar(3, 101, 103, 100.4, 102));
  assert.equal(fills.find((f) => f.orderId === peg)?.price, 100.5);
  assert.equal(fills.find((f) => f.orderId === capped)?.price, 103);
});

test('FOK on bars: at the open, whole, or cancelled', () => {
  const { engine, fills, place, last } = setup();
  engine.onBar(SYM, bar(1, 100, 101, 99, 100));
  const filled = place({ orderType: 'LMT', lmtPrice: 100.5, tif: 'FOK' });
  const killed = place({ orderType: 'LMT', lmtPrice: 99.5, tif: 'FOK' });
  engine.onBar(SYM, bar(2, 100.25, 101, 99, 100));
  assert.equal(fills.find((f) => f.orderId === filled)?.price, 100.25);
  assert.equal(last(killed)?.status, 'Cancelled', 'the low reached 99.5 later in the bar, but FOK looks once, at the open');
  assert.equal(last(killed)?.reason, NOT_FILLED_FOK);
});
