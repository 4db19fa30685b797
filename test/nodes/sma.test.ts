/**
 * ib-sma in a real Node-RED runtime: streaming and batch identical on the SMA-crossover fixture (test/fixtures/sma-cross-10k), instruments
 * kept apart, reset passed on, status, and bad input ending in done(err) naming the field.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBarsCsv } from '../../lib/data/bar-file';
import { collectMessages, helper, loadFlow, nextMessage, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';
import { fixturesDir } from '../helpers/paths';

const BARS = parseBarsCsv(readFileSync(join(fixturesDir, 'sma-cross-10k', 'bars.csv'), 'utf8'));

function flow(smaConfig: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 's', z: 'tab', type: 'ib-sma', period: 20, wires: [['out']], ...smaConfig },
    { id: 'c', z: 'tab', type: 'catch', scope: ['s'], wires: [['caught']] },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

function statusTexts(node: TestNode): string[] {
  return (node.status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
}

describe('ib-sma node', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('streaming the fixture bar by bar gives exactly the batch array', async () => {
    await loadFlow(['ib-sma'], flow({}));
    const sma = helper.getNode('s');
    const streamed = collectMessages(helper.getNode('out'), BARS.length, 60_000);
    for (const bar of BARS) sma.receive({ topic: 'FIX', payload: bar });
    const values = (await streamed).map((m) => m.indicators.sma20);
    const batch = nextMessage(helper.getNode('out'));
    sma.receive({ topic: 'FIX2', payload: BARS });
    const batchMsg = await batch;
    assert.equal(batchMsg.indicators.sma20.length, BARS.length);
    // Warm-up: null when streaming, NaN in a batch array (raw doubles); JSON makes both null.
    assert.ok(Number.isNaN(batchMsg.indicators.sma20[18]));
    assert.deepEqual(JSON.parse(JSON.stringify(batchMsg.indicators.sma20)), values);
    assert.ok(batchMsg.indicators.sma20.slice(19).every((v: unknown, i: number) => v === values[19 + i]), 'identical numbers after the warm-up');
    assert.equal(values[18], null);
    assert.ok(Math.abs(values[19] - BARS.slice(0, 20).reduce((s, b) => s + b.close, 0) / 20) < 1e-12);
    assert.equal(batchMsg.payload, batchMsg.payload, 'bars kept');
    await waitFor(() => statusTexts(sma).some((t) => /^sma20 = \d+\.\d\d \(10000 bars\)$/.test(t)), 2000, 'batch status');
  });

  it('two instruments interleaved do not mix; reset clears one and is passed on', async () => {
    await loadFlow(['ib-sma'], flow({ period: 2, output: 'indicators.fast' }));
    const sma = helper.getNode('s');
    const got = collectMessages(helper.getNode('out'), 6);
    sma.receive({ topic: 'AAPL', payload: { close: 10 } });
    sma.receive({ topic: 'MSFT', payload: 400 });
    sma.receive({ topic: 'AAPL', payload: { close: 20 } });
    sma.receive({ topic: 'AAPL', reset: true });
    sma.receive({ topic: 'AAPL', payload: { close: 30 } });
    sma.receive({ topic: 'MSFT', payload: 500 });
    const msgs = await got;
    assert.deepEqual(msgs.map((m) => (m.reset ? 'reset' : m.indicators.fast)), [null, null, 15, 'reset', null, 450]);
    await waitFor(() => statusTexts(sma).includes('fast = 450.00'), 2000, 'status "fast = 450.00"');
  });

  it('a value goes on before its status is drawn', async () => {
    await loadFlow(['ib-sma'], flow({ period: 1 }));
    const sma = helper.getNode('s');
    let drawnAtDelivery = -1;
    helper.getNode('out').on('input', () => {
      drawnAtDelivery = sma.status.callCount;
    });
    sma.receive({ topic: 'AAPL', payload: { close: 10 } });
    await waitFor(() => statusTexts(sma).includes('sma1 = 10.00'), 2000, 'status "sma1 = 10.00"');
    assert.equal(drawnAtDelivery, 0, 'no status drawn when the value reached the next node');
  });

  it('another source: typical price, or a property', async () => {
    await loadFlow(['ib-sma'], flow({ period: 1, source: 'typical' }));
    const got = nextMessage(helper.getNode('out'));
    helper.getNode('s').receive({ payload: { high: 12, low: 9, close: 9 } });
    assert.equal((await got).indicators.sma1, 10);
  });

  it('bad input ends in done(err) naming the field; the node keeps working', async () => {
    await loadFlow(['ib-sma'], flow({ period: 2 }));
    const sma = helper.getNode('s');
    let error = nextMessage(helper.getNode('caught'));
    sma.receive({ topic: 'AAPL', payload: { time: 1, close: '187.2' } });
    assert.match((await error).error.message, /msg\.payload\.close is the string "187\.2", not a number/);
    error = nextMessage(helper.getNode('caught'));
    sma.receive({ topic: 'AAPL', payload: { time: 1, open: 1 } });
    assert.match((await error).error.message, /msg\.payload\.close is missing/);
    await waitFor(() => statusTexts(sma).some((t) => t.startsWith('msg.payload.close is')), 2000, 'red status');
    const ok = nextMessage(helper.getNode('out'));
    sma.receive({ topic: 'AAPL', payload: { close: 5 } });
    assert.equal((await ok).indicators.sma2, null);
  });

  it('a bad configuration refuses every message with the reason', async () => {
    await loadFlow(['ib-sma'], flow({ period: 0 }));
    const error = nextMessage(helper.getNode('caught'));
    helper.getNode('s').receive({ payload: 1 });
    assert.match((await error).error.message, /sma period is 0: use a whole number >= 1/);
  });
});
