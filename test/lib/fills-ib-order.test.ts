/**
 * The one mapping from IB's order (Contract + Order) to the engine's order, as the backtest broker and
 * the simulator's PLACE_ORDER handler both use it: every field the engine acts on, IB's zeros as
 * "none", the multiplier from the caller before the contract's, and nothing judged (the engine rejects).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Contract, Order } from '@stoqey/ib';
import { engineOrderFromIb } from '../../lib/fills/ib-order';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { OrderEvent } from '../../lib/messages';

const es: Contract = { symbol: 'ES', secType: 'FUT' as Contract['secType'], exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '20261218', multiplier: '50' as unknown as number };

describe('IB order to engine order', () => {
  it('maps every field the engine acts on, keyed by the contract', () => {
    const order = {
      action: 'sell',
      totalQuantity: 2,
      orderType: 'trail limit',
      lmtPrice: 4990,
      auxPrice: 5,
      trailStopPrice: 4995,
      lmtPriceOffset: 1.25,
      parentId: 7,
      tif: 'gtc',
      ocaGroup: 'g1',
      ocaType: 1,
      orderRef: 'sma:stop-loss',
      transmit: false,
      outsideRth: true,
    } as unknown as Order;
    assert.deepEqual(engineOrderFromIb(9, es, order, { account: 'DU1' }), {
      orderId: 9,
      symbol: 'ES:FUT:CME:USD:20261218',
      action: 'SELL',
      totalQuantity: 2,
      orderType: 'TRAIL LIMIT',
      account: 'DU1',
      lmtPrice: 4990,
      auxPrice: 5,
      trailStopPrice: 4995,
      lmtPriceOffset: 1.25,
      parentId: 7,
      tif: 'GTC',
      ocaGroup: 'g1',
      ocaType: 1,
      orderRef: 'sma:stop-loss',
      transmit: false,
      outsideRth: true,
      multiplier: 50,
    });
  });

  it("reads IB's zeros and blanks as none, an empty type as MKT, and lets the caller name key, multiplier and client", () => {
    const wire = { action: 'BUY', totalQuantity: 100, orderType: '', lmtPrice: undefined, parentId: 0, tif: '', ocaGroup: '', ocaType: 0, orderRef: '', transmit: true, outsideRth: false };
    assert.deepEqual(engineOrderFromIb(3, { symbol: 'ES' }, wire, { account: 'DU2', symbol: 'ES:FUT:CME:USD:202612', multiplier: 50, clientId: 4 }), {
      orderId: 3,
      symbol: 'ES:FUT:CME:USD:202612',
      action: 'BUY',
      totalQuantity: 100,
      orderType: 'MKT',
      account: 'DU2',
      clientId: 4,
      multiplier: 50,
    });
    assert.equal(engineOrderFromIb(1, { symbol: 'aapl' }, wire, { account: 'A' }).symbol, 'AAPL');
    assert.equal(engineOrderFromIb(1, { symbol: 'AAPL' }, wire, { account: 'A' }).multiplier, undefined, 'a stock carries none');
  });

  it('judges nothing itself: the engine rejects what it cannot take, with its reason', () => {
    const engine = new FillEngine({ account: 'A', startingCash: 1000 });
    const events: OrderEvent[] = [];
    engine.on('order', (e) => events.push(e));
    engine.submit(engineOrderFromIb(1, { symbol: 'AAPL' }, { action: 'HOLD', totalQuantity: 1, orderType: 'MKT' }, { account: 'A' }));
    engine.submit(engineOrderFromIb(2, { symbol: 'AAPL' }, { action: 'BUY', totalQuantity: 1, orderType: 'MKT', ocaGroup: 'x', ocaType: 5 }, { account: 'A' }));
    assert.deepEqual(events.map((e) => [e.orderId, e.status]), [[1, 'Inactive'], [2, 'Inactive']]);
    assert.match(String(events[0]!.reason), /action must be BUY or SELL, got HOLD/);
    assert.match(String(events[1]!.reason), /ocaType must be 1, 2 or 3, got 5/);
  });
});
