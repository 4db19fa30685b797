/**
 * msg.order's algos (algoStrategy with algoParams as TWS takes them) and conditions (price and time,
 * conditionsCancelOrder, conditionsIgnoreRth): checked naming the field, and built into @stoqey/ib's
 * own Order (its TagValue list and condition classes) so its encoder sends them as TWS reads them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PriceCondition, TimeCondition } from '@stoqey/ib';
import { validateOrderIntent } from '../../lib/orders/validate';
import { applyModification, buildOrder } from '../../lib/orders/build';

const order = (fields: Record<string, unknown>) => {
  const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, ...fields });
  if (intent.kind === 'modify') throw new Error('not a new order');
  return buildOrder('BUY', 10, intent, 'ref');
};

test('algos: Adaptive, Vwap and Twap with their parameters, as a TWS list or an object, each value as TWS takes it', () => {
  const adaptive = order({ orderType: 'MKT', algoStrategy: 'adaptive', algoParams: [{ tag: 'adaptivePriority', value: 'urgent' }] });
  assert.deepEqual([adaptive.algoStrategy, adaptive.algoParams], ['Adaptive', [{ tag: 'adaptivePriority', value: 'Urgent' }]]);
  const vwap = order({ orderType: 'LMT', lmtPrice: 100, algoStrategy: 'Vwap', algoParams: { maxPctVol: 0.2, startTime: '09:45:00 US/Eastern', endTime: '20261218 15:30:00', allowPastEndTime: true, noTakeLiq: 0 } });
  assert.deepEqual(vwap.algoParams, [
    { tag: 'maxPctVol', value: '0.2' },
    { tag: 'startTime', value: '09:45:00 US/Eastern' },
    { tag: 'endTime', value: '20261218 15:30:00' },
    { tag: 'allowPastEndTime', value: '1' },
    { tag: 'noTakeLiq', value: '0' },
  ]);
  const twap = order({ orderType: 'LMT', lmtPrice: 100, algoStrategy: 'Twap', algoParams: { strategyType: 'matching midpoint' } });
  assert.deepEqual(twap.algoParams, [{ tag: 'strategyType', value: 'Matching Midpoint' }]);
  assert.deepEqual(order({ orderType: 'MKT', algoStrategy: 'Adaptive' }).algoParams, []);
  assert.equal(validateOrderIntent({ targetQuantity: 50, algoStrategy: 'Adaptive', algoParams: { adaptivePriority: 'Patient' } }).kind, 'target');
});

test('algos refuse what TWS would not take, naming the field', () => {
  const refused = (fields: Record<string, unknown>, message: RegExp) => assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, ...fields }), message);
  refused({ algoStrategy: 'Iceberg' }, /msg\.order\.algoStrategy "Iceberg" is not an algo this node sends: use Adaptive, Vwap, Twap, or "none" for no algo/);
  assert.equal(order({ algoStrategy: 'none' }).algoStrategy, undefined);
  assert.equal(validateOrderIntent({ action: 'BUY', totalQuantity: 1, algoStrategy: 'None' }, { algoStrategy: 'Adaptive', algoParams: [{ tag: 'adaptivePriority', value: 'Urgent' }] }).kind, 'explicit', "msg.order's none over the settings' algo");
  refused({ orderType: 'STP', auxPrice: 99, algoStrategy: 'Adaptive' }, /the Adaptive algo runs on MKT or LMT orders, got STP/);
  refused({ algoStrategy: 'Adaptive', algoParams: { priority: 'Urgent' } }, /msg\.order\.algoParams: "priority" is not a parameter of the Adaptive algo: use adaptivePriority/);
  refused({ algoStrategy: 'Adaptive', algoParams: { adaptivePriority: 'Fast' } }, /adaptivePriority of the Adaptive algo takes "Urgent", "Normal" or "Patient", got "Fast"/);
  refused({ algoStrategy: 'Vwap', algoParams: { maxPctVol: 0.9 } }, /maxPctVol of the Vwap algo takes a fraction of the volume from 0\.01 to 0\.5/);
  refused({ algoStrategy: 'Vwap', algoParams: { startTime: '9:45' } }, /startTime of the Vwap algo takes "HH:mm:ss"/);
  refused({ algoStrategy: 'Twap', algoParams: [{ value: 'x' }] }, /msg\.order\.algoParams\[0\] must be \{"tag": "\.\.\.", "value": "\.\.\."\}/);
  refused({ algoStrategy: 'Twap', algoParams: 'fast' }, /msg\.order\.algoParams must be a list of \{"tag", "value"\}/);
  refused({ algoParams: { adaptivePriority: 'Urgent' } }, /msg\.order\.algoParams needs msg\.order\.algoStrategy/);
});

test('conditions: price and time, joined by and / or, built as @stoqey/ib condition objects with the flags', () => {
  const built = order({
    orderType: 'LMT',
    lmtPrice: 100,
    conditions: [
      { type: 'price', conId: 265598, isMore: true, price: '201.5', triggerMethod: 'midpoint', conjunction: 'or' },
      { type: 'time', time: '20261218 10:00:00 US/Eastern' },
    ],
    conditionsCancelOrder: true,
  });
  const [p, t] = built.conditions ?? [];
  assert.ok(p instanceof PriceCondition && t instanceof TimeCondition);
  assert.deepEqual([p.conId, p.exchange, p.isMore, p.price, p.triggerMethod, p.conjunctionConnection, p.strValue], [265598, 'SMART', true, 201.5, 8, 'o', '201.5']);
  assert.deepEqual([t.time, t.isMore, t.conjunctionConnection], ['20261218 10:00:00 US/Eastern', true, 'a']);
  assert.deepEqual([built.conditionsCancelOrder, built.conditionsIgnoreRth], [true, false]);
  const own = order({ conditions: [{ type: 'price', isMore: false, price: 150 }], conditionsIgnoreRth: 'true' });
  const [first] = own.conditions ?? [];
  assert.ok(first instanceof PriceCondition);
  assert.equal(first.conId, undefined, "no conId: the order's own instrument");
  assert.equal(own.conditionsIgnoreRth, true);
});

test('conditions refuse what is malformed, naming the field', () => {
  const refused = (fields: Record<string, unknown>, message: RegExp) => assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, ...fields }), message);
  refused({ conditions: [] }, /msg\.order\.conditions must be a non-empty list/);
  refused({ conditions: [{ type: 'volume', isMore: true }] }, /msg\.order\.conditions\[0\]\.type must be "price" or "time"/);
  refused({ conditions: [{ type: 'price', price: 10 }] }, /msg\.order\.conditions\[0\]\.isMore must be true/);
  refused({ conditions: [{ type: 'price', isMore: true, price: -1 }] }, /conditions\[0\]\.price must be a positive price/);
  refused({ conditions: [{ type: 'price', isMore: true, price: 1, triggerMethod: 'bidask' }] }, /triggerMethod must be "default" \(0\), "last" \(2\) or "midpoint" \(8\)/);
  refused({ conditions: [{ type: 'price', isMore: true, price: 1, conId: 'AAPL' }] }, /conditions\[0\]\.conId must be the contract id/);
  refused({ conditions: [{ type: 'price', isMore: true, price: 1, conId: 272093, symbol: 'MSFT' }] }, /conditions\[0\] names its instrument by conId and symbol: give one of conId, symbol or contract/);
  refused({ conditions: [{ type: 'price', isMore: true, price: 1, symbol: 42 }] }, /conditions\[0\]\.symbol must be an instrument key such as "MSFT"/);
  refused({ conditions: [{ type: 'price', isMore: true, price: 1, contract: 'MSFT' }] }, /conditions\[0\]\.contract: contract must be an object/);
  refused({ conditions: [{ type: 'time', time: 'tomorrow' }] }, /conditions\[0\]\.time must be "yyyyMMdd HH:mm:ss"/);
  refused({ conditions: [{ type: 'time', time: '20261218 10:00:00', price: 5 }] }, /conditions\[0\]\.price is not a field of a time condition: use type, isMore, time, conjunction/);
  refused({ conditions: [{ type: 'time', time: '20261218 10:00:00', conjunction: 'xor' }] }, /conjunction must be "and" or "or"/);
  refused({ conditionsCancelOrder: true }, /msg\.order\.conditionsCancelOrder says what the order's conditions do: give msg\.order\.conditions/);
});

test('a modification changes the algo and the conditions whole (TWS takes them on a working order), or takes them off', () => {
  const working = order({ orderType: 'LMT', lmtPrice: 100, algoStrategy: 'Adaptive', algoParams: { adaptivePriority: 'Patient' }, conditions: [{ type: 'time', time: '20261218 10:00:00' }], conditionsCancelOrder: true });
  const modify = (fields: Record<string, unknown>) => {
    const intent = validateOrderIntent({ orderId: 7, ...fields });
    if (intent.kind !== 'modify') throw new Error('a modification');
    return applyModification(working, intent.changes);
  };
  const changed = modify({ algoStrategy: 'Vwap', algoParams: { maxPctVol: 0.1 }, conditions: [{ type: 'price', conId: 272093, isMore: false, price: 300 }] });
  assert.deepEqual([changed.algoStrategy, changed.algoParams], ['Vwap', [{ tag: 'maxPctVol', value: '0.1' }]]);
  const [price] = changed.conditions ?? [];
  assert.ok(price instanceof PriceCondition && price.conId === 272093 && price.isMore === false);
  assert.equal(changed.conditionsCancelOrder, true, 'kept from the working order');
  const off = modify({ algoStrategy: 'none', conditions: [] });
  assert.deepEqual([off.algoStrategy, off.algoParams, off.conditions, off.conditionsCancelOrder], [undefined, undefined, undefined, undefined]);
  assert.equal(working.algoStrategy, 'Adaptive', 'the working order itself is not changed');
  assert.throws(() => validateOrderIntent({ orderId: 7, algoParams: { adaptivePriority: 'Urgent' } }), /msg\.order modifies order 7: give msg\.order\.algoStrategy with its algoParams/);
  assert.throws(() => validateOrderIntent({ orderId: 7, algoStrategy: 'Adaptive', algoParams: { maxPctVol: 0.1 } }), /maxPctVol" is not a parameter of the Adaptive algo/);
  assert.throws(() => validateOrderIntent({ orderId: 7, conditions: [{ type: 'volume' }] }), /conditions\[0\]\.type must be "price" or "time"/);
});
