/**
 * Every order's events come out of one node: the one that placed it. The demo's dashboard lists the
 * order events and fills of its order nodes in one table; a kill switch's flatten closed the strategy's
 * position under the strategy's own orderRef, so the strategy's stop-order node (which claims its
 * strategy's orders by name) reported the closing order beside the place-order node that sent it, and
 * each of its events and its fill was listed twice. Real Node-RED runtime, simulator over the real client.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, loadFlow, startServer, stopServer, waitFor } from '../helpers/node-red';
import { listen } from '../helpers/simulator-flows';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';
import type { Connection } from '../../lib/connection/types';

const TYPES = ['ib-connect', 'ib-place-order', 'ib-stop-order'];
const dir = mkdtempSync(join(tmpdir(), 'order-events-once-'));
let sim: Simulator;

function connectionOf(): Connection {
  return (helper.getNode('conn') as unknown as { connection: Connection }).connection;
}

describe('order events and fills, one node each', () => {
  before(async () => {
    await startServer();
    sim = await createSimulator({ port: 0, seed: 21 });
  });
  after(async () => {
    await stopServer();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a kill switch's flatten of a strategy's position is reported by the node that flattened, not also by the strategy's node", async () => {
    await loadFlow(TYPES, [
      { id: 'tab', type: 'tab' },
      { id: 'conn', z: 'tab', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 31, journalPath: join(dir, 'journal.jsonl') },
      { id: 'bracket', z: 'tab', type: 'ib-stop-order', connection: 'conn', orderRef: 'trend', entryType: 'MKT', stopType: 'distance', stopValue: 20, takeProfitType: 'distance', takeProfitValue: 20, trailType: 'none', tif: 'GTC', tick: 0.01, wires: [['strategyEvents'], ['strategyFills']] },
      { id: 'controls', z: 'tab', type: 'ib-place-order', connection: 'conn', orderRef: 'dashboard', wires: [['controlEvents'], ['controlFills']] },
      { id: 'strategyEvents', z: 'tab', type: 'helper' },
      { id: 'strategyFills', z: 'tab', type: 'helper' },
      { id: 'controlEvents', z: 'tab', type: 'helper' },
      { id: 'controlFills', z: 'tab', type: 'helper' },
    ]);
    await waitFor(() => connectionOf().status().state === 'connected' && connectionOf().broker.orderBlock() === null, 8000, 'connected');
    const strategyEvents = listen(helper.getNode('strategyEvents'));
    const strategyFills = listen(helper.getNode('strategyFills'));
    const controlEvents = listen(helper.getNode('controlEvents'));
    const controlFills = listen(helper.getNode('controlFills'));

    const ticks = await connectionOf().liveData('quotes').next.getMarketDataSnapshot({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, '', false);
    const price = Math.round((ticks.get(4)?.value ?? ticks.get(1)?.value) as number);
    helper.getNode('bracket').receive({ topic: 'AAPL', payload: { close: price }, order: { action: 'BUY', totalQuantity: 10 } });
    await waitFor(() => connectionOf().broker.strategyPosition?.('trend', 'AAPL') === 10 && connectionOf().broker.workingOrders('AAPL').length === 2, 8000, 'the bracket entered and its exits working');
    const entryFills = strategyFills.length;

    helper.getNode('controls').receive({ halt: 'flatten pressed', flatten: 'account' });
    await waitFor(() => connectionOf().broker.position('AAPL') === 0, 8000, 'the position closed');
    await waitFor(() => controlFills.length === 1, 5000, "the flatten's fill out of the node that flattened");
    await new Promise((r) => setTimeout(r, 500));

    const closing = controlFills[0].payload.orderId as number;
    assert.equal(controlFills[0].payload.orderRef, 'trend', "the flatten closes the strategy's share under its name");
    assert.ok(controlEvents.some((m) => m.payload.orderId === closing && m.payload.status === 'Filled'), 'the flatten order filled, on the node that sent it');
    const again = strategyEvents.filter((m) => m.payload.orderId === closing).map((m) => m.payload.status);
    assert.deepEqual(again, [], "the strategy's node reported the flatten's order events too");
    assert.equal(strategyFills.length, entryFills, "the strategy's node reported the flatten's fill too");
    // The strategy's own orders stay its node's: the entry's fill, its exits' cancellation by the kill switch.
    assert.ok(strategyFills.length >= 1 && controlEvents.every((m) => m.payload.orderId === closing), `the control node reported the strategy's orders: ${JSON.stringify(controlEvents.map((m) => m.payload.orderId))}`);
    assert.ok(strategyEvents.some((m) => m.payload.status === 'Cancelled'), "the exits' cancellation on the strategy's node");
    helper.getNode('controls').receive({ resume: true });
    await helper.unload();
  });
});
