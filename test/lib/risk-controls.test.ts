import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOrderLimits, parseLimits, type OrderFacts } from '../../lib/risk-controls/limits';
import { SlidingWindowCounter } from '../../lib/risk-controls/rate-window';
import { DailyLossLock } from '../../lib/risk-controls/daily-loss';

const facts: OrderFacts = { key: 'AAPL', action: 'BUY', quantity: 100, price: 50, position: 0, working: 0, ordersLastMinute: 0 };

test('each limit rejects with a message naming it', () => {
  const breach = (limits: Parameters<typeof checkOrderLimits>[0], f = facts) => checkOrderLimits(limits, f).find((c) => !c.ok);
  assert.match(breach({ maxOrderQuantity: 99 })?.message ?? '', /^max order quantity: BUY 100 AAPL is over the limit of 99/);
  assert.match(breach({ maxOrderNotional: 4999 })?.message ?? '', /^max order notional: .* is 5000, over the limit of 4999/);
  assert.match(breach({ maxOrderNotional: 1e9 }, { ...facts, price: null })?.message ?? '', /^max order notional: no price is known/);
  assert.match(breach({ maxPosition: 150 }, { ...facts, position: 60 })?.message ?? '', /^max position: .* 160, over the limit of 150/);
  assert.match(breach({ maxOrdersPerMinute: 3 }, { ...facts, ordersLastMinute: 3 })?.message ?? '', /^max orders per minute: 3 orders/);
  assert.equal(breach({ maxOrderQuantity: 100, maxOrderNotional: 5000, maxPosition: 100, maxOrdersPerMinute: 1 }), undefined);
  assert.equal(checkOrderLimits({ maxOrderQuantity: 100, maxOrderNotional: 5000 }, facts).length, 2);
});

test('the position limit never blocks an order that reduces exposure', () => {
  const sell: OrderFacts = { ...facts, action: 'SELL', quantity: 50, position: 300 };
  assert.equal(checkOrderLimits({ maxPosition: 100 }, sell)[0].ok, true);
  assert.equal(checkOrderLimits({ maxPosition: 100 }, { ...sell, quantity: 700 })[0].ok, false);
});

test('limits parse 0 and blank as no limit and refuse nonsense', () => {
  assert.deepEqual(parseLimits({ maxOrderQuantity: '500', maxOrderNotional: 0, maxPosition: '', maxDailyLoss: 1000 }), { maxOrderQuantity: 500, maxDailyLoss: 1000 });
  assert.throws(() => parseLimits({ maxPosition: 'lots' }), /maxPosition must be a positive number/);
});

test('orders per minute slide with the clock', () => {
  let now = 0;
  const window = new SlidingWindowCounter(60_000, () => now);
  for (let i = 0; i < 5; i++) {
    window.record();
    now += 10_000;
  }
  assert.equal(window.count(), 5);
  now = 60_001;
  assert.equal(window.count(), 4);
  now = 200_000;
  assert.equal(window.count(), 0);
});

test('the daily-loss lock trips at the limit, holds, resets by hand and on the next session', () => {
  let now = Date.UTC(2026, 3, 15, 15, 0, 0); // 11:00 New York
  const lock = new DailyLossLock({ maxDailyLoss: 1000, clock: () => now });
  assert.equal(lock.update(100_000), null);
  assert.equal(lock.update(99_500), null);
  const reason = lock.update(98_900);
  assert.match(reason ?? '', /^max daily loss: the loss since the session began is 1100/);
  assert.equal(lock.update(98_000), null, 'reported once');
  assert.equal(lock.locked(), reason);
  lock.reset(98_000);
  assert.equal(lock.locked(), null);
  assert.equal(lock.update(97_500), null);
  assert.ok(lock.update(96_999));
  now += 24 * 3600 * 1000;
  assert.equal(lock.locked(), null, 'a new session unlocks');
  // Without equity, realized P&L counts.
  lock.addRealized(-400);
  lock.addRealized(-700);
  assert.ok(lock.update(null));
});

test('a journaled daily-loss lock holds again after a restart the same session day, not the next one', () => {
  // 23:30 New York on the 15th is already the 16th in UTC: the session is the exchange's day.
  let now = Date.UTC(2026, 3, 16, 3, 30, 0);
  const first = new DailyLossLock({ maxDailyLoss: 1000, clock: () => now });
  first.update(100_000);
  const reason = first.update(98_000)!;
  const { session } = first.state();
  assert.equal(session, '2026-04-15');
  const restarted = new DailyLossLock({ maxDailyLoss: 1000, clock: () => now });
  assert.equal(restarted.restore(session, reason), true);
  assert.equal(restarted.locked(), reason);
  now = Date.UTC(2026, 3, 16, 4, 30, 0); // 00:30 New York: the next session
  assert.equal(restarted.locked(), null, 'the next session day unlocks it');
  const nextDay = new DailyLossLock({ maxDailyLoss: 1000, clock: () => now });
  assert.equal(nextDay.restore(session, reason), false, "yesterday's lock is not put back");
  assert.equal(nextDay.locked(), null);
});
