/**
 * The order path's safety in a real Node-RED runtime, against the simulator through the real
 * @stoqey/ib client, counting what reaches the wire: absurd quantities refused with no limit set, the
 * notional of a future with its multiplier, max position with a working bracket's exits, 1,000
 * alternating targets that never pass the target, exits that are sent alone, brackets that are all or
 * nothing, and risk-sizer's levels attached by place-order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, loadFlow, nextMessage, waitFor, type TestNode } from '../helpers/node-red';
import { listen, useSimulatorSuite } from '../helpers/simulator-flows';
import type { Connection } from '../../lib/connection/types';

const TYPES = ['ib-connect', 'ib-place-order', 'ib-stop-order'];
const dir = mkdtempSync(join(tmpdir(), 'order-safety-'));
let journals = 0;

/** Every PLACE_ORDER (3) and CANCEL_ORDER (4) the simulator read, in order: [kind, orderId]. */
const wire: Array<['place' | 'cancel', number]> = [];
const suite = useSimulatorSuite({
  seed: 11,
  probe: {
    messageRead: (_connection, fields) => {
      if (fields[0] === '3') wire.push(['place', Number(fields[1])]);
      if (fields[0] === '4') wire.push(['cancel', Number(fields[1])]);
    },
  },
});

function flow(clientId: number, connection: Record<string, unknown>, nodes: Array<Record<string, unknown>>): unknown[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'c', z: 'tab', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: suite.sim.port, clientId, journalPath: join(dir, `j${++journals}.jsonl`), ...connection },
    ...nodes.map((n) => ({ z: 'tab', wires: [['events'], []], ...n })),
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

const connection = (): Connection => (helper.getNode('c') as unknown as { connection: Connection }).connection;
const journal = (): Array<Record<string, any>> => readFileSync(join(dir, `j${journals}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const sentDecisions = () => journal().filter((l) => l.type === 'decision' && l.result === 'sent');

async function ready(symbol = 'AAPL'): Promise<number> {
  await waitFor(() => connection().status().state === 'connected' && connection().broker.orderBlock() === null, 8000, 'ready for orders');
  const ticks = await connection().liveData('quotes').next.getMarketDataSnapshot({ symbol, secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, '', false);
  return Math.round((ticks.get(4)?.value ?? ticks.get(1)?.value) as number);
}

function errorOf(timeoutMs = 5000): Promise<string> {
  return nextMessage(helper.getNode('caught'), timeoutMs).then((m) => String((m.error as { message: string }).message));
}

const quiet = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const position = (symbol = 'AAPL') => suite.sim.engine.position(symbol)?.quantity ?? 0;
const openAt = (symbol: string) => suite.sim.engine.openOrders().filter((o) => o.order.symbol === symbol);
const send = (node: TestNode | string, msg: Record<string, unknown>) => (typeof node === 'string' ? helper.getNode(node) : node).receive(msg);

describe('order safety against the simulator', () => {
  it('refuses absurd quantities with no limit configured, naming the value, and sends nothing', async () => {
    await loadFlow(TYPES, flow(61, {}, [{ id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'absurd' }]));
    await ready();
    const before = wire.length;
    // biome-ignore lint/correctness/noPrecisionLoss: 1.8e308 is past the largest double on purpose (it reads as Infinity)
    for (const value of [2 ** 53 + 2, 1e15, 1e21, 1.8e308, 1e-5, 1e-300, NaN, 0.5]) {
      for (const order of [{ action: 'BUY', totalQuantity: value }, { targetQuantity: value }]) {
        const error = errorOf();
        send('po', { topic: 'AAPL', order });
        const text = await error;
        assert.ok(text.includes(String(value)), `${JSON.stringify(order)} -> ${text}`);
      }
    }
    await quiet();
    assert.equal(wire.length - before, 0, 'no order reached the simulator');
    assert.equal(position(), 0);
  });

  it('counts a future\'s notional with its multiplier: 10 ES at 5000 is 2.5M, over a 100k limit', async () => {
    await loadFlow(TYPES, flow(62, { maxOrderNotional: 100_000 }, [{ id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'es' }]));
    await ready();
    const before = wire.length;
    const error = errorOf();
    send('po', { contract: { symbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612', multiplier: '50' }, payload: { close: 5000 }, order: { action: 'BUY', totalQuantity: 10 } });
    assert.match(await error, /max order notional: BUY 10 ES.* at 5000 x 50 is 2500000, over the limit of 100000/);
    // Without a multiplier the money of a future is not known: refused, not guessed as shares.
    const second = errorOf();
    send('po', { contract: { symbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612' }, payload: { close: 5000 }, order: { action: 'BUY', totalQuantity: 1 } });
    assert.match(await second, /without a multiplier/);
    await quiet();
    assert.equal(wire.length - before, 0);
  });

  it('max position does not count a working bracket\'s exits as room: a second 100 bracket under a limit of 150 is refused', async () => {
    await loadFlow(TYPES, flow(63, { maxPosition: 150 }, [{ id: 'so', type: 'ib-stop-order', connection: 'c', orderRef: 'mp', symbol: 'MSFT', stopType: 'distance', stopValue: 20, takeProfitType: 'distance', takeProfitValue: 20 }]));
    const price = await ready('MSFT');
    send('so', { topic: 'MSFT', payload: { close: price }, order: { action: 'BUY', totalQuantity: 100 } });
    await waitFor(() => position('MSFT') === 100 && openAt('MSFT').length === 2, 5000, 'the first bracket filled, its exits working');
    const error = errorOf();
    send('so', { topic: 'MSFT', payload: { close: price }, order: { action: 'BUY', totalQuantity: 100 } });
    assert.match(await error, /max position: BUY 100 MSFT would make the position \(with working orders\) 200, over the limit of 150/);
    await quiet(500);
    assert.equal(position('MSFT'), 100);
  });

  it('1,000 targets alternating 100 / 0 end at 0, never pass the target, and no cancel leaves before its place', async () => {
    await loadFlow(TYPES, flow(64, {}, [{ id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'alt' }]));
    await ready();
    const start = wire.length;
    const executions = suite.sim.engine.executions().length;
    const po = helper.getNode('po');
    for (let i = 0; i < 1000; i++) po.receive({ topic: 'AAPL', order: { targetQuantity: i % 2 === 0 ? 100 : 0 } });
    await waitFor(() => connection().broker.workingOrders('AAPL').length === 0 && position() === 0, 40_000, 'settled at the last target, 0').catch((e) => {
      // What each side held when it did not settle, and the strategy's last decisions, to tell a lost re-plan from a slow one.
      const broker = connection().broker;
      const working = broker.workingOrders('AAPL').map((w) => [w.orderId, w.order.action, w.order.totalQuantity, w.state.status, w.state.filled]);
      const last = journal().slice(-12).map((l) => [l.type, l.result ?? l.status, l.orderId, l.order?.action, l.order?.totalQuantity, l.inputs?.target]);
      throw new Error(`${e.message}: simulator ${position()}, broker ${broker.position('AAPL')}, strategy ${broker.strategyPosition?.('alt', 'AAPL')}, working ${JSON.stringify(working)}, last journal ${JSON.stringify(last)}`);
    });
    await quiet(1000);
    assert.equal(position(), 0);
    // The position as the fills moved it never left [0, 100].
    let running = 0;
    for (const e of suite.sim.engine.executions().slice(executions).filter((x) => x.symbol === 'AAPL')) {
      running += e.side === 'BUY' ? e.shares : -e.shares;
      assert.ok(running >= 0 && running <= 100, `position ${running} after execution ${e.execId}`);
    }
    const seen = new Set<number>();
    for (const [kind, id] of wire.slice(start)) {
      if (kind === 'place') seen.add(id);
      else assert.ok(seen.has(id), `cancel of order ${id} before its place`);
    }
  });

  it('a smaller target cancels the working order and, once TWS confirms the cancel, sends the new one by itself', async () => {
    await loadFlow(TYPES, flow(68, {}, [{ id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'replan' }]));
    const price = await ready('MSFT');
    const mine = () => openAt('MSFT').filter((o) => o.order.orderRef === 'replan');
    const away = Math.round(price * 0.7);
    send('po', { topic: 'MSFT', order: { targetQuantity: 150, orderType: 'LMT', lmtPrice: away, tif: 'GTC' } });
    await waitFor(() => mine().some((o) => o.order.totalQuantity === 150), 5000, 'BUY 150 resting');
    send('po', { topic: 'MSFT', order: { targetQuantity: 100, orderType: 'LMT', lmtPrice: away, tif: 'GTC' } });
    await waitFor(() => mine().length === 1 && mine()[0].order.totalQuantity === 100, 5000, 'BUY 150 cancelled, then BUY 100 resting');
    await quiet(500);
    assert.deepEqual(mine().map((o) => [o.order.action, o.order.totalQuantity]), [['BUY', 100]]);
    send('po', { topic: 'MSFT', cancel: 'all' });
    await waitFor(() => mine().length === 0, 5000, 'cancelled');
  });

  it('stop-order: a target that closes the position cancels its protection and sends the exit alone', async () => {
    await loadFlow(TYPES, flow(65, {}, [{ id: 'so', type: 'ib-stop-order', connection: 'c', orderRef: 'exit', symbol: 'SPY', stopType: 'distance', stopValue: 20, takeProfitType: 'distance', takeProfitValue: 20 }]));
    const price = await ready('SPY');
    const events = listen(helper.getNode('events'));
    send('so', { topic: 'SPY', payload: { close: price }, order: { targetQuantity: 100 } });
    await waitFor(() => position('SPY') === 100 && openAt('SPY').length === 2, 5000, 'long 100 with two exits');
    const decisionsBefore = sentDecisions().length;
    send('so', { topic: 'SPY', payload: { close: price }, order: { targetQuantity: 0 } });
    await waitFor(() => position('SPY') === 0 && openAt('SPY').length === 0, 5000, 'flat, exits gone');
    await quiet(1000);
    const sent = sentDecisions().slice(decisionsBefore).map((d) => [d.order.action, d.order.totalQuantity, d.order.orderType]);
    assert.deepEqual(sent, [['SELL', 100, 'MKT']], 'one exit, alone');
    assert.equal(position('SPY'), 0, 'nothing re-opened the long');
    assert.ok(events.some((m) => m.payload.orderRef === 'exit:stop-loss' && m.payload.status === 'Cancelled'));
  });

  it('stop-order: a target that reduces the position keeps its protection on what remains, shrunk to it', async () => {
    await loadFlow(TYPES, flow(68, {}, [{ id: 'so', type: 'ib-stop-order', connection: 'c', orderRef: 'trim', symbol: 'SPY', stopType: 'distance', stopValue: 20, takeProfitType: 'distance', takeProfitValue: 20 }]));
    const price = await ready('SPY');
    const events = listen(helper.getNode('events'));
    send('so', { topic: 'SPY', payload: { close: price }, order: { targetQuantity: 100 } });
    await waitFor(() => position('SPY') === 100 && openAt('SPY').length === 2, 5000, 'long 100 with two exits');
    const levels = openAt('SPY').map((o) => [o.order.orderType, o.order.auxPrice ?? o.order.lmtPrice]).sort();
    const decisionsBefore = sentDecisions().length;
    send('so', { topic: 'SPY', payload: { close: price }, order: { targetQuantity: 40 } });
    await waitFor(() => position('SPY') === 40, 5000, 'long 40');
    await waitFor(() => openAt('SPY').length === 2 && openAt('SPY').every((o) => o.order.totalQuantity === 40), 5000, 'the stop and take-profit on the 40 that remain').catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(openAt('SPY').map((o) => [o.order.orderType, o.order.totalQuantity]))} ${JSON.stringify(events.map((m) => m.payload))}`);
    });
    await quiet(500);
    assert.equal(position('SPY'), 40, 'nothing more filled');
    assert.deepEqual(openAt('SPY').map((o) => [o.order.orderType, o.order.auxPrice ?? o.order.lmtPrice]).sort(), levels, 'at the levels they had');
    const exits = sentDecisions().slice(decisionsBefore).filter((d) => d.order.orderType === 'MKT').map((d) => [d.order.action, d.order.totalQuantity]);
    assert.deepEqual(exits, [['SELL', 60]], 'one exit for the 60');
    // The trimmed stop still closes exactly what is left, never more.
    send('so', { topic: 'SPY', payload: { close: price }, order: { targetQuantity: 0 } });
    await waitFor(() => position('SPY') === 0 && openAt('SPY').length === 0, 5000, 'flat, exits gone');
  });

  it('a bracket whose last leg a limit refuses is cancelled whole, and the next target tries again instead of "already met"', async () => {
    await loadFlow(TYPES, flow(66, { maxOrderNotional: 0 }, [{ id: 'so', type: 'ib-stop-order', connection: 'c', orderRef: 'aon', symbol: 'TSLA', stopType: 'distance', stopValue: 5, takeProfitType: 'distance', takeProfitValue: 30 }]));
    const price = await ready('TSLA');
    // The entry at the price passes the notional limit; the take-profit 30 above it does not.
    await helper.unload();
    await loadFlow(TYPES, flow(66, { maxOrderNotional: 10 * (price + 15) }, [{ id: 'so', type: 'ib-stop-order', connection: 'c', orderRef: 'aon', symbol: 'TSLA', stopType: 'distance', stopValue: 5, takeProfitType: 'distance', takeProfitValue: 30 }]));
    await ready('TSLA');
    const before = wire.length;
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = errorOf();
      send('so', { topic: 'TSLA', payload: { close: price }, order: { targetQuantity: 10 } });
      assert.match(await error, /max order notional/);
      await quiet(500);
      assert.deepEqual(connection().broker.workingOrders(), [], 'nothing left working or held');
      assert.equal(openAt('TSLA').length, 0);
    }
    assert.equal(position('TSLA'), 0);
    // Whatever left for the simulator was cancelled again; nothing fills.
    const places = wire.slice(before).filter(([k]) => k === 'place').map(([, id]) => id);
    const cancels = new Set(wire.slice(before).filter(([k]) => k === 'cancel').map(([, id]) => id));
    for (const id of places) assert.ok(cancels.has(id), `order ${id} left and was not cancelled`);
  });

  it('place-order attaches risk-sizer\'s stopLoss and takeProfit as a bracket, and a closing target goes alone', async () => {
    await loadFlow(TYPES, flow(67, {}, [{ id: 'po', type: 'ib-place-order', connection: 'c', orderRef: 'sized' }]));
    const price = await ready('NVDA');
    send('po', { topic: 'NVDA', payload: { close: price }, order: { targetQuantity: 50, stopLoss: price - 10, takeProfit: price + 10 } });
    await waitFor(() => position('NVDA') === 50 && openAt('NVDA').length === 2, 5000, 'long 50 with its stop and take-profit');
    const exits = openAt('NVDA').map((o) => [o.order.action, o.order.orderType, o.order.totalQuantity, o.order.auxPrice ?? o.order.lmtPrice]).sort();
    assert.deepEqual(exits, [['SELL', 'LMT', 50, price + 10], ['SELL', 'STP', 50, price - 10]]);
    const decisionsBefore = sentDecisions().length;
    send('po', { topic: 'NVDA', payload: { close: price }, order: { targetQuantity: 0, stopLoss: price - 10 } });
    await waitFor(() => position('NVDA') === 0 && openAt('NVDA').length === 0, 5000, 'flat, protection cancelled');
    await quiet(500);
    assert.deepEqual(sentDecisions().slice(decisionsBefore).map((d) => [d.order.action, d.order.totalQuantity]), [['SELL', 50]]);
    assert.equal(position('NVDA'), 0);
  });
});
