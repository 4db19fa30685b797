/**
 * ib-indicator in a real Node-RED runtime: streaming and batch identical on the fixture (RSI, MACD,
 * ATR), instruments apart, reset, bad input naming the field; and the editor's indicator table equals
 * the lib catalog.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBarsCsv } from '../../lib/data/bar-file';
import { INDICATORS } from '../../lib/indicators/catalog';
import { collectMessages, helper, loadFlow, nextMessage, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';
import { fixturesDir, repoRoot } from '../helpers/paths';

const BARS = parseBarsCsv(readFileSync(join(fixturesDir, 'sma-cross-10k', 'bars.csv'), 'utf8')).slice(0, 3000);

function flow(nodes: Array<Record<string, unknown>>) {
  return [
    { id: 'tab', type: 'tab' },
    ...nodes.map((n) => ({ z: 'tab', type: 'ib-indicator', ...n })),
    { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

function statusTexts(node: TestNode): string[] {
  return (node.status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
}

describe('ib-indicator node', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('RSI -> MACD -> ATR chain: streaming bar by bar equals one batch message', async () => {
    await loadFlow(['ib-indicator'], flow([
      { id: 'rsiNode', indicator: 'rsi', params: { period: 14 }, wires: [['macdNode']] },
      { id: 'macdNode', indicator: 'macd', params: { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 }, wires: [['atrNode']] },
      { id: 'atrNode', indicator: 'atr', params: { period: 14 }, wires: [['out']] },
    ]));
    const streamed = collectMessages(helper.getNode('out'), BARS.length, 60_000);
    for (const bar of BARS) helper.getNode('rsiNode').receive({ topic: 'FIX', payload: bar });
    const series = (await streamed).map((m) => m.indicators);
    const batchOut = nextMessage(helper.getNode('out'));
    helper.getNode('rsiNode').receive({ topic: 'FIX', payload: BARS });
    const batch = (await batchOut).indicators;
    for (const name of ['rsi14', 'macd', 'atr14']) {
      assert.equal(batch[name].length, BARS.length);
      // A single-number indicator's batch warm-up is NaN (raw doubles), streaming's is null: JSON makes both null.
      assert.deepEqual(JSON.parse(JSON.stringify(batch[name])), series.map((s) => s[name]), name);
    }
    assert.ok(Number.isNaN(batch.rsi14[13]) && Number.isNaN(batch.atr14[0]), 'numeric warm-up is NaN in a batch');
    assert.equal(batch.macd[24], null, 'a multi-line warm-up stays null in a batch');
    assert.equal(series[13].rsi14, null);
    assert.equal(typeof series[14].rsi14, 'number');
    assert.deepEqual(Object.keys(series[40].macd), ['macd', 'signal', 'histogram']);
    assert.equal(series[24].macd, null, 'MACD warm-up is null');
    assert.equal(series[25].macd.signal, null, 'signal line still warming up inside the object');
    await waitFor(() => statusTexts(helper.getNode('rsiNode')).some((t) => /^rsi14 = \d+\.\d\d \(3000 bars\)$/.test(t)), 2000, 'batch status');
  });

  it('smooths another indicator through a property source; instruments apart; reset', async () => {
    await loadFlow(['ib-indicator'], flow([{ id: 'emaNode', indicator: 'ema', params: { period: 2 }, source: 'property', sourceProperty: 'indicators.x', output: 'indicators.smooth', wires: [['out']] }]));
    const node = helper.getNode('emaNode');
    const got = collectMessages(helper.getNode('out'), 6);
    node.receive({ topic: 'A', indicators: { x: null } });
    node.receive({ topic: 'A', indicators: { x: 2 } });
    node.receive({ topic: 'B', indicators: { x: 100 } });
    node.receive({ topic: 'A', indicators: { x: 4 } });
    node.receive({ reset: true });
    node.receive({ topic: 'A', indicators: { x: 4 } });
    assert.deepEqual((await got).map((m) => (m.reset ? 'reset' : m.indicators.smooth)), [null, null, null, 3, 'reset', null]);
  });

  it('bad input names the field', async () => {
    await loadFlow(['ib-indicator'], flow([{ id: 'atrNode', indicator: 'atr', params: { period: 3 }, wires: [['out']] }, { id: 'badNode', indicator: 'rsi', params: { period: 0 }, wires: [] }]));
    let error = nextMessage(helper.getNode('caught'));
    helper.getNode('atrNode').receive({ payload: { time: 1, high: 2, close: 1.5 } });
    assert.match((await error).error.message, /msg\.payload\.low is missing/);
    error = nextMessage(helper.getNode('caught'));
    helper.getNode('atrNode').receive({ payload: 187.5 });
    assert.match((await error).error.message, /msg\.payload is a number: atr3 needs whole bars with high, low, close/);
    error = nextMessage(helper.getNode('caught'));
    helper.getNode('badNode').receive({ payload: 1 });
    assert.match((await error).error.message, /rsi parameter "Period" is 0: use a whole number >= 1/);
  });

  it("the editor's indicator table is the lib catalog", () => {
    const html = readFileSync(join(repoRoot, 'nodes', 'ib-indicator', 'ib-indicator.html'), 'utf8');
    const table = JSON.parse(/var IB_INDICATORS = (\[[\s\S]*?\n {2}\]);/.exec(html)![1]) as Array<Record<string, any>>;
    const fromLib = INDICATORS.map((s) => ({ id: s.id, label: s.label, input: s.input, fields: [...s.fields], lines: [...s.lines], nameParam: s.nameParam ?? null, params: s.params.map((p) => ({ ...p })) }));
    assert.deepEqual(table, fromLib);
  });
});
