/**
 * The live interlock in a real Node-RED runtime against the simulator through the real @stoqey/ib
 * client: live or paper comes from the accounts TWS reports (managedAccounts), never from the account
 * typed into ib-connect; a typed account TWS does not manage refuses every order; every order names
 * its account. Orders are counted as PLACE_ORDER frames the simulator reads off the socket.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, loadFlow, nextMessage, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';
import type { Connection } from '../../lib/connection/types';

const TYPES = ['ib-connect', 'ib-place-order'];
const dir = mkdtempSync(join(tmpdir(), 'live-interlock-'));
let count = 0;

interface WireSim {
  sim: Simulator;
  /** PLACE_ORDER frames read off the wire so far. */
  placed(): number;
  /** The fields of each PLACE_ORDER frame, as the client wrote them. */
  frames: string[][];
}

async function simulatorWith(accounts: string[]): Promise<WireSim> {
  const frames: string[][] = [];
  const sim = await createSimulator({ port: 0, seed: 5, accounts, probe: { placeOrderRead: (_c, fields) => frames.push([...fields]) } });
  return { sim, placed: () => frames.length, frames };
}

function flow(sim: Simulator, connection: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    // tws mode on the simulator's own (random, non-default) port: nothing about the port says live.
    { id: 'c', z: 'tab', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 60 + ++count, journalPath: join(dir, `j-${count}.jsonl`), ...connection },
    { id: 'po', z: 'tab', type: 'ib-place-order', connection: 'c', orderRef: 'interlock', wires: [['events'], []] },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

function connectionOf(): Connection {
  return (helper.getNode('c') as unknown as { connection: Connection }).connection;
}

function statusTexts(node: TestNode): Array<{ fill?: string; text?: string }> {
  return (node.status as { args: Array<[{ fill?: string; text?: string }]> }).args.map((a) => a[0] ?? {});
}

function errorOf(timeoutMs = 5000): Promise<string> {
  return nextMessage(helper.getNode('caught'), timeoutMs).then((m) => String((m.error as { message: string }).message));
}

async function connected(): Promise<void> {
  await waitFor(() => connectionOf().status().state === 'connected' && (connectionOf().status().accounts ?? ['old']).length > 0, 8000, 'connected, accounts reported');
}

describe('the live interlock', () => {
  let wire: WireSim | null = null;
  before(startServer);
  after(async () => {
    await stopServer();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await helper.unload();
    await wire?.sim.close();
    wire = null;
  });

  it('a paper account typed into ib-connect while TWS reports a live one is live, an error, and sends nothing', async () => {
    wire = await simulatorWith(['U7654321']);
    await loadFlow(TYPES, flow(wire.sim, { account: 'DU1234567' }));
    await connected();
    const status = connectionOf().status();
    assert.equal(status.live, true, 'live: TWS manages a live account, whatever was typed');
    assert.deepEqual(status.accounts, ['U7654321']);
    assert.equal(status.account, null, 'the typed account is not used');
    assert.doesNotMatch(status.text, /connected DU1234567/);
    assert.match(status.error ?? '', /account DU1234567 .*not managed by this TWS login, which manages U7654321/);
    await waitFor(() => statusTexts(helper.getNode('po')).some((s) => s.fill === 'red' && /DU1234567/.test(s.text ?? '')), 3000, 'a red status on the user node');
    assert.match(connectionOf().broker.orderBlock() ?? '', /manages U7654321/);

    const error = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 10, orderType: 'MKT' } });
    assert.match(await error, /account DU1234567 .*manages U7654321/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(wire.placed(), 0, 'no order on the wire');
    assert.equal(wire.sim.engine.executions().length, 0, 'nothing filled in U7654321');
  });

  it('even with "allow live orders" ticked, a typed account TWS does not manage refuses every order', async () => {
    wire = await simulatorWith(['U7654321']);
    await loadFlow(TYPES, flow(wire.sim, { account: 'U1111111', allowLiveOrders: true }));
    await connected();
    const error = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 10, orderType: 'MKT' } });
    assert.match(await error, /account U1111111 .*manages U7654321/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(wire.placed(), 0);
  });

  it('with several managed accounts, a live one among them makes the connection live', async () => {
    wire = await simulatorWith(['DU1111111', 'U2222222']);
    await loadFlow(TYPES, flow(wire.sim, {}));
    await connected();
    const status = connectionOf().status();
    assert.equal(status.account, 'DU1111111', 'the first managed account is the one orders go to');
    assert.equal(status.live, true);
    assert.match(status.text, /^LIVE/);
    const error = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 1, orderType: 'MKT' } });
    assert.match(await error, /live account U2222222: orders are refused because "allow live orders" is not ticked/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(wire.placed(), 0);
  });

  it('every order names its account: the one typed (if TWS manages it) or the first managed; a msg.order.account TWS does not manage is refused', async () => {
    wire = await simulatorWith(['DU1111111', 'DU2222222']);
    await loadFlow(TYPES, flow(wire.sim, { account: 'DU2222222' }));
    await connected();
    await waitFor(() => connectionOf().broker.orderBlock() === null, 8000, 'ready for orders');
    assert.equal(connectionOf().status().live, false);
    const events: Array<Record<string, any>> = [];
    helper.getNode('events').on('input', (m: Record<string, any>) => events.push(m));
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 2, orderType: 'LMT', lmtPrice: 1, tif: 'GTC' } });
    // Each account keeps its own orders: every account's, in the order they were placed.
    const openOrders = () => [...wire!.sim.engines.values()].flatMap((engine) => engine.openOrders()).sort((a, b) => a.order.orderId - b.order.orderId);
    await waitFor(() => openOrders().length === 1, 5000, 'the resting order');
    assert.equal(openOrders()[0].order.account, 'DU2222222', 'the typed account, not the first one');
    assert.equal(wire.sim.engines.get('DU2222222')!.openOrders().length, 1, 'booked on the typed account');

    const error = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 2, orderType: 'MKT', account: 'DU9999999' } });
    assert.match(await error, /order account DU9999999 is not managed by this TWS login, which manages DU1111111, DU2222222/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(wire.placed(), 1, 'only the first order reached the wire');
    await helper.unload();

    // Nothing typed: the first managed account, named on the order (TWS never picks one).
    await loadFlow(TYPES, flow(wire.sim, {}));
    await connected();
    await waitFor(() => connectionOf().broker.orderBlock() === null, 8000, 'ready for orders');
    helper.getNode('po').receive({ topic: 'MSFT', order: { action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 1, tif: 'GTC' } });
    await waitFor(() => openOrders().length === 2, 5000, 'the second resting order');
    assert.equal(openOrders()[1].order.account, 'DU1111111');
    // On the wire, not filled in by the simulator's default: the client named the account itself.
    assert.ok(wire.frames.at(-1)!.includes('DU1111111'), 'PLACE_ORDER carries the account');
  });
});
