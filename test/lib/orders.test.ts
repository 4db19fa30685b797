import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateOrderIntent } from '../../lib/orders/validate';
import { OrderInputError } from '../../lib/orders/errors';
import { applyModification, buildOrder, describeOrder } from '../../lib/orders/build';
import { planTarget } from '../helpers/plan-target';
import { levelPrice, roundToTick, checkLevelSpec } from '../../lib/orders/levels';
import { bracketOrders, protectiveOrders, roleOf } from '../../lib/orders/bracket';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof OrderInputError, `expected OrderInputError, got ${err}`);
    return err.field;
  }
  assert.fail('expected a throw');
}

test('explicit orders of every type validate with the prices they need', () => {
  assert.deepEqual(validateOrderIntent({ action: 'BUY', totalQuantity: 100 }), { kind: 'explicit', action: 'BUY', totalQuantity: 100, orderType: 'MKT', tif: 'DAY', outsideRth: false });
  const lmt = validateOrderIntent({ action: 'sell', totalQuantity: '5', orderType: 'LMT', lmtPrice: 101.5, tif: 'GTC', outsideRth: true, orderRef: 'sma' });
  assert.equal(lmt.kind, 'explicit');
  assert.deepEqual([lmt.kind === 'explicit' && lmt.action, lmt.kind === 'explicit' && lmt.totalQuantity], ['SELL', 5]);
  const stp = validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'STP', auxPrice: 95 });
  assert.equal(stp.kind === 'explicit' && stp.auxPrice, 95);
  const stpLmt = validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'STP LMT', auxPrice: 95, lmtPrice: 94.5 });
  assert.deepEqual(stpLmt.kind === 'explicit' && [stpLmt.auxPrice, stpLmt.lmtPrice], [95, 94.5]);
  const trailPct = validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'TRAIL', trailingPercent: 2 });
  assert.equal(trailPct.kind === 'explicit' && trailPct.trailingPercent, 2);
  const trailAmt = validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'TRAIL', auxPrice: 1.5, trailStopPrice: 98 });
  assert.deepEqual(trailAmt.kind === 'explicit' && [trailAmt.auxPrice, trailAmt.trailStopPrice], [1.5, 98]);
  assert.equal(validateOrderIntent({ action: 'BUY', totalQuantity: 1, orderType: 'MOC' }).kind, 'explicit');
  const loc = validateOrderIntent({ action: 'BUY', totalQuantity: 1, orderType: 'LOC', lmtPrice: 10 });
  assert.equal(loc.kind === 'explicit' && loc.lmtPrice, 10);
  const opg = validateOrderIntent({ action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 10, tif: 'OPG' });
  assert.equal(opg.kind === 'explicit' && opg.tif, 'OPG');
});

test('malformed orders name the field at fault', () => {
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: -5 })), 'msg.order.totalQuantity');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: Number.NaN })), 'msg.order.totalQuantity');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, orderType: 'LMT' })), 'msg.order.lmtPrice');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, orderType: 'FOO' })), 'msg.order.orderType');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'HOLD', totalQuantity: 5 })), 'msg.order.action');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, tif: 'DTC' })), 'msg.order.tif');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, orderType: 'STP' })), 'msg.order.auxPrice');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, orderType: 'TRAIL' })), 'msg.order.auxPrice');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, orderType: 'TRAIL', trailingPercent: 150 })), 'msg.order.trailingPercent');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, orderType: 'MOC', tif: 'GTC' })), 'msg.order.tif');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, orderType: 'STP', auxPrice: 5, tif: 'OPG' })), 'msg.order.tif');
  assert.equal(fieldOf(() => validateOrderIntent({ targetQuantity: 'lots' })), 'msg.order.targetQuantity');
  assert.equal(fieldOf(() => validateOrderIntent({ targetQuantity: 10, action: 'BUY', totalQuantity: 5 })), 'msg.order.targetQuantity');
  assert.equal(fieldOf(() => validateOrderIntent('BUY 100')), 'msg.order');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'BUY', totalQuantity: 5, lmtPrice: -1, orderType: 'LMT' })), 'msg.order.lmtPrice');
  assert.equal(fieldOf(() => validateOrderIntent({ orderId: 7 })), 'msg.order.orderId');
  assert.equal(fieldOf(() => validateOrderIntent({ orderId: -7, lmtPrice: 5 })), 'msg.order.orderId');
  assert.match(String((() => { try { validateOrderIntent({ action: 'BUY', totalQuantity: -5 }); } catch (e) { return (e as Error).message; } })()), /positive number of shares, got -5/);
});

test('config defaults fill in and msg fields win; blanks mean unset', () => {
  const defaults = { action: 'BUY' as const, totalQuantity: 100, orderType: 'LMT' as const, lmtPrice: 50, tif: 'DAY' as const, orderRef: '' };
  const fromConfig = validateOrderIntent(undefined, defaults);
  assert.equal(fromConfig.kind === 'explicit' && fromConfig.totalQuantity, 100);
  const overridden = validateOrderIntent({ totalQuantity: 10, lmtPrice: 51 }, defaults);
  assert.deepEqual(overridden.kind === 'explicit' && [overridden.totalQuantity, overridden.lmtPrice, overridden.orderRef], [10, 51, undefined]);
  const target = validateOrderIntent({ targetQuantity: -30 }, defaults);
  assert.equal(target.kind === 'target' && target.targetQuantity, -30);
});

test('modify intents keep only the fields given', () => {
  const m = validateOrderIntent({ orderId: 12, lmtPrice: 99.5 });
  assert.deepEqual(m, { kind: 'modify', orderId: 12, changes: { lmtPrice: 99.5 } });
  const working = buildOrder('BUY', 100, { orderType: 'LMT', lmtPrice: 100, tif: 'GTC', outsideRth: false }, 'strat');
  const modified = applyModification(working, { lmtPrice: 99.5, totalQuantity: 50 });
  assert.deepEqual([modified.lmtPrice, modified.totalQuantity, modified.tif, modified.orderRef, modified.action], [99.5, 50, 'GTC', 'strat', 'BUY']);
  assert.equal(describeOrder(modified), 'BUY 50 LMT lmt 99.5');
});

test('target plans send only the difference and nothing on a repeat', () => {
  assert.deepEqual(planTarget(100, 0, []).send, { action: 'BUY', quantity: 100 });
  assert.equal(planTarget(100, 0, [{ orderId: 1, action: 'BUY', remaining: 100 }]).send, null);
  assert.equal(planTarget(100, 100, []).send, null);
  assert.deepEqual(planTarget(100, 40, [{ orderId: 1, action: 'BUY', remaining: 20 }]).send, { action: 'BUY', quantity: 40 });
  assert.deepEqual(planTarget(-50, 100, []).send, { action: 'SELL', quantity: 150 });
  // A working order the wrong way is cancelled and the whole difference sent.
  const flip = planTarget(0, 0, [{ orderId: 3, action: 'BUY', remaining: 100 }]);
  assert.deepEqual([flip.cancel, flip.send], [[3], null]);
  const over = planTarget(50, 0, [{ orderId: 4, action: 'BUY', remaining: 100 }]);
  assert.deepEqual([over.cancel, over.send], [[4], { action: 'BUY', quantity: 50 }]);
  // Orders already being cancelled no longer count.
  assert.deepEqual(planTarget(50, 0, [{ orderId: 4, action: 'BUY', remaining: 100, cancelling: true }]).send, { action: 'BUY', quantity: 50 });
  assert.deepEqual(planTarget(0.3, 0.1, []).send, { action: 'BUY', quantity: 0.2 });
});

test('protective levels land on the right side and on the tick', () => {
  assert.equal(levelPrice({ kind: 'distance', value: 2 }, 100, 'BUY', -1, null, 0.01), 98);
  assert.equal(levelPrice({ kind: 'distance', value: 2 }, 100, 'SELL', -1, null, 0.01), 102);
  assert.equal(levelPrice({ kind: 'percent', value: 3 }, 100, 'BUY', 1, null, 0.01), 103);
  assert.equal(levelPrice({ kind: 'atr', value: 1.5 }, 100, 'BUY', -1, 1.333, 0.01), 98);
  assert.equal(levelPrice({ kind: 'price', value: 97.123 }, 100, 'BUY', -1, null, 0.01), 97.12);
  assert.equal(roundToTick(0.1 + 0.2, 0.01), 0.3);
  assert.throws(() => levelPrice({ kind: 'atr', value: 2 }, 100, 'BUY', -1, null, 0.01), /ATR/);
  assert.throws(() => checkLevelSpec('pips', 3, 'stopLoss'), (e: unknown) => e instanceof OrderInputError && e.field === 'stopLossType');
  assert.throws(() => checkLevelSpec('percent', 120, 'stopLoss'), (e: unknown) => e instanceof OrderInputError && e.field === 'stopLoss');
});

test('a bracket transmits only on its last order and its children share one OCA group', () => {
  const entry = buildOrder('BUY', 100, { orderType: 'LMT', lmtPrice: 100, tif: 'DAY', outsideRth: false }, 'strat');
  const orders = bracketOrders(10, entry, { positionSide: 'BUY', quantity: 100, stopLoss: 98, takeProfit: 104, tif: 'GTC', outsideRth: false, orderRef: 'strat', ocaGroup: 'oca-10' }, { takeProfit: 11, stopLoss: 12 });
  assert.deepEqual(orders.map((o) => [o.role, o.orderId, o.order.transmit, o.order.parentId ?? 0]), [
    ['entry', 10, false, 0],
    ['take-profit', 11, false, 10],
    ['stop-loss', 12, true, 10],
  ]);
  assert.deepEqual(orders.slice(1).map((o) => [o.order.action, o.order.orderType, o.order.ocaGroup, o.order.lmtPrice ?? o.order.auxPrice]), [
    ['SELL', 'LMT', 'oca-10', 104],
    ['SELL', 'STP', 'oca-10', 98],
  ]);
  assert.deepEqual(orders.map((o) => roleOf(o.order.orderRef, 'strat')), ['entry', 'take-profit', 'stop-loss']);
  const trailing = protectiveOrders({ positionSide: 'SELL', quantity: 5, trailing: { percent: 1 }, stopLoss: 101, tif: 'GTC', outsideRth: false, orderRef: 's', ocaGroup: 'g' }, { stopLoss: 3 });
  assert.deepEqual([trailing[0].order.action, trailing[0].order.orderType, trailing[0].order.trailingPercent, trailing[0].order.trailStopPrice, trailing[0].order.transmit], ['BUY', 'TRAIL', 1, 101, true]);
});

test('TRAIL LIMIT validates as the fill engine takes it: a trail, and the limit as an offset or a price with its stop', () => {
  const offset = validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'trail limit', auxPrice: 2, lmtPriceOffset: 0.5 });
  assert.deepEqual(offset.kind === 'explicit' && [offset.orderType, offset.auxPrice, offset.lmtPriceOffset], ['TRAIL LIMIT', 2, 0.5]);
  const order = buildOrder('SELL', 1, offset.kind === 'explicit' ? offset : assert.fail(), 'trail');
  assert.deepEqual([order.orderType, order.auxPrice, order.lmtPriceOffset], ['TRAIL LIMIT', 2, 0.5]);
  const priced = validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'TRAIL LIMIT', trailingPercent: 1, trailStopPrice: 98, lmtPrice: 97.5 });
  assert.deepEqual(priced.kind === 'explicit' && [priced.trailingPercent, priced.trailStopPrice, priced.lmtPrice], [1, 98, 97.5]);
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'TRAIL LIMIT', auxPrice: 2 })), 'msg.order.lmtPriceOffset');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'TRAIL LIMIT', auxPrice: 2, lmtPriceOffset: -1 })), 'msg.order.lmtPriceOffset');
  assert.equal(fieldOf(() => validateOrderIntent({ action: 'SELL', totalQuantity: 1, orderType: 'TRAIL LIMIT', lmtPriceOffset: 0.5 })), 'msg.order.auxPrice');
});

test('order fields this package does not pass on are refused by name, never dropped', () => {
  for (const field of ['ocaGroup', 'displaySize', 'minQty', 'percentOffset', 'algoId', 'totalQty']) {
    assert.throws(
      () => validateOrderIntent({ action: 'BUY', totalQuantity: 10, [field]: 'x' }),
      (err: Error & { field?: string }) => new RegExp(`^msg\\.order\\.${field} is not an order field this node passes to IB, so the order is not sent without it`).test(err.message),
      field,
    );
  }
  assert.throws(() => validateOrderIntent({ orderId: 5, lmtPrice: 10, ocaGroup: 'g' }), /msg\.order\.ocaGroup is not an order field/);
  assert.throws(() => validateOrderIntent({ orderId: 5, lmtPrice: 10, hidden: true }), /msg\.order modifies order 5, and hidden is not changed on a working order here: cancel it and place a new one/);
  assert.throws(() => validateOrderIntent({ targetQuantity: 10, outsideRTH: true }), /msg\.order\.outsideRTH is not an order field/);
  // Fields set to undefined were not given.
  assert.equal(validateOrderIntent({ action: 'BUY', totalQuantity: 10, ocaGroup: undefined }).kind, 'explicit');
});

test('tif GTD needs goodTillDate in a form IB takes; goodTillDate needs tif GTD', () => {
  const gtd = validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 100, tif: 'GTD', goodTillDate: '20261218 16:00:00 US/Eastern' });
  assert.equal(gtd.kind === 'explicit' && gtd.goodTillDate, '20261218 16:00:00 US/Eastern');
  assert.equal((validateOrderIntent({ action: 'BUY', totalQuantity: 10, tif: 'GTD', goodTillDate: '20261218-21:00:00' }) as { goodTillDate?: string }).goodTillDate, '20261218-21:00:00');
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, tif: 'GTD' }), /tif GTD needs msg\.order\.goodTillDate as "yyyyMMdd HH:mm:ss"/);
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, tif: 'GTD', goodTillDate: '2026-12-18' }), /tif GTD needs msg\.order\.goodTillDate/);
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, tif: 'GTD', goodTillDate: '20261218 16:00:00 Mars/Olympus' }), /tif GTD needs msg\.order\.goodTillDate/);
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, tif: 'GTC', goodTillDate: '20261218 16:00:00' }), /msg\.order\.goodTillDate is for tif GTD/);
});

test('goodAfterTime and hidden pass on to IB checked, and reach the order sent', () => {
  const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 100, goodAfterTime: '20261218 09:45:00', hidden: true });
  assert.equal(intent.kind === 'explicit' && intent.goodAfterTime, '20261218 09:45:00');
  assert.equal(intent.kind === 'explicit' && intent.hidden, true);
  if (intent.kind !== 'explicit') throw new Error('explicit');
  const order = buildOrder(intent.action, intent.totalQuantity, intent, 'ref');
  assert.deepEqual([order.goodAfterTime, order.hidden], ['20261218 09:45:00', true]);
  const gtd = validateOrderIntent({ action: 'SELL', totalQuantity: 1, tif: 'GTD', goodTillDate: '20261218-21:00:00' });
  if (gtd.kind !== 'explicit') throw new Error('explicit');
  assert.equal(buildOrder(gtd.action, gtd.totalQuantity, gtd, 'ref').goodTillDate, '20261218-21:00:00');
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, goodAfterTime: 'tomorrow' }), /msg\.order\.goodAfterTime must be "yyyyMMdd HH:mm:ss"/);
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, hidden: 'yes please' }), /msg\.order\.hidden/);
});
