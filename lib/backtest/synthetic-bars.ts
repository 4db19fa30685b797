/** Deterministic random-walk daily bars (a seeded LCG), for benchmarks and demos that need many bars. */
import type { Bar } from '../messages';

const DAY = 86_400_000;

export function randomWalkBars(count: number, seed = 1, start = Date.UTC(2000, 0, 3)): Bar[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const bars: Bar[] = new Array(count);
  let close = 100;
  for (let i = 0; i < count; i++) {
    const open = close * (1 + (random() - 0.5) * 0.004);
    close = Math.max(1, open * (1 + (random() - 0.5) * 0.03));
    const high = Math.max(open, close) * (1 + random() * 0.005);
    const low = Math.min(open, close) * (1 - random() * 0.005);
    bars[i] = {
      time: start + i * DAY,
      open: Math.round(open * 100) / 100,
      high: Math.round(high * 100) / 100,
      low: Math.round(low * 100) / 100,
      close: Math.round(close * 100) / 100,
      volume: 1000 + Math.floor(random() * 9000),
    };
  }
  return bars;
}

/** CSV text (date,open,high,low,close,volume) of bars, dates as ISO days. */
export function barsCsv(bars: readonly Bar[]): string {
  const lines = ['date,open,high,low,close,volume'];
  for (const b of bars) lines.push(`${new Date(b.time).toISOString().slice(0, 10)},${b.open},${b.high},${b.low},${b.close},${b.volume}`);
  return lines.join('\n') + '\n';
}
