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

/** The last point of each bucket of `size` bars (about maxPoints buckets). */
function bucketed(length: number, maxPoints: number, x: Float64Array, y: (i: number) => number): XY[] {
  const out: XY[] = [];
  const size = Math.max(1, Math.ceil(length / Math.max(1, maxPoints)));
  for (let start = 0; start < length; start += size) {
    const last = Math.min(length, start + size) - 1;
    out.push({ x: x[last]!, y: round(y(last)) });
  }
  return out;
}

/**
 * The deepest drawdown (percent from the running peak, <= 0) of each bucket, at its first deepest bar
 * unless the bucket's last bar ties it, computed in one pass with the running peak: no per-bar
 * drawdown array for a million bars.
 */
function drawdownBuckets(curve: EquityCurve, startingCash: number, maxPoints: number): XY[] {
  const out: XY[] = [];
  const n = curve.length;
  const size = Math.max(1, Math.ceil(n / Math.max(1, maxPoints)));
  let peak = startingCash;
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    let worst = Infinity;
    let at = end - 1;
    let last = 0;
    for (let i = start; i < end; i++) {
      const equity = curve.equity[i]!;
      if (equity > peak) peak = equity;
      last = peak > 0 ? ((equity - peak) / peak) * 100 : 0;
      if (last < worst) {
        worst = last;
        at = i;
      }
    }
    if (last <= worst) at = end - 1;
    out.push({ x: curve.time[at]!, y: round(last <= worst ? last : worst) });
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
  const firstPrice = n > 0 ? curve.price[0]! : 0;
  const entries: XY[] = [];
  const exits: XY[] = [];
  for (const t of trades) {
    entries.push({ x: t.entryTime, y: t.entryPrice });
    if (t.exitTime !== null && t.exitPrice !== null && !t.open) exits.push({ x: t.exitTime, y: t.exitPrice });
  }
  return {
    equity: bucketed(n, maxPoints, curve.time, (i) => curve.equity[i]!),
    buyAndHold: firstPrice > 0 ? bucketed(n, maxPoints, curve.time, (i) => (startingCash * curve.price[i]!) / firstPrice) : [],
    drawdownPct: drawdownBuckets(curve, startingCash, maxPoints),
    price: bucketed(n, maxPoints, curve.time, (i) => curve.price[i]!),
    entries: thin(entries, maxPoints),
    exits: thin(exits, maxPoints),
  };
}
