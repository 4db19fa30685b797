/**
 * The indicator catalog against independent reference code: hand-computed small cases, and naive
 * re-implementations from the textbook definitions (written here, not taken from
 * technicalindicators) on 600 random bars. Also: warm-up is null (never 0, never undefined), every
 * output has the declared lines, and parameters are checked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ti from 'technicalindicators';
import { defaultIndicatorName, findIndicator, INDICATORS, resolveParams, type IndicatorValue } from '../../lib/indicators/catalog';
import type { OhlcvBar } from '../../lib/messages/source';

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

function makeBars(n: number, seed = 11): OhlcvBar[] {
  const rnd = random(seed);
  const bars: OhlcvBar[] = [];
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    price *= 1 + (rnd() - 0.5) * 0.04;
    const close = price;
    const high = Math.max(open, close) * (1 + rnd() * 0.01);
    const low = Math.min(open, close) * (1 - rnd() * 0.01);
    bars.push({ open, high, low, close, volume: Math.round(1000 + rnd() * 10000) });
  }
  return bars;
}

const BARS = makeBars(600);
const CLOSES = BARS.map((b) => b.close);

/** Runs a catalog indicator over the bars (closes for value indicators). */
function run(id: string, params: Record<string, number> = {}, bars: OhlcvBar[] = BARS): IndicatorValue[] {
  const spec = findIndicator(id);
  const indicator = spec.create(resolveParams(spec, params));
  return bars.map((bar) => indicator.next(spec.input === 'value' ? bar.close : bar));
}

function runValues(id: string, values: number[], params: Record<string, number> = {}): IndicatorValue[] {
  const spec = findIndicator(id);
  const indicator = spec.create(resolveParams(spec, params));
  return values.map((v) => indicator.next(v));
}

function close(a: number | null, b: number | null, tolerance: number, where: string): void {
  if (a === null || b === null) {
    assert.equal(a, b, `${where}: ${a} vs ${b}`);
    return;
  }
  assert.ok(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)), `${where}: ${a} vs ${b}`);
}

function assertSeries(actual: IndicatorValue[], expected: Array<number | null>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) close(actual[i] as number | null, expected[i], tolerance, `${what} bar ${i}`);
}

function line(values: IndicatorValue[], name: string): Array<number | null> {
  return values.map((v) => (v === null ? null : (v as Record<string, number | null>)[name]));
}

// ---- reference implementations, straight from the definitions --------------------------------

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const windowAt = (xs: number[], i: number, n: number) => xs.slice(i - n + 1, i + 1);

function refSma(xs: number[], n: number): Array<number | null> {
  return xs.map((_, i) => (i < n - 1 ? null : mean(windowAt(xs, i, n))));
}

/** Exponential smoothing seeded with the SMA of the first n values (the TA-Lib convention). */
function refSmoothed(xs: Array<number | null>, n: number, alpha: number): Array<number | null> {
  const out: Array<number | null> = [];
  const seen: number[] = [];
  let value: number | null = null;
  for (const x of xs) {
    if (x === null) {
      out.push(null);
      continue;
    }
    seen.push(x);
    if (value === null) {
      if (seen.length === n) value = mean(seen);
    } else {
      value = value + alpha * (x - value);
    }
    out.push(value);
  }
  return out;
}

const refEma = (xs: Array<number | null>, n: number) => refSmoothed(xs, n, 2 / (n + 1));
const refWilder = (xs: Array<number | null>, n: number) => refSmoothed(xs, n, 1 / n);

function refWma(xs: number[], n: number): Array<number | null> {
  return xs.map((_, i) => (i < n - 1 ? null : windowAt(xs, i, n).reduce((s, x, k) => s + x * (k + 1), 0) / ((n * (n + 1)) / 2)));
}

function refRsi(xs: number[], n: number): Array<number | null> {
  const gains = xs.map((x, i) => (i === 0 ? null : Math.max(x - xs[i - 1], 0)));
  const losses = xs.map((x, i) => (i === 0 ? null : Math.max(xs[i - 1] - x, 0)));
  const g = refWilder(gains, n);
  const l = refWilder(losses, n);
  return xs.map((_, i) => (g[i] === null ? null : l[i] === 0 ? 100 : 100 - 100 / (1 + (g[i] as number) / (l[i] as number))));
}

function refStdev(xs: number[], i: number, n: number): number {
  const w = windowAt(xs, i, n);
  const m = mean(w);
  return Math.sqrt(w.reduce((s, x) => s + (x - m) ** 2, 0) / n);
}

function refTrueRange(bars: OhlcvBar[]): Array<number | null> {
  return bars.map((b, i) => (i === 0 ? null : Math.max(b.high - b.low, Math.abs(b.high - bars[i - 1].close), Math.abs(b.low - bars[i - 1].close))));
}

function refHighLow(bars: OhlcvBar[], i: number, n: number): { high: number; low: number } {
  const w = bars.slice(i - n + 1, i + 1);
  return { high: Math.max(...w.map((b) => b.high)), low: Math.min(...w.map((b) => b.low)) };
}

// ---- tests ----------------------------------------------------------------------------------

describe('indicator catalog: hand-computed values', () => {
  it('EMA(3) of 1..5 is seeded by the SMA then smoothed with 2/(n+1)', () => {
    assertSeries(runValues('ema', [1, 2, 3, 4, 5], { period: 3 }), [null, null, 2, 3, 4], 1e-12, 'ema');
    assertSeries(runValues('ema', [2, 4, 6, 10], { period: 3 }), [null, null, 4, 7], 1e-12, 'ema');
  });
  it('WMA(3) weights the newest value most', () => {
    assertSeries(runValues('wma', [1, 2, 3, 4], { period: 3 }), [null, null, 14 / 6, 20 / 6], 1e-12, 'wma');
  });
  it("RSI(2) with Wilder's smoothing", () => {
    // changes +1, -0.5, +1: seed gains 0.5, losses 0.25 -> RS 2; then gains 0.75, losses 0.125 -> RS 6
    assertSeries(runValues('rsi', [1, 2, 1.5, 2.5], { period: 2 }), [null, null, 100 - 100 / 3, 100 - 100 / 7], 1e-12, 'rsi');
    assertSeries(runValues('rsi', [5, 5, 5, 5], { period: 2 }), [null, null, 50, 50], 0, 'flat rsi');
    assertSeries(runValues('rsi', [1, 2, 3], { period: 2 }), [null, null, 100], 0, 'only gains');
  });
  const hlc = (high: number, low: number, close: number): OhlcvBar => ({ open: close, high, low, close, volume: 1 });
  const small = [hlc(10, 8, 9), hlc(11, 9, 10), hlc(12, 10, 11.5), hlc(11, 9, 9.5)];
  it('ATR(2): Wilder average of true ranges from the second bar', () => {
    // true ranges 2, 2, then max(2, 0.5, 2.5) = 2.5 -> (2 * 1 + 2.5) / 2
    assertSeries(run('atr', { period: 2 }, small), [null, null, 2, 2.25], 1e-12, 'atr');
  });
  it('Stochastic(3, 2): %K from the 3-bar range, %D its 2-bar mean', () => {
    const out = run('stochastic', { period: 3, signalPeriod: 2 }, small);
    assertSeries(line(out, 'k'), [null, null, 87.5, 50 / 3], 1e-12, '%K');
    assertSeries(line(out, 'd'), [null, null, null, (87.5 + 50 / 3) / 2], 1e-12, '%D');
  });
  it('Bollinger(3, 2): middle the SMA, bands at 2 population standard deviations', () => {
    const out = runValues('bb', [1, 2, 3, 5], { period: 3, stdDev: 2 });
    const sd = Math.sqrt(2 / 3);
    assertSeries(line(out, 'middle'), [null, null, 2, 10 / 3], 1e-12, 'middle');
    assertSeries(line(out, 'upper'), [null, null, 2 + 2 * sd, 10 / 3 + 2 * Math.sqrt(((2 - 10 / 3) ** 2 + (3 - 10 / 3) ** 2 + (5 - 10 / 3) ** 2) / 3)], 1e-12, 'upper');
  });
  it('ADL and MFI by hand', () => {
    const bars: OhlcvBar[] = [
      { open: 9, high: 10, low: 8, close: 9.5, volume: 100 }, // CLV (1.5 - 0.5) / 2 = 0.5 -> +50
      { open: 9, high: 10, low: 10, close: 10, volume: 100 }, // no range: adds nothing
      { open: 9, high: 12, low: 8, close: 8, volume: 40 }, // CLV -1 -> -40
    ];
    assertSeries(run('adl', {}, bars), [50, 50, 10], 1e-12, 'adl');
    // typical prices 9.1667, 10, 9.3333: +1000 then -373.33 money flow
    const mfi = run('mfi', { period: 2 }, bars);
    const tp = bars.map((b) => (b.high + b.low + b.close) / 3);
    const positive = tp[1] * 100;
    const negative = tp[2] * 40;
    assertSeries(mfi, [null, null, 100 - 100 / (1 + positive / negative)], 1e-12, 'mfi');
  });
});

describe('indicator catalog: against reference implementations on 600 random bars', () => {
  const tol = 1e-9;
  it('SMA, EMA, WMA, WEMA', () => {
    assertSeries(run('sma', { period: 20 }), refSma(CLOSES, 20), tol, 'sma');
    assertSeries(run('ema', { period: 20 }), refEma(CLOSES, 20), tol, 'ema');
    assertSeries(run('wma', { period: 20 }), refWma(CLOSES, 20), tol, 'wma');
    assertSeries(run('wema', { period: 14 }), refWilder(CLOSES, 14), tol, 'wema');
  });
  it('MACD(12, 26, 9) is EMA12 - EMA26 with an EMA9 signal line', () => {
    const fast = refEma(CLOSES, 12);
    const slow = refEma(CLOSES, 26);
    const macd = CLOSES.map((_, i) => (slow[i] === null ? null : (fast[i] as number) - (slow[i] as number)));
    const signal = refEma(macd, 9);
    const out = run('macd');
    assertSeries(line(out, 'macd'), macd, tol, 'macd');
    assertSeries(line(out, 'signal'), signal, tol, 'signal');
    assertSeries(line(out, 'histogram'), macd.map((m, i) => (signal[i] === null ? null : (m as number) - (signal[i] as number))), tol, 'histogram');
  });
  it('RSI(14) (and technicalindicators agrees to its 2-decimal rounding)', () => {
    const out = run('rsi', { period: 14 });
    assertSeries(out, refRsi(CLOSES, 14), tol, 'rsi');
    const theirs = ti.RSI.calculate({ period: 14, values: CLOSES });
    const ours = out.filter((v) => v !== null) as number[];
    assert.equal(ours.length, theirs.length);
    ours.forEach((v, i) => {
      assert.ok(Math.abs(v - theirs[i]) <= 0.005 + 1e-9, `rsi ${v} vs technicalindicators ${theirs[i]}`);
    });
    assert.ok(ours.some((v, i) => v !== theirs[i]), 'technicalindicators rounds, ours does not');
  });
  it('Bollinger Bands(20, 2) and SD(20)', () => {
    const out = run('bb', { period: 20, stdDev: 2 });
    const sma = refSma(CLOSES, 20);
    const sd = CLOSES.map((_, i) => (i < 19 ? null : refStdev(CLOSES, i, 20)));
    assertSeries(line(out, 'middle'), sma, tol, 'middle');
    assertSeries(line(out, 'upper'), sma.map((m, i) => (m === null ? null : m + 2 * (sd[i] as number))), tol, 'upper');
    assertSeries(line(out, 'lower'), sma.map((m, i) => (m === null ? null : m - 2 * (sd[i] as number))), tol, 'lower');
    assertSeries(run('sd', { period: 20 }), sd, tol, 'sd');
  });
  it('ATR(14), true range, Stochastic(14, 3), Williams %R(14), CCI(20)', () => {
    const tr = refTrueRange(BARS);
    assertSeries(run('truerange'), tr, tol, 'true range');
    assertSeries(run('atr', { period: 14 }), refWilder(tr, 14), tol, 'atr');
    const k = BARS.map((b, i) => {
      if (i < 13) return null;
      const { high, low } = refHighLow(BARS, i, 14);
      return ((b.close - low) / (high - low)) * 100;
    });
    const stoch = run('stochastic', { period: 14, signalPeriod: 3 });
    assertSeries(line(stoch, 'k'), k, tol, '%K');
    const kValues = k.filter((v) => v !== null) as number[];
    assertSeries(line(stoch, 'd'), [...k.slice(0, 13).map(() => null), ...refSma(kValues, 3)], tol, '%D');
    assertSeries(run('williamsr', { period: 14 }), k.map((v) => (v === null ? null : v - 100)), tol, 'williams %R');
    const tp = BARS.map((b) => (b.high + b.low + b.close) / 3);
    const cci = tp.map((x, i) => {
      if (i < 19) return null;
      const w = windowAt(tp, i, 20);
      const m = mean(w);
      return (x - m) / (0.015 * mean(w.map((v) => Math.abs(v - m))));
    });
    assertSeries(run('cci', { period: 20 }), cci, tol, 'cci');
  });
  it('ROC(12), OBV, MFI(14), ADL, Stochastic RSI(14, 14, 3, 3)', () => {
    assertSeries(run('roc', { period: 12 }), CLOSES.map((c, i) => (i < 12 ? null : ((c - CLOSES[i - 12]) / CLOSES[i - 12]) * 100)), tol, 'roc');
    let obv = 0;
    const obvRef = BARS.map((b, i) => {
      if (i === 0) return null;
      obv += b.close > BARS[i - 1].close ? b.volume : b.close < BARS[i - 1].close ? -b.volume : 0;
      return obv;
    });
    assertSeries(run('obv'), obvRef, tol, 'obv');
    const tp = BARS.map((b) => (b.high + b.low + b.close) / 3);
    const flows = tp.map((t, i) => (i === 0 ? { pos: 0, neg: 0 } : { pos: t > tp[i - 1] ? t * BARS[i].volume : 0, neg: t < tp[i - 1] ? t * BARS[i].volume : 0 }));
    const mfiRef = tp.map((_, i) => {
      if (i < 14) return null;
      const w = flows.slice(i - 13, i + 1);
      const pos = w.reduce((s, f) => s + f.pos, 0);
      const neg = w.reduce((s, f) => s + f.neg, 0);
      return 100 - 100 / (1 + pos / neg);
    });
    assertSeries(run('mfi', { period: 14 }), mfiRef, tol, 'mfi');
    let adl = 0;
    assertSeries(run('adl'), BARS.map((b) => (adl += ((b.close - b.low - (b.high - b.close)) / (b.high - b.low)) * b.volume)), tol, 'adl');
    const rsi = refRsi(CLOSES, 14);
    const raw = rsi.map((r, i) => {
      if (r === null || i < 14 + 13) return null;
      const w = rsi.slice(i - 13, i + 1) as number[];
      const lo = Math.min(...w);
      const hi = Math.max(...w);
      return ((r - lo) / (hi - lo)) * 100;
    });
    const kRef = raw.map((_, i) => (i < 29 ? null : mean(raw.slice(i - 2, i + 1) as number[])));
    const dRef = kRef.map((_, i) => (i < 31 ? null : mean(kRef.slice(i - 2, i + 1) as number[])));
    const out = run('stochrsi');
    assertSeries(line(out, 'stochRSI'), raw, tol, 'stochRSI');
    assertSeries(line(out, 'k'), kRef, tol, 'stochRSI k');
    assertSeries(line(out, 'd'), dRef, tol, 'stochRSI d');
  });
});

describe('indicator catalog: contract', () => {
  const warmup = makeBars(300, 5);
  for (const spec of INDICATORS) {
    it(`${spec.id}: warm-up is null, values are finite numbers with the declared lines, ${spec.implementation}`, () => {
      const out = run(spec.id, {}, warmup);
      const first = out.findIndex((v) => v !== null);
      assert.ok(first >= 0, `${spec.id} gives a value within 300 bars`);
      assert.ok(out.slice(0, first).every((v) => v === null), 'null before the first value');
      for (const value of out.slice(first)) {
        assert.notEqual(value, undefined);
        if (spec.lines.length === 0) {
          assert.equal(typeof value, 'number');
          assert.ok(Number.isFinite(value as number));
        } else if (value !== null) {
          assert.deepEqual(Object.keys(value as object), [...spec.lines]);
          for (const v of Object.values(value as object)) assert.ok(v === null || Number.isFinite(v), `${spec.id} line value ${v}`);
        }
      }
      const lastValue = out[out.length - 1];
      if (spec.lines.length) assert.ok(Object.values(lastValue as object).every((v) => v !== null), 'every line defined after warm-up');
    });
  }
  it('parameters: defaults, range checks naming the parameter, default names', () => {
    const ema = findIndicator('ema');
    assert.deepEqual(resolveParams(ema, {}), { period: 20 });
    assert.deepEqual(resolveParams(ema, { period: '50' }), { period: 50 });
    assert.equal(defaultIndicatorName(ema, { period: 50 }), 'ema50');
    assert.equal(defaultIndicatorName(findIndicator('macd'), resolveParams(findIndicator('macd'))), 'macd');
    assert.throws(() => resolveParams(ema, { period: 0 }), /Period.*whole number >= 1/);
    assert.throws(() => resolveParams(ema, { period: 2.5 }), /Period/);
    assert.throws(() => resolveParams(findIndicator('macd'), { fastPeriod: 30 }), /fast period \(30\) must be shorter/);
    assert.throws(() => findIndicator('nope'), /unknown indicator "nope": choose one of sma, ema/);
  });
});
