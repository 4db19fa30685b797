/**
 * Each instrument's own terms in backtests: minTick, multiplier and margin per instrument from a
 * contracts table on the backtest connection, from what a replaying source read from IB's contract
 * details, or from defaults by instrument (currency pairs on IDEALPRO's 0.00005, common futures on their
 * contract tick); used by tick validation, tick slippage, money and margin. IB's forex commission.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { runBatchBacktest } from '../../lib/broker/batch-backtest';
import type { BacktestOptions } from '../../lib/backtest/types';
import type { Bar, OrderEvent } from '../../lib/messages';
import { contractFromKey } from '../../lib/messages/instrument';
import { contractsTableProblem, defaultMinTick, specFor } from '../../lib/fills/contract-terms';
import { ibFixed, ibTiered } from '../../lib/fills/commission';

const DAY = 86_400_000;
const EURUSD = 'EUR:CASH:IDEALPRO:USD';
const ES = 'ES:FUT:CME:USD:20261218';
const bar = (day: number, open: number, close = open, spread = 0): Bar => ({
  time: Date.UTC(2026, 0, 5) + day * DAY,
  open,
  high: Math.max(open, close) + spread,
  low: Math.min(open, close) - spread,
  close,
  volume: 1,
});

/** A backtest connection fed `bars` of `key`, with `place` called after the first bar. */
function run(key: string, bars: Bar[], options: Partial<BacktestOptions>, place: (c: ReturnType<typeof createBacktestConnection>) => void) {
  const connection = createBacktestConnection({ startingCash: 100_000, commission: 'none', ...options });
  const events: OrderEvent[] = [];
  connection.broker.on('order', (e) => events.push(e));
  const session = connection.replay();
  session.begin('test', key, bars.length);
  session.onBar(key, bars[0]!);
  place(connection);
  for (const b of bars.slice(1)) session.onBar(key, b);
  session.end('test');
  return { events, summary: session.summary(), connection };
}

describe('instrument terms in backtests', () => {
  it('EUR.USD limit and stop prices on its 0.00005 tick are taken (they were refused as off-tick at 0.01)', () => {
    const { events, summary } = run(EURUSD, [bar(0, 1.0836), bar(1, 1.0836, 1.0841, 0.001)], {}, (c) => {
      c.broker.placeOrder(1, contractFromKey(EURUSD), { action: 'BUY' as never, totalQuantity: 20_000, orderType: 'LMT' as never, lmtPrice: 1.08345, tif: 'GTC' as never });
      c.broker.placeOrder(2, contractFromKey(EURUSD), { action: 'BUY' as never, totalQuantity: 1, orderType: 'LMT' as never, lmtPrice: 1.08347, tif: 'GTC' as never });
      c.broker.placeOrder(3, contractFromKey(EURUSD), { action: 'BUY' as never, totalQuantity: 10_000, orderType: 'STP' as never, auxPrice: 1.08405, tif: 'GTC' as never });
    });
    assert.equal(events.find((e) => e.orderId === 1)!.status, 'Submitted');
    assert.equal(events.find((e) => e.orderId === 2)!.status, 'Inactive', '1.08347 is between ticks');
    assert.equal(events.find((e) => e.orderId === 3)!.status, 'Submitted');
    assert.deepEqual(
      summary.executions.map((x) => [x.orderId, x.price, x.shares]).sort((a, b) => a[0]! - b[0]!),
      [
        [1, 1.08345, 20_000],
        [3, 1.08405, 10_000],
      ],
    );
  });

  it('one tick of slippage on ES is 0.25 (it was 0.01)', () => {
    const { summary } = run(ES, [bar(0, 5000), bar(1, 5000)], { slippage: { kind: 'ticks', amount: 1 } }, (c) => {
      c.broker.placeOrder(1, { ...contractFromKey(ES), multiplier: 50 }, { action: 'BUY' as never, totalQuantity: 1, orderType: 'MKT' as never });
    });
    assert.equal(summary.executions[0]!.price, 5000.25);
  });

  it("a contracts table on the connection gives ES its tick, multiplier and initial margin (no multiplier on the order's contract)", () => {
    const contracts = { ES: { minTick: 0.25, multiplier: 50, initialMargin: 40_000 } };
    const { events, summary } = run(ES, [bar(0, 5000), bar(1, 5000, 5010)], { contracts }, (c) => {
      // 3 contracts need 120,000 of initial margin: refused; 2 need 80,000: taken.
      c.broker.placeOrder(1, contractFromKey(ES), { action: 'BUY' as never, totalQuantity: 3, orderType: 'MKT' as never });
      c.broker.placeOrder(2, contractFromKey(ES), { action: 'BUY' as never, totalQuantity: 2, orderType: 'MKT' as never });
    });
    assert.match(events.find((e) => e.orderId === 1)!.reason!, /INITIAL MARGIN \[120000\.00 USD\]/);
    assert.equal(summary.executions.length, 1);
    assert.equal(summary.metrics.finalEquity, 100_000 + 2 * 10 * 50);
    assert.equal(summary.metrics.rejectedOrders, 1);
  });

  it("what a source read from IB's contract details counts unless the connection's table says otherwise", () => {
    const connection = createBacktestConnection({ startingCash: 100_000, commission: 'none', contracts: { 'ES:FUT:CME:USD:20261218': { initialMargin: 10_000 } } });
    const events: OrderEvent[] = [];
    connection.broker.on('order', (e) => events.push(e));
    const session = connection.replay();
    session.begin('details', ES, 2, { minTick: 0.5, multiplier: 50, initialMargin: 99_000 });
    session.onBar(ES, bar(0, 5000));
    connection.broker.placeOrder(1, contractFromKey(ES), { action: 'BUY' as never, totalQuantity: 10, orderType: 'LMT' as never, lmtPrice: 4999.25, tif: 'GTC' as never });
    connection.broker.placeOrder(2, contractFromKey(ES), { action: 'BUY' as never, totalQuantity: 10, orderType: 'LMT' as never, lmtPrice: 4999.5, tif: 'GTC' as never });
    assert.equal(events.find((e) => e.orderId === 1)!.status, 'Inactive', 'off the 0.5 tick the details give');
    assert.equal(events.find((e) => e.orderId === 2)!.status, 'Submitted', "10 contracts fit the table's 10,000 a contract");
    session.end('details');
  });

  it('a bad contracts table is refused with what to fix', () => {
    assert.throws(() => createBacktestConnection({ startingCash: 1, commission: 'none', contracts: { ES: { minTick: 0 } } }), /contracts\["ES"\]\.minTick must be a positive number, got 0/);
    assert.match(contractsTableProblem({ ES: { tick: 0.25 } })!, /unknown field "tick": use minTick, multiplier, currency, initialMargin, maintenanceMargin/);
    assert.match(contractsTableProblem([1])!, /must be an object by symbol/);
    assert.equal(contractsTableProblem({ 'EUR.USD': { minTick: 0.00005, currency: 'USD' } }), null);
  });

  it('table entries are found by key, by symbol, and a pair by its local symbol', () => {
    const table = { ES: { minTick: 0.25 }, 'EUR.USD': { minTick: 0.0001 }, [ES]: { minTick: 0.5 } };
    assert.equal(specFor(table, ES)!.minTick, 0.5);
    assert.equal(specFor(table, 'ES:FUT:CME:USD:20270319')!.minTick, 0.25);
    assert.equal(specFor(table, EURUSD)!.minTick, 0.0001);
    assert.equal(specFor(table, 'AAPL'), undefined);
  });

  it('default ticks: stocks 0.01, pairs 0.00005 (JPY pairs 0.005), common futures their contract tick', () => {
    assert.equal(defaultMinTick('AAPL'), 0.01);
    assert.equal(defaultMinTick(EURUSD), 0.00005);
    assert.equal(defaultMinTick('USD:CASH:IDEALPRO:JPY'), 0.005);
    assert.equal(defaultMinTick(ES), 0.25);
    assert.equal(defaultMinTick('CL:FUT:NYMEX:USD:202612'), 0.01);
    assert.equal(defaultMinTick('ZN:FUT:CBOT:USD:202612'), 1 / 64);
    assert.equal(defaultMinTick('XYZ:FUT:CME:USD:202612'), 0.01);
  });

  it("IB's forex commission: 0.20 basis points of the value, at least USD 2.00 (it was USD 0.005 a unit)", () => {
    const fx = { secType: 'CASH', multiplier: 1 };
    assert.equal(ibFixed().forOrder!(50_000, 54_000, fx), 2);
    assert.equal(ibTiered().forOrder!(2_000_000, 2_170_000, fx), 43.4);
    const bars = [bar(0, 1.08), bar(1, 1.08), bar(2, 1.09)];
    const summary = runBatchBacktest({ key: EURUSD, bars, orders: [{ targetQuantity: 50_000 }, null, null], options: { startingCash: 100_000, commission: 'ib-fixed' } });
    assert.equal(summary.metrics.commissions, 2);
  });
});
