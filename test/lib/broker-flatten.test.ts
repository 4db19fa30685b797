/**
 * The kill switch's flatten through the real client and session against the real simulator, with a
 * fill that comes after the halt: the simulator holds the orders on their way to the exchange
 * (Simulator.holdOrders) until the test lets them go, so a market order working at the halt fills
 * behind the halt's global cancel, as at TWS when the cancel comes too late. The account ends flat
 * with exactly one closing order per fill, never two.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from '@stoqey/ib';
import { createIbBroker, disposeBroker, type GuardedBroker, type IbBroker } from '../../lib/broker';
import { IbSocketSession } from '../../lib/ib/session';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';
import { buildOrder } from '../../lib/orders/build';
import { waitFor } from '../wire/harness';

const AAPL: Contract = { symbol: 'AAPL', secType: 'STK' as Contract['secType'], exchange: 'SMART', currency: 'USD' };
const PLACE_ORDER = '3';
const REQ_GLOBAL_CANCEL = '58';
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Rig {
  sim: Simulator;
  broker: GuardedBroker;
  journalPath: string;
  /** Message ids (fields[0]) the simulator read from the client, in order. */
  read: string[];
  close(): Promise<void>;
}

async function rig(flattenWaitMs?: number): Promise<Rig> {
  const read: string[] = [];
  const sim = await createSimulator({ seed: 21, probe: { messageRead: (_c, fields) => read.push(fields[0]!) } });
  const dir = mkdtempSync(join(tmpdir(), 'broker-flatten-'));
  dirs.push(dir);
  const journalPath = join(dir, 'journal.jsonl');
  const session = new IbSocketSession({ host: sim.host, port: sim.port, clientId: 5, allowLiveOrders: false, mode: 'simulator', backoff: { initialMs: 50, maxMs: 200 } });
  const broker = createIbBroker(session, { clientId: 5, allowLiveOrders: false, limits: {}, journalPath, statusProvider: () => session.status(), flattenWaitMs });
  session.start();
  await session.whenConnected(5000);
  await waitFor(() => (broker.inner as IbBroker).isReady() && session.status().account !== null, 'the broker to be ready');
  return {
    sim,
    broker,
    journalPath,
    read,
    async close() {
      disposeBroker(broker);
      await session.stop();
      await sim.close();
    },
  };
}

const buy = (qty: number) => buildOrder('BUY', qty, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'trend');

/** The simulator's executions of AAPL as [side, shares], in order. */
function fills(sim: Simulator): Array<[string, number]> {
  return sim.engine.executions().filter((e) => e.symbol.startsWith('AAPL')).map((e) => [e.side, e.shares]);
}

function journal(path: string): Array<Record<string, any>> {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** The closing orders flatten journaled as sent: [key, action, quantity, orderRef]. */
function closingOrders(path: string): unknown[] {
  return journal(path)
    .filter((l) => l.type === 'decision' && l.source === 'flatten' && l.result === 'sent')
    .map((l) => [l.key, l.order.action, l.order.totalQuantity, l.order.orderRef]);
}

/** A market buy working at the halt that fills behind the halt's cancel (orders held until release). */
async function buyFillingAfterTheHalt(r: Rig): Promise<{ orderId: number; release: () => void }> {
  const release = r.sim.holdOrders();
  const orderId = await r.broker.nextOrderId();
  r.broker.placeOrder(orderId, AAPL, buy(10));
  await waitFor(() => r.read.includes(PLACE_ORDER), 'the buy on the wire');
  r.broker.halt('kill switch pressed');
  await waitFor(() => r.read.includes(REQ_GLOBAL_CANCEL), 'the global cancel on the wire, behind the buy');
  assert.deepEqual(fills(r.sim), [], 'nothing filled while the orders are held');
  return { orderId, release };
}

describe('flatten with a fill after the halt', () => {
  it('waits for the orders working at the halt before it measures: the fill that comes then is closed, once', async () => {
    const r = await rig();
    try {
      const { release } = await buyFillingAfterTheHalt(r);
      const flattening = r.broker.flatten('account', '', 'kill-node');
      release();
      const outcome = await flattening;
      assert.deepEqual(fills(r.sim), [['BUY', 10], ['SELL', 10]]);
      assert.equal(r.sim.engine.position('AAPL')?.quantity, 0, 'the account flat');
      assert.deepEqual(closingOrders(r.journalPath), [['AAPL', 'SELL', 10, 'trend']], "one closing order, under the strategy's orderRef");
      assert.deepEqual({ sent: outcome.orderIds.length, open: outcome.open, working: outcome.working, failed: outcome.failed }, { sent: 1, open: [], working: [], failed: [] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(fills(r.sim), [['BUY', 10], ['SELL', 10]], 'nothing more sent');
      assert.match(r.broker.orderBlock() ?? '', /^trading halted: kill switch pressed/);
    } finally {
      await r.close();
    }
  });

  it('a fill that comes after flatten measured is closed when it comes, once', async () => {
    const r = await rig(200);
    try {
      const { orderId, release } = await buyFillingAfterTheHalt(r);
      const outcome = await r.broker.flatten('account', '', 'kill-node');
      // Nothing held yet, but the buy may still fill: flatten says so.
      assert.deepEqual({ sent: outcome.orderIds.length, open: outcome.open, working: outcome.working }, { sent: 0, open: [], working: [orderId] });
      release();
      await waitFor(() => fills(r.sim).length === 2 && r.sim.engine.position('AAPL')?.quantity === 0, 'the late fill closed');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(fills(r.sim), [['BUY', 10], ['SELL', 10]], 'closed once');
      assert.deepEqual(closingOrders(r.journalPath), [['AAPL', 'SELL', 10, 'trend']]);
      await waitFor(() => journal(r.journalPath).filter((l) => l.type === 'flatten').length === 2, 'the late flatten journaled');
      const [first, late] = journal(r.journalPath).filter((l) => l.type === 'flatten');
      assert.deepEqual([first.working, first.orderIds, late.working, late.open, late.orderIds.length], [[orderId], [], [], [], 1]);
    } finally {
      await r.close();
    }
  });

  it('two flattens at once close a position once', async () => {
    const r = await rig();
    try {
      r.broker.placeOrder(await r.broker.nextOrderId(), AAPL, buy(10));
      await waitFor(() => r.broker.position('AAPL') === 10, 'the buy filled');
      r.broker.halt('kill switch pressed');
      const outcomes = await Promise.all([r.broker.flatten('account'), r.broker.flatten('account')]);
      assert.deepEqual(outcomes.map((o) => o.orderIds.length), [1, 0]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(fills(r.sim), [['BUY', 10], ['SELL', 10]]);
      assert.deepEqual(closingOrders(r.journalPath), [['AAPL', 'SELL', 10, 'trend']]);
    } finally {
      await r.close();
    }
  });
});
