/**
 * The socket session (lib/ib/session.ts) with the real @stoqey/ib client against the real simulator:
 * error routing by request id, informational codes kept out of errors, live detection, backoff.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IbSocketSession, type SessionLog } from '../../lib/ib/session';
import { IbRequestError } from '../../lib/ib/connection';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';

function recordingLog() {
  const lines: Record<keyof SessionLog, string[]> = { debug: [], info: [], warn: [], error: [] };
  const log: SessionLog = {
    debug: (m) => lines.debug.push(m),
    info: (m) => lines.info.push(m),
    warn: (m) => lines.warn.push(m),
    error: (m) => lines.error.push(m),
  };
  return { log, lines };
}

describe('IbSocketSession', () => {
  let sim: Simulator | undefined;
  let session: IbSocketSession | undefined;
  afterEach(async () => {
    await session?.stop();
    await sim?.close();
    session = undefined;
    sim = undefined;
  });

  it('routes a TWS error to the owner of the request id, and farm notices only to debug', async () => {
    sim = await createSimulator({ port: 0 });
    const { log, lines } = recordingLog();
    session = new IbSocketSession({ host: '127.0.0.1', port: sim.port, clientId: 11, allowLiveOrders: false, mode: 'tws', log });
    session.start();
    await session.whenConnected(5000);
    const errors: IbRequestError[] = [];
    const reqId = session.allocateReqId({ onRequestError: (e) => errors.push(e) });
    assert.ok(reqId >= 1_000_000_000, 'raw ids stay clear of IBApiNext ids and order ids');
    session.api.reqContractDetails(reqId, { symbol: 'NOSUCHSYMBOL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' });
    const deadline = Date.now() + 3000;
    while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof IbRequestError);
    assert.equal(errors[0].code, 200);
    assert.equal(errors[0].reqId, reqId);
    assert.match(errors[0].message, /200/);
    assert.ok(lines.debug.some((l) => /2104/.test(l)), 'farm notice 2104 logged at debug');
    assert.ok(![...lines.warn, ...lines.error, ...lines.info].some((l) => /2104|2106|2158/.test(l)), 'farm notices never above debug');
    session.releaseReqId(reqId);
  });

  it('treats ports 7496/4001 and non-D accounts as live', () => {
    const live = new IbSocketSession({ host: '127.0.0.1', port: 7496, clientId: 1, allowLiveOrders: false, mode: 'tws' });
    assert.equal(live.status().live, true);
    const gateway = new IbSocketSession({ host: '127.0.0.1', port: 4001, clientId: 1, allowLiveOrders: true, mode: 'tws' });
    assert.equal(gateway.status().live, true);
    assert.equal(gateway.status().liveOrdersAllowed, true);
    const paper = new IbSocketSession({ host: '127.0.0.1', port: 7497, clientId: 1, allowLiveOrders: false, mode: 'tws', account: 'DU999' });
    assert.equal(paper.status().live, false);
    const configuredLive = new IbSocketSession({ host: '127.0.0.1', port: 7497, clientId: 1, allowLiveOrders: false, mode: 'tws', account: 'U999' });
    assert.equal(configuredLive.status().live, true);
  });

  it('keeps retrying with growing delays while nothing listens, then connects', async () => {
    sim = await createSimulator({ port: 0 });
    const port = sim.port;
    await sim.close();
    const { log } = recordingLog();
    session = new IbSocketSession({ host: '127.0.0.1', port, clientId: 12, allowLiveOrders: false, mode: 'tws', log, backoff: { initialMs: 100, maxMs: 400 } });
    const texts: string[] = [];
    session.on('status', (s) => texts.push(s.text));
    session.start();
    await new Promise((r) => setTimeout(r, 800));
    assert.ok(texts.some((t) => /no TWS at 127\.0\.0\.1:\d+, retrying/.test(t)), `status says TWS is missing: ${texts.join(' | ')}`);
    assert.equal(session.status().state === 'connected', false);
    sim = await createSimulator({ port });
    await session.whenConnected(5000);
    assert.equal(session.status().state, 'connected');
  });

  it('shows TWS losing IB (1100) and resubscribes when data was lost (1101), not when kept (1102)', async () => {
    sim = await createSimulator({ port: 0 });
    session = new IbSocketSession({ host: '127.0.0.1', port: sim.port, clientId: 13, allowLiveOrders: false, mode: 'tws' });
    session.start();
    await session.whenConnected(5000);
    let resubscribes = 0;
    session.on('resubscribe', () => resubscribes++);
    const until = async (predicate: () => boolean, what: string) => {
      const deadline = Date.now() + 3000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    // IBApiNext drops the socket on 1100 by itself; the session reconnects and keeps saying 1100 until
    // TWS reports IB back.
    sim.broadcastError(-1, 1100, 'Connectivity between IB and Trader Workstation has been lost.');
    await until(() => resubscribes === 1 && session!.status().state === 'connected', 'reconnected after 1100');
    assert.match(session.status().text, /1100/);
    sim.broadcastError(-1, 1102, 'Connectivity between IB and Trader Workstation has been restored - data maintained.');
    await until(() => /connected DU/.test(session!.status().text), 'status back after 1102');
    assert.equal(resubscribes, 1, '1102 keeps subscriptions');
    sim.broadcastError(-1, 1101, 'Connectivity between IB and Trader Workstation has been restored - data lost.');
    await until(() => resubscribes === 2, 'resubscribe after 1101');
  });

  it('closing while the handshake is still under way closes the socket and frees the client id', async () => {
    sim = await createSimulator({ port: 0 });
    sim.setLatency(400);
    session = new IbSocketSession({ host: '127.0.0.1', port: sim.port, clientId: 14, allowLiveOrders: false, mode: 'tws' });
    session.start();
    const deadline = Date.now() + 3000;
    while (sim.clientCount() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(session.status().state, 'connecting', 'still handshaking');
    await session.stop();
    const closedBy = Date.now() + 2000;
    while (sim.clientCount() > 0 && Date.now() < closedBy) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sim.clientCount(), 0, 'no half-open socket left behind');
    sim.setLatency(0);
    session = new IbSocketSession({ host: '127.0.0.1', port: sim.port, clientId: 14, allowLiveOrders: false, mode: 'tws' });
    session.start();
    await session.whenConnected(5000);
    assert.equal(session.status().state, 'connected', 'the same client id connects again');
  });

  it('order errors (202 on cancel) never end IBApiNext subscriptions: their ids are clear of order ids', async () => {
    sim = await createSimulator({ port: 0 });
    session = new IbSocketSession({ host: '127.0.0.1', port: sim.port, clientId: 15, allowLiveOrders: false, mode: 'tws' });
    let firstOrderId = 0;
    session.on('nextValidId', (id) => (firstOrderId = firstOrderId || id));
    session.start();
    await session.whenConnected(5000);
    let failure: unknown = null;
    let updates = 0;
    const subscription = session.next.getAccountSummary('All', 'NetLiquidation').subscribe({
      next: () => updates++,
      error: (err: unknown) => (failure = err),
    });
    const errors: number[] = [];
    session.api.on('error' as never, (_e: Error, code: number) => errors.push(code));
    for (let id = firstOrderId; id < firstOrderId + 5; id++) {
      session.api.placeOrder(id, { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, { action: 'BUY' as never, orderType: 'LMT' as never, totalQuantity: 1, lmtPrice: 1, tif: 'GTC' as never, transmit: true });
      session.api.cancelOrder(id);
    }
    const deadline = Date.now() + 4000;
    while (errors.filter((c) => c === 202).length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors.filter((c) => c === 202).length, 5, 'TWS answered every cancel with 202 on the order id');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(failure, null, 'the account summary subscription is still alive');
    assert.ok(updates > 0);
    subscription.unsubscribe();
  });
});
