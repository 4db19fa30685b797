/**
 * Which order types carry a limit price and an aux price is one table (lib/messages/order-types.ts):
 * place-order's validation, the fill engine's check and the guard's notional all answer from it, so
 * they agree for every type, the new ones (REL, MIDPRICE, PEG MID) too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORDER_TYPES, ORDER_TYPE_RULES, orderOwnPrice, type OrderType } from '../../lib/messages/order-types';
import { validateOrderIntent } from '../../lib/orders/validate';
import { orderProblem } from '../../lib/fills/validate';
import { buildOrder } from '../../lib/orders/build';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { guardBroker } from '../../lib/broker';
import { contractFromKey } from '../../lib/messages/instrument';
import { OrderRefusedError } from '../../lib/orders/errors';

/** The fewest prices each type needs, read off the table (a trail takes an amount). */
function needed(type: OrderType): Record<string, number> {
  const rule = ORDER_TYPE_RULES[type];
  const out: Record<string, number> = {};
  if (rule.lmtPrice?.required) out.lmtPrice = 100;
  if (rule.auxPrice?.required) out.auxPrice = rule.auxPrice.role === 'offset' ? 0.05 : 99;
  if (rule.auxPrice?.role === 'trail') out.auxPrice = 1;
  if (type === 'TRAIL LIMIT') out.lmtPriceOffset = 0.1;
  return out;
}

test('every order type has a rule, and place-order and the fill engine accept and refuse the same prices for it', () => {
  assert.deepEqual(Object.keys(ORDER_TYPE_RULES).sort(), [...ORDER_TYPES].sort());
  for (const type of ORDER_TYPES) {
    const prices = needed(type);
    const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: type, ...prices });
    assert.equal(intent.kind, 'explicit', type);
    const order = buildOrder('BUY', 10, intent as never, 'rules');
    assert.equal(orderProblem({ orderId: 1, symbol: 'AAPL', ...order, orderType: type } as never, 0.01), null, `${type} with ${JSON.stringify(prices)}`);
    for (const field of Object.keys(prices)) {
      if (type === 'TRAIL LIMIT' && field === 'lmtPriceOffset') continue; // lmtPrice with trailStopPrice stands in for it
      const without = { ...prices };
      delete without[field];
      assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: type, ...without }), /msg\.order\./, `${type} without ${field}`);
      if (ORDER_TYPE_RULES[type].auxPrice?.role !== 'trail') {
        assert.notEqual(orderProblem({ orderId: 1, symbol: 'AAPL', action: 'BUY', totalQuantity: 10, orderType: type, ...without } as never, 0.01), null, `the engine refuses ${type} without ${field}`);
      }
    }
  }
});

test('the new types validate: REL needs its offset, MIDPRICE and PEG MID take an optional cap, FOK is for MKT and LMT', () => {
  const rel = validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: 'rel', auxPrice: 0 });
  assert.deepEqual(rel.kind === 'explicit' && [rel.orderType, rel.auxPrice, rel.lmtPrice], ['REL', 0, undefined]);
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: 'REL' }), /msg\.order\.auxPrice is required for REL orders \(the offset from the bid \(buy\) or the ask \(sell\) it is pegged to; 0 for none\)/);
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: 'PEG MID', auxPrice: -1 }), /msg\.order\.auxPrice must be a price distance of 0 or more/);
  const mid = validateOrderIntent({ action: 'SELL', totalQuantity: 10, orderType: 'MIDPRICE', lmtPrice: 99.5 });
  assert.deepEqual(mid.kind === 'explicit' && [mid.orderType, mid.lmtPrice], ['MIDPRICE', 99.5]);
  assert.equal(validateOrderIntent({ targetQuantity: 10, orderType: 'PEG MID' }).kind, 'target', 'a peg works now: it may move to a target');
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: 'MIDPRICE', lmtPrice: 0 }), /msg\.order\.lmtPrice must be a positive price/);
  assert.equal(validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 100, tif: 'fok' }).kind, 'explicit');
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, orderType: 'MIDPRICE', tif: 'FOK' }), /tif FOK \(fill all at once or cancel\) works with MKT or LMT orders only, got MIDPRICE/);
  assert.throws(() => validateOrderIntent({ targetQuantity: 10, orderType: 'MIT', auxPrice: 1 }), /cannot move to a target position: use MKT, LMT, REL, MIDPRICE, PEG MID, MOC, LOC with targetQuantity/);
});

test("an order's own worst price: its limit or cap, else its stop or trigger; none for a market order, a trail or a peg without a cap", () => {
  assert.equal(orderOwnPrice('LMT', 101, undefined), 101);
  assert.equal(orderOwnPrice('STP LMT', 98, 99), 98);
  assert.equal(orderOwnPrice('MIT', undefined, 97), 97);
  assert.equal(orderOwnPrice('TRAIL LIMIT', 95, 1), 95);
  assert.equal(orderOwnPrice('TRAIL', undefined, 1), undefined, 'a trailing amount is not a price');
  assert.equal(orderOwnPrice('REL', 102, 0.05), 102);
  assert.equal(orderOwnPrice('REL', undefined, 0.05), undefined, 'an offset is not a price');
  assert.equal(orderOwnPrice('MIDPRICE', undefined, undefined), undefined);
  assert.equal(orderOwnPrice('MKT', 5, 5), undefined);
});

test('the guard counts a TRAIL LIMIT or a capped REL at its own price, not at the last price, against the notional limit', () => {
  const connection = createBacktestConnection({ startingCash: 1_000_000, commission: 'none' });
  const broker = guardBroker(connection.broker, { limits: { maxOrderNotional: 5_000 }, journalPath: null, clock: () => 0 });
  connection.replay().begin('test', 'AAPL', null);
  connection.replay().onBar('AAPL', { time: 0, open: 10, high: 10, low: 10, close: 10, volume: 1 });
  const contract = contractFromKey('AAPL');
  // 100 at the last price 10 is 1,000; at their own prices of 100 it is 10,000, over the limit.
  for (const order of [
    { action: 'BUY', totalQuantity: 100, orderType: 'TRAIL LIMIT', auxPrice: 1, trailStopPrice: 99, lmtPrice: 100, tif: 'GTC', transmit: true },
    { action: 'BUY', totalQuantity: 100, orderType: 'REL', auxPrice: 0.05, lmtPrice: 100, tif: 'DAY', transmit: true },
  ]) {
    assert.throws(() => broker.placeOrder(1, contract, order as never, { price: 10 }), (err: Error) => err instanceof OrderRefusedError && /notional/.test(err.message), order.orderType);
  }
  broker.placeOrder(2, contract, { action: 'BUY', totalQuantity: 100, orderType: 'REL', auxPrice: 0.05, tif: 'DAY', transmit: true } as never, { price: 10 });
  broker.dispose();
});

test('a what-if on a backtest connection previews from the fill engine and places nothing; the order then takes that margin', async () => {
  const connection = createBacktestConnection({ startingCash: 100_000, commission: 'ib-fixed', accountType: 'reg-t' } as never);
  const broker = guardBroker(connection.broker, { limits: { maxOrderNotional: 1 }, journalPath: null, clock: () => 0 });
  connection.replay().begin('test', 'AAPL', null);
  connection.replay().onBar('AAPL', { time: 0, open: 100, high: 100, low: 100, close: 100, volume: 1 });
  const contract = contractFromKey('AAPL');
  const order = { action: 'BUY', totalQuantity: 100, orderType: 'LMT', lmtPrice: 100, tif: 'DAY', transmit: true } as never;
  // The notional limit of 1 would refuse the order: a preview passes no limit, it places nothing.
  const preview = await broker.whatIf(contract, order);
  assert.deepEqual([preview.initMarginBefore, preview.initMarginChange, preview.maintMarginChange], [0, 5_000, 2_500]);
  assert.ok((preview.commission ?? 0) > 0);
  assert.equal(broker.workingOrders().length, 0);
  await assert.rejects(broker.whatIf(contract, { ...(order as object), orderType: 'LMT', lmtPrice: undefined } as never), /what-if: A LMT order needs a limit price/);
  broker.dispose();
});

test('a what-if is taken only where it is previewed (place-order): stop-order and a batch backtest would place it, so they refuse it by name', () => {
  const previewed = validateOrderIntent({ action: 'BUY', totalQuantity: 10, whatIf: true }, {}, 'msg.order', 1, true);
  assert.equal(previewed.kind === 'explicit' && previewed.whatIf, true);
  assert.throws(() => validateOrderIntent({ action: 'BUY', totalQuantity: 10, whatIf: true }), /msg\.order\.whatIf previews an order in place-order; this node places the orders it is given/);
  assert.equal(validateOrderIntent({ action: 'BUY', totalQuantity: 10, whatIf: false }).kind, 'explicit', 'whatIf false places it');
  assert.throws(() => validateOrderIntent({ targetQuantity: 10, whatIf: true }, {}, 'msg.order', 1, true), /msg\.order\.whatIf previews one explicit order/);
  assert.throws(() => validateOrderIntent({ orderId: 7, lmtPrice: 10, whatIf: true }, {}, 'msg.order', 1, true), /whatIf is not changed on a working order/);
});

test('a backtest fills an algo order as its order type, and holds a conditioned one until the close before a bar meets it', () => {
  const connection = createBacktestConnection({ startingCash: 1_000_000, commission: 'none' });
  const broker = guardBroker(connection.broker, { limits: {}, journalPath: null, clock: () => 0 });
  const replay = connection.replay();
  replay.begin('test', 'AAPL', null);
  const bar = (i: number, price: number) => replay.onBar('AAPL', { time: i * 60_000, open: price, high: price, low: price, close: price, volume: 1 });
  bar(0, 100);
  const contract = contractFromKey('AAPL');
  const build = (fields: Record<string, unknown>) => {
    const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, ...fields });
    if (intent.kind !== 'explicit') throw new Error('explicit');
    return buildOrder('BUY', 10, intent, 'bt');
  };
  broker.placeOrder(1, contract, build({ orderType: 'MKT', algoStrategy: 'Vwap', algoParams: { maxPctVol: 0.1 } }));
  broker.placeOrder(2, contract, build({ orderType: 'MKT', conditions: [{ type: 'price', isMore: true, price: 105 }] }));
  bar(1, 101);
  assert.equal(broker.position('AAPL'), 10, 'the Vwap order filled as a market order at the next open');
  assert.equal(broker.workingOrders()[0]?.state.status, 'PreSubmitted');
  bar(2, 106); // this close meets the condition
  assert.equal(broker.position('AAPL'), 10);
  bar(3, 107);
  assert.equal(broker.position('AAPL'), 20, 'released by the 106 close, filled at the next open');
  broker.dispose();
});
