/**
 * Warm-up, then trade, through the simulator (real @stoqey/ib client) and a real Node-RED: historical-bars
 * keeps 5-second bars up to date; its history batch warms sma, sma and crossover (which find crosses in
 * it), risk-sizer ends the batch there (no order intent, no error), and the first order comes from a live
 * closed bar's cross, placed at the simulator.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { helper, loadFlow, startServer, stopServer, waitFor } from '../helpers/node-red';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';

describe('warm-up from history, then trade on live bars', () => {
  let sim: Simulator;
  before(async () => {
    await startServer();
    // The market's clock at 6x: a 5-second bar every 0.83 s, so live crosses come soon.
    sim = await createSimulator({ port: 0, ticksPerSecond: 10, clockSpeed: 6 });
  });
  after(async () => {
    await stopServer();
    await sim.close();
  });
  afterEach(() => helper.unload());

  it('history warms the strategy without an order or an error; the first order is a live cross', async () => {
    await loadFlow(['ib-connect', 'ib-historical-bars', 'ib-sma', 'ib-crossover', 'ib-risk-sizer', 'ib-place-order'], [
      { id: 'tab', type: 'tab' },
      { id: 'c', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 181 },
      { id: 'h', z: 'tab', type: 'ib-historical-bars', connection: 'c', source: 'ib', symbol: 'AAPL', duration: '900 S', barSize: '5 secs', whatToShow: 'TRADES', useRTH: false, output: 'live', formingBars: true, wires: [['fast']] },
      { id: 'fast', z: 'tab', type: 'ib-sma', period: 2, wires: [['slow']] },
      { id: 'slow', z: 'tab', type: 'ib-sma', period: 4, wires: [['x']] },
      { id: 'x', z: 'tab', type: 'ib-crossover', mode: 'series', fast: 'indicators.sma2', slow: 'indicators.sma4', emit: 'cross', wires: [['size', 'signals']] },
      { id: 'size', z: 'tab', type: 'ib-risk-sizer', connection: 'c', direction: 'long-short', method: 'fixed', shares: 10, stop: 'none', takeProfit: 'none', priceSource: 'close', wires: [['order', 'sized']] },
      { id: 'order', z: 'tab', type: 'ib-place-order', connection: 'c', orderRef: 'warm-up-test', orderType: 'MKT', tif: 'DAY', wires: [['events'], []] },
      ...['signals', 'sized', 'events', 'caught'].map((id) => ({ id, z: 'tab', type: 'helper' })),
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    ]);
    const got = (id: string) => {
      const list: Array<Record<string, any>> = [];
      helper.getNode(id).on('input', (m: Record<string, any>) => list.push(m));
      return list;
    };
    const signals = got('signals');
    const sized = got('sized');
    const events = got('events');
    const caught = got('caught');
    helper.getNode('h').receive({});
    await waitFor(() => events.length > 0 || caught.length > 0, 90_000, 'an order from a live cross');
    helper.getNode('h').receive({ payload: 'stop' });
    assert.deepEqual(caught.map((m) => m.error?.message), [], 'no node failed');

    const batch = signals.find((m) => m.history === true)!;
    assert.ok(batch && Array.isArray(batch.signal), 'the history batch reached the crossover');
    assert.ok(batch.signal.filter(Boolean).length > 2, 'history has crosses of its own');
    const historyEnd = batch.payload.at(-1).time;
    assert.ok(sized.length > 0);
    for (const m of sized) {
      assert.notEqual(m.history, true, 'no order intent from history');
      assert.ok(!Array.isArray(m.order), 'no array reaches place-order');
      assert.notEqual(m.forming, true, 'no order from a forming bar');
      assert.ok(m.payload.time > historyEnd, 'from a live bar');
    }
    assert.equal(events[0].payload.orderRef ?? 'warm-up-test', 'warm-up-test');
    const statuses = (helper.getNode('size').status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
    assert.ok(statuses.some((t) => /warmed up on \d+ history bars/.test(t)), statuses.join(' | '));
  });
});
