/**
 * The session's socket to TWS sends each message at once (TCP_NODELAY): with Nagle's algorithm on, an
 * order written while an earlier small write is still unacknowledged waits for that ACK. Checked on
 * the real @stoqey/ib socket against the simulator, on the first connection and after a reconnect
 * (which opens a new socket).
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { apiSocket, IbSocketSession } from '../../lib/ib/session';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';

/** Node keeps the state setNoDelay() set under this symbol (there is no public getter). */
function noDelayOf(socket: Socket): boolean | undefined {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kSetNoDelay');
  assert.ok(key, 'this Node version keeps the TCP_NODELAY state under Symbol(kSetNoDelay)');
  return (socket as unknown as Record<symbol, boolean | undefined>)[key];
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('session socket options', () => {
  let sim: Simulator | undefined;
  let session: IbSocketSession | undefined;
  afterEach(async () => {
    await session?.stop();
    await sim?.close();
    session = undefined;
    sim = undefined;
  });

  it('turns Nagle off on the TWS socket, and again on the new socket after a reconnect', async () => {
    sim = await createSimulator({ port: 0, seed: 7 });
    const warnings: string[] = [];
    session = new IbSocketSession({
      host: '127.0.0.1',
      port: sim.port,
      clientId: 31,
      allowLiveOrders: false,
      mode: 'tws',
      backoff: { initialMs: 50, maxMs: 200 },
      log: { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
    session.start();
    await session.whenConnected(5000);
    const first = apiSocket(session.api);
    assert.ok(first, 'the IBApi socket is reachable');
    assert.equal(noDelayOf(first), true);

    sim.dropConnections();
    await until(() => apiSocket(session!.api) !== first && session!.isReady(), 'the reconnect');
    const second = apiSocket(session.api);
    assert.ok(second && second !== first, 'a new socket after the reconnect');
    assert.equal(noDelayOf(second), true);
    assert.deepEqual(warnings.filter((w) => /Nagle/.test(w)), [], 'no warning about the socket options');
  });

  it('finds no socket before the first connect (null, not a throw)', () => {
    const detached = new IbSocketSession({ host: '127.0.0.1', port: 1, clientId: 32, allowLiveOrders: false, mode: 'tws' });
    // Never connected: @stoqey/ib has no socket yet.
    assert.equal(apiSocket(detached.api), null);
  });
});
