/**
 * SMA: hand-computed values, exactness over 1M bars against re-summing every window (and how far a
 * plain running sum drifts on the same data), and agreement with technicalindicators' SMA.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ti from 'technicalindicators';
import { RollingSum } from '../../lib/indicators/rolling-sum';
import { Sma, smaSeries } from '../../lib/indicators/sma';
import { parseBarsCsv } from '../../lib/data/bar-file';
import { fixturesDir } from '../helpers/paths';

/** Deterministic pseudo-random numbers (Park-Miller), so every run tests the same data. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

test('sma: hand-computed values, null during warm-up', () => {
  assert.deepEqual(smaSeries([1, 2, 3, 4, 5], 3), [null, null, 2, 3, 4]);
  assert.deepEqual(smaSeries([10, 20], 1), [10, 20]);
  assert.deepEqual(smaSeries([2, 4, 6, 8], 4), [null, null, null, 5]);
  assert.deepEqual(smaSeries([], 3), []);
});

test('sma: refuses non-finite input and bad periods instead of poisoning the window', () => {
  const sma = new Sma(3);
  assert.throws(() => sma.next(NaN), /finite/);
  assert.throws(() => sma.next(Infinity), /finite/);
  assert.equal(sma.next(1), null, 'the rejected values did not enter the window');
  assert.throws(() => new Sma(0), /period/);
  assert.throws(() => new Sma(2.5), /period/);
});

test('sma: exact to 1e-9 relative against re-summing every window over 1M bars; a plain running sum drifts', () => {
  const n = 1_000_000;
  const period = 20;
  const rnd = random(42);
  // A hard series: a random walk around 1e6 for half the bars, then around 1. The rounding error a
  // running sum gathers while the values are large stays in it once they are small.
  const values = new Float64Array(n);
  let level = 1e6;
  for (let i = 0; i < n; i++) {
    if (i === n / 2) level = 1;
    level *= 1 + (rnd() - 0.5) * 0.02;
    values[i] = level;
  }
  const sma = new Sma(period);
  let plainSum = 0;
  let maxRelative = 0;
  let maxPlainRelative = 0;
  for (let i = 0; i < n; i++) {
    const value = sma.next(values[i]);
    plainSum += values[i];
    if (i >= period) plainSum -= values[i - period];
    if (i < period - 1) {
      assert.equal(value, null);
      continue;
    }
    let naive = 0;
    for (let j = i - period + 1; j <= i; j++) naive += values[j];
    const reference = naive / period;
    maxRelative = Math.max(maxRelative, Math.abs((value as number) - reference) / Math.abs(reference));
    maxPlainRelative = Math.max(maxPlainRelative, Math.abs(plainSum / period - reference) / Math.abs(reference));
  }
  console.log(`# 1M bars: compensated SMA max relative error ${maxRelative.toExponential(2)}, plain running sum ${maxPlainRelative.toExponential(2)}`);
  assert.ok(maxRelative < 1e-9, `compensated SMA error ${maxRelative}`);
  assert.ok(maxRelative < 1e-14, `compensated SMA stays within a few ulps (${maxRelative})`);
  assert.ok(maxPlainRelative > 1e-9, `the hard series does make a plain running sum drift (${maxPlainRelative})`);
});

test('rolling sum: window access and partial sums', () => {
  const sum = new RollingSum(3);
  sum.push(1);
  sum.push(2);
  assert.equal(sum.full, false);
  assert.equal(sum.value, 3);
  sum.push(3);
  sum.push(4);
  assert.equal(sum.full, true);
  assert.equal(sum.value, 9);
  assert.equal(sum.at(0), 4);
  assert.equal(sum.at(2), 2);
});

test('sma: agrees with technicalindicators SMA on the fixture (second implementation)', () => {
  const bars = parseBarsCsv(readFileSync(join(fixturesDir, 'sma-cross-10k', 'bars.csv'), 'utf8'));
  const closes = bars.map((b) => b.close);
  for (const period of [20, 50]) {
    const ours = smaSeries(closes, period);
    const theirs = ti.SMA.calculate({ period, values: closes });
    assert.equal(theirs.length, closes.length - period + 1);
    for (let i = 0; i < period - 1; i++) assert.equal(ours[i], null);
    for (let i = 0; i < theirs.length; i++) {
      const a = ours[i + period - 1] as number;
      assert.ok(Math.abs(a - theirs[i]) <= 1e-9 * Math.abs(theirs[i]), `bar ${i + period - 1}: ${a} vs ${theirs[i]}`);
    }
  }
});
