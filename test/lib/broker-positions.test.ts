/**
 * The IB broker's position book on its own: fills move a position with IB's average cost (of the
 * opening side), a snapshot after reconnect replaces what was known (closed ones report 0), and an
 * event goes out only when quantity or average cost changed. Reports from another account are not ours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Position } from '../../lib/messages';
import { isAccountInUse, PositionBook } from '../../lib/broker/positions';
import { ReportedKeys } from '../../lib/broker/reported-keys';

test('fills move the position: average cost of the opening side, flat at 0, a flip starts at the fill price', () => {
  const events: Position[] = [];
  const book = new PositionBook((p) => events.push(p));
  book.applyFill('AAPL', 'DU1', 100, 10);
  book.applyFill('AAPL', 'DU1', 100, 12);
  assert.equal(book.quantity('AAPL'), 200);
  assert.equal(book.open()[0].avgCost, 11);
  book.applyFill('AAPL', 'DU1', -50, 20);
  assert.equal(book.open()[0].avgCost, 11, 'reducing keeps the average cost');
  book.applyFill('AAPL', 'DU1', -200, 9);
  assert.deepEqual([book.quantity('AAPL'), book.open()[0].avgCost], [-50, 9], 'a flip opens at the fill price');
  book.applyFill('AAPL', 'DU1', 50, 8);
  assert.equal(book.quantity('AAPL'), 0);
  assert.deepEqual(book.open(), []);
  assert.deepEqual(events.map((e) => e.quantity), [100, 200, 150, -50, 0]);
});

test('futures: avgCost per contract (price x multiplier) from fills and reports alike, market value x multiplier', () => {
  const book = new PositionBook(() => undefined);
  book.applyFill('ES', 'DU1', 2, 5000, 50);
  book.applyFill('ES', 'DU1', 2, 5010, 50);
  const held = book.open()[0]!;
  assert.equal(held.avgCost, 5005 * 50, 'as TWS reports it: per contract');
  assert.equal(held.multiplier, 50);
  assert.equal(held.marketValue, 4 * 5010 * 50);
  const reported = book.fromReport('DU1', 'ES', 4, 250_250, 50);
  assert.equal(reported.avgCost / reported.multiplier!, 5005, 'avgCost / multiplier is the price per unit');
  assert.equal(book.fromReport('DU1', 'AAPL', 1, 10).multiplier, undefined, 'no multiplier field for 1');
});

test('a snapshot replaces the book: unchanged positions stay quiet, vanished ones report 0', () => {
  const events: Position[] = [];
  const book = new PositionBook((p) => events.push(p));
  book.set(book.fromReport('DU1', 'AAPL', 100, 10));
  book.set(book.fromReport('DU1', 'MSFT', 5, 300));
  book.set(book.fromReport('DU1', 'AAPL', 100, 10));
  assert.equal(events.length, 2, 'the same report twice is one event');
  events.length = 0;
  book.replaceAll(new Map([['AAPL', book.fromReport('DU1', 'AAPL', 100, 10)]]));
  assert.deepEqual(events.map((e) => [e.symbol, e.quantity]), [['MSFT', 0]]);
  assert.deepEqual(book.open().map((p) => p.symbol), ['AAPL']);
});

test('only reports of the account in use count; unknown on either side counts as ours', () => {
  assert.equal(isAccountInUse('DU1', 'DU1'), true);
  assert.equal(isAccountInUse('DU1', 'DU2'), false);
  assert.equal(isAccountInUse(null, 'DU2'), true);
  assert.equal(isAccountInUse('DU1', undefined), true);
});

test('reported stock contracts get the SMART key orders use, and an order keeps its key by contract id', () => {
  const keys = new ReportedKeys();
  const smart = keys.keyOf({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' });
  assert.equal(keys.keyOf({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'NASDAQ', currency: 'USD', conId: 265598 }), smart);
  keys.remember(76792991, 'TSLA-ordered');
  assert.equal(keys.keyOf({ symbol: 'TSLA', secType: 'STK' as never, exchange: 'ISLAND', currency: 'USD', conId: 76792991 }), 'TSLA-ordered');
});
