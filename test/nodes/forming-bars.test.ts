/**
 * Forming bars through the real parts: historical-bars keeping 5-second bars up to date from the
 * simulator (real @stoqey/ib client, real socket) into sma and crossover in a real Node-RED. Every
 * closed bar's SMA is the SMA of the closed bars (the history batch and the closed updates), however many
 * forming updates came between; each forming update's SMA is that of the closed bars and the update.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { helper, loadFlow, startServer, stopServer, waitFor } from '../helpers/node-red';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';

const PERIOD = 5;

function sma(closes: number[], end: number): number | null {
  if (end < PERIOD) return null;
  let sum = 0;
  for (let i = end - PERIOD; i < end; i++) sum += closes[i];
  return sum / PERIOD;
}

/** The flow of historical-bars keeping up to date into sma and crossover, checked bar by bar. */
async function checkFormingBars(port: number, clientId: number): Promise<void> {
  await loadFlow(['ib-connect', 'ib-historical-bars', 'ib-sma', 'ib-crossover'], [
    { id: 'tab', type: 'tab' },
    { id: 'c', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port, clientId },
    { id: 'h', z: 'tab', type: 'ib-historical-bars', connection: 'c', source: 'ib', symbol: 'AAPL', duration: '300 S', barSize: '5 secs', whatToShow: 'TRADES', useRTH: false, output: 'live', formingBars: true, wires: [['fast']] },
    { id: 'fast', z: 'tab', type: 'ib-sma', period: 2, wires: [['slow']] },
    { id: 'slow', z: 'tab', type: 'ib-sma', period: PERIOD, output: 'indicators.sma', wires: [['out', 'x']] },
    { id: 'x', z: 'tab', type: 'ib-crossover', mode: 'series', fast: 'indicators.sma2', slow: 'indicators.sma', emit: 'every', wires: [['signals']] },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'signals', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ]);
  const msgs: Array<Record<string, any>> = [];
  const signals: Array<Record<string, any>> = [];
  const errors: unknown[] = [];
  helper.getNode('out').on('input', (m: Record<string, any>) => msgs.push(m));
  helper.getNode('signals').on('input', (m: Record<string, any>) => signals.push(m));
  helper.getNode('caught').on('input', (m: Record<string, any>) => errors.push(m.error));
  helper.getNode('h').receive({});
  await waitFor(() => msgs.filter((m) => m.forming === false).length >= 3, 40_000, 'three closed bars after the history');
  helper.getNode('h').receive({ payload: 'stop' });
  assert.deepEqual(errors, []);

  const history = msgs[0];
  assert.equal(history.history, true);
  const closed: number[] = history.payload.map((b: { close: number }) => b.close);
  assert.ok(closed.length > PERIOD, `history of ${closed.length} bars`);
  let formingUpdates = 0;
  let lastTime = history.payload.at(-1).time;
  for (const m of msgs.slice(1)) {
    if (m.forming) {
      formingUpdates++;
      assert.ok(m.payload.time > lastTime, 'no forming update of a bar already closed');
      const want = sma([...closed, m.payload.close], closed.length + 1)!;
      assert.ok(Math.abs(m.indicators.sma - want) < 1e-9, `forming ${m.payload.time}: ${m.indicators.sma} vs ${want}`);
    } else {
      closed.push(m.payload.close);
      lastTime = m.payload.time;
      const want = sma(closed, closed.length)!;
      assert.ok(Math.abs(m.indicators.sma - want) < 1e-9, `closed ${m.payload.time}: ${m.indicators.sma} vs ${want}`);
    }
  }
  assert.ok(formingUpdates > 3, `${formingUpdates} forming updates`);
  // Signals only from closed bars (the history batch's array aside): the crossover's default.
  for (const s of signals.slice(1)) if (s.forming) assert.equal(s.signal, null, 'no signal on a forming bar');
}

describe('forming bars from historical-bars keep-up-to-date through sma and crossover', () => {
  let sim: Simulator;
  before(async () => {
    await startServer();
    sim = await createSimulator({ port: 0, ticksPerSecond: 20 });
  });
  after(async () => {
    await stopServer();
    await sim.close();
  });
  afterEach(() => helper.unload());

  it('the SMA on closed bars equals the SMA of the completed bars; forming updates revise, they do not count', async () => {
    await checkFormingBars(sim.port, 151);
  });

  it("the same when TWS's clock is behind ours: a bar the history sent closed by our clock, which TWS still revises, is counted once", async () => {
    // The market's clock an hour behind the wall clock: every history's last bar has ended by ours,
    // so the history sends it closed, and the stream's first updates still revise it.
    const behind = await createSimulator({ port: 0, ticksPerSecond: 20, startTime: Date.now() - 3_600_000 });
    try {
      await checkFormingBars(behind.port, 152);
    } finally {
      await behind.close();
    }
  });
});
