/**
 * Strategy lib speed: ns per bar for sma, crossover and risk-sizer, streaming (one message per bar,
 * with the nodes' input checks) and batch (one message with 1M bars), next to technicalindicators' SMA
 * and a plain running-sum loop, all in the same run on the same 1M bars. Then the batch flow's four
 * lib steps (sma 20 -> sma 50 -> crossover -> risk-sizer on one 1M-bar message) with their memory.
 *
 * Times are CPU time (user + system) of this process, the median of several runs: the benchmark
 * machine is shared, and wall time would count other processes' turns. The batch steps allocate
 * tens of MB (a boxed number per bar in Array<number | null> outputs), so their figures include the
 * garbage collection they cause.
 */
import * as ti from 'technicalindicators';
import { parsePath } from '../lib/messages/path';
import { IndicatorRunner } from '../lib/indicators/runner';
import { Sma, smaSeries } from '../lib/indicators/sma';
import { readValueSource } from '../lib/messages/source';
import type { Bar } from '../lib/messages';
import { RiskSizer } from '../lib/risk/risk-sizer';
import { DEFAULT_SIZER_CONFIG } from '../lib/risk/sizing';
import { CrossDetector } from '../lib/signals/cross-detector';
import { Crossover } from '../lib/signals/crossover';
import { report, type Row } from './report';

const N = 1_000_000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** CPU ns per item of `fn` over `items` items: the median of `repeats` runs after one warm-up. */
function cpuNsPerItem(items: number, fn: () => void, repeats = 5): number {
  fn();
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) runs.push((cpuMs(fn) * 1e6) / items);
  return median(runs);
}

function makeBars(n: number): Bar[] {
  let seed = 1;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const bars: Bar[] = new Array(n);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    price *= 1 + (rnd() - 0.5) * 0.02;
    bars[i] = { time: i * 60_000, open, high: Math.max(open, price) * 1.001, low: Math.min(open, price) * 0.999, close: price, volume: 1000 };
  }
  return bars;
}

const bars = makeBars(N);
const closes = bars.map((b) => b.close);
const sma20 = smaSeries(closes, 20);
const sma50 = smaSeries(closes, 50);
let sink = 0; // keeps results alive so the work is not optimized away

/** Memory of the batch flow's four lib steps on 1M bars, measured first, before timing runs leave garbage. */
const memory = (() => {
  const mb = (bytes: number) => Number((bytes / 1048576).toFixed(1));
  gc();
  const before = process.memoryUsage();
  const msg: Record<string, unknown> = { topic: 'X', payload: bars, account: { equity: 100_000 } };
  let peakHeap = before.heapUsed;
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const sma = (period: number) => new IndicatorRunner({ create: () => new Sma(period), input: 'value', source: readValueSource('close', ''), output: parsePath(`indicators.sma${period}`, 'output'), name: `sma${period}` });
  sma(20).run(msg);
  sample();
  sma(50).run(msg);
  sample();
  new Crossover({ mode: 'series', fast: ['indicators', 'sma20'], slow: ['indicators', 'sma50'], emit: 'cross' }).run(msg);
  sample();
  new RiskSizer({ config: { ...DEFAULT_SIZER_CONFIG, method: 'percent', equityPercent: 10 }, price: readValueSource('close', '') }).run(msg, null);
  sample();
  gc();
  const after = process.memoryUsage();
  return {
    'heap holding the bars (MB)': mb(before.heapUsed),
    'RSS with the bars (MB)': mb(before.rss),
    'heap added at peak by the four steps (MB)': mb(peakHeap - before.heapUsed),
    'outputs kept on the message: 2 SMA arrays, signals, orders (MB)': mb(after.heapUsed - before.heapUsed),
    'peak RSS of the process (MB)': mb(process.resourceUsage().maxRSS * 1024),
    'peak RSS over RSS with the bars (MB)': mb(process.resourceUsage().maxRSS * 1024 - before.rss),
  };
})();

const rows: Row[] = [];
const measure = (what: string, mode: string, fn: () => void) => rows.push({ what, mode, 'ns/bar': Number(cpuNsPerItem(N, fn).toFixed(1)) });

measure('plain loop: running sum SMA(20), no checks', 'loop', () => {
  let sum = 0;
  for (let i = 0; i < N; i++) {
    sum += closes[i];
    if (i >= 20) sum -= closes[i - 20];
    if (i >= 19) sink += sum / 20;
  }
});
measure('technicalindicators SMA(20) nextValue', 'streaming', () => {
  const sma = new ti.SMA({ period: 20, values: [] });
  for (let i = 0; i < N; i++) sink += sma.nextValue(closes[i]) ?? 0;
});
measure('technicalindicators SMA.calculate(20)', 'batch', () => {
  sink += ti.SMA.calculate({ period: 20, values: closes }).length;
});
measure('lib Sma(20).next (compensated)', 'streaming', () => {
  const sma = new Sma(20);
  for (let i = 0; i < N; i++) sink += sma.next(closes[i]) ?? 0;
});
measure('lib smaSeries(20)', 'batch', () => {
  sink += smaSeries(closes, 20).length;
});

const smaRunner = () => new IndicatorRunner({ create: () => new Sma(20), input: 'value', source: readValueSource('close', ''), output: parsePath('indicators.sma20', 'output'), name: 'sma20' });
measure('sma node logic (IndicatorRunner): message per bar', 'streaming', () => {
  const runner = smaRunner();
  for (let i = 0; i < N; i++) runner.run({ topic: 'X', payload: bars[i] });
});
measure('sma node logic (IndicatorRunner): one message of 1M bars', 'batch', () => {
  const msg: Record<string, unknown> = { topic: 'X', payload: bars };
  smaRunner().run(msg);
});

measure('CrossDetector.next (bare)', 'loop', () => {
  const detector = new CrossDetector();
  for (let i = 49; i < N; i++) sink += detector.next(sma20[i] as number, sma50[i] as number);
});
const crossoverOptions = { mode: 'series' as const, fast: ['indicators', 'sma20'], slow: ['indicators', 'sma50'], emit: 'cross' as const };
measure('crossover node logic: message per bar', 'streaming', () => {
  const crossover = new Crossover(crossoverOptions);
  for (let i = 0; i < N; i++) crossover.run({ topic: 'X', payload: bars[i], indicators: { sma20: sma20[i], sma50: sma50[i] } });
});
let batchSignals: unknown[] = [];
measure('crossover node logic: one message of 1M bars', 'batch', () => {
  const msg: Record<string, unknown> = { topic: 'X', payload: bars, indicators: { sma20, sma50 } };
  new Crossover(crossoverOptions).run(msg);
  batchSignals = msg.signal as unknown[];
});

const sizerOptions = { config: { ...DEFAULT_SIZER_CONFIG, method: 'percent' as const, equityPercent: 10 }, price: readValueSource('close', '') };
// Streaming: a signal on every bar (the worst case; with a crossover only ~2% of bars carry one).
const signalOf = (i: number) => ({ side: i % 2 ? ('SELL' as const) : ('BUY' as const), reason: 'bench', time: i });
measure('risk-sizer node logic: a signal on every bar', 'streaming', () => {
  const sizer = new RiskSizer(sizerOptions);
  for (let i = 0; i < N; i++) sizer.run({ topic: 'X', payload: bars[i], signal: signalOf(i), account: { equity: 100_000 } }, null);
});
measure('risk-sizer node logic: one message of 1M bars (crossover signals)', 'batch', () => {
  const msg: Record<string, unknown> = { topic: 'X', payload: bars, signal: batchSignals, account: { equity: 100_000 } };
  new RiskSizer(sizerOptions).run(msg, null);
});

/**
 * The batch flow's lib steps on one message of 1M bars, as the nodes run them: CPU ms per step (median
 * of ROUNDS runs, each on a fresh message), and memory: the outputs kept on the message (heap after a
 * full GC, over the heap holding the bars) and the process's peak RSS over its RSS with the bars.
 */
const ROUNDS = 7;
const sizer = () => new RiskSizer(sizerOptions);
const sma50Runner = () => new IndicatorRunner({ create: () => new Sma(50), input: 'value', source: readValueSource('close', ''), output: parsePath('indicators.sma50', 'output'), name: 'sma50' });
const steps: Array<[string, (msg: Record<string, unknown>) => void]> = [
  ['sma(20)', (msg) => smaRunner().run(msg)],
  ['sma(50)', (msg) => sma50Runner().run(msg)],
  ['crossover', (msg) => new Crossover(crossoverOptions).run(msg)],
  ['risk-sizer', (msg) => sizer().run(msg, null)],
];
const flowMsg = () => ({ topic: 'X', payload: bars, account: { equity: 100_000 } }) as Record<string, unknown>;
const stepMs: number[][] = steps.map(() => []);
let flowOutput: Record<string, unknown> = {};
for (let round = 0; round < ROUNDS; round++) {
  const msg = flowMsg();
  steps.forEach(([, run], i) => {
    stepMs[i].push(cpuMs(() => run(msg)));
  });
  flowOutput = msg;
}
const flowRows: Row[] = steps.map(([what], i) => ({ what: `batch flow step: ${what}`, mode: 'batch', 'ns/bar': Number(((median(stepMs[i]) * 1e6) / N).toFixed(1)), 'CPU ms (median)': Number(median(stepMs[i]).toFixed(0)), 'CPU ms (min)': Number(Math.min(...stepMs[i]).toFixed(0)) }));
const totals = stepMs[0].map((_, r) => stepMs.reduce((sum, step) => sum + step[r], 0));
flowRows.push({ what: 'batch flow: the four lib steps', mode: 'batch', 'ns/bar': Number(((median(totals) * 1e6) / N).toFixed(1)), 'CPU ms (median)': Number(median(totals).toFixed(0)), 'CPU ms (min)': Number(Math.min(...totals).toFixed(0)) });

const loop = rows[0]['ns/bar'] as number;
const tiStreaming = rows[1]['ns/bar'] as number;
for (const row of [...rows, ...flowRows]) {
  row['x plain loop'] = Number(((row['ns/bar'] as number) / loop).toFixed(1));
  row['x ti SMA stream'] = Number(((row['ns/bar'] as number) / tiStreaming).toFixed(2));
}
report('strategy', [...rows, ...flowRows], {
  bars: N,
  signals: batchSignals.filter((s) => s !== null).length,
  flowSignals: (flowOutput.signal as unknown[]).filter((s) => s !== null).length,
  memory,
  sink: Number.isFinite(sink),
});
