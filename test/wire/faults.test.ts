/**
 * Fault injection of the simulator as a client sees it: dropped connections, a TWS restart, refused
 * connections, broadcast connectivity errors, injected request errors and latency.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, IBApi } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor } from './harness';

test('dropConnections closes every client and keeps listening', async () => {
  const sim = await startSimulator();
  try {
    const a = await connectApi(sim, 1);
    const b = await connectApi(sim, 2);
    let dropped = 0;
    a.api.on(EventName.disconnected, () => dropped++);
    b.api.on(EventName.disconnected, () => dropped++);
    sim.dropConnections();
    await waitFor(() => dropped === 2, 'both clients to see the drop');
    const again = await connectApi(sim, 1);
    assert.equal(sim.clientCount(), 1);
    again.disconnect();
  } finally {
    await sim.close();
  }
});

test('restart drops clients, is unreachable while down, then listens on the same port', async () => {
  const sim = await startSimulator();
  try {
    const port = sim.port;
    const client = await connectApi(sim, 1);
    let dropped = false;
    client.api.on(EventName.disconnected, () => (dropped = true));
    const restarted = sim.restart(300);
    await waitFor(() => dropped, 'the client to see the restart');
    const whileDown = await connectApi(sim, 1, 150).catch((error: Error) => error);
    assert.ok(whileDown instanceof Error, 'no connection while TWS is down');
    await restarted;
    assert.equal(sim.port, port);
    const after = await connectApi(sim, 1);
    assert.equal(after.nextValidId, 1);
    after.disconnect();
  } finally {
    await sim.close();
  }
});

test('refuseConnections closes new sockets until lifted', async () => {
  const sim = await startSimulator();
  try {
    sim.refuseConnections(true);
    const api = new IBApi({ host: sim.host, port: sim.port, clientId: 1 });
    let disconnected = false;
    let gotId = false;
    api.on(EventName.error, () => {});
    api.on(EventName.disconnected, () => (disconnected = true));
    api.on(EventName.nextValidId, () => (gotId = true));
    api.connect();
    await waitFor(() => disconnected, 'the refused socket to close');
    assert.equal(gotId, false);
    sim.refuseConnections(false);
    const client = await connectApi(sim, 1);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('broadcastError reaches every client; failNext answers one request with the given code', async () => {
  const sim = await startSimulator();
  try {
    const a = await connectApi(sim, 1);
    const b = await connectApi(sim, 2);
    await waitFor(() => a.infos.length >= 3 && b.infos.length >= 3, 'farm notices');
    sim.broadcastError(-1, 1100, 'Connectivity between IB and Trader Workstation has been lost.');
    await waitFor(() => a.infos.some((i) => i.code === 1100) && b.infos.some((i) => i.code === 1100), '1100 on both');
    sim.failNext({ messageId: 49 }, 504, 'Not connected');
    a.api.reqCurrentTime();
    await waitFor(() => a.infos.some((i) => i.code === 504), 'the injected error');
    // Only the next matching request fails.
    const time = await new Promise<number>((resolve) => {
      a.api.once(EventName.currentTime, resolve);
      a.api.reqCurrentTime();
    });
    assert.ok(time > 0);
    a.disconnect();
    b.disconnect();
  } finally {
    await sim.close();
  }
});

test('setLatency delays answers by about that long', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectApi(sim, 1);
    sim.setLatency(120);
    const started = Date.now();
    await new Promise<number>((resolve) => {
      client.api.once(EventName.currentTime, resolve);
      client.api.reqCurrentTime();
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 110, `answer took ${elapsed} ms`);
    sim.setLatency(0);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
