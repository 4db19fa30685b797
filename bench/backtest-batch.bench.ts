/**
 * Batch backtest on 1M daily bars (SMA 20/50 crossover, 100 shares long-only): the lib call alone, and
 * the whole batch flow (historical-bars -> sma -> sma -> crossover -> risk-sizer -> backtest-report) in
 * an embedded Node-RED, from the bars array entering the flow to the report. Time (best of 3) and peak
 * memory (RSS high-water mark of this process, and its rise over the state before the run).
 * Goal (design): under 1 s and 300 MB for the batch flow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBatchBacktest } from '../lib/backtest/batch';
import type { Bar, OrderIntent } from '../lib/messages';
import { randomWalkBars } from '../lib/backtest/synthetic-bars';
import { resultsBus, type PublishedResult } from '../lib/backtest/results-bus';
import { startEmbeddedRuntime, type NodeRedModule } from '../lib/flow-runner/embedded-runtime';
import { report, type Row } from './report';

const root = join(__dirname, '..', '..');

/** The batch example's strategy nodes, fed from the bars array (historical-bars' job done already). */
function batchFlow(): object[] {
  const example = JSON.parse(readFileSync(join(root, 'examples', 'sma-crossover-batch.json'), 'utf8')) as Array<Record<string, unknown>>;
  return example.filter((n) => n.type !== 'inject' && n.type !== 'debug' && n.type !== 'comment').map((n) => (n.type === 'ib-backtest-report' ? { ...n, wires: [[], [], [], []] } : n));
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

const N = 1_000_000;

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

function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const bars = randomWalkBars(N, 7);
  const rows: Row[] = [];

  // The lib call: bars and intents already in memory.
  const intents = smaCrossIntents(bars, 20, 50);
  let best = Infinity;
  let trades = 0;
  for (let i = 0; i < 3; i++) {
    gc();
    const start = process.hrtime.bigint();
    const summary = runBatchBacktest({ key: 'BENCH', bars, orders: intents, options: { startingCash: 100_000, commission: 'none' } });
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
    trades = summary.metrics.trades;
  }
  rows.push({ case: 'runBatchBacktest (lib, bars + intents given)', bars: N, ms: Math.round(best), 'bars/s': Math.round((N / best) * 1000), trades });

  // The batch flow in an embedded runtime.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as NodeRedModule;
  const flow = batchFlow();
  const fast = flow.find((n) => (n as { name?: string }).name === 'fast SMA') as { id: string };
  const reportNode = flow.find((n) => (n as { type: string }).type === 'ib-backtest-report') as { id: string };
  const embedded = await startEmbeddedRuntime(RED, { packageRoot: root, packageName: 'node-red-contrib-ib-algo', flow, onLog: (e) => e.level <= 20 && console.error(e.msg) });
  try {
    const runBatch = async () => {
      const entry = await embedded.node(fast.id);
      const result = nextResult(reportNode.id);
      entry.receive({ topic: 'BENCH', payload: bars });
      return result;
    };
    let flowBest = Infinity;
    let rise = 0;
    let flowTrades = 0;
    for (let i = 0; i < 3; i++) {
      gc();
      const before = rssMb();
      const peakBefore = maxRssMb();
      const start = process.hrtime.bigint();
      const result = await runBatch();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      flowBest = Math.min(flowBest, ms);
      rise = Math.max(rise, maxRssMb() - Math.max(before, peakBefore));
      flowTrades = result.trades as number;
    }
    rows.push({ case: 'batch flow: sma, sma, crossover, risk-sizer, backtest-report (embedded Node-RED)', bars: N, ms: Math.round(flowBest), 'bars/s': Math.round((N / flowBest) * 1000), trades: flowTrades });
    rows.push({ case: 'peak RSS of the process (MB)', bars: N, ms: '', 'bars/s': '', trades: Math.round(maxRssMb()) });
    rows.push({ case: 'RSS rise over the state before a run (MB)', bars: N, ms: '', 'bars/s': '', trades: Math.round(rise) });
    report('backtest-batch', rows, { goal: 'batch flow < 1000 ms and < 300 MB on 1M bars' });
  } finally {
    await embedded.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
