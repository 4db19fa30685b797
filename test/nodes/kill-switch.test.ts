/**
 * The kill switch and the daily-loss lock through place-order in a real Node-RED runtime, against the
 * simulator through the real @stoqey/ib client: both survive a restart of Node-RED (a new runtime on
 * the same journal) and hold until msg.resume; the kill switch is the global cancel (every client's
 * orders) and can flatten the account with market orders. Orders are counted as PLACE_ORDER frames on
 * the wire.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import type { Contract, Order } from '@stoqey/ib';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, loadFlow, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';
import { listen } from '../helpers/simulator-flows';
import { connectApi, type ApiClient } from '../wire/harness';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';
import type { Connection } from '../../lib/connection/types';

const TYPES = ['ib-connect', 'ib-place-order'];
const dir = mkdtempSync(join(tmpdir(), 'kill-switch-'));
let placed = 0;
let sim: Simulator;

function flow(journalPath: string, clientId: number, connection: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'c', z: 'tab', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId, journalPath, ...connection },
    { id: 'po', z: 'tab', type: 'ib-place-order', connection: 'c', orderRef: 'kill', wires: [['events'], []] },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

function connectionOf(): Connection {
  return (helper.getNode('c') as unknown as { connection: Connection }).connection;
}

function statuses(node: TestNode): Array<{ fill?: string; text?: string }> {
  return (node.status as { args: Array<[{ fill?: string; text?: string }]> }).args.map((a) => a[0] ?? {});
}

/** Connected and the broker's rebuild from TWS done (orderBlock says only the lock, if any). */
async function connected(): Promise<void> {
  await waitFor(() => {
    const block = connectionOf().broker.orderBlock();
    return connectionOf().status().state === 'connected' && (block === null || /^(trading halted|max daily loss)/.test(block));
  }, 8000, 'connected and reconciled');
  await waitFor(() => (connectionOf().broker as unknown as { inner: { isReady(): boolean } }).inner.isReady(), 8000, 'the broker ready');
}

/** Node-RED stopped and started again: a new runtime, the same journal. */
async function restartNodeRed(flowNodes: unknown[]): Promise<void> {
  await stopServer();
  await startServer();
  await loadFlow(TYPES, flowNodes);
}

describe('the kill switch and the daily-loss lock across a restart', () => {
  before(async () => {
    await startServer();
    sim = await createSimulator({ port: 0, seed: 8, probe: { placeOrderRead: () => placed++ } });
  });
  after(async () => {
    await stopServer();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a halt holds after Node-RED restarts: orders are refused until msg.resume', async () => {
    const journalPath = join(dir, 'halt.jsonl');
    await loadFlow(TYPES, flow(journalPath, 91));
    await connected();
    const po = helper.getNode('po');
    po.receive({ halt: 'kill switch pressed' });
    await waitFor(() => /^trading halted/.test(connectionOf().broker.orderBlock() ?? ''), 2000, 'halted');

    await restartNodeRed(flow(journalPath, 91));
    await connected();
    assert.match(connectionOf().broker.orderBlock() ?? '', /trading halted: kill switch pressed .*kept across the restart/);
    await waitFor(() => statuses(helper.getNode('po')).some((s) => s.fill === 'red' && /HALTED/.test(s.text ?? '')), 2000, 'the node shows the halt');
    const caught = listen(helper.getNode('caught'));
    const before = placed;
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 1, orderType: 'MKT' } });
    await waitFor(() => caught.length === 1, 5000, 'the refusal');
    assert.match(String(caught[0].error.message), /trading halted: kill switch pressed/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(placed, before, 'nothing on the wire while halted');

    // A redeploy (the flow loaded again) keeps it too.
    await helper.unload();
    await loadFlow(TYPES, flow(journalPath, 91));
    await connected();
    assert.match(connectionOf().broker.orderBlock() ?? '', /trading halted/);

    helper.getNode('po').receive({ resume: true });
    await waitFor(() => connectionOf().broker.orderBlock() === null, 2000, 'resumed');
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 1, orderType: 'MKT' } });
    await waitFor(() => placed === before + 1, 5000, 'the order after resume on the wire');
    await helper.unload();
    // And the resume is remembered: the next start is not halted.
    await restartNodeRed(flow(journalPath, 91));
    await connected();
    assert.equal(connectionOf().broker.orderBlock(), null);
    await helper.unload();
    const types = readFileSync(journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).type);
    assert.deepEqual(types.filter((t) => t === 'halt' || t === 'resume'), ['halt', 'resume']);
  });

  it('the daily-loss lock holds after Node-RED restarts the same session day, until msg.resume', async () => {
    const journalPath = join(dir, 'loss.jsonl');
    const lossFlow = () => flow(journalPath, 92, { maxDailyLoss: 0.5 });
    await loadFlow(TYPES, lossFlow());
    await connected();
    // A round trip of 100 shares loses the spread and two commissions of at least 0.35, whatever the
    // prices do meanwhile and however often TWS refreshes the account: a loss over 0.50. The lock may
    // already come after the buy, as the position is marked at once.
    const locked = () => /^max daily loss/.test(connectionOf().broker.orderBlock() ?? '');
    const held = connectionOf().broker.position('AAPL');
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 100, orderType: 'MKT' } });
    await waitFor(() => locked() || connectionOf().broker.position('AAPL') === held + 100, 8000, 'the buy');
    if (!locked()) helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'SELL', totalQuantity: 100, orderType: 'MKT' } });
    await waitFor(locked, 8000, 'the daily-loss lock');

    await restartNodeRed(lossFlow());
    await connected();
    assert.match(connectionOf().broker.orderBlock() ?? '', /^max daily loss: the loss since the session began is/);
    const caught = listen(helper.getNode('caught'));
    const before = placed;
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'SELL', totalQuantity: 1, orderType: 'MKT' } });
    await waitFor(() => caught.length === 1, 5000, 'the refusal');
    assert.match(String(caught[0].error.message), /max daily loss: the loss since the session began/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(placed, before, 'nothing on the wire while locked');
    helper.getNode('po').receive({ resume: true });
    await waitFor(() => connectionOf().broker.orderBlock() === null, 2000, 'reset');
    await helper.unload();
  });
});

describe('the kill switch: global cancel and flatten', () => {
  before(async () => {
    await startServer();
    sim = await createSimulator({ port: 0, seed: 9, probe: { placeOrderRead: () => placed++ } });
  });
  after(async () => {
    await stopServer();
    await sim.close();
  });

  /** Another API client of the same account (e.g. an order entered by another program). */
  let other: ApiClient | null = null;
  // The simulator hands out order ids for the whole account: the other client counts down from far
  // above ours (and below the session's request ids, 500,000,000 up), so the two never meet.
  let otherId = 400_000_000;
  async function otherClient(clientId: number): Promise<ApiClient> {
    other = await connectApi(sim, clientId);
    return other;
  }
  function otherPlaces(symbol: string, order: Record<string, unknown>): void {
    const contract = { symbol, secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract;
    other!.api.placeOrder(--otherId, contract, { tif: 'GTC', transmit: true, ...order } as unknown as Order);
  }
  afterEach(() => {
    other?.disconnect();
    other = null;
  });

  it('cancels every working order of the account, also another client\'s (reqGlobalCancel)', async () => {
    await loadFlow(TYPES, flow(join(dir, 'global.jsonl'), 95));
    await connected();
    await otherClient(96);
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 1, tif: 'GTC' } });
    otherPlaces('MSFT', { action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 1 });
    await waitFor(() => sim.engine.openOrders().length === 2, 5000, 'two working orders, one per client');
    helper.getNode('po').receive({ halt: 'kill switch pressed' });
    await waitFor(() => sim.engine.openOrders().length === 0, 5000, 'every working order cancelled');
    await waitFor(() => connectionOf().broker.workingOrders().length === 0, 3000, 'the strategy sees its order cancelled');
    helper.getNode('po').receive({ resume: true });
    await helper.unload();
  });

  it('flatten true: closes only the strategy\'s own position, not what another client holds', async () => {
    await loadFlow(TYPES, flow(join(dir, 'flatten-strategy.jsonl'), 99));
    await connected();
    await otherClient(100);
    const start = sim.engine.position('SPY')?.quantity ?? 0;
    helper.getNode('po').receive({ topic: 'SPY', order: { action: 'BUY', totalQuantity: 10, orderType: 'MKT' } });
    otherPlaces('SPY', { action: 'BUY', totalQuantity: 7, orderType: 'MKT', tif: 'DAY' });
    await waitFor(() => sim.engine.position('SPY')?.quantity === start + 17, 5000, 'both buys filled');
    await waitFor(() => connectionOf().broker.strategyPosition?.('kill', 'SPY') === 10, 5000, 'the strategy holds its 10');
    helper.getNode('po').receive({ halt: 'close my strategy', flatten: true });
    await waitFor(() => sim.engine.position('SPY')?.quantity === start + 7, 5000, 'the strategy flat, the other client still holding');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sim.engine.position('SPY')?.quantity, start + 7);
    assert.equal(connectionOf().broker.strategyPosition?.('kill', 'SPY'), 0);
    helper.getNode('po').receive({ resume: true });
    await helper.unload();
  });

  it('flatten: closes every position of the account with market orders, journaled', async () => {
    await loadFlow(TYPES, flow(join(dir, 'flatten.jsonl'), 97));
    await connected();
    await otherClient(98);
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 10, orderType: 'MKT' } });
    otherPlaces('MSFT', { action: 'SELL', totalQuantity: 5, orderType: 'MKT', tif: 'DAY' });
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'SELL', totalQuantity: 3, orderType: 'LMT', lmtPrice: 100_000, tif: 'GTC' } });
    await waitFor(() => sim.engine.position('AAPL')?.quantity === 10 && sim.engine.position('MSFT')?.quantity === -5 && sim.engine.openOrders().length === 1, 5000, 'positions and a working order');
    await waitFor(() => connectionOf().broker.position('MSFT') === -5, 5000, 'the strategy\'s connection sees the other client\'s position');
    // And its own: the connection knows positions from TWS's position reports, which may come a beat
    // after the fill (flatten closes what the connection knows).
    await waitFor(() => connectionOf().broker.position('AAPL') === 10, 5000, 'the strategy\'s connection sees its own position');
    const events = listen(helper.getNode('events'));
    const caught = listen(helper.getNode('caught'));
    const before = placed;
    // Whatever else the account holds (the test before left another client's SPY) is closed too.
    const open = ['AAPL', 'MSFT', 'SPY'].filter((s) => (sim.engine.position(s)?.quantity ?? 0) !== 0).length;
    helper.getNode('po').receive({ halt: 'flatten everything', flatten: 'account' });
    await waitFor(() => ['AAPL', 'MSFT', 'SPY'].every((s) => (sim.engine.position(s)?.quantity ?? 0) === 0), 5000, 'every position closed');
    assert.equal(sim.engine.openOrders().length, 0, 'the working order cancelled first');
    assert.equal(placed, before + open, 'one market order per position on the wire');
    const flattens = readFileSync(join(dir, 'flatten.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'decision' && l.source === 'flatten');
    const decisions = flattens.filter((d) => d.key !== 'SPY');
    assert.deepEqual(decisions.map((d) => [d.key, d.order.action, d.order.totalQuantity, d.order.orderType, d.result]).sort(), [['AAPL', 'SELL', 10, 'MKT', 'sent'], ['MSFT', 'BUY', 5, 'MKT', 'sent']]);
    // The buy may fill after the halt (its fill was on its way): output 1 then has its Filled too.
    const closing = new Set(flattens.map((d) => d.orderId));
    await waitFor(() => events.filter((m) => m.payload.status === 'Filled' && closing.has(m.payload.orderId)).length === open, 3000, 'the flatten fills on output 1');
    assert.deepEqual(caught, []);
    await waitFor(() => statuses(helper.getNode('po')).some((s) => s.text === `HALTED: flat, ${open} closing orders filled`), 2000, 'the status says the account is flat');
    // Still halted after flattening: nothing new until resume.
    assert.match(connectionOf().broker.orderBlock() ?? '', /trading halted: flatten everything/);
    helper.getNode('po').receive({ resume: true });
    await helper.unload();
  });
});
