/**
 * market-depth in a real Node-RED runtime against the simulator through the real client: a sorted book
 * cut to the configured rows, the send throttle, many books through one node, a reconnect mid-stream,
 * unknown symbol and a backtest connection.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { exampleFlow, listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';

const TYPES = ['ib-connect', 'ib-market-depth'];

function assertBook(book: { time: number; bids: Array<{ price: number; size: number; marketMaker: string }>; asks: Array<{ price: number; size: number; marketMaker: string }> }, rows: number) {
  assert.ok(book.bids.length > 0 && book.asks.length > 0, 'both sides');
  assert.ok(book.bids.length <= rows && book.asks.length <= rows, `at most ${rows} rows`);
  for (let i = 1; i < book.bids.length; i++) assert.ok(book.bids[i].price < book.bids[i - 1].price, 'bids high to low');
  for (let i = 1; i < book.asks.length; i++) assert.ok(book.asks[i].price > book.asks[i - 1].price, 'asks low to high');
  assert.ok(book.bids[0].price < book.asks[0].price, `not crossed: ${book.bids[0].price} < ${book.asks[0].price}`);
  for (const row of [...book.bids, ...book.asks]) assert.ok(row.size > 0 && typeof row.marketMaker === 'string');
}

describe('market-depth', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 20 });

  it('a sorted book of the configured rows, at most one per throttle interval', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'd', type: 'ib-market-depth', connection: 'c', symbol: 'AAPL', rows: 5, throttle: 200, wires: [['out']] }], 51));
    const msgs = listen(helper.getNode('out'));
    const arrivals: number[] = [];
    helper.getNode('out').on('input', () => arrivals.push(Date.now()));
    await waitFor(() => msgs.length >= 5, 10_000, '5 books');
    for (const m of msgs) {
      assert.equal(m.topic, 'AAPL');
      assertBook(m.payload, 5);
    }
    for (let i = 1; i < arrivals.length; i++) assert.ok(arrivals[i] - arrivals[i - 1] >= 150, `gap ${arrivals[i] - arrivals[i - 1]} ms`);
  });

  it('many books through one node by msg.topic; survives a dropped connection', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'd', type: 'ib-market-depth', connection: 'c', rows: 3, throttle: 0, wires: [['out']] }], 52));
    const msgs = listen(helper.getNode('out'));
    helper.getNode('d').receive({ topic: 'MSFT' });
    helper.getNode('d').receive({ topic: 'EUR:CASH:IDEALPRO:USD' });
    await waitFor(() => msgs.some((m) => m.topic === 'MSFT') && msgs.some((m) => m.topic === 'EUR:CASH:IDEALPRO:USD'), 10_000, 'two books');
    suite.sim.dropConnections();
    await new Promise((r) => setTimeout(r, 200));
    const before = msgs.length;
    await waitFor(() => msgs.slice(before).some((m) => m.topic === 'MSFT') && msgs.slice(before).some((m) => m.topic === 'EUR:CASH:IDEALPRO:USD'), 15_000, 'books after the reconnect');
    const last = msgs[msgs.length - 1];
    assertBook(last.payload, 3);
  });

  it('unknown symbol, no contract, and a backtest connection end in clear errors', async () => {
    await loadFlow(TYPES, [
      ...simulatorFlow(suite.sim, [{ id: 'd', type: 'ib-market-depth', connection: 'c', rows: 5, throttle: 0, wires: [['out']] }], 53),
      { id: 'bt', z: 'tab', type: 'ib-connect', mode: 'backtest' },
      { id: 'dbt', z: 'tab', type: 'ib-market-depth', connection: 'bt', symbol: 'AAPL', wires: [['out']] },
    ]);
    const error = () => nextMessage(helper.getNode('caught'), 8000).then((m) => String(m.error.message));
    let e = error();
    helper.getNode('d').receive({ topic: 'NOSUCHSYM' });
    assert.match(await e, /unknown contract NOSUCHSYM/);
    e = error();
    helper.getNode('d').receive({});
    assert.match(await e, /no contract/);
    e = error();
    helper.getNode('dbt').receive({});
    assert.match(await e, /market-depth has no live source on a backtest connection/);
  });

  it('examples/ib-market-depth.json deploys against its own simulator and sends books', async () => {
    await loadFlow(TYPES, exampleFlow('ib-market-depth'));
    const msg = await nextMessage(helper.getNode('depth-debug'), 15_000);
    assert.equal(msg.topic, 'AAPL');
    assertBook(msg.payload, 5);
  });
});

/** An example flow as the test runtime can load it: debug nodes become helpers, inject/comment dropped. */
