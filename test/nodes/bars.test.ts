/**
 * ib-bars in a real Node-RED: the simulator's 5-second bars (through historical-bars and the real
 * @stoqey/ib client) built into 1- and 5-minute bars equal to the simulator's own 1- and 5-minute bars;
 * live-shaped input (one 5-second bar per message) completing each bar at once; ticks, forming bars,
 * flush, reset, instruments apart; bad input and bad settings.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { helper, loadFlow, nextMessage, startServer, stopServer, waitFor } from '../helpers/node-red';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';

const ohlcv = (b: Record<string, number>) => [b.time, b.open, b.high, b.low, b.close, b.volume];

describe('ib-bars', () => {
  let sim: Simulator;
  before(async () => {
    await startServer();
    sim = await createSimulator({ port: 0 });
  });
  after(async () => {
    await stopServer();
    await sim.close();
  });
  afterEach(() => helper.unload());

  it("the simulator's 5-second bars make its own 1- and 5-minute bars, as a batch and one bar per message", async () => {
    const hist = (id: string, barSize: string, wires: string[]) => ({ id, z: 'tab', type: 'ib-historical-bars', connection: 'c', source: 'ib', symbol: 'AAPL', duration: '7200 S', barSize, endTime: '2026-01-07T20:00:00Z', whatToShow: 'TRADES', useRTH: true, output: 'all', wires: [wires] });
    await loadFlow(['ib-connect', 'ib-historical-bars', 'ib-bars'], [
      { id: 'tab', type: 'tab' },
      { id: 'c', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 171 },
      hist('h5s', '5 secs', ['b1', 'b5', 'five']),
      hist('h1', '1 min', ['one']),
      hist('h5', '5 mins', ['fiveMin']),
      { id: 'b1', z: 'tab', type: 'ib-bars', barSize: '1 min', wires: [['out1']] },
      { id: 'b5', z: 'tab', type: 'ib-bars', barSize: '5 mins', wires: [['out5']] },
      ...['five', 'one', 'fiveMin', 'out1', 'out5'].map((id) => ({ id, z: 'tab', type: 'helper' })),
    ]);
    const wait = (id: string) => nextMessage(helper.getNode(id), 20_000);
    const [five, out1, out5] = [wait('five'), wait('out1'), wait('out5')];
    helper.getNode('h5s').receive({});
    const [one, fiveMin] = [wait('one'), wait('fiveMin')];
    helper.getNode('h1').receive({});
    helper.getNode('h5').receive({});
    const fives = (await five).payload;
    assert.equal(fives.length, 1440);
    const built1 = await out1;
    assert.equal(built1.topic, 'AAPL');
    assert.equal(built1.contract.symbol, 'AAPL');
    assert.deepEqual(built1.payload.map(ohlcv), (await one).payload.map(ohlcv));
    assert.deepEqual((await out5).payload.map(ohlcv), (await fiveMin).payload.map(ohlcv));
    assert.equal(built1.payload.length, 120);

    // Live-shaped: one 5-second bar per message; the bar ending on the minute completes the minute at once.
    const minutes: Array<Record<string, any>> = [];
    helper.getNode('out1').on('input', (m: Record<string, any>) => minutes.push(m));
    const b1 = helper.getNode('b1');
    b1.receive({ reset: true });
    for (const bar of fives.slice(0, 36)) b1.receive({ topic: 'AAPL', payload: bar });
    await waitFor(() => minutes.length >= 4, 5000, 'three minutes');
    assert.equal(minutes[0].reset, true, 'reset passed on');
    assert.deepEqual(minutes.slice(1).map((m) => ohlcv(m.payload)), built1.payload.slice(0, 3).map(ohlcv));
    assert.equal(minutes[1].forming, undefined);
  });

  it('ticks with forming bars; flush; instruments apart; the input message\'s properties kept', async () => {
    await loadFlow(['ib-bars'], [
      { id: 'tab', type: 'tab' },
      { id: 'b', z: 'tab', type: 'ib-bars', barSize: '1 min', useRTH: false, formingBars: true, wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const msgs: Array<Record<string, any>> = [];
    helper.getNode('out').on('input', (m: Record<string, any>) => msgs.push(m));
    const b = helper.getNode('b');
    const t = Date.UTC(2026, 0, 7, 15, 0);
    b.receive({ topic: 'A', payload: { type: 'Last', time: t, price: 10, size: 5 }, history: true });
    b.receive({ topic: 'B', payload: { type: 'Last', time: t, price: 99, size: 1 } });
    b.receive({ topic: 'A', payload: { type: 'Last', time: t + 30_000, price: 12, size: 5 } });
    b.receive({ topic: 'A', payload: { type: 'Last', time: t + 60_000, price: 11, size: 1 } });
    b.receive({ topic: 'A', payload: 'flush' });
    await waitFor(() => msgs.length >= 6, 3000, 'six messages');
    assert.deepEqual(msgs.map((m) => [m.topic, m.forming, m.payload.time - t, m.payload.close]), [
      ['A', true, 0, 10],
      ['B', true, 0, 99],
      ['A', true, 0, 12],
      ['A', false, 0, 12],
      ['A', true, 60_000, 11],
      ['A', false, 60_000, 11],
    ]);
    assert.equal(msgs[0].history, true);
    assert.equal(msgs[3].payload.volume, 10);
  });

  it('bad input ends in done(err) naming the field; a bad setting is "invalid configuration"', async () => {
    await loadFlow(['ib-bars'], [
      { id: 'tab', type: 'tab' },
      { id: 'b', z: 'tab', type: 'ib-bars', barSize: '5 mins', wires: [['out']] },
      { id: 'bad', z: 'tab', type: 'ib-bars', barSize: '1 week', wires: [['out']] },
      { id: 'zone', z: 'tab', type: 'ib-bars', barSize: '1 min', timeZone: 'Nowhere/Land', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const error = async (id: string, msg: Record<string, unknown>) => {
      const caught = nextMessage(helper.getNode('caught'), 3000);
      helper.getNode(id).receive(msg);
      return String((await caught).error.message);
    };
    assert.match(await error('b', { payload: { close: 1 } }), /msg.payload.time is missing/);
    assert.match(await error('b', { payload: { time: 1, open: 1, high: 1, low: 'x', close: 1 } }), /msg.payload.low is the string "x", not a number/);
    assert.match(await error('b', { payload: 7 }), /the bars node takes bars/);
    assert.match(await error('b', { payload: [{ time: 1, open: 1, high: 1, low: 1, close: 1 }, { time: 2 }] }), /msg.payload\[1\] has neither bar fields/);
    assert.match(await error('bad', { payload: { time: 1, price: 1, type: 'Last' } }), /divide a day/);
    assert.match(await error('zone', { payload: { time: 1, price: 1, type: 'Last' } }), /time zone "Nowhere\/Land" is unknown/);
    const status = (helper.getNode('bad').status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text);
    assert.ok(status.includes('invalid configuration'));
  });
});
