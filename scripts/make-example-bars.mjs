#!/usr/bin/env node
/**
 * Writes the bar files of the forex and futures backtest examples, the same bytes on every run (a
 * seeded random walk; no market data is bundled):
 *   data/eurusd-1h.csv  EUR.USD, 1-hour bars, 2024-01-01 to about 2024-07, on 0.00005
 *   data/es-1d.csv      ES (E-mini S&P 500), daily bars, 2022-01-03 on, on 0.25
 * Usage: node scripts/make-example-bars.mjs
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** mulberry32: a small seeded generator, so the files never change. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal from two uniforms (Box-Muller). */
function normal(random) {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const onTick = (price, tick, digits) => (Math.round(price / tick) * tick).toFixed(digits);

/**
 * Bars at `times`, a random walk from `start` with `volatility` per bar and slow regime drifts (so an
 * SMA crossover has trends to follow), prices on `tick`.
 */
function walk(times, { seed, start, volatility, tick, digits, volume }) {
  const random = generator(seed);
  let price = start;
  let drift = 0;
  const rows = [];
  for (let i = 0; i < times.length; i++) {
    if (i % 120 === 0) drift = (random() - 0.5) * volatility * 0.2;
    const open = price * (1 + normal(random) * volatility * 0.15);
    const close = open * (1 + drift + normal(random) * volatility);
    const high = Math.max(open, close) * (1 + Math.abs(normal(random)) * volatility * 0.5);
    const low = Math.min(open, close) * (1 - Math.abs(normal(random)) * volatility * 0.5);
    price = close;
    const o = onTick(open, tick, digits);
    const c = onTick(close, tick, digits);
    // Rounding can cross: the high and low still hold the open and close.
    const h = onTick(Math.max(high, Number(o), Number(c)), tick, digits);
    const l = onTick(Math.min(low, Number(o), Number(c)), tick, digits);
    rows.push(`${times[i]},${o},${h},${l},${c},${Math.round(volume * (0.5 + random()))}`);
  }
  return rows;
}

const pad = (n) => String(n).padStart(2, '0');
const dateText = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Hours of the forex week (Sunday 22:00 to Friday 22:00 UTC), from 2024-01-01. */
function forexHours(count) {
  const times = [];
  for (let t = Date.UTC(2024, 0, 1, 0); times.length < count; t += 3_600_000) {
    const d = new Date(t);
    const day = d.getUTCDay();
    const hour = d.getUTCHours();
    if (day === 6 || (day === 5 && hour >= 22) || (day === 0 && hour < 22)) continue;
    times.push(`${dateText(d)} ${pad(hour)}:00:00`);
  }
  return times;
}

/** Weekdays from 2022-01-03. */
function weekdays(count) {
  const times = [];
  for (let t = Date.UTC(2022, 0, 3); times.length < count; t += 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) times.push(dateText(new Date(t)));
  }
  return times;
}

const header = 'Date,Open,High,Low,Close,Volume';
const files = [
  ['data/eurusd-1h.csv', walk(forexHours(3000), { seed: 20240101, start: 1.1, volatility: 0.0012, tick: 0.00005, digits: 5, volume: 4000 })],
  ['data/es-1d.csv', walk(weekdays(750), { seed: 20220108, start: 4750, volatility: 0.011, tick: 0.25, digits: 2, volume: 1_500_000 })],
];
for (const [path, rows] of files) {
  writeFileSync(join(root, path), `${header}\n${rows.join('\n')}\n`);
  console.log(`${path}: ${rows.length} bars`);
}
