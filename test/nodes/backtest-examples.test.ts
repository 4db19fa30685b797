/**
 * The forex and futures backtest examples, run as they ship in a real Node-RED runtime (their own
 * ib-connect, historical-bars reading the bundled file, sma, sma, crossover, risk-sizer, place-order,
 * backtest-report): each reports what a batch backtest of the plainly written SMA crossover gives on
 * the same bars and terms, to the cent; EUR.USD fills on its 0.00005 tick with IB's forex commission,
 * ES on its 0.25 tick with one tick (0.25) of slippage, USD 0.85 a contract and money x 50.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Contract } from '@stoqey/ib';
import { runBatchBacktest } from '../../lib/broker/batch-backtest';
import { parseBarsText } from '../../lib/data/bar-file';
import { dataDir, examplesDir } from '../helpers/paths';
import { helper, nodeModule, startServer, stopServer } from '../helpers/node-red';
import { smaCrossTargets } from '../helpers/sma-cross';

const TYPES = ['ib-connect', 'ib-historical-bars', 'ib-sma', 'ib-crossover', 'ib-risk-sizer', 'ib-place-order', 'ib-backtest-report'];
type FlowNode = Record<string, any>;

/** Runs an example with its bar file at its real path; resolves with the final report message. */
async function runExample(file: string): Promise<{ flow: FlowNode[]; report: Record<string, any> }> {
  const flow = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as FlowNode[];
  const bars = flow.find((n) => n.type === 'ib-historical-bars')!;
  bars.file = join(dataDir, String(bars.file).split('/').pop()!);
  const report = flow.find((n) => n.type === 'ib-backtest-report')!;
  report.wires = [['out'], [], [], []];
  const loaded = [...flow.filter((n) => n.type !== 'debug'), { id: 'out', z: report.z, type: 'helper', x: 0, y: 0 }];
  const modules = [...TYPES.map(nodeModule), require('@node-red/nodes/core/common/20-inject.js'), require('@node-red/nodes/core/common/90-comment.js')];
  const done = new Promise<Record<string, any>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file}: no final report`)), 120_000);
    helper.load(modules, loaded, {}, (err?: Error) => {
      if (err) return reject(err);
      helper.getNode('out').on('input', (msg: Record<string, any>) => {
        if (!msg.complete) return;
        clearTimeout(timer);
        resolve(msg);
      });
    });
  });
  return { flow, report: await done };
}

/** The same strategy as a batch: the SMA crossover written out, the example's terms. */
function reference(flow: FlowNode[], up: number, down: number, contract: Contract) {
  const node = (type: string, name?: string) => flow.find((n) => n.type === type && (name === undefined || n.name === name))!;
  const connection = node('ib-connect');
  const bars = parseBarsText(readFileSync(join(dataDir, String(node('ib-historical-bars').file).split('/').pop()!)), 'bars');
  const orders = smaCrossTargets(bars, node('ib-sma', 'fast SMA').period, node('ib-sma', 'slow SMA').period, up, down);
  return runBatchBacktest({
    key: 'x',
    bars,
    orders,
    contract,
    options: {
      startingCash: connection.btCash,
      commission: connection.btCommission,
      slippage: { kind: connection.btSlippageKind, amount: connection.btSlippage },
      fillAt: connection.btFillAt,
    },
    summary: { periodsPerYear: Number(node('ib-backtest-report').periodsPerYear) || undefined },
  });
}

const cents = (x: number) => Math.round(x * 100);
const onTick = (price: number, tick: number) => Math.abs(price / tick - Math.round(price / tick)) < 1e-6;

describe('forex and futures backtest examples', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('examples/backtest-eurusd-hourly.json: 50,000 EUR long-only on 1-hour bars, as the batch reference to the cent', async () => {
    const { flow, report } = await runExample('backtest-eurusd-hourly.json');
    const expected = reference(flow, 50_000, 0, { symbol: 'EUR', secType: 'CASH' as never, exchange: 'IDEALPRO', currency: 'USD' });
    const m = report.payload;
    assert.equal(m.instrument, 'EUR:CASH:IDEALPRO:USD');
    assert.ok(expected.trades.length >= 10, `${expected.trades.length} trades`);
    assert.equal(m.trades, expected.metrics.trades);
    assert.equal(cents(m.finalEquity), cents(expected.metrics.finalEquity));
    assert.equal(cents(m.commissions), cents(expected.metrics.commissions));
    assert.equal(m.sharpe?.toFixed(6), expected.metrics.sharpe?.toFixed(6));
    assert.equal(m.rejectedOrders, 0);
    for (const t of report.trades) {
      assert.ok(onTick(t.entryPrice, 0.00005) && (t.exitPrice === null || onTick(t.exitPrice, 0.00005)), `${t.entryPrice} / ${t.exitPrice} on the 0.00005 tick`);
      // One tick of slippage, and IB's forex minimum of USD 2.00 per order (50,000 EUR is about 1.10 USD of 0.2 bps).
      assert.equal(t.commission, t.open ? 2 : 4);
    }
    assert.deepEqual(
      report.trades.map((t: any) => [t.entryPrice, t.exitPrice, cents(t.pnl)]),
      expected.trades.map((t) => [t.entryPrice, t.exitPrice, cents(t.pnl)]),
    );
  });

  it('examples/backtest-es-daily.json: 1 ES contract long and short on daily bars, as the batch reference to the cent', async () => {
    const { flow, report } = await runExample('backtest-es-daily.json');
    const contract: Contract = { symbol: 'ES', secType: 'FUT' as never, exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '20261218', multiplier: 50 };
    const expected = reference(flow, 1, -1, contract);
    const m = report.payload;
    assert.equal(m.instrument, 'ES:FUT:CME:USD:20261218');
    assert.ok(expected.trades.length >= 10, `${expected.trades.length} trades`);
    assert.equal(m.trades, expected.metrics.trades);
    assert.equal(cents(m.finalEquity), cents(expected.metrics.finalEquity));
    assert.equal(m.rejectedOrders, 0);
    assert.ok(report.trades.some((t: any) => t.direction === 'short') && report.trades.some((t: any) => t.direction === 'long'));
    const bars = parseBarsText(readFileSync(join(dataDir, 'es-1d.csv')), 'bars');
    const openAt = new Map(bars.map((b) => [b.time, b.open]));
    for (const t of report.trades) {
      assert.equal(t.multiplier, 50);
      // Market orders fill at the next open, one 0.25 tick against the trader.
      assert.equal(t.entryPrice, openAt.get(t.entryTime)! + (t.direction === 'long' ? 0.25 : -0.25));
      assert.ok(onTick(t.entryPrice, 0.25));
    }
    // A reversal is one order of 2 contracts: USD 0.85 each; every trade pays for the contract it opened and closed.
    for (const t of report.trades.filter((x: any) => !x.open)) assert.equal(cents(t.commission), 170);
    assert.deepEqual(
      report.trades.map((t: any) => [t.direction, t.entryPrice, t.exitPrice, cents(t.pnl)]),
      expected.trades.map((t) => [t.direction, t.entryPrice, t.exitPrice, cents(t.pnl)]),
    );
  });
});
