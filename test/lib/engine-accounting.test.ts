/** Fill engine: commission models, slippage, positions (avg cost, realized PnL through flips), equity. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar, Execution, OrderEvent, Position } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import type { FillEngineOptions } from '../../lib/fills/types';
import { createCommissionModel, ibFixed, ibTiered, percentOfValue } from '../../lib/fills/commission';
import { createSlippageModel } from '../../lib/fills/slippage';

const DAY = 86_400_000;
const SYM = 'KO';
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

function flat(day: number, open: number, closePrice = open): Bar {
  return { time: day * DAY, open, high: Math.max(open, closePrice), low: Math.min(open, closePrice), close: closePrice, volume: 1 };
}

function setup(options: Partial<FillEngineOptions> = {}) {
  const engine = new FillEngine({ account: 'DU1234567', startingCash: 100_000, ...options });
  const fills: Execution[] = [];
  const events: OrderEvent[] = [];
  const positions: Position[] = [];
  engine.on('execution', (x) => fills.push(x));
  engine.on('order', (e) => events.push(e));
  engine.on('position', (p) => positions.push(p));
  let nextId = 1;
  let day = 1;
  /** Places a MKT order and feeds the bar that fills it at `price` (closing at `closePrice`). */
  const trade = (action: 'BUY' | 'SELL', quantity: number, price: number, closePrice = price) => {
    engine.submit({ orderId: nextId++, symbol: SYM, action, totalQuantity: quantity, orderType: 'MKT', tif: 'GTC' });
    engine.onBar(SYM, flat(++day, price, closePrice));
  };
  engine.onBar(SYM, flat(day, 10));
  return { engine, fills, events, positions, trade, next: () => nextId++, bar: (open: number, c = open) => engine.onBar(SYM, flat(++day, open, c)) };
}

test('IB fixed: USD 0.005/share, minimum USD 1.00, maximum 1% of trade value', () => {
  const m = ibFixed();
  assert.equal(m.name, 'ib-fixed');
  assert.equal(m.commission(100, 50), 1); // 0.50 raised to the minimum
  assert.equal(m.commission(1000, 50), 5);
  assert.equal(m.commission(10, 5), 0.5); // minimum capped at 1% of USD 50
  assert.equal(m.commission(1, 0.25), 0.0025);
  assert.equal(m.commission(333, 20), 1.665);
});

test('IB fixed charges the minimum once per order, not per partial fill', () => {
  const { engine, fills, events, next } = setup({ commission: ibFixed(), maxFillPerEvent: 100 });
  const id = next();
  engine.submit({ orderId: id, symbol: SYM, action: 'BUY', totalQuantity: 400, orderType: 'MKT', tif: 'GTC' });
  for (let d = 2; d <= 5; d++) engine.onBar(SYM, flat(d, 50));
  // Cumulative charge 1.00, 1.00, 1.50, 2.00: each fill pays the increase.
  assert.deepEqual(
    fills.map((f) => f.commission),
    [1, 0, 0.5, 0.5],
  );
  assert.equal(events.filter((e) => e.orderId === id).at(-1)!.commission, 2);
  assert.equal(engine.commissionsPaid(), 2);
  assert.equal(engine.cash(), 100_000 - 400 * 50 - 2);
  assert.equal(ibFixed().commission(400, 50), 2); // the same as one 400-share fill
});

test('IB tiered (first tier): USD 0.0035/share, minimum 0.35, maximum 1%', () => {
  const m = ibTiered();
  assert.equal(m.commission(100, 50), 0.35);
  assert.equal(m.commission(1000, 50), 3.5);
  assert.equal(m.commission(10, 1), 0.1);
});

test('percent of trade value and the factories', () => {
  assert.equal(percentOfValue(0.1).commission(100, 50), 5);
  assert.equal(createCommissionModel('percent', { percent: 0.2 }).commission(10, 100), 2);
  assert.equal(createCommissionModel('none').commission(1000, 100), 0);
  assert.equal(createCommissionModel('ib-fixed').name, 'ib-fixed');
  assert.equal(createCommissionModel('ib-tiered').name, 'ib-tiered');
  assert.throws(() => createCommissionModel('percent'), /needs a percent/);
  assert.throws(() => createCommissionModel('flat' as never), /unknown commission model 'flat'/);
  assert.throws(() => percentOfValue(-1), /finite number >= 0/);
  assert.equal(createSlippageModel('ticks', 2).adjust('BUY', 100, 0.01), 100.02);
  assert.equal(createSlippageModel('ticks', 2).adjust('SELL', 100, 0.01), 99.98);
  assert.ok(close(createSlippageModel('bps', 10).adjust('BUY', 100, 0.01), 100.1));
  assert.ok(close(createSlippageModel('bps', 10).adjust('SELL', 100, 0.01), 99.9));
  assert.equal(createSlippageModel('none', 0).adjust('BUY', 100, 0.01), 100);
  assert.throws(() => createSlippageModel('ticks', -1), /finite number >= 0/);
  assert.throws(() => createSlippageModel('pct' as never, 1), /unknown slippage kind/);
});

test('slippage moves fills against the trader and never past a limit', () => {
  const { engine, fills, trade, next, bar } = setup({ slippage: createSlippageModel('ticks', 2) });
  trade('BUY', 10, 100);
  trade('SELL', 10, 100);
  assert.deepEqual(
    fills.map((f) => f.price),
    [100.02, 99.98],
  );
  engine.submit({ orderId: next(), symbol: SYM, action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 100, tif: 'GTC' });
  engine.onBar(SYM, { time: 3.5 * DAY, open: 101, high: 101.5, low: 99, close: 100, volume: 1 });
  assert.equal(fills[2].price, 100); // at the limit: the slippage cannot push it over
  engine.submit({ orderId: next(), symbol: SYM, action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 100, tif: 'GTC' });
  bar(99); // gap below the limit: 99 + 2 ticks is still within it
  assert.equal(fills[3].price, 99.02);
});

test('positions: adding averages the cost, reducing realizes PnL', () => {
  const { engine, trade } = setup();
  trade('BUY', 100, 10);
  trade('BUY', 100, 12);
  assert.deepEqual([engine.position(SYM)!.quantity, engine.position(SYM)!.avgCost], [200, 11]);
  trade('SELL', 50, 13);
  const p = engine.position(SYM)!;
  assert.deepEqual([p.quantity, p.avgCost, p.realizedPnl], [150, 11, 100]);
});

test('positions through a flip, without costs: long 100 -> short 50 -> flat', () => {
  const { engine, fills, trade } = setup();
  trade('BUY', 100, 10);
  trade('SELL', 150, 12);
  let p = engine.position(SYM)!;
  assert.deepEqual([p.quantity, p.avgCost, p.realizedPnl], [-50, 12, 200]);
  assert.equal(fills[1].realizedPnl, 200);
  trade('BUY', 50, 11);
  p = engine.position(SYM)!;
  assert.deepEqual([p.quantity, p.avgCost, p.realizedPnl], [0, 0, 250]);
  assert.equal(engine.cash(), 100_250);
  assert.equal(engine.equity(), 100_250);
});

test('positions through a flip with IB fixed commissions: avgCost includes them, realized PnL is net', () => {
  const { engine, fills, positions, trade } = setup({ commission: ibFixed() });
  trade('BUY', 100, 10); // commission 1.00 -> avgCost 10.01
  assert.ok(close(engine.position(SYM)!.avgCost, 10.01));
  trade('SELL', 150, 12, 12.5); // commission 1.00: 2/3 to the closing 100, 1/3 to the new short 50
  let p = engine.position(SYM)!;
  assert.equal(p.quantity, -50);
  assert.ok(close(p.realizedPnl, (12 - 10.01) * 100 - 2 / 3));
  assert.ok(close(p.avgCost, 12 - 1 / 3 / 50));
  assert.equal(engine.cash(), 100_000 - 1000 - 1 + 1800 - 1);
  // Marked at the close 12.5: equity = cash + (-50 x 12.5) = start + realized + unrealized.
  assert.equal(engine.equity(), 100_798 - 625);
  assert.ok(close(p.unrealizedPnl!, (12.5 - p.avgCost) * -50));
  assert.ok(close(100_000 + p.realizedPnl + p.unrealizedPnl!, engine.equity()));
  trade('BUY', 50, 11);
  p = engine.position(SYM)!;
  assert.equal(p.quantity, 0);
  assert.ok(close(fills[2].realizedPnl!, (12 - 1 / 3 / 50 - 11) * 50 - 1));
  assert.ok(close(p.realizedPnl, 247));
  assert.ok(close(engine.equity(), 100_247));
  assert.equal(engine.commissionsPaid(), 3);
  assert.deepEqual(
    positions.map((x) => x.quantity),
    [100, -50, 0],
  );
});

test('equity is marked at every bar close', () => {
  const { engine, trade, bar } = setup();
  trade('BUY', 100, 10, 10.5);
  assert.equal(engine.equity(), 100_000 - 1000 + 1050);
  bar(10.5, 9.75);
  assert.equal(engine.equity(), 100_000 - 1000 + 975);
  const p = engine.position(SYM)!;
  assert.deepEqual([p.marketPrice, p.marketValue, p.unrealizedPnl], [9.75, 975, -25]);
  assert.equal(engine.positions().length, 1);
  assert.equal(engine.position('UNTRADED'), undefined);
});

test('equity sums every instrument, long and short, each marked at its own last close', () => {
  const engine = new FillEngine({ account: 'DU1234567', startingCash: 10_000 });
  engine.onBar('A', flat(1, 10));
  engine.onBar('B', flat(1, 20));
  engine.submit({ orderId: 1, symbol: 'A', action: 'BUY', totalQuantity: 10, orderType: 'MKT', tif: 'GTC' });
  engine.submit({ orderId: 2, symbol: 'B', action: 'SELL', totalQuantity: 5, orderType: 'MKT', tif: 'GTC' });
  engine.onBar('A', flat(2, 11, 12)); // buys 10 A at 11, marks 12
  engine.onBar('B', flat(2, 21, 19)); // sells 5 B at 21, marks 19
  assert.equal(engine.cash(), 10_000 - 110 + 105);
  assert.equal(engine.equity(), 10_000 - 110 + 105 + 10 * 12 - 5 * 19);
  assert.deepEqual(
    engine.positions().map((p) => [p.symbol, p.quantity, p.unrealizedPnl]),
    [
      ['A', 10, 10],
      ['B', -5, 10],
    ],
  );
});
