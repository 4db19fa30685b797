/**
 * Paced replay of 100k daily bars in an embedded Node-RED (not the test helper: its spies ruin figures),
 * in one run:
 * - the example flow (examples/sma-crossover-backtest.json: historical-bars on a backtest
 *   connection -> fast SMA -> slow SMA -> crossover -> risk-sizer -> place-order, backtest-report on the
 *   session), from the start of the replay to the report;
 * - a bare relay of 7 nodes (6 sends, the example's nodes in a chain) whose source replays the same bars
 *   through the same flow pacer, each relay node only passing the message on.
 * - a 10-instrument portfolio (examples/portfolio-backtest.json with ten historical-bars nodes of 100k
 *   bars each on one backtest connection: one clock, bars of a date before any of the next) against the
 *   same relay replaying the same 1M bar events in the same time order, counted in bar events.
 * Goal: >= 30k bars/s for the example and >= 80% of the relay's rate, the same ratio for the
 * portfolio.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsBus, type PublishedResult } from '../nodes/results-bus';
import { barsCsv, randomWalkBars } from './synthetic-bars';
import { startEmbeddedRuntime, type NodeRedModule } from '../flow-runner/embedded-runtime';
import type { Bar } from '../lib/messages';
import { report, type Row } from './report';

const N = 100_000;
const INSTRUMENTS = 10;
const ROUNDS = 3;
const root = join(__dirname, '..', '..');
const DONE = Symbol.for('ib-algo-bench.relay-done');
const BARS = Symbol.for('ib-algo-bench.bars');

/** Bench-only node types: a paced source and a relay that passes messages on. */
function writeBenchNodes(dir: string): void {
  const pacer = JSON.stringify(join(root, 'dist', 'nodes', 'flow-pacer.js'));
  writeFileSync(
    join(dir, 'bench-relay.js'),
    `module.exports = function (RED) {
  const { createFlowPacer } = require(${pacer});
  RED.nodes.registerType('bench-source', function (def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const pacer = createFlowPacer(RED, node);
    node.on('input', async (msg, send, done) => {
      const bars = globalThis[Symbol.for('ib-algo-bench.bars')];
      for (let i = 0; i < bars.length; i++) await pacer.send({ topic: 'BENCH', payload: bars[i] });
      done();
      globalThis[Symbol.for('ib-algo-bench.relay-done')]();
    });
  });
  RED.nodes.registerType('bench-relay', function (def) {
    RED.nodes.createNode(this, def);
    this.on('input', (msg, send, done) => { send(msg); done(); });
  });
};
`,
  );
  const html = (type: string, inputs: number) =>
    `<script type="text/javascript">RED.nodes.registerType('${type}', { category: 'bench', color: '#ddd', defaults: { name: { value: '' } }, inputs: ${inputs}, outputs: 1, label: function () { return '${type}'; } });</script>\n`;
  writeFileSync(join(dir, 'bench-relay.html'), html('bench-source', 1) + html('bench-relay', 1));
}

function relayFlow(): object[] {
  const tab = { id: 'b0a0000000000001', type: 'tab', label: 'relay' };
  const ids = Array.from({ length: 7 }, (_, i) => `b0a00000000001${i}0`);
  return [
    tab,
    ...ids.map((id, i) => ({ id, z: tab.id, type: i === 0 ? 'bench-source' : 'bench-relay', x: 100 + i * 100, y: 100, wires: i + 1 < ids.length ? [[ids[i + 1]]] : [[]] })),
  ];
}

function exampleFlow(csv: string): { flow: Array<Record<string, unknown>>; bars: string; report: string } {
  const flow = JSON.parse(readFileSync(join(root, 'examples', 'sma-crossover-backtest.json'), 'utf8')) as Array<Record<string, unknown>>;
  const kept = flow.filter((n) => n.type !== 'inject' && n.type !== 'debug' && n.type !== 'comment');
  const bars = kept.find((n) => n.type === 'ib-historical-bars')!;
  bars.file = csv;
  const reportNode = kept.find((n) => n.type === 'ib-backtest-report')!;
  reportNode.wires = [[], [], [], []];
  reportNode.progressEvery = 0;
  return { flow: kept, bars: bars.id as string, report: reportNode.id as string };
}

/** The portfolio example with INSTRUMENTS historical-bars nodes, one CSV each, all started at once. */
function portfolioFlow(csvs: string[]): { flow: Array<Record<string, unknown>>; bars: string[]; report: string } {
  const flow = JSON.parse(readFileSync(join(root, 'examples', 'portfolio-backtest.json'), 'utf8')) as Array<Record<string, unknown>>;
  const kept = flow.filter((n) => n.type !== 'inject' && n.type !== 'debug' && n.type !== 'comment' && n.type !== 'ib-historical-bars');
  const template = flow.find((n) => n.type === 'ib-historical-bars')!;
  const bars = csvs.map((file, k) => ({ ...template, id: `b0b0000000000${String(k).padStart(3, '0')}`, name: `SYM${k}`, symbol: `SYM${k}`, file }));
  const reportNode = kept.find((n) => n.type === 'ib-backtest-report')!;
  reportNode.wires = [[], [], [], []];
  reportNode.progressEvery = 0;
  return { flow: [...kept, ...bars], bars: bars.map((b) => b.id), report: reportNode.id as string };
}

function nextResult(nodeId: string): Promise<PublishedResult['result']> {
  return new Promise((resolve) => {
    const listener = (r: PublishedResult) => {
      if (r.nodeId !== nodeId) return;
      resultsBus().off('result', listener);
      resolve(r.result);
    };
    resultsBus().on('result', listener);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ib-bench-'));
  const nodesDir = join(dir, 'nodes');
  mkdirSync(nodesDir);
  writeBenchNodes(nodesDir);
  const bars: Bar[] = randomWalkBars(N, 11);
  (globalThis as Record<symbol, unknown>)[BARS] = bars;
  const csv = join(dir, 'bench.csv');
  writeFileSync(csv, barsCsv(bars));

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as NodeRedModule;
  const example = exampleFlow(csv);
  const relay = relayFlow();
  const errors: string[] = [];
  const runtime = await startEmbeddedRuntime(RED, {
    packageRoot: root,
    packageName: 'node-red-contrib-ib-algo',
    flow: relay,
    nodesDir: [nodesDir],
    onLog: (e) => e.level <= 20 && errors.push(String(e.msg)),
  });
  const relayRates: number[] = [];
  const exampleRates: number[] = [];
  let trades = 0;
  let portfolioRelay = 0;
  let portfolioRate = 0;
  let portfolioBars = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await runtime.deploy(relay);
      const source = await runtime.node((relay[1] as { id: string }).id);
      let start = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        (globalThis as Record<symbol, unknown>)[DONE] = resolve;
        source.receive({});
      });
      relayRates.push(N / (Number(process.hrtime.bigint() - start) / 1e9));

      await runtime.deploy(example.flow);
      const barsNode = await runtime.node(example.bars);
      const result = nextResult(example.report);
      start = process.hrtime.bigint();
      barsNode.receive({});
      const r = await result;
      exampleRates.push(N / (Number(process.hrtime.bigint() - start) / 1e9));
      trades = r.trades as number;
      if (r.bars !== N) throw new Error(`the example replayed ${String(r.bars)} bars, expected ${N}`);
    }

    // The portfolio: one round each (a million bar events).
    const series = Array.from({ length: INSTRUMENTS }, (_, k) => randomWalkBars(N, 100 + k));
    const csvs = series.map((bars, k) => {
      const file = join(dir, `sym${k}.csv`);
      writeFileSync(file, barsCsv(bars));
      return file;
    });
    // The same events in the clock's order: by time, then instrument.
    const merged: Bar[] = [];
    for (let i = 0; i < N; i++) for (let k = 0; k < INSTRUMENTS; k++) merged.push(series[k]![i]!);
    (globalThis as Record<symbol, unknown>)[BARS] = merged;
    await runtime.deploy(relay);
    const relaySource = await runtime.node((relay[1] as { id: string }).id);
    const relayStart = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      (globalThis as Record<symbol, unknown>)[DONE] = resolve;
      relaySource.receive({});
    });
    portfolioRelay = merged.length / (Number(process.hrtime.bigint() - relayStart) / 1e9);
    const portfolio = portfolioFlow(csvs);
    await runtime.deploy(portfolio.flow);
    const portfolioResult = nextResult(portfolio.report);
    const nodes = await Promise.all(portfolio.bars.map((id) => runtime.node(id)));
    const portfolioStart = process.hrtime.bigint();
    for (const n of nodes) n.receive({});
    const summed = await portfolioResult;
    portfolioRate = merged.length / (Number(process.hrtime.bigint() - portfolioStart) / 1e9);
    portfolioBars = summed.bars as number;
    if (portfolioBars !== N) throw new Error(`the portfolio marked ${String(portfolioBars)} equity points, expected ${N} (one per date)`);
  } finally {
    await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  if (errors.length) console.error(`runtime errors: ${errors.slice(0, 3).join(' | ')}`);
  const best = (xs: number[]) => Math.max(...xs);
  const rows: Row[] = [
    { flow: 'bare relay, 7 nodes / 6 sends, paced', bars: N, 'bars/s (best)': Math.round(best(relayRates)), 'bars/s (runs)': relayRates.map(Math.round).join(' ') },
    {
      flow: 'example: bars, fast SMA, slow SMA, crossover, risk-sizer, place-order, backtest-report',
      bars: N,
      'bars/s (best)': Math.round(best(exampleRates)),
      'bars/s (runs)': exampleRates.map(Math.round).join(' '),
    },
    { flow: 'example / relay', bars: N, 'bars/s (best)': `${((best(exampleRates) / best(relayRates)) * 100).toFixed(0)}%`, 'bars/s (runs)': `${trades} trades` },
    { flow: `bare relay, the portfolio's ${INSTRUMENTS * N} bar events in time order, paced`, bars: INSTRUMENTS * N, 'bars/s (best)': Math.round(portfolioRelay), 'bars/s (runs)': '' },
    { flow: `portfolio: ${INSTRUMENTS} historical-bars x ${N / 1000}k bars on one backtest connection, the example's chain`, bars: INSTRUMENTS * N, 'bars/s (best)': Math.round(portfolioRate), 'bars/s (runs)': `${portfolioBars} equity points` },
    { flow: 'portfolio / relay (bar events)', bars: INSTRUMENTS * N, 'bars/s (best)': `${((portfolioRate / portfolioRelay) * 100).toFixed(0)}%`, 'bars/s (runs)': '' },
  ];
  report('replay', rows, { goal: '>= 30000 bars/s and >= 80% of the relay' });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
