/**
 * Crossover: backtrader's CrossOver semantics on hand-made sequences (ties, warm-up, missing data),
 * the shared SMA 20/50 fixture (every trade of trades.csv, fills at the next open), level and band
 * modes, emit modes, batch identical to streaming, and errors naming the property.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBarsCsv } from '../../lib/data/bar-file';
import { smaSeries } from '../../lib/indicators/sma';
import { CrossDetector } from '../../lib/signals/cross-detector';
import { Crossover, type CrossoverOptions } from '../../lib/signals/crossover';
import type { Bar, Signal } from '../../lib/messages';
import { fixturesDir } from '../helpers/paths';

const fixtureDir = join(fixturesDir, 'sma-cross-10k');
const BARS: Bar[] = parseBarsCsv(readFileSync(join(fixtureDir, 'bars.csv'), 'utf8'));
const day = (time: number) => new Date(time).toISOString().slice(0, 10);

function crosses(a: Array<number | null>, b: Array<number | null>): number[] {
  const detector = new CrossDetector();
  return a.map((x, i) => (x === null || b[i] === null ? 0 : detector.next(x, b[i] as number)));
}

/** backtrader's formula written out over arrays: nzd = diff or nzd(-1), seeded with the first diff. */
function backtraderCrossOver(a: number[], b: number[]): number[] {
  const out = new Array<number>(a.length).fill(0);
  let nzd = a[0] - b[0];
  for (let i = 1; i < a.length; i++) {
    const d = a[i] - b[i];
    const up = nzd < 0 && a[i] > b[i] ? 1 : 0;
    const down = nzd > 0 && a[i] < b[i] ? 1 : 0;
    out[i] = up - down;
    nzd = d !== 0 ? d : nzd;
  }
  return out;
}

/** Long-only 100 shares: buy on BUY while flat, sell on SELL while long, market fills at the next bar's open. */
function tradesFrom(signals: Array<Signal | null>, bars: Bar[]): string[] {
  const trades: string[] = [];
  let entry: { date: string; price: number } | null = null;
  let pending: 'BUY' | 'SELL' | null = null;
  bars.forEach((bar, i) => {
    if (pending === 'BUY') entry = { date: day(bar.time), price: bar.open };
    if (pending === 'SELL' && entry) {
      trades.push(`${entry.date},${day(bar.time)},${entry.price.toFixed(4)},${bar.open.toFixed(4)}`);
      entry = null;
    }
    pending = null;
    const signal = signals[i];
    if (signal?.side === 'BUY' && !entry) pending = 'BUY';
    if (signal?.side === 'SELL' && entry) pending = 'SELL';
  });
  return trades;
}

describe('cross detector (backtrader CrossOver semantics)', () => {
  it('crosses on the bar where the relation flips', () => {
    assert.deepEqual(crosses([1, 2, 3, 2, 1], [2, 2.5, 2.5, 2.5, 2.5]), [0, 0, 1, -1, 0]);
  });
  it('the first compared bar is never a cross', () => {
    assert.deepEqual(crosses([3, 4], [2, 2]), [0, 0]);
  });
  it('a tie keeps the previous relation: below, equal, above is one up cross on the "above" bar', () => {
    assert.deepEqual(crosses([1, 2, 3], [2, 2, 2]), [0, 0, 1]);
    assert.deepEqual(crosses([1, 2, 2, 2, 1], [2, 2, 2, 2, 2]), [0, 0, 0, 0, 0], 'touching and going back is no cross');
    assert.deepEqual(crosses([3, 2, 2, 1], [2, 2, 2, 2]), [0, 0, 0, -1]);
  });
  it('equal from the start: no relation yet, so the first difference is not a cross', () => {
    assert.deepEqual(crosses([2, 2, 3, 1], [2, 2, 2, 2]), [0, 0, 0, -1]);
  });
  it('missing values never cross and do not erase the relation', () => {
    assert.deepEqual(crosses([null, 1, null, 3, 4], [null, 2, 2, 2, null]), [0, 0, 0, 1, 0]);
  });
  it("matches backtrader's formula on random series with many ties", () => {
    let s = 3;
    const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const a = Array.from({ length: 5000 }, () => Math.floor(rnd() * 4));
    const b = Array.from({ length: 5000 }, () => Math.floor(rnd() * 4));
    assert.deepEqual(crosses(a, b), backtraderCrossOver(a, b));
  });
});

describe('crossover on the shared SMA 20/50 fixture', () => {
  const closes = BARS.map((b) => b.close);
  const sma20 = smaSeries(closes, 20);
  const sma50 = smaSeries(closes, 50);
  const expected = readFileSync(join(fixtureDir, 'trades.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 4).join(','));
  const expectedJson = JSON.parse(readFileSync(join(fixtureDir, 'expected.json'), 'utf8')) as { closedTrades: number };

  function streamed(): Array<Signal | null> {
    const crossover = new Crossover({ mode: 'series', fast: ['indicators', 'sma20'], slow: ['indicators', 'sma50'], emit: 'every' });
    return BARS.map((bar, i) => {
      const msg: Record<string, unknown> = { topic: 'FIX', payload: bar, indicators: { sma20: sma20[i], sma50: sma50[i] } };
      crossover.run(msg);
      return msg.signal as Signal | null;
    });
  }

  it('gives every trade of trades.csv (entries and exits at the next open)', () => {
    const trades = tradesFrom(streamed(), BARS);
    assert.equal(trades.length, expectedJson.closedTrades);
    assert.deepEqual(trades, expected);
  });

  it('signals are exactly the bars where backtrader CrossOver is +1/-1', () => {
    const first = 49;
    const bt = backtraderCrossOver(sma20.slice(first) as number[], sma50.slice(first) as number[]);
    const ours = streamed().slice(first).map((s) => (s === null ? 0 : s.side === 'BUY' ? 1 : -1));
    assert.deepEqual(ours, bt);
    const signal = streamed().find((s) => s !== null) as Signal;
    assert.match(signal.reason, /^sma20 crossed (above|below) sma50$/);
    assert.equal(typeof signal.time, 'number');
  });

  it('batch gives the same signals as streaming, index-aligned', () => {
    const crossover = new Crossover({ mode: 'series', fast: ['indicators', 'sma20'], slow: ['indicators', 'sma50'], emit: 'cross' });
    const msg: Record<string, unknown> = { topic: 'FIX', payload: BARS, indicators: { sma20, sma50 } };
    const result = crossover.run(msg);
    assert.equal(result.kind, 'batch');
    assert.deepEqual(msg.signal, streamed());
  });
});

describe('crossover modes and output', () => {
  const feed = (options: CrossoverOptions, values: Array<number | null>) => {
    const crossover = new Crossover(options);
    return values.map((rsi, i) => {
      const msg: Record<string, unknown> = { payload: { time: i }, indicators: { rsi14: rsi } };
      const result = crossover.run(msg);
      return result.kind === 'bar' ? { send: result.send, signal: msg.signal as Signal | null } : null;
    });
  };
  const sides = (out: ReturnType<typeof feed>) => out.map((o) => (o?.signal ? o.signal.side : '-')).join(' ');

  it('level: up through the level is BUY, down is SELL; invert swaps', () => {
    const values = [null, 40, 55, 50, 45, 60];
    assert.equal(sides(feed({ mode: 'level', fast: ['indicators', 'rsi14'], level: 50, emit: 'every' }, values)), '- - BUY - SELL BUY');
    assert.equal(sides(feed({ mode: 'level', fast: ['indicators', 'rsi14'], level: 50, emit: 'every', invert: true }, values)), '- - SELL - BUY SELL');
    const out = feed({ mode: 'level', fast: ['indicators', 'rsi14'], level: 50, emit: 'every' }, values);
    assert.equal(out[2]?.signal?.reason, 'rsi14 crossed above 50');
    assert.equal(out[2]?.signal?.time, 2);
  });

  it('band: up through lower is BUY, down through upper is SELL (RSI 30/70)', () => {
    const values = [50, 25, 35, 65, 75, 72, 68, 20];
    const out = feed({ mode: 'band', fast: ['indicators', 'rsi14'], lower: 30, upper: 70, emit: 'every' }, values);
    assert.equal(sides(out), '- - BUY - - - SELL -');
    assert.equal(out[6]?.signal?.reason, 'rsi14 crossed below 70');
    assert.equal(sides(feed({ mode: 'band', fast: ['indicators', 'rsi14'], lower: 30, upper: 70, emit: 'regime' }, values)), '- - BUY BUY BUY BUY SELL SELL');
  });

  it('emit: cross sends only crosses; every sends all; regime gives the standing side every bar', () => {
    const values = [null, 40, 55, 55, 45];
    const opts = { mode: 'level' as const, fast: ['indicators', 'rsi14'], level: 50 };
    assert.deepEqual(feed({ ...opts, emit: 'cross' }, values).map((o) => o?.send), [false, false, true, false, true]);
    assert.deepEqual(feed({ ...opts, emit: 'every' }, values).map((o) => o?.send), [true, true, true, true, true]);
    assert.equal(sides(feed({ ...opts, emit: 'regime' }, values)), '- SELL BUY BUY SELL');
  });

  it('per instrument, reset per topic', () => {
    const crossover = new Crossover({ mode: 'level', fast: ['v'], level: 0, emit: 'every' });
    const step = (topic: string, v: number) => {
      const msg: Record<string, unknown> = { topic, v, payload: { time: 0 } };
      crossover.run(msg);
      return (msg.signal as Signal | null)?.side ?? '-';
    };
    assert.deepEqual([step('A', -1), step('B', 1), step('A', 1), step('B', -1)], ['-', '-', 'BUY', 'SELL']);
    crossover.run({ topic: 'A', reset: true });
    assert.deepEqual([step('A', -1), step('B', 1)], ['-', 'BUY'], 'A lost its relation, B kept it');
  });

  it('errors name the property; configuration is checked', () => {
    const crossover = new Crossover({ mode: 'series', fast: ['indicators', 'sma20'], slow: ['indicators', 'sma50'], emit: 'cross' });
    assert.throws(() => crossover.run({ payload: {}, indicators: { sma20: 1 } }), /msg\.indicators\.sma50 is missing: wire an indicator/);
    assert.throws(() => crossover.run({ payload: {}, indicators: { sma20: '1', sma50: 2 } }), /msg\.indicators\.sma20 is the string "1", not a number/);
    assert.throws(() => crossover.run({ payload: [{}, {}], indicators: { sma20: [1, 2], sma50: 3 } }), /msg\.indicators\.sma50 must be an array of 2 values/);
    assert.throws(() => crossover.run({ payload: [{}, {}], indicators: { sma20: [1, 'x'], sma50: [1, 2] } }), /msg\.indicators\.sma20\[1\] is the string "x"/);
    assert.throws(() => crossover.run({ payload: [{}, {}], indicators: { sma20: [1, Infinity], sma50: [1, 2] } }), /msg\.indicators\.sma20\[1\] is Infinity/);
    // NaN in a batch array is a warm-up (indicators write it there), as null is: no signal on that bar.
    const warm = { payload: [{ time: 1 }, { time: 2 }], indicators: { sma20: [1, NaN], sma50: [2, 1] } } as Record<string, unknown>;
    crossover.run(warm);
    assert.deepEqual(warm.signal, [null, null]);
    assert.throws(() => new Crossover({ mode: 'band', fast: ['x'], lower: 70, upper: 30, emit: 'cross' }), /lower level \(70\) must be below the upper level \(30\)/);
    assert.throws(() => new Crossover({ mode: 'level', fast: ['x'], level: Number.NaN, emit: 'cross' }), /level is NaN/);
  });
});
