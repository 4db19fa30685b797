/**
 * Chart-ready series for @flowfuse/node-red-dashboard's ui-chart: arrays of {x, y} points (x in epoch ms)
 * sent one series per message with the series name in msg.topic (ui-chart with series "msg.topic",
 * x "x", y "y"). Long runs are cut down to about `maxPoints` per series by buckets that keep what
 * matters: the last equity of a bucket, its deepest drawdown, its last price.
 */
import type { EquityCurve } from './equity-curve';
import type { Trade } from './trades';

export interface XY {
  x: number;
  y: number;
}

export interface ChartSeries {
  equity: XY[];
  /** The starting cash invested in the instrument at the first close and held. */
  buyAndHold: XY[];
  /** Drawdown from the running peak in percent, <= 0. */
  drawdownPct: XY[];
  price: XY[];
  entries: XY[];
  exits: XY[];
}

type Pick = 'last' | 'min';

function bucketed(length: number, maxPoints: number, x: Float64Array, y: (i: number) => number, pick: Pick): XY[] {
  const out: XY[] = [];
  if (length === 0) return out;
  const size = Math.max(1, Math.ceil(length / Math.max(1, maxPoints)));
  for (let start = 0; start < length; start += size) {
    const end = Math.min(length, start + size);
    let best = end - 1;
    if (pick === 'min') {
      for (let i = start; i < end; i++) if (y(i) < y(best)) best = i;
    }
    out.push({ x: x[best]!, y: round(y(best)) });
  }
  return out;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function thin<T>(items: T[], maxPoints: number): T[] {
  if (items.length <= maxPoints) return items;
  const step = items.length / maxPoints;
  const out: T[] = [];
  for (let i = 0; i < maxPoints; i++) out.push(items[Math.floor(i * step)]!);
  return out;
}

export function chartSeries(curve: EquityCurve, trades: readonly Trade[], startingCash: number, maxPoints = 1000): ChartSeries {
  const n = curve.length;
  const drawdown = new Float64Array(n);
  let peak = startingCash;
  for (let i = 0; i < n; i++) {
    const e = curve.equity[i]!;
    if (e > peak) peak = e;
    drawdown[i] = peak > 0 ? ((e - peak) / peak) * 100 : 0;
  }
  const firstPrice = n > 0 ? curve.price[0]! : 0;
  const entries: XY[] = [];
  const exits: XY[] = [];
  for (const t of trades) {
    entries.push({ x: t.entryTime, y: t.entryPrice });
    if (t.exitTime !== null && t.exitPrice !== null && !t.open) exits.push({ x: t.exitTime, y: t.exitPrice });
  }
  return {
    equity: bucketed(n, maxPoints, curve.time, (i) => curve.equity[i]!, 'last'),
    buyAndHold: firstPrice > 0 ? bucketed(n, maxPoints, curve.time, (i) => (startingCash * curve.price[i]!) / firstPrice, 'last') : [],
    drawdownPct: bucketed(n, maxPoints, curve.time, (i) => drawdown[i]!, 'min'),
    price: bucketed(n, maxPoints, curve.time, (i) => curve.price[i]!, 'last'),
    entries: thin(entries, maxPoints),
    exits: thin(exits, maxPoints),
  };
}
