/**
 * History never becomes live orders. examples/sma-crossover-backtest.json with only its ib-connect
 * switched from backtest to simulator replays its 10k-bar file through sma -> sma -> crossover ->
 * risk-sizer -> place-order, and not one order reaches the simulator (every bar carries the replay
 * mark, msg.history, and the computing nodes pass it on); place-order says why once, not per bar.
 * Warm-up stays possible: a marked message is refused, the next live one trades. Real Node-RED runtime,
 * the real @stoqey/ib client over a socket to the simulator; orders counted as the simulator sees them.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { helper, loadFlow, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';
import { exampleFlow, listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';
import { dataDir } from '../helpers/paths';
import type { Simulator } from '../../lib/sim/server/types';
import type { Connection } from '../../lib/connection/types';

const EXAMPLE_TYPES = ['ib-connect', 'ib-historical-bars', 'ib-sma', 'ib-crossover', 'ib-risk-sizer', 'ib-place-order', 'ib-backtest-report'];

/** What a node said through node.warn, from now on. */
function warnings(node: TestNode): string[] {
  const said: string[] = [];
  node.on('call:warn', (call: { args: unknown[] }) => said.push(String(call.args[0])));
  return said;
}

function lastStatus(node: TestNode): { fill?: string; text?: string } {
  const calls: Array<{ thisValue: unknown; args: Array<{ fill?: string; text?: string }> }> = (node.status as { getCalls(): any[] }).getCalls();
  const own = calls.filter((c) => c.thisValue === node);
  return own.at(-1)?.args[0] ?? {};
}

describe('history never becomes live orders: the SMA crossover example on a simulator connection', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('replays the 10k bars with 0 orders to the simulator, and place-order says why once', async () => {
    const flow = exampleFlow('sma-crossover-backtest') as Array<Record<string, any>>;
    const connection = flow.find((n) => n.type === 'ib-connect')!;
    connection.mode = 'simulator'; // the one change
    connection.clientId = 31;
    const bars = flow.find((n) => n.type === 'ib-historical-bars')!;
    bars.file = join(dataDir, 'sma-cross-10k.csv'); // the example names it as installed
    await loadFlow(EXAMPLE_TYPES, flow);
    const conn = (helper.getNode(connection.id) as unknown as { connection: Connection }).connection;
    await waitFor(() => conn.status().state === 'connected' && conn.broker.orderBlock() === null, 8000, 'the simulator connection ready');
    const sim = (conn as unknown as { simulator(): Simulator }).simulator();
    const ordersSeen = new Set<number>();
    sim.engine.on('order', (event) => ordersSeen.add(event.orderId));
    const placeOrder = helper.getNode(flow.find((n) => n.type === 'ib-place-order')!.id);
    const warned = warnings(placeOrder);
    const barsNode = helper.getNode(bars.id);
    barsNode.receive({ payload: '' });
    await waitFor(() => /100% 10k bars/.test(lastStatus(barsNode).text ?? ''), 60_000, 'the replay to finish');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(ordersSeen.size, 0, 'no order reached the simulator');
    assert.equal(sim.engine.executions().length, 0);
    assert.equal(warned.length, 1, `said once, not per bar: ${JSON.stringify(warned.slice(0, 3))}`);
    assert.match(warned[0], /history is not traded: this message carries msg\.history = true .* on a simulator connection history never becomes orders; indicators still warm up on it\. To trade this flow on history, backtest it: set the ib-connect node's mode to "backtest"/);
    const status = lastStatus(placeOrder);
    const refused = Number(/history not traded \((\d+)\)/.exec(status.text ?? '')?.[1]);
    assert.ok(refused > 100, `the status counts the refused targets (the backtest trades 112 times): ${status.text}`);
  });
});

describe('warm-up from history, then live', () => {
  const suite = useSimulatorSuite({ seed: 12 });

  it('a marked message is not traded by place-order or stop-order, the next live one is', async () => {
    await loadFlow(['ib-connect', 'ib-place-order', 'ib-stop-order'], simulatorFlow(suite.sim, [
      { id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'warm', wires: [['out'], []] },
      { id: 'so', type: 'ib-stop-order', connection: 'c', orderRef: 'warm-bracket', stopType: 'percent', stopValue: 2, wires: [['out'], []] },
    ], 33));
    const conn = (helper.getNode('c') as unknown as { connection: Connection }).connection;
    await waitFor(() => conn.status().state === 'connected' && conn.broker.orderBlock() === null, 8000, 'ready');
    const ordersSeen = new Set<number>();
    suite.sim.engine.on('order', (event) => ordersSeen.add(event.orderId));
    const caught = listen(helper.getNode('caught'));
    helper.getNode('po').receive({ topic: 'AAPL', history: true, payload: { close: 100 }, order: { targetQuantity: 10 } });
    helper.getNode('so').receive({ topic: 'AAPL', history: true, payload: { close: 100 }, order: { action: 'BUY', totalQuantity: 5 } });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(ordersSeen.size, 0, 'history: nothing sent by either node');
    assert.deepEqual(caught, [], 'a warning, not an error per bar');
    helper.getNode('po').receive({ topic: 'AAPL', history: false, order: { targetQuantity: 10 } });
    await waitFor(() => suite.sim.engine.position('AAPL')?.quantity === 10, 5000, 'the live target filled');
    assert.equal(ordersSeen.size, 1);
  });
});
