/**
 * The order planner as the batch backtest calls it (plain data, no broker): unconfirmed cancels count
 * until confirmed, exits go alone after the protection is cancelled, only the part beyond flat is
 * protected, untransmitted legs never count, and an OCA group of exits counts once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ordersOfPlan, planOrderOf, planOrders, type PlanOrder } from '../../lib/orders/plan';
import { positionRange } from '../../lib/orders/exposure';
import { attributeByOrderRef } from '../../lib/data/attribution';
import type { Execution } from '../../lib/messages';

const order = (o: Partial<PlanOrder> & Pick<PlanOrder, 'orderId' | 'action' | 'remaining'>): PlanOrder => ({ role: 'entry', transmitted: true, cancelling: false, parentId: 0, ...o });

test('a target is never passed: an order whose cancel is unconfirmed still counts, and the plan waits', () => {
  // Flat, a BUY 100 working, target 0: cancel it, send nothing (it may still fill).
  const first = planOrders({ target: 0, position: 0, working: [order({ orderId: 1, action: 'BUY', remaining: 100 })] });
  assert.deepEqual([first.cancel, first.exit, first.entry, first.waiting], [[1], null, null, true]);
  // Target 100 again while that cancel is unconfirmed: 100 are already possible, nothing more goes.
  const second = planOrders({ target: 100, position: 0, working: [order({ orderId: 1, action: 'BUY', remaining: 100, cancelling: true })] });
  assert.deepEqual([second.cancel, second.exit, second.entry], [[], null, null]);
  // Once confirmed cancelled (no longer working) the target is planned from the position alone.
  assert.deepEqual(planOrders({ target: 100, position: 0, working: [] }).entry, { action: 'BUY', quantity: 100 });
  // A working order the same way and not too big stays, and only the rest is sent.
  const rest = planOrders({ target: 100, position: 0, working: [order({ orderId: 2, action: 'BUY', remaining: 40 })] });
  assert.deepEqual([rest.cancel, rest.entry], [[], { action: 'BUY', quantity: 60 }]);
});

test('a closing target cancels the protection first and sends the exit alone once it is confirmed', () => {
  const exits = [order({ orderId: 5, action: 'SELL', remaining: 100, role: 'exit', ocaGroup: 'g' }), order({ orderId: 6, action: 'SELL', remaining: 100, role: 'exit', ocaGroup: 'g' })];
  const asked = planOrders({ target: 0, position: 100, working: exits });
  assert.deepEqual([asked.cancel, asked.exit, asked.waiting], [[5, 6], null, true]);
  const confirmed = planOrders({ target: 0, position: 100, working: [] });
  assert.deepEqual([confirmed.exit, confirmed.entry], [{ action: 'SELL', quantity: 100 }, null]);
  const legs = ordersOfPlan(confirmed, { orderRef: 's', terms: { orderType: 'MKT', tif: 'DAY', outsideRth: false }, levels: { stopLoss: 90, takeProfit: 110 }, ocaPrefix: 'AAPL' }, (() => { let id = 10; return () => id++; })());
  assert.deepEqual(legs.map((l) => [l.role, l.order.action, l.order.totalQuantity]), [['exit', 'SELL', 100]], 'an exit is never protected');
});

test('a reducing target keeps the protection on what remains, shrunk to it, and sends the exit for the rest', () => {
  const exits = [order({ orderId: 5, action: 'SELL', remaining: 100, role: 'exit', ocaGroup: 'g', parentId: 4 }), order({ orderId: 6, action: 'SELL', remaining: 100, role: 'exit', ocaGroup: 'g', parentId: 4 })];
  const plan = planOrders({ target: 40, position: 100, working: exits });
  assert.deepEqual([plan.cancel, plan.resize, plan.exit, plan.entry, plan.waiting], [[], [{ orderId: 5, remaining: 40 }, { orderId: 6, remaining: 40 }], { action: 'SELL', quantity: 60 }, null, false]);
  // Once shrunk (and the exit sent), the same target plans nothing more.
  const shrunk = exits.map((o) => ({ ...o, remaining: 40 }));
  const again = planOrders({ target: 40, position: 100, working: [...shrunk, order({ orderId: 7, action: 'SELL', remaining: 60 })] });
  assert.deepEqual([again.cancel, again.resize, again.exit, again.entry], [[], [], null, null]);
  // A flip still cancels them: nothing of the long is left to protect.
  assert.deepEqual(planOrders({ target: -10, position: 100, working: exits }).cancel, [5, 6]);
});

test("a bracket's take-profit (sent with transmit false) went with its stop: it is transmitted, never cancelled as held", () => {
  const parent = { orderId: 1, order: { action: 'BUY', totalQuantity: 100, parentId: 0, transmit: false, orderRef: 's' }, state: { remaining: 100, status: 'Submitted' } };
  const takeProfit = { orderId: 2, order: { action: 'SELL', totalQuantity: 100, parentId: 1, transmit: false, orderRef: 's:take-profit' }, state: { remaining: 100, status: 'PreSubmitted' } };
  const stop = { orderId: 3, order: { action: 'SELL', totalQuantity: 100, parentId: 1, transmit: true, orderRef: 's:stop-loss' }, state: { remaining: 100, status: 'PreSubmitted' } };
  const all = [parent, takeProfit, stop] as never[];
  assert.deepEqual(all.map((w) => planOrderOf(w, all, true).transmitted), [true, true, true]);
  // The parent filled (no longer working): its legs were transmitted with it.
  assert.equal(planOrderOf(takeProfit as never, [takeProfit] as never[], true).transmitted, true);
  // The stop never went (a limit refused it): parent and take-profit are held.
  const held = [parent, takeProfit] as never[];
  assert.deepEqual(held.map((w) => planOrderOf(w, held, true).transmitted), [false, false]);
  // Adding to a bracketed long keeps its take-profit.
  const working = [takeProfit, stop].map((w) => planOrderOf(w as never, [takeProfit, stop] as never[], true));
  assert.deepEqual(planOrders({ target: 150, position: 100, working }).cancel, []);
});

test('a reversal protects only the part beyond flat, with a bracket transmitted on its last leg', () => {
  const plan = planOrders({ target: -30, position: 100, working: [] });
  assert.deepEqual([plan.exit, plan.entry], [{ action: 'SELL', quantity: 100 }, { action: 'SELL', quantity: 30 }]);
  let id = 20;
  const legs = ordersOfPlan(plan, { orderRef: 's', terms: { orderType: 'MKT', tif: 'DAY', outsideRth: false }, levels: { stopLoss: 110, takeProfit: 90 }, ocaPrefix: 'AAPL' }, () => id++);
  assert.deepEqual(legs.map((l) => [l.role, l.order.action, l.order.totalQuantity, l.order.parentId ?? 0, l.order.transmit]), [
    ['exit', 'SELL', 100, 0, true],
    ['entry', 'SELL', 30, 0, false],
    ['take-profit', 'BUY', 30, 21, false],
    ['stop-loss', 'BUY', 30, 21, true],
  ]);
  // Without levels a reversal is one order.
  assert.deepEqual(ordersOfPlan(plan, { orderRef: 's', terms: { orderType: 'MKT', tif: 'DAY', outsideRth: false }, ocaPrefix: 'AAPL' }, () => 1).map((l) => l.order.totalQuantity), [130]);
});

test('untransmitted legs are cancelled and never count toward the target', () => {
  const held = [order({ orderId: 7, action: 'BUY', remaining: 10, transmitted: false }), order({ orderId: 8, action: 'SELL', remaining: 10, role: 'exit', parentId: 7, transmitted: false })];
  const plan = planOrders({ target: 10, position: 0, working: held });
  assert.deepEqual([plan.cancel, plan.entry], [[7, 8], { action: 'BUY', quantity: 10 }]);
});

test('position range: a bracket child adds nothing beyond its parent, an OCA group counts once', () => {
  assert.deepEqual(positionRange(0, [{ orderId: 1, action: 'BUY', remaining: 100 }, { orderId: 2, action: 'SELL', remaining: 100, parentId: 1 }, { orderId: 3, action: 'SELL', remaining: 100, parentId: 1 }]), { low: 0, high: 100 });
  assert.deepEqual(positionRange(100, [{ orderId: 4, action: 'SELL', remaining: 100, ocaGroup: 'g' }, { orderId: 5, action: 'SELL', remaining: 100, ocaGroup: 'g' }, { orderId: 6, action: 'BUY', remaining: 100 }]), { low: 0, high: 200 });
});

test('attribution: protective legs count for the strategy that opened them', () => {
  const exec = (orderRef: string, side: 'BUY' | 'SELL', shares: number, time: number): Execution => ({
    execId: `e${time}`, orderId: time, permId: time, symbol: 'AAPL', side, shares, price: 100, cumQty: shares, avgPrice: 100, commission: 0, realizedPnl: null, orderRef, account: 'DU1', time,
  });
  const book = attributeByOrderRef([exec('sma-cross', 'BUY', 200, 1), exec('sma-cross:take-profit', 'SELL', 200, 2)]);
  assert.deepEqual(Object.keys(book), ['sma-cross']);
  assert.equal(book['sma-cross'].AAPL.quantity, 0);
});
