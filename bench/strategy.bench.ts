/**
 * Strategy lib speed: ns per bar for sma, crossover and risk-sizer, streaming (one message per bar,
 * with the nodes' input checks) and batch (one message with 1M bars), next to technicalindicators' SMA
 * and a plain running-sum loop, all in the same run on the same 1M bars.
 */
import * as ti from 'technicalindicators';
import { parsePath } from '../lib/indicators/path';
import { IndicatorRunner } from '../lib/indicators/runner';
import { Sma, smaSeries } from '../lib/indicators/sma';
import { readValueSource } from '../lib/indicators/source';
import type { Bar } from '../lib/messages';
import { RiskSizer } from '../lib/risk/risk-sizer';
import { DEFAULT_SIZER_CONFIG } from '../lib/risk/sizing';
import { CrossDetector } from '../lib/signals/cross-detector';
import { Crossover } from '../lib/signals/crossover';
import { nsPerItem, report, type Row } from './report';

const N = 1_000_000;

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

const rows: Row[] = [];
const measure = (what: string, mode: string, fn: () => void) => rows.push({ what, mode, 'ns/bar': Number(nsPerItem(N, fn).toFixed(1)) });

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

const loop = rows[0]['ns/bar'] as number;
const tiStreaming = rows[1]['ns/bar'] as number;
for (const row of rows) {
  row['x plain loop'] = Number(((row['ns/bar'] as number) / loop).toFixed(1));
  row['x ti SMA stream'] = Number(((row['ns/bar'] as number) / tiStreaming).toFixed(2));
}
report('strategy', rows, { bars: N, signals: batchSignals.filter((s) => s !== null).length, sink: Number.isFinite(sink) });
