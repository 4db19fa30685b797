/**
 * stop-order in a real Node-RED runtime against the simulator through the real @stoqey/ib client:
 * a bracket to its take-profit (OCA cancels the stop), protection attached to a position and moved as
 * prices arrive, exits cancelled when the position is closed elsewhere, an ATR trailing variant, and
 * bad levels refused with nothing sent.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, loadFlow, nextMessage, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';
import type { Simulator } from '../../lib/sim/server/types';
import type { Connection } from '../../lib/connection/types';

const TYPES = ['ib-connect', 'ib-place-order', 'ib-stop-order'];
const dir = mkdtempSync(join(tmpdir(), 'stop-order-'));
let count = 0;

function flow(clientId: number, stopOrder: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'c', z: 'tab', type: 'ib-connect', mode: 'simulator', clientId, journalPath: join(dir, `j${++count}.jsonl`) },
    { id: 'so', z: 'tab', type: 'ib-stop-order', connection: 'c', orderRef: 'protect', symbol: 'AAPL', wires: [['events'], ['fills']], ...stopOrder },
    { id: 'po', z: 'tab', type: 'ib-place-order', connection: 'c', orderRef: 'other', symbol: 'AAPL', wires: [[], []] },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'fills', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

const connection = (): Connection => (helper.getNode('c') as unknown as { connection: Connection }).connection;
const sim = (): Simulator => (connection() as unknown as { simulator(): Simulator }).simulator();

async function ready(): Promise<number> {
  await waitFor(() => connection().status().state === 'connected' && connection().broker.orderBlock() === null, 8000, 'ready for orders');
  const ticks = await connection().liveData('quotes').next.getMarketDataSnapshot({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, '', false);
  return Math.round((ticks.get(4)?.value ?? ticks.get(1)?.value) as number);
}

function listen(node: TestNode): Array<Record<string, any>> {
  const msgs: Array<Record<string, any>> = [];
  node.on('input', (m: Record<string, any>) => msgs.push(m));
  return msgs;
}

function quote(last: number): void {
  sim().engine.onQuote('AAPL', { time: Date.now(), bid: last - 0.01, ask: last + 0.01, last });
}

const exitsAtSim = () => sim().engine.openOrders().map((o) => o.order);

describe('stop-order', () => {
  before(startServer);
  after(async () => {
    await stopServer();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => helper.unload());

  it('enters with a bracket and the take-profit fill cancels the stop (OCA)', async () => {
    await loadFlow(TYPES, flow(51, { stopType: 'distance', stopValue: 5, takeProfitType: 'distance', takeProfitValue: 5 }));
    const price = await ready();
    const events = listen(helper.getNode('events'));
    helper.getNode('so').receive({ topic: 'AAPL', payload: { close: price }, order: { action: 'BUY', totalQuantity: 20 } });
    await waitFor(() => events.some((m) => m.payload.orderRef === 'protect' && m.payload.status === 'Filled'), 5000, 'the entry to fill');
    await waitFor(() => exitsAtSim().length === 2, 5000, 'two exits working');
    const exits = exitsAtSim();
    assert.deepEqual(exits.map((o) => [o.orderType, o.action, o.totalQuantity, o.lmtPrice ?? o.auxPrice]).sort(), [['LMT', 'SELL', 20, price + 5], ['STP', 'SELL', 20, price - 5]]);
    assert.equal(new Set(exits.map((o) => o.ocaGroup)).size, 1, 'one OCA group');
    assert.ok(exits.every((o) => o.parentId && o.parentId > 0), 'children of the entry');
    quote(price + 6);
    await waitFor(() => events.some((m) => m.payload.orderRef === 'protect:take-profit' && m.payload.status === 'Filled'), 5000, 'the take-profit fill');
    await waitFor(() => events.some((m) => m.payload.orderRef === 'protect:stop-loss' && m.payload.status === 'Cancelled'), 5000, 'the stop cancelled');
    assert.equal(exitsAtSim().length, 0);
    assert.equal(sim().engine.position('AAPL')?.quantity, 0);
  });

  it('protects an existing position, tightens the stop as prices rise, and cancels exits when closed elsewhere', async () => {
    await loadFlow(TYPES, flow(52, { stopType: 'percent', stopValue: 2 }));
    const price = await ready();
    helper.getNode('po').receive({ order: { action: 'BUY', totalQuantity: 30 } });
    await waitFor(() => connection().broker.position('AAPL') === 30, 5000, 'the position');
    const so = helper.getNode('so');
    so.receive({ payload: { close: price } });
    await waitFor(() => exitsAtSim().length === 1, 5000, 'the stop attached');
    const first = exitsAtSim()[0];
    assert.deepEqual([first.orderType, first.action, first.totalQuantity, first.auxPrice], ['STP', 'SELL', 30, Math.round(price * 0.98 * 100) / 100]);
    // (A rise the stop can follow while staying below the simulator's own price.)
    so.receive({ payload: { close: price + 1 } });
    await waitFor(() => exitsAtSim()[0]?.auxPrice === Math.round((price + 1) * 0.98 * 100) / 100, 5000, 'the stop moved up');
    const moved = exitsAtSim()[0].auxPrice;
    so.receive({ payload: { close: price - 1 } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(exitsAtSim()[0].auxPrice, moved, 'never loosened');
    assert.equal(exitsAtSim().length, 1, 'still one exit: moved, not added');
    // Another node closes the position: the exit is cancelled.
    helper.getNode('po').receive({ order: { action: 'SELL', totalQuantity: 30 } });
    await waitFor(() => exitsAtSim().length === 0, 5000, 'the orphan stop cancelled');
    assert.equal(sim().engine.position('AAPL')?.quantity, 0);
  });

  it('attaches a trailing stop from an ATR-based first level', async () => {
    await loadFlow(TYPES, flow(53, { stopType: 'atr', stopValue: 2, trailType: 'amount', trailValue: 3, atrProperty: 'indicators.atr14' }));
    const price = await ready();
    helper.getNode('po').receive({ order: { action: 'BUY', totalQuantity: 10 } });
    await waitFor(() => connection().broker.position('AAPL') === 10, 5000, 'the position');
    helper.getNode('so').receive({ payload: { close: price }, indicators: { atr14: 1.5 } });
    await waitFor(() => exitsAtSim().length === 1, 5000, 'the trailing stop');
    const trail = exitsAtSim()[0];
    assert.deepEqual([trail.orderType, trail.auxPrice, trail.action], ['TRAIL', 3, 'SELL']);
    quote(price + 20);
    assert.equal(exitsAtSim()[0].trailStopPrice, price + 17, 'it trails the price');
  });

  it('refuses a stop on the wrong side of the price, naming it, and sends nothing', async () => {
    await loadFlow(TYPES, flow(54, { stopType: 'distance', stopValue: 5 }));
    const price = await ready();
    const error = nextMessage(helper.getNode('caught')).then((m) => String(m.error.message));
    helper.getNode('so').receive({ payload: { close: price }, order: { action: 'BUY', totalQuantity: 10, stopLoss: price + 1 } });
    assert.match(await error, /the stop-loss [\d.]+ is not below the price/);
    const missingPrice = nextMessage(helper.getNode('caught')).then((m) => String(m.error.message));
    helper.getNode('so').receive({ topic: 'MSFT', order: { action: 'BUY', totalQuantity: 10 } });
    assert.match(await missingPrice, /needs a price: send the bar or quote in msg\.payload/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sim().engine.openOrders().length + sim().engine.executions().length, 0);
  });

  it("checks an entry against the instrument's own size rules and fills in its price conditions' contract ids, as place-order does", async () => {
    await loadFlow(TYPES, flow(55, { stopType: 'distance', stopValue: 5 }));
    const price = await ready();
    const events = listen(helper.getNode('events'));
    const caught = listen(helper.getNode('caught'));
    const so = helper.getNode('so');
    // Held by a condition on its own instrument (AAPL at or below 1), named without a conId.
    so.receive({ topic: 'AAPL', payload: { close: price }, order: { action: 'BUY', totalQuantity: 10, conditions: [{ type: 'price', isMore: false, price: 1 }] } });
    await waitFor(() => events.some((m) => m.payload.orderRef === 'protect' && m.payload.status === 'PreSubmitted'), 5000, `the entry held by its condition (errors: ${caught.map((m) => m.error.message).join('; ')})`);
    const entry = sim().engine.openOrders().find((o) => o.order.orderRef === 'protect');
    assert.deepEqual(entry?.order.conditions?.map((c) => (c.kind === 'price' ? c.symbol : c.kind)), ['AAPL']);
    // BTC on PAXOS by 0.0001: the simulator's contract details say so, the message does not.
    const btc = await connection().liveData('quotes').next.getMarketDataSnapshot({ symbol: 'BTC', secType: 'CRYPTO' as never, exchange: 'PAXOS', currency: 'USD' }, '', false);
    const btcPrice = Math.round((btc.get(4)?.value ?? btc.get(1)?.value) as number);
    so.receive({ topic: 'BTC:CRYPTO:PAXOS:USD', payload: { close: btcPrice }, order: { action: 'BUY', totalQuantity: 0.0005 } });
    await waitFor(() => sim().engine.position('BTC:CRYPTO:PAXOS:USD')?.quantity === 0.0005 || caught.length > 0, 8000, 'the BTC entry filled');
    assert.deepEqual(caught.map((m) => m.error.message), []);
    await waitFor(() => sim().engine.openOrders().some((o) => o.order.orderRef === 'protect:stop-loss' && o.order.totalQuantity === 0.0005), 5000, 'its stop for 0.0005');
    so.receive({ topic: 'BTC:CRYPTO:PAXOS:USD', payload: { close: btcPrice }, order: { action: 'BUY', totalQuantity: 0.00005 } });
    await waitFor(() => caught.length === 1, 5000, 'the refusal');
    assert.match(String(caught[0].error.message), /msg\.order\.totalQuantity 0\.00005 is not a whole number of the instrument's size increment 0\.0001/);
  });
});
