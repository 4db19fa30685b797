/**
 * Connection start-up against the simulator with the real @stoqey/ib clients: version negotiation,
 * NEXT_VALID_ID, MANAGED_ACCTS, farm notices, current time, and clientId clashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, IBApi } from '@stoqey/ib';
import { connectApi, connectNext, startSimulator, VERSIONS, waitFor } from './harness';

for (const version of VERSIONS) {
  test(`handshake at server version ${version}: next id, accounts, farm notices, current time`, async () => {
    const sim = await startSimulator({ maxServerVersion: version, accounts: ['DU7654321', 'DU1111111'] });
    try {
      const client = await connectApi(sim, 3);
      assert.equal(client.serverVersion, version);
      assert.equal(client.nextValidId, 1);
      assert.equal(client.accounts, 'DU7654321,DU1111111');
      await waitFor(() => client.infos.length >= 3, 'farm notices');
      assert.deepEqual(client.infos.map((i) => i.code), [2104, 2106, 2158]);
      const time = await new Promise<number>((resolve) => {
        client.api.once(EventName.currentTime, resolve);
        client.api.reqCurrentTime();
      });
      assert.ok(Math.abs(time - Date.now() / 1000) < 5, `current time ${time} is now`);
      assert.equal(sim.clientCount(), 1);
      assert.deepEqual(client.errors, []);
      client.disconnect();
      await waitFor(() => sim.clientCount() === 0, 'the simulator to see the disconnect');
    } finally {
      await sim.close();
    }
  });
}

test('IBApiNext connects and reads the current time', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectNext(sim, 9);
    const time = await client.ib.getCurrentTime();
    assert.ok(Math.abs(time - Date.now() / 1000) < 5);
    assert.deepEqual(client.logger.problems, []);
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('a second connection with the same clientId gets 326 and is closed', async () => {
  const sim = await startSimulator();
  try {
    const first = await connectApi(sim, 5);
    const second = new IBApi({ host: sim.host, port: sim.port, clientId: 5 });
    const notices: number[] = [];
    let gotNextId = false;
    let disconnected = false;
    // TWS sends 326 with id -1, which @stoqey/ib reports as an info event, then closes the socket.
    second.on(EventName.info, (_message: string, code: number) => notices.push(code));
    second.on(EventName.nextValidId, () => (gotNextId = true));
    second.on(EventName.disconnected, () => (disconnected = true));
    second.connect();
    await waitFor(() => disconnected, 'the clashing connection to be closed');
    assert.deepEqual(notices, [326]);
    assert.equal(gotNextId, false);
    assert.equal(sim.clientCount(), 1);
    assert.equal(first.errors.length, 0);
    first.disconnect();
  } finally {
    await sim.close();
  }
});

test('client max version above the simulator max negotiates the simulator max', async () => {
  const sim = await startSimulator({ maxServerVersion: 500 });
  try {
    const client = await connectApi(sim, 1);
    assert.equal(client.serverVersion, 193);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
