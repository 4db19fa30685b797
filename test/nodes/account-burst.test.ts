/**
 * A burst into account does not hold orders back: in a real Node-RED runtime against the simulator
 * through the real client, 200 messages into an account node (each asks for a snapshot with open
 * orders and executions) and then an order into place-order on the same connection. The account
 * requests on the wire are coalesced, every message still gets its snapshot, and the order reaches the
 * simulator at once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, waitFor } from '../helpers/node-red';
import { listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';
import type { Connection } from '../../lib/connection/types';

const REQ_EXECUTIONS = '7';
const REQ_ALL_OPEN_ORDERS = '16';
const PLACE_ORDER = '3';

describe('account under a burst', () => {
  const read: Array<{ id: string; at: number }> = [];
  const suite = useSimulatorSuite({ ticksPerSecond: 4, probe: { messageRead: (_c, fields) => read.push({ id: fields[0], at: Date.now() }) } });

  it('200 account messages: requests coalesced on the wire, each answered, and an order after them leaves at once', async () => {
    await loadFlow(
      ['ib-connect', 'ib-account', 'ib-place-order'],
      simulatorFlow(
        suite.sim,
        [
          { id: 'a', type: 'ib-account', connection: 'c', mode: 'request', wires: [['out']] },
          { id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'burst', wires: [[], []] },
        ],
        71,
      ),
    );
    const connection = (helper.getNode('c') as unknown as { connection: Connection }).connection;
    await waitFor(() => connection.status().state === 'connected' && connection.broker.orderBlock() === null, 8000, 'ready for orders');
    const replies = listen(helper.getNode('out'));
    const caught = listen(helper.getNode('caught'));
    const count = (id: string) => read.filter((r) => r.id === id).length;
    const before = { executions: count(REQ_EXECUTIONS), openOrders: count(REQ_ALL_OPEN_ORDERS) };
    for (let i = 0; i < 200; i++) helper.getNode('a').receive({ payload: i });
    // Let the account node's requests reach the client's queue before the order comes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sentAt = Date.now();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 1, orderType: 'MKT' } });
    await waitFor(() => read.some((r) => r.id === PLACE_ORDER), 15_000, 'the order to reach the simulator');
    const took = read.find((r) => r.id === PLACE_ORDER)!.at - sentAt;
    assert.ok(took < 500, `the order reached the simulator ${took} ms after place-order got it, behind 200 account messages`);
    await waitFor(() => replies.length === 200, 20_000, 'a snapshot for every account message');
    assert.deepEqual(caught, []);
    const executions = count(REQ_EXECUTIONS) - before.executions;
    const openOrders = count(REQ_ALL_OPEN_ORDERS) - before.openOrders;
    assert.ok(executions >= 1 && executions <= 3, `${executions} executions requests for 200 messages`);
    assert.ok(openOrders >= 1 && openOrders <= 3, `${openOrders} open-orders requests for 200 messages`);
    for (const reply of replies) assert.ok(Array.isArray(reply.payload.orders) && Array.isArray(reply.payload.executions));
    // Each message has its own copy of the snapshot.
    assert.notEqual(replies[0].payload.orders, replies[1].payload.orders);
  });
});
