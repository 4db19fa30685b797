/**
 * place-order in a real Node-RED runtime against the simulator through the real @stoqey/ib client:
 * the seed's market order, outputs, modify and cancel, malformed orders, a limit breach, the live
 * interlock, a redelivered msg, 1,000 copies of a target, and a Node-RED restart with a working order.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { helper, loadFlow, nextMessage, startServer, stopServer, waitFor } from '../helpers/node-red';
import { connectionOf, errorOf, JournalFiles, listen, PLACE_ORDER_TYPES, placeOrderFlow, priceNow, ready, simOf } from '../helpers/place-order-flow';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';

const journals = new JournalFiles('place-order');

function flow(connection: Record<string, unknown>, node: Record<string, unknown>) {
  return placeOrderFlow(journals, connection, node);
}

describe('place-order', () => {
  before(startServer);
  after(async () => {
    await stopServer();
    journals.remove();
  });
  afterEach(() => helper.unload());

  it('places the seed\'s market order from its config and reports every event and the fill', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow({ mode: 'simulator', clientId: 41 }, { symbol: 'AAPL', action: 'BUY', quantity: 100, orderType: 'MKT', orderRef: 'seed' }));
    await ready();
    const events = listen(helper.getNode('events'));
    const fills = listen(helper.getNode('fills'));
    helper.getNode('po').receive({ payload: 'go' });
    await waitFor(() => events.some((m) => m.payload.status === 'Filled'), 5000, 'the fill event');
    const statuses = events.map((m) => m.payload.status);
    assert.equal(statuses[0], 'PendingSubmit');
    assert.equal(statuses.at(-1), 'Filled');
    const filled = events.at(-1)!;
    assert.equal(filled.topic, 'AAPL');
    for (const field of ['orderId', 'permId', 'status', 'filled', 'remaining', 'avgFillPrice', 'commission']) assert.ok(field in filled.payload, `event has ${field}`);
    assert.deepEqual([filled.payload.filled, filled.payload.remaining, filled.payload.orderRef], [100, 0, 'seed']);
    assert.ok(filled.payload.commission > 0);
    await waitFor(() => fills.length === 1, 2000, 'the fill on output 2');
    assert.deepEqual([fills[0].payload.side, fills[0].payload.shares], ['BUY', 100]);
    assert.equal(simOf().engine.position('AAPL')?.quantity, 100);
  });

  it('modifies a working order by msg.order.orderId and cancels by msg.cancel', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow({ mode: 'simulator', clientId: 42 }, { orderRef: 'mod' }));
    await ready();
    const events = listen(helper.getNode('events'));
    const po = helper.getNode('po');
    const away = Math.round((await priceNow()) * 0.7);
    po.receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: away, tif: 'GTC' } });
    await waitFor(() => events.some((m) => m.payload.status === 'Submitted'), 5000, 'working');
    const orderId = events[0].payload.orderId;
    po.receive({ order: { orderId, lmtPrice: away + 1 } });
    await waitFor(() => simOf().engine.openOrders().some((o) => o.order.lmtPrice === away + 1), 5000, 'the new limit at the simulator');
    po.receive({ cancel: orderId });
    await waitFor(() => events.some((m) => m.payload.orderId === orderId && m.payload.status === 'Cancelled'), 5000, 'cancelled');
    // "all": every working order of this node.
    po.receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: away } });
    po.receive({ topic: 'MSFT', order: { action: 'BUY', totalQuantity: 1, orderType: 'LMT', lmtPrice: 1 } });
    await waitFor(() => simOf().engine.openOrders().length === 2, 5000, 'two working');
    po.receive({ cancel: 'all' });
    await waitFor(() => simOf().engine.openOrders().length === 0, 5000, 'all cancelled');
    po.receive({ cancel: 999_999 });
    assert.match(await errorOf(), /order 999999 is not a working order/);
  });

  it('ends malformed orders in done(err) naming the field, and sends nothing', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow({ mode: 'simulator', clientId: 43 }, {}));
    await ready();
    const po = helper.getNode('po');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ topic: 'AAPL', order: { action: 'BUY', totalQuantity: -5 } }, /msg\.order\.totalQuantity must be a positive number of shares, got -5/],
      [{ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 5, orderType: 'LMT' } }, /msg\.order\.lmtPrice is required for LMT orders/],
      [{ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 5, orderType: 'FOO' } }, /msg\.order\.orderType "FOO" is not supported/],
      [{ topic: 'AAPL', order: { targetQuantity: 'many' } }, /msg\.order\.targetQuantity must be a number/],
      [{ order: { action: 'BUY', totalQuantity: 5 } }, /no instrument: set msg\.topic/],
    ];
    for (const [msg, expected] of cases) {
      const error = errorOf();
      po.receive(msg);
      assert.match(await error, expected);
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(simOf().engine.openOrders().length, 0);
    assert.equal(simOf().engine.executions().length, 0);
    assert.deepEqual(connectionOf().broker.workingOrders(), []);
  });

  it('refuses an order over a connection limit with a message naming it', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow({ mode: 'simulator', clientId: 44, maxOrderQuantity: 10 }, {}));
    await ready();
    const error = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 20 } });
    assert.match(await error, /max order quantity: BUY 20 AAPL is over the limit of 10/);
    assert.equal(simOf().engine.openOrders().length + simOf().engine.executions().length, 0);
  });

  it('sends nothing to a live account without "allow live orders"', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow({ mode: 'simulator', clientId: 45, simAccount: 'U1234567' }, {}));
    await waitFor(() => connectionOf().status().state === 'connected' && connectionOf().status().account === 'U1234567', 8000, 'connected to the live account');
    const error = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 1 } });
    assert.match(await error, /live account U1234567: orders are refused because "allow live orders" is not ticked/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(simOf().engine.openOrders().length + simOf().engine.executions().length, 0);
  });

  it('places one order for a msg delivered twice, and one for 1,000 copies of a target', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow({ mode: 'simulator', clientId: 46 }, { orderRef: 'burst' }));
    await ready();
    const po = helper.getNode('po');
    const msg = { _msgid: 'fixed-id-1', topic: 'MSFT', order: { action: 'BUY', totalQuantity: 3 } };
    po.receive({ ...msg });
    po.receive({ ...msg });
    await waitFor(() => simOf().engine.executions().length >= 1, 5000, 'the MSFT fill');
    for (let i = 0; i < 1000; i++) po.receive({ topic: 'AAPL', order: { targetQuantity: 100 } });
    await waitFor(() => simOf().engine.position('AAPL')?.quantity === 100, 8000, 'the AAPL target');
    await new Promise((r) => setTimeout(r, 500));
    const executions = simOf().engine.executions();
    assert.deepEqual(executions.map((e) => [e.symbol, e.shares]), [['MSFT', 3], ['AAPL', 100]]);
    assert.equal(simOf().engine.position('MSFT')?.quantity, 3);
    // Re-sending the target later sends nothing either.
    po.receive({ topic: 'AAPL', order: { targetQuantity: 100 } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(simOf().engine.executions().length, 2);
  });

  it("checks quantities against the instrument's own size rules, from TWS's contract details, with no sizeIncrement on the message", async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow({ mode: 'simulator', clientId: 48 }, { orderRef: 'sizes' }));
    await ready();
    const po = helper.getNode('po');
    const fills = listen(helper.getNode('fills'));
    const caught = listen(helper.getNode('caught'));
    // BTC on PAXOS trades by 0.0001 (the simulator's contract details say so; the message does not).
    po.receive({ topic: 'BTC:CRYPTO:PAXOS:USD', order: { action: 'BUY', totalQuantity: 0.0005 } });
    await waitFor(() => fills.length === 1, 8000, `the BTC fill (errors: ${caught.map((m) => m.error.message).join('; ')})`);
    assert.equal(fills[0].payload.shares, 0.0005);
    po.receive({ topic: 'BTC:CRYPTO:PAXOS:USD', order: { action: 'BUY', totalQuantity: 0.00005 } });
    po.receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 0.5 } });
    await waitFor(() => caught.length === 2, 5000, 'both refused');
    assert.match(String(caught[0].error.message), /msg\.order\.totalQuantity 0\.00005 is not a whole number of the instrument's size increment 0\.0001/);
    assert.match(String(caught[1].error.message), /msg\.order\.totalQuantity 0\.5 is not a whole number of shares/);
    assert.equal(simOf().engine.executions().length, 1, 'nothing more sent');
  });

  it("refuses a quantity under a backtest contracts table's minSize before sending, and takes its increment", async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow({ mode: 'backtest', btCash: 50_000, btCommission: 'none', btContracts: '{"XYZ": {"sizeIncrement": 0.5}, "QQQ": {"sizeIncrement": 1, "minSize": 10}}' }, { orderRef: 'table' }));
    const po = helper.getNode('po');
    const caught = listen(helper.getNode('caught'));
    po.receive({ topic: 'QQQ', order: { action: 'BUY', totalQuantity: 5 } });
    await waitFor(() => caught.length === 1, 5000, 'the minimum size refusal');
    assert.match(String(caught[0].error.message), /msg\.order\.totalQuantity 5 is below the instrument's minimum size 10/);
    po.receive({ topic: 'XYZ', order: { action: 'BUY', totalQuantity: 2.5, orderType: 'LMT', lmtPrice: 10 } });
    await waitFor(() => connectionOf().broker.workingOrders('XYZ').length === 1 || caught.length > 1, 5000, '2.5 XYZ working');
    assert.equal(caught.length, 1, `2.5 XYZ (by halves) taken: ${caught.map((m) => m.error.message).join('; ')}`);
    assert.equal(connectionOf().broker.workingOrders('XYZ')[0]?.order.totalQuantity, 2.5);
  });
});

describe('place-order across a Node-RED restart', () => {
  let sim: Simulator;
  before(async () => {
    await startServer();
    sim = await createSimulator({ seed: 3 });
  });
  after(async () => {
    await stopServer();
    await sim.close();
  });

  it('keeps one order: the restarted flow finds its working order and the same target sends nothing', async () => {
    const journalPath = journals.named('restart.jsonl');
    const restartFlow = () => [
      { id: 'tab', type: 'tab' },
      { id: 'c', z: 'tab', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 47, journalPath },
      { id: 'po', z: 'tab', type: 'ib-place-order', connection: 'c', orderRef: 'restart', wires: [['events'], []] },
      { id: 'events', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ];
    await loadFlow(PLACE_ORDER_TYPES, restartFlow());
    await ready();
    const away = Math.round((await priceNow()) * 0.7);
    const target = { topic: 'AAPL', order: { targetQuantity: 50, orderType: 'LMT', lmtPrice: away, tif: 'GTC' } };
    const events = listen(helper.getNode('events'));
    helper.getNode('po').receive(target);
    await waitFor(() => events.some((m) => m.payload.status === 'Submitted'), 5000, 'the working order');
    await helper.unload();
    await loadFlow(PLACE_ORDER_TYPES, restartFlow());
    await ready();
    const after = listen(helper.getNode('events'));
    const status = nextMessage(helper.getNode('events'), 1000).catch(() => null);
    helper.getNode('po').receive(target);
    await status;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sim.engine.openOrders().length, 1, 'one order at TWS');
    assert.deepEqual(connectionOf().broker.workingOrders().map((w) => [w.order.orderRef, w.state.remaining]), [['restart', 50]]);
    assert.ok(after.every((m) => m.payload.orderId === events[0].payload.orderId), 'no new order');
    const decisions = readFileSync(journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'decision');
    assert.equal(decisions.length, 1, 'one decision in the journal across both runs');
    await helper.unload();
  });
});
