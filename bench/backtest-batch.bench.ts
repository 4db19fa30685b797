/**
 * Batch backtest on 1M daily bars (SMA 20/50 crossover, 100 shares long-only): the lib call alone, and
 * the whole batch flow (sma -> sma -> crossover -> risk-sizer -> backtest-report, from the example) in an
 * embedded Node-RED, from the bars entering the flow to the report, with the bars as columns (what
 * historical-bars' "columns" output sends) and as an array of bar objects; and the whole example with
 * historical-bars reading a 1M-row CSV file (parsing included).
 *
 * Each flow case runs in a process of its own, so its peak memory (RSS high-water mark of the process,
 * runtime and bars included, as backtrader's and backtesting.py's published figures count it) is its own.
 * Time: first run and best of 3. Goal: under 1 s and 300 MB for the batch flow.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatchBacktest } from '../lib/broker/batch-backtest';
import type { Bar, OrderIntent } from '../lib/messages';
import { barsCsv, randomWalkBars, randomWalkColumns } from './synthetic-bars';
import { resultsBus, type PublishedResult } from '../nodes/results-bus';
import { startEmbeddedRuntime, type NodeRedModule } from '../flow-runner/embedded-runtime';
import { report, type Row } from './report';

const root = join(__dirname, '..', '..');
const N = 1_000_000;
const SEED = 7;

/**
 * columns / objects: the bars handed to the first SMA; csv: the whole example, historical-bars reading a
 * CSV file as columns; portfolio: 10 instruments x 100k bars as columns through the portfolio example
 * (ten historical-bars nodes on one backtest connection handed the columns in msg.payload, each
 * instrument's arrays through the same chain, backtest-report gathering the ten on one clock).
 */
type Shape = 'columns' | 'objects' | 'csv' | 'portfolio';

const INSTRUMENTS = 10;
const PER_INSTRUMENT = 100_000;

interface FlowFigures {
  firstMs: number;
  bestMs: number;
  /** CPU time (user + system, every thread: GC included) of the fastest run: a figure a busy machine disturbs less than wall time. */
  bestCpuMs: number;
  /** CPU of the first run: on a shared machine steadier than its wall time. */
  firstCpuMs: number;
  trades: number;
  /** Peak RSS of the process after its first run, and after all three (no forced GC in between). */
  firstPeakRssMb: number;
  peakRssMb: number;
  runtimeRssMb: number;
  barsRssMb: number;
}

/**
 * The batch example without its inject, debug and comment nodes: from the first SMA on (the bars handed
 * to it, historical-bars' job done already), or whole with historical-bars reading `csvFile`.
 */
function batchFlow(csvFile: string | null): Array<Record<string, unknown>> {
  const example = JSON.parse(readFileSync(join(root, 'examples', 'sma-crossover-batch.json'), 'utf8')) as Array<Record<string, unknown>>;
  return example
    .filter((n) => n.type !== 'inject' && n.type !== 'debug' && n.type !== 'comment' && (csvFile !== null || n.type !== 'ib-historical-bars'))
    .map((n) => (n.type === 'ib-backtest-report' ? { ...n, wires: [[], [], [], []] } : n.type === 'ib-historical-bars' ? { ...n, file: csvFile, output: 'columns' } : n));
}

/**
 * The portfolio batch example with INSTRUMENTS historical-bars nodes on its backtest connection instead of
 * two, each taking its bars from msg.payload (as columns) instead of a file: backtest-report gathers them.
 */
function portfolioFlow(): Array<Record<string, unknown>> {
  const example = JSON.parse(readFileSync(join(root, 'examples', 'portfolio-batch.json'), 'utf8')) as Array<Record<string, unknown>>;
  const source = example.find((n) => n.type === 'ib-historical-bars')!;
  const sources = Array.from({ length: INSTRUMENTS }, (_, k) => ({ ...source, id: `bench-bars-${k}`, name: `SYM${k}`, symbol: `SYM${k}`, source: 'msg', file: '' }));
  return [
    ...sources,
    ...example
      .filter((n) => n.type !== 'inject' && n.type !== 'debug' && n.type !== 'comment' && n.type !== 'ib-historical-bars')
      .map((n) => (n.type === 'ib-backtest-report' ? { ...n, wires: [[], [], [], []] } : n)),
  ];
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

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Child process: one flow case, figures printed as one JSON line. */
async function measureFlow(shape: Shape, csvFile: string | null): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as NodeRedModule;
  const flow = shape === 'portfolio' ? portfolioFlow() : batchFlow(shape === 'csv' ? csvFile : null);
  const first = flow.find((n) => (shape === 'csv' ? n.type === 'ib-historical-bars' : n.name === 'fast SMA')) as { id: string };
  const sources = flow.filter((n) => shape === 'portfolio' && n.type === 'ib-historical-bars') as Array<{ id: string }>;
  const reportNode = flow.find((n) => n.type === 'ib-backtest-report') as { id: string };
  const embedded = await startEmbeddedRuntime(RED, { packageRoot: root, packageName: 'node-red-contrib-ib-algo', flow, onLog: (e) => e.level <= 20 && console.error(e.msg) });
  try {
    gc();
    const runtimeRssMb = process.memoryUsage().rss / 1048576;
    const bars = shape === 'columns' ? randomWalkColumns(N, SEED) : shape === 'objects' ? randomWalkBars(N, SEED) : null;
    const instruments = shape === 'portfolio' ? Array.from({ length: INSTRUMENTS }, (_, k) => randomWalkColumns(PER_INSTRUMENT, SEED + k)) : null;
    gc();
    const barsRssMb = process.memoryUsage().rss / 1048576 - runtimeRssMb;
    const entry = await embedded.node(first.id);
    const sourceNodes = await Promise.all(sources.map((n) => embedded.node(n.id)));
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let trades = 0;
    let firstPeakRssMb = 0;
    for (let i = 0; i < 3; i++) {
      const result = nextResult(reportNode.id);
      const start = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      if (instruments) {
        instruments.forEach((columns, k) => {
          sourceNodes[k]!.receive({ topic: `SYM${k}`, payload: columns });
        });
      }
      else entry.receive(bars ? { topic: 'BENCH', payload: bars } : {});
      trades = (await result).trades as number;
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      const cpu = process.cpuUsage(cpuStart);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      if (i === 0) firstPeakRssMb = peakRssMb();
    }
    const best = times.indexOf(Math.min(...times));
    const figures: FlowFigures = { firstMs: times[0]!, bestMs: times[best]!, bestCpuMs: cpuTimes[best]!, firstCpuMs: cpuTimes[0]!, trades, firstPeakRssMb, peakRssMb: peakRssMb(), runtimeRssMb, barsRssMb };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await embedded.stop();
  }
}

function flowInChild(shape: Shape, csvFile: string): FlowFigures {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, '--flow', shape, csvFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as FlowFigures;
}

function smaCrossIntents(bars: Bar[], fastPeriod: number, slowPeriod: number): Array<OrderIntent | null> {
  const sma = (period: number) => {
    const out = new Float64Array(bars.length);
    let sum = 0;
    for (let i = 0; i < bars.length; i++) {
      sum += bars[i]!.close;
      if (i >= period) sum -= bars[i - period]!.close;
      out[i] = i >= period - 1 ? sum / period : NaN;
    }
    return out;
  };
  const f = sma(fastPeriod);
  const s = sma(slowPeriod);
  const orders: Array<OrderIntent | null> = new Array(bars.length).fill(null);
  for (let i = 1; i < bars.length; i++) {
    if (f[i - 1]! <= s[i - 1]! && f[i]! > s[i]!) orders[i] = { targetQuantity: 100 };
    else if (f[i - 1]! >= s[i - 1]! && f[i]! < s[i]!) orders[i] = { targetQuantity: 0 };
  }
  return orders;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const mb = (v: number) => Math.round(v);
  const csvFile = join(mkdtempSync(join(tmpdir(), 'ib-bench-')), 'bars-1m.csv');
  writeFileSync(csvFile, barsCsv(randomWalkBars(N, SEED)));
  const label: Record<Shape, string> = {
    columns: 'batch flow, bars handed in as columns',
    objects: 'batch flow, bars handed in as an array of bar objects',
    csv: 'whole example: historical-bars reads a 1M-row CSV as columns, then the batch flow',
    portfolio: `portfolio batch flow: ${INSTRUMENTS} historical-bars x ${PER_INSTRUMENT / 1000}k bars as columns (msg source), one clock`,
  };
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const shapes = (['columns', 'objects', 'csv', 'portfolio'] as const).filter((s) => only.length === 0 || only.includes(s));
  for (const shape of shapes) {
    const f = flowInChild(shape, csvFile);
    rows.push({
      case: label[shape],
      bars: N,
      'first ms': Math.round(f.firstMs),
      'best ms': Math.round(f.bestMs),
      'cpu ms (1st run)': Math.round(f.firstCpuMs),
      'cpu ms (best run)': Math.round(f.bestCpuMs),
      'bars/s': Math.round((N / f.bestMs) * 1000),
      trades: f.trades,
      'peak RSS MB, 1st run': mb(f.firstPeakRssMb),
      'peak RSS MB, 3 runs': mb(f.peakRssMb),
      'runtime MB': mb(f.runtimeRssMb),
      'bars MB': shape === 'csv' ? '' : mb(f.barsRssMb),
    });
  }
  rmSync(csvFile, { force: true });

  // The lib call alone: bars and intents already in memory (its own figures, after the children).
  const bars = randomWalkBars(N, SEED);
  const intents = smaCrossIntents(bars, 20, 50);
  let best = Infinity;
  let bestCpu = 0;
  let trades = 0;
  for (let i = 0; i < 3; i++) {
    gc();
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const summary = runBatchBacktest({ key: 'BENCH', bars, orders: intents, options: { startingCash: 100_000, commission: 'none' } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms < best) {
      best = ms;
      const cpu = process.cpuUsage(cpuStart);
      bestCpu = (cpu.user + cpu.system) / 1000;
    }
    trades = summary.metrics.trades;
  }
  rows.push({ case: 'runBatchBacktest (lib, bar objects + intents given)', bars: N, 'first ms': '', 'best ms': Math.round(best), 'cpu ms (1st run)': '', 'cpu ms (best run)': Math.round(bestCpu), 'bars/s': Math.round((N / best) * 1000), trades, 'peak RSS MB, 1st run': '', 'peak RSS MB, 3 runs': '', 'runtime MB': '', 'bars MB': '' });
  report('backtest-batch', rows, { goal: 'batch flow < 1000 ms and < 300 MB (process peak RSS) on 1M bars' });
}

const flowArg = process.argv.indexOf('--flow');
(flowArg >= 0 ? measureFlow(process.argv[flowArg + 1] as Shape, process.argv[flowArg + 2] ?? null) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
