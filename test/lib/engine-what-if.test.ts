/**
 * What-if orders in the fill engine: the account's margins now and after the order, at the price the
 * placing check uses, with the commission; nothing placed, and the same verdict as the real order gets.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FillEngine } from '../../lib/fills/fill-engine';
import { ibFixed } from '../../lib/fills/commission';
import type { Bar, OrderEvent } from '../../lib/messages';

const KEY = 'SPY';
const DAY = 86_400_000;
const bar = (day: number, price: number): Bar => ({ time: day * DAY, open: price, high: price, low: price, close: price, volume: 1 });

describe('what-if orders', () => {
  it('Reg T: 1000 shares at 100 need 50,000 initial and 25,000 maintenance margin; the preview places nothing', () => {
    const e = new FillEngine({ account: 'DBACKTEST', startingCash: 100_000, accountType: 'reg-t', commission: ibFixed() });
    const events: OrderEvent[] = [];
    e.on('order', (x) => events.push(x));
    e.onBar(KEY, bar(1, 100));
    const preview = e.whatIf({ orderId: 1, symbol: KEY, action: 'BUY', totalQuantity: 1000, orderType: 'MKT' });
    assert.ok(preview !== null && typeof preview === 'object');
    assert.deepEqual(preview.before, { equityWithLoan: 100_000, initialMargin: 0, maintenanceMargin: 0 });
    assert.equal(preview.after.initialMargin, 50_000);
    assert.equal(preview.after.maintenanceMargin, 25_000);
    assert.equal(preview.commission, 5, 'IB fixed: USD 0.005 a share');
    assert.equal(preview.after.equityWithLoan, 100_000 - 5, 'the commission leaves equity; the shares are worth what they cost');
    assert.equal(preview.problem, null);
    assert.deepEqual(events, [], 'no order event');
    assert.equal(e.openOrders().length, 0);
  });

  it('an order the account cannot take previews with the 201 text the real order is refused with', () => {
    const e = new FillEngine({ account: 'DBACKTEST', startingCash: 100_000, accountType: 'cash' });
    const events: OrderEvent[] = [];
    e.on('order', (x) => events.push(x));
    e.onBar(KEY, bar(1, 100));
    const order = { orderId: 1, symbol: KEY, action: 'BUY' as const, totalQuantity: 10_000, orderType: 'LMT' as const, lmtPrice: 100 };
    const preview = e.whatIf(order);
    assert.ok(preview !== null && typeof preview === 'object');
    assert.equal(preview.after.initialMargin, 1_000_000, 'a cash account pays in full');
    e.submit(order);
    assert.equal(preview.problem, events.find((x) => x.orderId === 1)!.reason);
  });

  it('says why a malformed order cannot be previewed, and null when the engine checks no buying power', () => {
    const checked = new FillEngine({ account: 'DBACKTEST', startingCash: 100_000, accountType: 'cash' });
    checked.onBar(KEY, bar(1, 100));
    assert.match(String(checked.whatIf({ orderId: 1, symbol: KEY, action: 'BUY', totalQuantity: 10, orderType: 'LMT' })), /limit price|lmtPrice/i);
    assert.equal(typeof checked.whatIf({ orderId: 1, symbol: '', action: 'BUY', totalQuantity: 10, orderType: 'MKT' }), 'string');
    const unchecked = new FillEngine({ account: 'DBACKTEST', startingCash: 100_000 });
    unchecked.onBar(KEY, bar(1, 100));
    assert.equal(unchecked.whatIf({ orderId: 1, symbol: KEY, action: 'BUY', totalQuantity: 10, orderType: 'MKT' }), null);
  });
});
