/**
 * The backtest connection's account type and contracts table, set in ib-connect's editor fields, reach
 * the fill engine in a real Node-RED runtime: a cash account (the default) refuses an entry worth 1.5 x
 * its cash and backtest-report counts it; a Reg T account takes it; the contracts table gives ES its
 * multiplier, tick and margin so a batch without msg.contract trades it; a bad table is a warning and
 * none is used.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, nodeModule, startServer, stopServer } from '../helpers/node-red';

const DAY = 86_400_000;
const bars = Array.from({ length: 6 }, (_, i) => ({ time: Date.UTC(2025, 0, 6) + i * DAY, open: 100, high: 101, low: 99, close: 100, volume: 1 }));

async function batch(connection: Record<string, unknown>, msg: Record<string, unknown>): Promise<Record<string, any>> {
  const flow = [
    { id: 'tab', type: 'tab', label: 'account' },
    { id: 'bt', type: 'ib-connect', mode: 'backtest', btCash: 100000, btCommission: 'none', btFillAt: 'next-open', ...connection },
    { id: 'report', z: 'tab', type: 'ib-backtest-report', connection: 'bt', x: 0, y: 0, wires: [['out'], [], [], []] },
    { id: 'out', z: 'tab', type: 'helper', x: 0, y: 0 },
  ];
  await new Promise<void>((resolve, reject) => helper.load([nodeModule('ib-connect'), nodeModule('ib-backtest-report')], flow, {}, (err?: Error) => (err ? reject(err) : resolve())));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no report')), 20_000);
    helper.getNode('out').on('input', (m: Record<string, any>) => {
      if (!m.complete) return;
      clearTimeout(timer);
      resolve(m);
    });
    helper.getNode('report').on('call:error', (call: { args: unknown[] }) => reject(new Error(String(call.args[0]))));
    helper.getNode('report').receive(msg);
  });
}

const entry = [null, { targetQuantity: 1500 }, null, null, { targetQuantity: 0 }, null];

describe("backtest connection: account type and contracts table from ib-connect's settings", () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('a cash account (the default) refuses 150,000 of stock on 100,000 and the report counts it', async () => {
    const report = await batch({}, { topic: 'XYZ', payload: bars, order: entry });
    assert.equal(report.payload.rejectedOrders, 1);
    assert.equal(report.payload.trades, 0);
    assert.equal(report.payload.finalEquity, 100_000);
  });

  it('a Reg T margin account takes it', async () => {
    const report = await batch({ btAccount: 'reg-t' }, { topic: 'XYZ', payload: bars, order: entry });
    assert.equal(report.payload.rejectedOrders, 0);
    assert.equal(report.payload.trades, 1);
  });

  it("the contracts table gives ES its multiplier, tick and margin (no msg.contract needed)", async () => {
    const es = bars.map((b, i) => ({ ...b, open: 5000, high: 5010, low: 4990, close: i < 3 ? 5000 : 5010 }));
    const report = await batch(
      { btContracts: '{"ES:FUT:CME:USD:20261218": {"multiplier": 50, "minTick": 0.25, "initialMargin": 45000}}', btSlippageKind: 'ticks', btSlippage: 1 },
      { topic: 'ES:FUT:CME:USD:20261218', payload: es, order: [null, { targetQuantity: 3 }, { targetQuantity: 2 }, null, null, null] },
    );
    // 3 contracts need 135,000 of margin: refused; 2 (90,000) fill at 5000.25 (one 0.25 tick), marked at 5010.
    assert.equal(report.payload.rejectedOrders, 1);
    assert.equal(report.trades[0].entryPrice, 5000.25);
    assert.equal(report.payload.finalEquity, 100_000 + 2 * (5010 - 5000.25) * 50);
  });

  it('a contracts table that is not JSON is a warning, and none is used', async () => {
    const flow = [{ id: 'bt', type: 'ib-connect', mode: 'backtest', btContracts: '{ES: 0.25}' }];
    await new Promise<void>((resolve, reject) => helper.load([nodeModule('ib-connect')], flow, {}, (err?: Error) => (err ? reject(err) : resolve())));
    const warnings = (helper.getNode('bt').warn as unknown as { args: unknown[][] }).args ?? [];
    const logged = (helper as unknown as { log(): { args: unknown[][] } }).log().args.map((a) => JSON.stringify(a));
    assert.ok(
      [...warnings.map((w) => String(w[0])), ...logged].some((w) => /btContracts is not JSON .*\{"ES": \{"minTick": 0\.25, "multiplier": 50\}\}/.test(w)),
      `no warning about btContracts: ${JSON.stringify(warnings)} ${logged.slice(-3).join(' ')}`,
    );
  });
});
