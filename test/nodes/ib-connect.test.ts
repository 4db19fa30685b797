/**
 * ib-connect in a real Node-RED runtime (node-red-node-test-helper) against the real simulator, through
 * the real @stoqey/ib client: socket sharing, status, reconnect, client id clash, live interlock.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { helper, nodeModule, startServer, stopServer, waitFor, nextMessage, type TestNode } from '../helpers/node-red';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';
import type { ConnectionConfigNode } from '../../nodes/connection';

const probeModule = require(join(__dirname, '..', 'helpers', 'probe-node.js'));
const connectModule = nodeModule('ib-connect');

function load(flow: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => helper.load([connectModule, probeModule], flow, {}, (err?: Error) => (err ? reject(err) : resolve())));
}

function configOf(probeId: string): ConnectionConfigNode {
  return (helper.getNode(probeId) as unknown as { config: ConnectionConfigNode }).config;
}

function statusTexts(node: TestNode): string[] {
  return (node.status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
}

describe('ib-connect', () => {
  let sim: Simulator | undefined;
  before(startServer);
  after(stopServer);
  afterEach(async () => {
    await helper.unload();
    await sim?.close();
    sim = undefined;
  });

  it('simulator mode: starts the simulator, one socket shared by every user, shows the paper account', async () => {
    await load([
      { id: 'c', type: 'ib-connect', mode: 'simulator', clientId: 3 },
      { id: 'p1', type: 'ib-test-probe', connection: 'c', wires: [['out']] },
      { id: 'p2', type: 'ib-test-probe', connection: 'c', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const config = configOf('p1');
    assert.equal(configOf('p2'), config, 'both probes use the same config node');
    await waitFor(() => config.connection.status().state === 'connected', 8000, 'connected');
    const status = config.connection.status();
    assert.equal(status.account, 'DU1234567');
    assert.equal(status.live, false);
    assert.match(status.text, /connected DU1234567/);
    const simulator = (config.connection as unknown as { simulator(): Simulator }).simulator();
    assert.equal(simulator.clientCount(), 1, 'one socket for two nodes');
    const reply = nextMessage(helper.getNode('out'));
    helper.getNode('p2').receive({ payload: 'time' });
    const msg = await reply;
    assert.ok(Math.abs(msg.payload - Date.now() / 1000) < 5, `TWS time ${msg.payload} is now`);
    await waitFor(() => statusTexts(helper.getNode('p1')).some((t) => t.includes('DU1234567')), 2000, 'user node status');
  });

  it('the last user out disconnects', async () => {
    sim = await createSimulator({ port: 0 });
    await load([
      { id: 'c', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 4 },
      { id: 'p1', type: 'ib-test-probe', connection: 'c', wires: [] },
      { id: 'p2', type: 'ib-test-probe', connection: 'c', wires: [] },
    ]);
    await waitFor(() => sim!.clientCount() === 1, 8000, 'client connected');
    const started = Date.now();
    await helper.unload();
    assert.ok(Date.now() - started < 5000, 'close handlers finish well within Node-RED 15 s');
    await waitFor(() => sim!.clientCount() === 0, 3000, 'client gone');
  });

  it('reconnects with the same client id after a drop and after a TWS restart', async () => {
    sim = await createSimulator({ port: 0 });
    await load([
      { id: 'c', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 5 },
      { id: 'p', type: 'ib-test-probe', connection: 'c', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const connection = configOf('p').connection;
    await waitFor(() => connection.status().state === 'connected', 8000, 'connected');
    const seen: string[] = [];
    let resubscribes = 0;
    connection.on('status', (s) => seen.push(s.state));
    connection.on('resubscribe', () => resubscribes++);

    sim.dropConnections();
    await waitFor(() => seen.includes('disconnected') && connection.status().state === 'connected', 8000, 'reconnected after drop');
    assert.equal(resubscribes, 1, 'subscriptions are renewed once after the reconnect');

    await sim.restart(700);
    await waitFor(() => resubscribes === 2 && connection.status().state === 'connected', 12000, 'reconnected after restart');
    assert.equal(sim.clientCount(), 1);
    const reply = nextMessage(helper.getNode('out'));
    helper.getNode('p').receive({ payload: 'time' });
    assert.equal(typeof (await reply).payload, 'number', 'requests work after the reconnect');
  });

  it('a second connection with the same client id says so clearly (326)', async () => {
    sim = await createSimulator({ port: 0 });
    await load([
      { id: 'c1', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 7 },
      { id: 'c2', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 7 },
      { id: 'p1', type: 'ib-test-probe', connection: 'c1', wires: [] },
    ]);
    await waitFor(() => configOf('p1').connection.status().state === 'connected', 8000, 'first connected');
    // The second user registers only now, so the first one surely holds the id.
    const second = helper.getNode('c2') as unknown as ConnectionConfigNode;
    second.register({ id: 'late-user' } as never);
    await waitFor(() => second.connection.status().state === 'error', 8000, 'clash reported');
    assert.match(second.connection.status().text, /client id 7 already in use \(326\)/);
    assert.equal(configOf('p1').connection.status().state, 'connected', 'the first connection is untouched');
    await new Promise<void>((resolve) => second.deregister({ id: 'late-user' } as never, resolve));
  });

  it('a live account is read-only unless "allow live orders" is ticked', async () => {
    await load([
      { id: 'ro', type: 'ib-connect', mode: 'simulator', simAccount: 'U7654321', clientId: 1 },
      { id: 'rw', type: 'ib-connect', mode: 'simulator', simAccount: 'U7654321', clientId: 1, allowLiveOrders: true },
      { id: 'p1', type: 'ib-test-probe', connection: 'ro', wires: [] },
      { id: 'p2', type: 'ib-test-probe', connection: 'rw', wires: [] },
    ]);
    const readOnly = configOf('p1').connection;
    const trading = configOf('p2').connection;
    await waitFor(() => readOnly.status().state === 'connected' && trading.status().state === 'connected', 8000, 'both connected');
    assert.equal(readOnly.status().live, true);
    assert.equal(readOnly.status().text, 'LIVE U7654321 read-only');
    assert.match(String(readOnly.broker.orderBlock()), /live/i);
    assert.equal(trading.status().text, 'LIVE U7654321 trading');
    // The broker first rebuilds open orders and positions from TWS; after that only the box matters.
    await waitFor(() => trading.broker.orderBlock() === null, 8000, 'orders allowed once reconciled');
    assert.match(String(readOnly.broker.orderBlock()), /live/i, 'still read-only after reconciling');
  });

  it('a user node without a connection shows it and refuses input with a fix', async () => {
    await load([
      { id: 'p', type: 'ib-test-probe', connection: '', wires: [] },
    ]);
    const probe = helper.getNode('p');
    assert.deepEqual(statusTexts(probe), ['no connection']);
  });
});
