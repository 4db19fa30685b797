/**
 * The seed strategy as nodes: sma(20) -> sma(50) -> crossover -> risk-sizer in a real Node-RED
 * runtime, on the SMA-crossover fixture (test/fixtures/sma-cross-10k): streaming bar by bar gives exactly the signals and orders of one
 * batch message, and the trades of trades.csv. Also crossover's own modes and errors as a node.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBarsCsv } from '../../lib/data/bar-file';
import { collectMessages, helper, loadFlow, nextMessage, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';
import { fixturesDir } from '../helpers/paths';

const fixtureDir = join(fixturesDir, 'sma-cross-10k');
const BARS = parseBarsCsv(readFileSync(join(fixtureDir, 'bars.csv'), 'utf8'));
const TRADES = readFileSync(join(fixtureDir, 'trades.csv'), 'utf8').trim().split('\n').slice(1);
const EXPECTED_SIGNALS = 225; // 112 round trips, plus signals while already flat/long that the strategy ignores

function statusTexts(node: TestNode): string[] {
  return (node.status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
}

const chain = (crossover: Record<string, unknown> = {}) => [
  { id: 'tab', type: 'tab' },
  { id: 'fast', z: 'tab', type: 'ib-sma', period: 20, wires: [['slow']] },
  { id: 'slow', z: 'tab', type: 'ib-sma', period: 50, wires: [['x']] },
  { id: 'x', z: 'tab', type: 'ib-crossover', mode: 'series', fast: 'indicators.sma20', slow: 'indicators.sma50', emit: 'cross', wires: [['size']], ...crossover },
  { id: 'size', z: 'tab', type: 'ib-risk-sizer', method: 'fixed', shares: 100, direction: 'long-only', wires: [['out']] },
  { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'out', z: 'tab', type: 'helper' },
  { id: 'caught', z: 'tab', type: 'helper' },
];

describe('ib-crossover node', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('sma -> sma -> crossover -> risk-sizer: streaming equals batch on the fixture and gives the fixture trades', async () => {
    await loadFlow(['ib-sma', 'ib-crossover', 'ib-risk-sizer'], chain());
    const outputs = collectMessages(helper.getNode('out'), EXPECTED_SIGNALS, 120_000);
    for (const bar of BARS) helper.getNode('fast').receive({ topic: 'FIX', payload: bar });
    // A copy: the collector keeps appending later messages (the batch) to its array.
    const streamed = [...(await outputs)];
    const batchOut = nextMessage(helper.getNode('out'));
    helper.getNode('fast').receive({ topic: 'FIX', payload: BARS });
    const batch = await batchOut;
    const batchSignals = (batch.signal as Array<Record<string, unknown> | null>).filter((s) => s !== null);
    const batchOrders = (batch.order as Array<Record<string, unknown> | null>).filter((o) => o !== null);
    assert.deepEqual(streamed.map((m) => m.signal), batchSignals);
    assert.deepEqual(streamed.map((m) => m.order), batchOrders);
    // Long-only, 100 shares, fills at the next bar's open: the trades of trades.csv.
    const index = new Map(BARS.map((b, i) => [b.time, i]));
    const trades: string[] = [];
    let entry: string | null = null;
    for (const msg of streamed) {
      const next = BARS[(index.get(msg.signal.time) as number) + 1];
      if (!next) continue;
      const at = `${new Date(next.time).toISOString().slice(0, 10)},${next.open.toFixed(4)}`;
      if (msg.order.targetQuantity === 100 && entry === null) entry = at;
      else if (msg.order.targetQuantity === 0 && entry !== null) {
        const [d1, p1] = entry.split(',');
        const [d2, p2] = at.split(',');
        trades.push(`${d1},${d2},${p1},${p2}`);
        entry = null;
      }
    }
    assert.deepEqual(trades, TRADES.map((t) => t.split(',').slice(0, 4).join(',')));
    await waitFor(() => statusTexts(helper.getNode('x')).some((t) => /^(BUY|SELL) FIX$/.test(t)), 2000, 'crossover status');
    await waitFor(() => statusTexts(helper.getNode('size')).some((t) => /^target (100|0) FIX$/.test(t)), 2000, 'risk-sizer status');
  });

  it('level mode on two interleaved instruments; regime output; reset passed on', async () => {
    await loadFlow(['ib-crossover'], [
      { id: 'tab', type: 'tab' },
      { id: 'x', z: 'tab', type: 'ib-crossover', mode: 'level', fast: 'indicators.rsi14', level: 50, emit: 'regime', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const got = collectMessages(helper.getNode('out'), 6);
    const x = helper.getNode('x');
    x.receive({ topic: 'A', payload: { time: 1 }, indicators: { rsi14: 40 } });
    x.receive({ topic: 'B', payload: { time: 1 }, indicators: { rsi14: 60 } });
    x.receive({ topic: 'A', payload: { time: 2 }, indicators: { rsi14: 50 } });
    x.receive({ topic: 'B', payload: { time: 2 }, indicators: { rsi14: 45 } });
    x.receive({ topic: 'B', reset: true });
    x.receive({ topic: 'B', payload: { time: 3 }, indicators: { rsi14: null } });
    const sides = (await got).map((m) => (m.reset ? 'reset' : m.signal?.side ?? null));
    assert.deepEqual(sides, ['SELL', 'BUY', 'SELL', 'SELL', 'reset', null]);
  });

  it('a missing or non-numeric property ends in done(err) naming it', async () => {
    await loadFlow(['ib-crossover'], [
      { id: 'tab', type: 'tab' },
      { id: 'x', z: 'tab', type: 'ib-crossover', mode: 'series', fast: 'indicators.sma20', slow: 'indicators.sma50', emit: 'cross', wires: [['out']] },
      { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    let error = nextMessage(helper.getNode('caught'));
    helper.getNode('x').receive({ payload: { time: 1, close: 1 }, indicators: { sma20: 1 } });
    assert.match((await error).error.message, /msg\.indicators\.sma50 is missing/);
    error = nextMessage(helper.getNode('caught'));
    helper.getNode('x').receive({ payload: { time: 1, close: 1 }, indicators: { sma20: 'high', sma50: 1 } });
    assert.match((await error).error.message, /msg\.indicators\.sma20 is the string "high", not a number/);
  });

  it('an unknown mode shows "invalid configuration" and fails every message with the fix', async () => {
    await loadFlow(['ib-crossover'], [
      { id: 'tab', type: 'tab' },
      { id: 'x', z: 'tab', type: 'ib-crossover', mode: 'diagonal', fast: 'indicators.sma20', wires: [['out']] },
      { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const x = helper.getNode('x');
    assert.equal(statusTexts(x)[0], 'invalid configuration');
    for (let i = 0; i < 2; i++) {
      const error = nextMessage(helper.getNode('caught'));
      x.receive({ payload: { time: 1, close: 1 }, indicators: { sma20: 1 } });
      assert.match((await error).error.message, /crossover mode "diagonal" is unknown: use series, level or band/);
    }
  });
});
