/**
 * account in a real Node-RED runtime against the simulator, over days: a strategy bought two days ago
 * and a limit order was cancelled; after time passed (the simulator's clock moved on) and a redeploy,
 * a node asking for 3 days of executions rebuilds the strategy's position from its own executions and
 * lists both completed orders, while today's executions alone (msg.days = 0) leave the position
 * unattributed, as TWS lists only today's by default. msg.since picks the period too; a bad one ends
 * in done(err) naming it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { exampleFlow, listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';
import type { ConnectionConfigNode } from '../../nodes/connection';

const TYPES = ['ib-connect', 'ib-account'];
const DAY = 24 * 3600_000;
const AAPL = { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' };

function connectionOf(id: string) {
  return (helper.getNode(id) as unknown as ConnectionConfigNode).connection;
}

describe('account over past days', () => {
  // The simulator's clock starts two days ago; advanceClock brings it to today, beside the machine's.
  const suite = useSimulatorSuite({ ticksPerSecond: 10, startingCash: 100_000, startTime: Date.now() - 2 * DAY });

  it('executions of the last days rebuild a strategy after a redeploy; completed orders listed; msg.days and msg.since pick the period', async () => {
    // Two days ago: the strategy 'swing' buys 10 AAPL and a limit order of 'dip' is cancelled.
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'acct1', type: 'ib-account', connection: 'c', mode: 'request', wires: [['out']] }], 71));
    await waitFor(() => connectionOf('c').status().state === 'connected' && connectionOf('c').broker.orderBlock() === null, 8000, 'the connection ready for orders');
    const broker = connectionOf('c').broker;
    const buy = await broker.nextOrderId();
    broker.placeOrder(buy, AAPL, { action: 'BUY' as never, totalQuantity: 10, orderType: 'MKT' as never, orderRef: 'swing', tif: 'DAY' as never, transmit: true });
    const limit = await broker.nextOrderId();
    broker.placeOrder(limit, AAPL, { action: 'BUY' as never, totalQuantity: 5, orderType: 'LMT' as never, lmtPrice: 1, orderRef: 'dip', tif: 'GTC' as never, transmit: true });
    const first = nextMessage(helper.getNode('out'), 15_000);
    helper.getNode('acct1').receive({ payload: 'go' });
    assert.ok((await first).payload.executions.some((e: any) => e.orderRef === 'swing'), 'the buy is among today\'s executions');
    broker.cancelOrder(limit);
    await waitFor(() => suite.sim.engine.openOrders().length === 0, 5000, 'the limit order cancelled');
    await helper.unload();

    suite.sim.advanceClock(2 * DAY);
    await loadFlow(
      TYPES,
      simulatorFlow(suite.sim, [{ id: 'acct2', type: 'ib-account', connection: 'c', mode: 'request', days: 3, completed: true, wires: [['out']] }], 72),
    );
    await waitFor(() => connectionOf('c').status().state === 'connected', 8000, 'connected again');
    const out = listen(helper.getNode('out'));
    helper.getNode('acct2').receive({ payload: 'go' });
    await waitFor(() => out.length === 1, 15_000, 'the 3-day snapshot');
    const threeDays = out[0]!;
    assert.deepEqual(threeDays.changed.sort(), ['completed', 'executions', 'orders', 'pnl', 'positions', 'summary']);
    const p = threeDays.payload;
    assert.equal(typeof p.executionsSince, 'number');
    assert.ok(Math.abs(p.executionsSince - (Date.now() - 3 * DAY)) < 2 * 60_000, 'three days back, to the minute');
    assert.deepEqual(p.executions.map((e: any) => e.orderRef), ['swing']);
    assert.equal(p.strategies.swing.AAPL.quantity, 10, 'the strategy\'s position, rebuilt from its executions of two days ago');
    assert.ok(p.strategies.swing.AAPL.avgCost > 0);
    assert.deepEqual(p.unattributed, {}, 'the whole position is the strategy\'s');
    assert.deepEqual(p.completed.map((o: any) => [o.orderRef, o.status, o.completedStatus, o.filled]), [
      ['swing', 'Filled', 'Filled Size: 10', 10],
      ['dip', 'Cancelled', 'Cancelled by Trader', 0],
    ]);
    const dip = p.completed[1];
    assert.equal(dip.orderType, 'LMT');
    assert.equal(dip.lmtPrice, 1);
    assert.equal(dip.key, 'AAPL');
    assert.ok(dip.completedTime < Date.now() - DAY, 'completed on its own day, two days ago');

    helper.getNode('acct2').receive({ days: 0 });
    await waitFor(() => out.length === 2, 15_000, 'today\'s snapshot');
    const today = out[1]!.payload;
    assert.equal(today.executionsSince, null);
    assert.deepEqual(today.executions, [], 'TWS lists only today\'s executions unless asked for a time');
    assert.equal(today.strategies.swing, undefined);
    assert.deepEqual(today.unattributed, { AAPL: 10 }, 'without the older executions the position is not from a strategy');

    helper.getNode('acct2').receive({ days: 1 });
    await waitFor(() => out.length === 3, 15_000, 'the last day\'s snapshot');
    assert.deepEqual(out[2]!.payload.executions, [], 'two days ago is before the last 24 hours');

    helper.getNode('acct2').receive({ since: new Date(Date.now() - 2.5 * DAY).toISOString() });
    await waitFor(() => out.length === 4, 15_000, 'the msg.since snapshot');
    assert.deepEqual(out[3]!.payload.executions.map((e: any) => e.orderRef), ['swing']);
    assert.equal(out[3]!.payload.strategies.swing.AAPL.quantity, 10);

    const caught = listen(helper.getNode('caught'));
    helper.getNode('acct2').receive({ since: 'last tuesday' });
    await waitFor(() => caught.length === 1, 5000, 'the bad msg.since caught');
    assert.match(caught[0]!.error.message, /msg\.since must be a time .* not "last tuesday"/);
    helper.getNode('acct2').receive({ days: 30 });
    await waitFor(() => caught.length === 2, 5000, 'the bad msg.days caught');
    assert.match(caught[1]!.error.message, /msg\.days \(of executions\) must be a whole number from 0 .* to 7 .* not 30/);
    assert.equal(out.length, 4, 'no snapshot for a bad period');
  });

  it('the example: "past week" asks for 7 days of executions and the completed orders', async () => {
    await loadFlow(TYPES, exampleFlow('ib-account'));
    await waitFor(() => connectionOf('acct-connection').status().state === 'connected', 15_000, 'the example\'s simulator connected');
    // The streaming node's snapshots go to the same debug node: only the history node's carry executionsSince.
    const out = listen(helper.getNode('acct-debug'));
    helper.getNode('acct-history').receive({ payload: Date.now(), days: 7 });
    await waitFor(() => out.some((m) => m.payload.executionsSince !== undefined), 15_000, 'the week\'s snapshot');
    const week = out.find((m) => m.payload.executionsSince !== undefined)!.payload;
    assert.ok(Math.abs(week.executionsSince - (Date.now() - 7 * DAY)) < 2 * 60_000);
    assert.deepEqual(week.completed, [], 'a fresh simulator has completed nothing');
    assert.ok(Array.isArray(week.executions) && Array.isArray(week.positions));
    assert.equal(week.summary, undefined, 'the summary is not ticked on this node');
  });
});
