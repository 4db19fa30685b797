/**
 * account in a real Node-RED runtime against the simulator through the real client: a requested
 * snapshot (summary, positions, P&L, orders, executions), a streaming node that follows a fill with
 * the position, the execution and the per-strategy book (orderRef), a reconnect mid-stream, and a
 * backtest connection (snapshot from the fill engine).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { exampleFlow, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';
import { createSimulator } from '../../lib/sim/server';
import type { ConnectionConfigNode } from '../../nodes/connection';

const TYPES = ['ib-connect', 'ib-account'];

function connectionOf(id: string) {
  return (helper.getNode(id) as unknown as ConnectionConfigNode).connection;
}

describe('account', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 10, startingCash: 100_000 });

  it('on request: one snapshot with summary, positions, P&L, orders and executions', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'a', type: 'ib-account', connection: 'c', mode: 'request', wires: [['out']] }], 61));
    await waitFor(() => connectionOf('c').status().state === 'connected', 8000, 'connected');
    const reply = nextMessage(helper.getNode('out'), 15_000);
    helper.getNode('a').receive({ payload: 'go' });
    const msg = await reply;
    assert.equal(msg.topic, 'DU1234567');
    const p = msg.payload;
    assert.equal(p.account, 'DU1234567');
    assert.equal(typeof p.summary.NetLiquidation, 'number');
    assert.ok(p.summary.NetLiquidation > 0);
    assert.equal(typeof p.summary.BuyingPower, 'number');
    assert.ok(Array.isArray(p.positions) && Array.isArray(p.orders) && Array.isArray(p.executions));
    assert.ok('pnl' in p && 'strategies' in p);
    assert.deepEqual(msg.changed.sort(), ['executions', 'orders', 'pnl', 'positions', 'summary']);
    // Paper, as the connection (the live interlock's own flag) says, in the payload and the status.
    assert.equal(p.live, false);
    assert.equal(connectionOf('c').status().live, false);
    const statuses = (helper.getNode('a').status as unknown as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
    assert.ok(statuses.some((t) => t.startsWith('PAPER DU1234567')), `no PAPER status: ${JSON.stringify(statuses)}`);
  });

  it('a login that manages a live account: payload.live and the status say LIVE, whatever the account id in use looks like', async () => {
    const live = await createSimulator({ port: 0, seed: 3, accounts: ['DU1234567', 'U7654321'] });
    try {
      await loadFlow(TYPES, simulatorFlow(live, [{ id: 'a', type: 'ib-account', connection: 'c', account: 'DU1234567', mode: 'request', wires: [['out']] }], 63));
      await waitFor(() => connectionOf('c').status().state === 'connected' && connectionOf('c').status().accounts.length > 0, 8000, 'connected');
      const reply = nextMessage(helper.getNode('out'), 15_000);
      helper.getNode('a').receive({ payload: 'go' });
      const msg = await reply;
      assert.equal(msg.payload.account, 'DU1234567');
      assert.equal(msg.payload.live, true, 'the login also manages U7654321: an order could reach real money');
      const statuses = (helper.getNode('a').status as unknown as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
      assert.ok(statuses.some((t) => t.startsWith('LIVE DU1234567')), `no LIVE status: ${JSON.stringify(statuses)}`);
    } finally {
      await helper.unload();
      await live.close();
    }
  });

  it('streaming: a fill shows up as position, execution and strategy (orderRef); survives a reconnect', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'a', type: 'ib-account', connection: 'c', mode: 'stream', throttle: 100, wires: [['out']] }], 62));
    const msgs: Array<Record<string, any>> = [];
    helper.getNode('out').on('input', (m: Record<string, any>) => msgs.push(m));
    await waitFor(() => msgs.length >= 1, 15_000, 'first streamed snapshot');
    const broker = connectionOf('c').broker;
    const orderId = await broker.nextOrderId();
    broker.placeOrder(orderId, { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, { action: 'BUY' as never, totalQuantity: 100, orderType: 'MKT' as never, orderRef: 'trend', tif: 'DAY' as never, transmit: true });
    const filled = (m: Record<string, any>) => m.payload.positions?.some((p: any) => p.symbol === 'AAPL' && p.quantity >= 100) && m.payload.executions?.some((e: any) => e.orderRef === 'trend');
    await waitFor(() => msgs.some(filled), 15_000, 'the fill in a snapshot');
    const snap = msgs.find(filled)!.payload;
    const position = snap.positions.find((p: any) => p.symbol === 'AAPL');
    assert.ok(position.avgCost > 0);
    const execution = snap.executions.find((e: any) => e.orderRef === 'trend');
    assert.equal(execution.side, 'BUY');
    assert.equal(execution.symbol, 'AAPL');
    await waitFor(() => msgs.some((m) => m.payload.strategies?.trend?.AAPL?.quantity === 100), 5000, 'strategy book');
    // P&L: the account's and the position's (PnL / PnLSingle streams) arrive as numbers.
    await waitFor(
      () => msgs.some((m) => typeof m.payload.pnl?.unrealized === 'number' && m.payload.positions.some((p: any) => p.symbol === 'AAPL' && typeof p.unrealizedPnl === 'number' && typeof p.marketValue === 'number')),
      10_000,
      'account and position P&L',
    );
    suite.sim.dropConnections();
    const before = msgs.length;
    await waitFor(() => msgs.length > before && msgs.slice(before).some((m) => m.payload.positions.some((p: any) => p.symbol === 'AAPL')), 20_000, 'snapshots after the reconnect');
    // Flat again for the other tests.
    const closeId = await broker.nextOrderId();
    broker.placeOrder(closeId, { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, { action: 'SELL' as never, totalQuantity: 100, orderType: 'MKT' as never, orderRef: 'trend', tif: 'DAY' as never, transmit: true });
    await waitFor(() => msgs.some((m) => m.payload.strategies?.trend?.AAPL?.quantity === 0), 15_000, 'flat');
  });

  it("streaming: payload.equity is NetLiquidation marked with the P&L since, moving with the prices between TWS's refreshes", async () => {
    // At 20x the market moves a minute and more in the 4 s watched; its 3 minutes between refreshes take 9 s.
    const own = await createSimulator({ port: 0, seed: 12, ticksPerSecond: 10, startingCash: 100_000, clockSpeed: 20 });
    try {
      await loadFlow(TYPES, simulatorFlow(own, [{ id: 'a', type: 'ib-account', connection: 'c', mode: 'stream', throttle: 100, wires: [['out']] }], 64));
      const seen: Array<{ equity: number; netLiquidation: number; truth: number }> = [];
      let bought = false;
      helper.getNode('out').on('input', (m: Record<string, any>) => {
        if (bought && typeof m.payload.equity === 'number') seen.push({ equity: m.payload.equity, netLiquidation: m.payload.summary.NetLiquidation, truth: own.engine.equity() });
      });
      await waitFor(() => connectionOf('c').status().state === 'connected' && connectionOf('c').broker.equity() !== null, 8000, 'connected');
      const broker = connectionOf('c').broker;
      const orderId = await broker.nextOrderId();
      broker.placeOrder(orderId, { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, { action: 'BUY' as never, totalQuantity: 200, orderType: 'MKT' as never, orderRef: 'mark', tif: 'DAY' as never, transmit: true });
      await waitFor(() => broker.position('AAPL') === 200, 8000, 'the buy');
      await new Promise((r) => setTimeout(r, 1500));
      bought = true;
      await new Promise((r) => setTimeout(r, 4000));
      assert.ok(seen.length >= 3, `snapshots while the P&L moves (${seen.length})`);
      assert.equal(new Set(seen.map((s) => s.netLiquidation)).size, 1, `no NetLiquidation came meanwhile: ${JSON.stringify(seen)}`);
      assert.ok(new Set(seen.map((s) => s.equity.toFixed(2))).size >= 2, `equity moved with the P&L: ${JSON.stringify(seen)}`);
      // The P&L comes once a second: the simulator's own equity may be a second's move ahead.
      for (const s of seen) assert.ok(Math.abs(s.equity - s.truth) < 0.1 * 200, `equity ${s.equity} follows the account's ${s.truth}: ${JSON.stringify(seen)}`);
      const statuses = (helper.getNode('a').status as unknown as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
      const marked = new Set(seen.filter((s) => Math.round(s.equity) !== Math.round(s.netLiquidation)).map((s) => `NLV ${Math.round(s.equity)}`));
      if (marked.size > 0) assert.ok(statuses.some((t) => [...marked].some((nlv) => t.includes(nlv))), `the status shows the marked equity (${[...marked].join(', ')}): ${JSON.stringify(statuses.slice(-5))}`);
    } finally {
      await helper.unload();
      await own.close();
    }
  });

  it('backtest connection: the snapshot comes from the fill engine', async () => {
    await loadFlow(TYPES, [
      { id: 'tab', type: 'tab' },
      { id: 'bt', z: 'tab', type: 'ib-connect', mode: 'backtest', btCash: 50000, btCommission: 'none' },
      { id: 'a', z: 'tab', type: 'ib-account', connection: 'bt', mode: 'request', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const session = connectionOf('bt').replay();
    session.begin('test', 'AAPL', 1);
    session.onBar('AAPL', { time: Date.UTC(2024, 0, 2), open: 10, high: 11, low: 9, close: 10.5, volume: 100 });
    const reply = nextMessage(helper.getNode('out'));
    helper.getNode('a').receive({});
    const msg = await reply;
    assert.equal(msg.payload.summary.NetLiquidation, 50000);
    assert.equal(msg.payload.summary.TotalCashValue, 50000);
    assert.deepEqual(msg.payload.positions, []);
    assert.equal(msg.payload.live, false, 'a backtest never reaches a real account');
    session.end('test');
  });

  it('examples/ib-account.json deploys against its own simulator and answers', async () => {
    await loadFlow(TYPES, exampleFlow('ib-account'));
    await new Promise((r) => setTimeout(r, 500));
    const reply = nextMessage(helper.getNode('acct-debug'), 15_000);
    helper.getNode('acct-request').receive({ payload: Date.now() });
    const msg = await reply;
    assert.equal(msg.topic, 'DU1234567');
    assert.equal(typeof msg.payload.summary.NetLiquidation, 'number');
  });
});

/** An example flow as the test runtime can load it: debug nodes become helpers, inject/comment dropped. */
