/**
 * Rejections TWS sends after an order left reach the flow three ways: the order event on output 1 (as
 * before), node.error(msg) so a Catch node sees them, and the node's status. Real Node-RED runtime,
 * real @stoqey/ib client, the simulator rejecting: a price off the tick (110), a time in force the
 * order type does not take (201), an unknown contract (200).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, waitFor, type TestNode } from '../helpers/node-red';
import { listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';
import type { Connection } from '../../lib/connection/types';

const TYPES = ['ib-connect', 'ib-place-order', 'ib-stop-order'];
let placed = 0;
let clientId = 80;

function connectionOf(): Connection {
  return (helper.getNode('c') as unknown as { connection: Connection }).connection;
}

function statuses(node: TestNode): Array<{ fill?: string; text?: string }> {
  return (node.status as { args: Array<[{ fill?: string; text?: string }]> }).args.map((a) => a[0] ?? {});
}

describe('order rejections after the order left', () => {
  const suite = useSimulatorSuite({ seed: 4, probe: { placeOrderRead: () => placed++ } });

  async function load(nodes: Array<Record<string, unknown>>): Promise<void> {
    await loadFlow(TYPES, simulatorFlow(suite.sim, nodes, ++clientId));
    await waitFor(() => connectionOf().status().state === 'connected' && connectionOf().broker.orderBlock() === null, 8000, 'ready for orders');
  }

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a price off the tick (110)', { topic: 'AAPL', order: { action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 100.001, tif: 'GTC' } }, /rejected: .*minimum price variation.*\(IB 110\)/],
    ['an order type TWS does not take with its time in force (201)', { topic: 'AAPL', order: { action: 'SELL', totalQuantity: 1, orderType: 'STP', auxPrice: 1, tif: 'IOC' } }, /rejected: .*IOC.*\(IB 201\)/],
    ['an unknown contract (200)', { topic: 'NOSUCHSYMBOL', order: { action: 'BUY', totalQuantity: 1, orderType: 'MKT' } }, /rejected: .*\(IB 200\)/],
  ];
  for (const [what, msg, expected] of cases) {
    it(`place-order: ${what} reaches a Catch node, output 1 and the status`, async () => {
      await load([{ id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'rej', wires: [['out'], []] }]);
      const events = listen(helper.getNode('out'));
      const caught = listen(helper.getNode('caught'));
      const before = placed;
      helper.getNode('po').receive(msg);
      await waitFor(() => caught.length > 0, 5000, 'the Catch node to see the rejection');
      assert.equal(placed, before + 1, 'the order left (one PLACE_ORDER on the wire)');
      assert.match(String(caught[0].error.message), expected);
      assert.equal(caught[0].payload.status, 'Inactive', 'the caught msg carries the order event');
      assert.equal(caught[0].error.source.id, 'po');
      await waitFor(() => events.some((m) => m.payload.status === 'Inactive'), 2000, 'the event on output 1');
      await waitFor(() => statuses(helper.getNode('po')).some((s) => s.fill === 'red' && /rejected/.test(s.text ?? '')), 2000, 'a red status');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(caught.length, 1, 'reported once');
    });
  }

  it('stop-order: a bracket entry TWS rejects reaches a Catch node', async () => {
    await load([{ id: 'so', type: 'ib-stop-order', connection: 'c', orderRef: 'rej-bracket', stopType: 'percent', stopValue: 2, takeProfitType: 'percent', takeProfitValue: 4, wires: [['out'], []] }]);
    const caught = listen(helper.getNode('caught'));
    helper.getNode('so').receive({ topic: 'NOSUCHSYMBOL', payload: { close: 100 }, order: { action: 'BUY', totalQuantity: 1 } });
    await waitFor(() => caught.length > 0, 5000, 'the Catch node to see the rejection');
    assert.match(String(caught[0].error.message), /order #\d+ .* was rejected: .*\(IB 200\)/);
    assert.equal(caught[0].error.source.id, 'so');
    await waitFor(() => statuses(helper.getNode('so')).some((s) => s.fill === 'red'), 2000, 'a red status');
  });

  it('a cancel the strategy asked for is no error', async () => {
    await load([{ id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'rej-cancel', wires: [['out'], []] }]);
    const events = listen(helper.getNode('out'));
    const caught = listen(helper.getNode('caught'));
    helper.getNode('po').receive({ topic: 'MSFT', order: { action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 1, tif: 'GTC' } });
    await waitFor(() => events.some((m) => m.payload.status === 'Submitted'), 5000, 'working');
    helper.getNode('po').receive({ cancel: 'all' });
    await waitFor(() => events.some((m) => m.payload.status === 'Cancelled'), 5000, 'cancelled');
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(caught, []);
  });
});
