/**
 * Fill engine with contract multipliers: an E-mini S&P future (multiplier 50) round trip books
 * points x 50 x contracts in cash, realized and unrealized P&L, equity, market value and the round-trip
 * trade; avgCost is per contract as TWS reports it; IB commissions are per contract for futures and
 * options; a derivative without a multiplier is refused with a message that says how to fix it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, Execution, OrderEvent, Position } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { EngineOrder, FillEngineOptions } from '../../lib/fills/types';
import { ibFixed, ibTiered, percentOfValue } from '../../lib/fills/commission';
import { contractMultiplier, secTypeOfKey } from '../../lib/fills/contract-terms';
import { roundTrips } from '../../lib/backtest/trades';

const DAY = 86_400_000;
const ES = 'ES:FUT:CME:USD:20261218';
const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

function bar(day: number, open: number, closePrice = open): Bar {
  return { time: day * DAY, open, high: Math.max(open, closePrice), low: Math.min(open, closePrice), close: closePrice, volume: 1 };
}

function setup(options: Partial<FillEngineOptions> = {}, symbol = ES, tick = 0.25) {
  const engine = new FillEngine({ account: 'DU1', startingCash: 1_000_000, minTick: () => tick, ...options });
  const fills: Execution[] = [];
  const events: OrderEvent[] = [];
  const positions: Position[] = [];
  engine.on('execution', (x) => fills.push(x));
  engine.on('order', (e) => events.push(e));
  engine.on('position', (p) => positions.push(p));
  let id = 1;
  let day = 1;
  engine.onBar(symbol, bar(day, 5000));
  const submit = (order: Partial<EngineOrder>) => {
    const orderId = id++;
    engine.submit({ orderId, symbol, action: 'BUY', totalQuantity: 1, orderType: 'MKT', tif: 'GTC', ...order });
    return orderId;
  };
  const next = (open: number, closePrice = open) => engine.onBar(symbol, bar(++day, open, closePrice));
  return { engine, fills, events, positions, submit, next };
}

test('ES (multiplier 50) round trip: P&L = points x 50 x contracts everywhere the money shows', () => {
  const { engine, fills, events, submit, next } = setup();
  submit({ action: 'BUY', totalQuantity: 2, multiplier: 50 });
  next(5000, 5004); // fills at the open 5000, marked at 5004
  assert.equal(engine.cash(), 1_000_000 - 2 * 5000 * 50);
  const held = engine.position(ES)!;
  assert.equal(held.quantity, 2);
  assert.equal(held.avgCost, 5000 * 50, 'avgCost per contract, as TWS reports it');
  assert.equal(held.marketPrice, 5004, 'the mark stays per unit');
  assert.equal(held.marketValue, 2 * 5004 * 50);
  assert.equal(held.unrealizedPnl, 4 * 50 * 2);
  assert.equal(held.multiplier, 50);
  assert.equal(engine.equity(), 1_000_000 + 4 * 50 * 2);

  submit({ action: 'SELL', totalQuantity: 2, multiplier: '50' });
  next(5010.25);
  const pnl = (5010.25 - 5000) * 50 * 2;
  assert.equal(pnl, 1025);
  assert.equal(engine.cash(), 1_000_000 + pnl);
  assert.equal(engine.equity(), 1_000_000 + pnl);
  const flat = engine.position(ES)!;
  assert.equal(flat.quantity, 0);
  assert.equal(flat.realizedPnl, pnl);
  assert.equal(flat.marketValue, 0);
  // Executions and order events keep the price per unit, as TWS's execDetails and orderStatus do.
  assert.deepEqual(fills.map((f) => [f.side, f.shares, f.price, f.realizedPnl, f.multiplier]), [
    ['BUY', 2, 5000, null, 50],
    ['SELL', 2, 5010.25, pnl, 50],
  ]);
  assert.equal(events.filter((e) => e.status === 'Filled').at(-1)!.avgFillPrice, 5010.25);

  const [trade] = roundTrips(fills);
  assert.equal(trade!.pnl, pnl, 'trade pnl = (exit - entry) x qty x multiplier');
  assert.equal(trade!.multiplier, 50);
  assert.ok(close(trade!.returnPct, (pnl / (5000 * 2 * 50)) * 100));
});

test('a short future and a flip through zero realize with the multiplier; commissions per contract', () => {
  const { engine, fills, submit, next } = setup({ commission: ibFixed() });
  submit({ action: 'SELL', totalQuantity: 3, multiplier: 50 });
  next(5000);
  // IB fixed, US futures: USD 0.85 a contract, no per-order minimum or percent cap.
  assert.equal(fills[0]!.commission, 3 * 0.85);
  // avgCost of a short is net of its commission, spread over 3 contracts of 50.
  assert.ok(close(engine.position(ES)!.avgCost, 5000 * 50 - 0.85));
  submit({ action: 'BUY', totalQuantity: 5, multiplier: 50 });
  next(4990);
  const flip = fills[1]!;
  assert.equal(flip.commission, 5 * 0.85);
  // Closing 3 of the 5 contracts: 10 points x 50 x 3, less the opening 3 x 0.85 in avgCost and 3/5 of this fill's commission.
  assert.ok(close(flip.realizedPnl!, 10 * 50 * 3 - 3 * 0.85 - 3 * 0.85));
  const now = engine.position(ES)!;
  assert.equal(now.quantity, 2);
  assert.ok(close(now.avgCost, 4990 * 50 + 0.85), 'the 2 new contracts carry their own commission');
  next(4995);
  assert.ok(close(engine.equity(), 1_000_000 - 8 * 0.85 + 10 * 50 * 3 + 5 * 50 * 2));
  const trades = roundTrips(fills);
  assert.equal(trades.length, 2);
  assert.ok(close(trades[0]!.pnl, 10 * 50 * 3 - 6 * 0.85));
  assert.equal(trades[1]!.open, true);
  assert.equal(engine.commissionsPaid(), 8 * 0.85);
});

test('a FUT or OPT order without a multiplier is refused, saying what to set; stocks and forex count 1', () => {
  const { events, submit, engine } = setup();
  submit({ totalQuantity: 1 });
  const rejected = events.at(-1)!;
  assert.equal(rejected.status, 'Inactive');
  assert.match(rejected.reason!, /ES:FUT:CME:USD:20261218 is a FUT contract and its order carries no contract multiplier.*set multiplier \(e\.g\. 50 for ES.*on the msg\.contract the order is placed with/);
  assert.equal(engine.positions().length, 0);
  for (const bad of [0, -50, 'fifty', '', NaN]) {
    submit({ multiplier: bad as never });
    assert.equal(events.at(-1)!.status, 'Inactive', `multiplier ${String(bad)} is no multiplier`);
  }

  const option = 'AAPL:OPT:SMART:USD:20261218:200C';
  const o = setup({}, option, 0.01);
  o.submit({ totalQuantity: 1 });
  assert.match(o.events.at(-1)!.reason!, /OPT contract .*100 for a US equity option/);
  o.submit({ totalQuantity: 2, multiplier: '100' });
  o.next(5000, 5001);
  assert.equal(o.engine.position(option)!.marketValue, 2 * 5001 * 100);

  const stock = setup({}, 'AAPL', 0.01);
  stock.submit({ totalQuantity: 10 });
  stock.next(5000, 5001);
  assert.equal(stock.engine.position('AAPL')!.marketValue, 10 * 5001);
  assert.equal(stock.engine.position('AAPL')!.multiplier, undefined, 'no multiplier field on shares');
  const fx = setup({}, 'EUR:CASH:IDEALPRO:USD', 0.25);
  fx.submit({ totalQuantity: 20000 });
  fx.next(5000);
  assert.equal(fx.engine.position('EUR:CASH:IDEALPRO:USD')!.avgCost, 5000);
});

test('an instrument trades at one multiplier: a later order with another is refused, one without it is fine', () => {
  const { events, submit, next, engine } = setup();
  submit({ multiplier: 50 });
  next(5000);
  submit({ action: 'SELL', multiplier: 5 });
  assert.equal(events.at(-1)!.status, 'Inactive');
  assert.match(events.at(-1)!.reason!, /multiplier 5 differs from the 50 that ES:FUT:CME:USD:20261218 trades at/);
  submit({ action: 'SELL' });
  next(5001);
  assert.equal(engine.position(ES)!.realizedPnl, 50);
  // Modifying a working order to another multiplier is refused too.
  const id = submit({ orderType: 'LMT', lmtPrice: 4000, multiplier: 50 });
  engine.submit({ orderId: id, symbol: ES, action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 4000.25, multiplier: 20 });
  assert.match(events.at(-1)!.reason!, /multiplier 20 differs/);
});

test("the engine's multiplier option (contract details the caller knows) fixes an instrument's terms", () => {
  const { engine, submit, next, events } = setup({ multiplier: (symbol) => (symbol === ES ? 50 : undefined) });
  submit({ totalQuantity: 1 });
  next(5000, 5002);
  assert.equal(events.at(-1)!.status, 'Filled');
  assert.equal(engine.position(ES)!.unrealizedPnl, 100);
});

test('commission models price futures and options per contract and percent on the notional', () => {
  const fut = { secType: 'FUT', multiplier: 50 };
  const opt = { secType: 'OPT', multiplier: 100 };
  for (const model of [ibFixed(), ibTiered()]) {
    assert.equal(model.commission(1, 5000, fut), 0.85);
    assert.equal(model.commission(10, 5000, fut), 8.5);
    assert.equal(model.forOrder!(4, 4 * 5000 * 50, fut), 3.4);
    assert.equal(model.commission(1, 2.5, opt), 1, 'USD 0.65 a contract, minimum USD 1.00 an order');
    assert.equal(model.commission(10, 2.5, opt), 6.5);
  }
  // Shares are unchanged: IB fixed 0.005/share, min 1, max 1% of value.
  assert.equal(ibFixed().commission(1000, 50), 5);
  assert.equal(ibFixed().commission(1000, 50, { secType: 'STK', multiplier: 1 }), 5);
  // Percent of trade value: the future's notional (2 x 5000 x 50).
  assert.equal(percentOfValue(0.01).commission(2, 5000, fut), 50);
});

test('contract terms: multipliers read from numbers or strings; security type from the instrument key', () => {
  assert.equal(contractMultiplier({ multiplier: 50 }), 50);
  assert.equal(contractMultiplier({ multiplier: ' 100 ' }), 100);
  assert.equal(contractMultiplier({ multiplier: '0.1' }), 0.1);
  for (const none of [undefined, null, '', 0, '0', -1, 'x', Infinity]) assert.equal(contractMultiplier({ multiplier: none }), undefined);
  assert.equal(contractMultiplier(undefined), undefined);
  assert.equal(secTypeOfKey('AAPL'), 'STK');
  assert.equal(secTypeOfKey('ES:FUT:CME:USD:202612'), 'FUT');
  assert.equal(secTypeOfKey('EUR:CASH:IDEALPRO:USD'), 'CASH');
});
