/** Deterministic random-walk daily bars (a seeded LCG), for benchmarks and demos that need many bars. */
import type { Bar, BarColumns } from '../lib/messages';

const DAY = 86_400_000;

type BarSink = (i: number, time: number, open: number, high: number, low: number, close: number, volume: number) => void;

/** Walks `count` bars and hands each to `sink`: one walk for both shapes, so they hold the very same numbers. */
function randomWalk(count: number, seed: number, start: number, sink: BarSink): void {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  let close = 100;
  for (let i = 0; i < count; i++) {
    const open = close * (1 + (random() - 0.5) * 0.004);
    close = Math.max(1, open * (1 + (random() - 0.5) * 0.03));
    const high = Math.max(open, close) * (1 + random() * 0.005);
    const low = Math.min(open, close) * (1 - random() * 0.005);
    const round = (v: number) => Math.round(v * 100) / 100;
    sink(i, start + i * DAY, round(open), round(high), round(low), round(close), 1000 + Math.floor(random() * 9000));
  }
}

export function randomWalkBars(count: number, seed = 1, start = Date.UTC(2000, 0, 3)): Bar[] {
  const bars: Bar[] = new Array(count);
  randomWalk(count, seed, start, (i, time, open, high, low, close, volume) => {
    bars[i] = { time, open, high, low, close, volume };
  });
  return bars;
}

/** The same bars as randomWalkBars, as columns (plain arrays of numbers), never as bar objects. */
export function randomWalkColumns(count: number, seed = 1, start = Date.UTC(2000, 0, 3)): Required<BarColumns> & Record<keyof BarColumns, number[]> {
  // Filled with numbers first: V8 then keeps each array as raw doubles.
  const column = () => new Array<number>(count).fill(0.5);
  const columns = { time: column(), open: column(), high: column(), low: column(), close: column(), volume: column() };
  randomWalk(count, seed, start, (i, time, open, high, low, close, volume) => {
    columns.time[i] = time;
    columns.open[i] = open;
    columns.high[i] = high;
    columns.low[i] = low;
    columns.close[i] = close;
    columns.volume[i] = volume;
  });
  return columns;
}

/** CSV text (date,open,high,low,close,volume) of bars, dates as ISO days. */
export function barsCsv(bars: readonly Bar[]): string {
  const lines = ['date,open,high,low,close,volume'];
  for (const b of bars) lines.push(`${new Date(b.time).toISOString().slice(0, 10)},${b.open},${b.high},${b.low},${b.close},${b.volume}`);
  return `${lines.join('\n')}\n`;
}
