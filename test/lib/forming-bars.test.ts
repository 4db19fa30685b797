/**
 * Forming bars are not new bars: sma, indicator and crossover fed a live stream of forming revisions
 * and closed bars (as historical-bars keeps up to date) compute what they compute on the closed bars
 * alone; each forming message gets the value of the closed bars plus that revision.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findIndicator, resolveParams } from '../../lib/indicators/catalog';
import { IndicatorRunner } from '../../lib/indicators/runner';
import { Sma, smaSeries } from '../../lib/indicators/sma';
import { BarSequence } from '../../lib/messages/forming';
import { parsePath } from '../../lib/messages/path';
import { readValueSource } from '../../lib/messages/source';
import { Crossover } from '../../lib/signals/crossover';
import type { Bar } from '../../lib/messages';

const MINUTE = 60_000;

/** A seeded walk of closed bars and, per bar, `revisions` forming updates whose last equals the close. */
function liveStream(count: number, revisions: number, seed = 7): { closed: Bar[]; messages: Array<{ payload: Bar; forming: boolean }> } {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const closed: Bar[] = [];
  const messages: Array<{ payload: Bar; forming: boolean }> = [];
  let price = 100;
  for (let i = 0; i < count; i++) {
    const time = Date.UTC(2026, 0, 5, 14, 30) + i * MINUTE;
    const open = price;
    let high = open;
    let low = open;
    for (let r = 0; r < revisions; r++) {
      price += (random() - 0.5) * 2;
      high = Math.max(high, price);
      low = Math.min(low, price);
      messages.push({ payload: { time, open, high, low, close: price, volume: 100 * (r + 1) }, forming: true });
    }
    const bar = { time, open, high, low, close: price, volume: 100 * revisions };
    closed.push(bar);
    messages.push({ payload: { ...bar }, forming: false });
  }
  return { closed, messages };
}

const smaRunner = (period: number) => new IndicatorRunner({ create: () => new Sma(period), input: 'value', source: readValueSource('close', ''), output: parsePath(`indicators.sma${period}`, 'output'), name: `sma${period}`, numeric: true });

describe('forming bars are not new bars', () => {
  it('sma: on every closed bar the SMA of the closed bars; on a forming one, of the closed bars and that revision', () => {
    const { closed, messages } = liveStream(60, 5);
    const runner = smaRunner(20);
    const expected = smaSeries(closed.map((b) => b.close), 20);
    let bar = 0;
    for (const m of messages) {
      const msg: Record<string, any> = { topic: 'AAPL', payload: m.payload, forming: m.forming };
      runner.run(msg);
      if (m.forming) {
        const sofar = closed.slice(Math.max(0, bar - 19), bar).map((b) => b.close);
        const want = sofar.length === 19 ? (sofar.reduce((a, b) => a + b, 0) + m.payload.close) / 20 : null;
        if (want === null) assert.equal(msg.indicators.sma20, null);
        else assert.ok(Math.abs(msg.indicators.sma20 - want) < 1e-9, `forming revision of bar ${bar}: ${msg.indicators.sma20} vs ${want}`);
      } else {
        assert.equal(msg.indicators.sma20, expected[bar], `closed bar ${bar}`);
        bar++;
      }
    }
  });

  it('a stream that never sends the closed bar counts the last revision when the next bar starts', () => {
    const { closed, messages } = liveStream(40, 4);
    const runner = smaRunner(10);
    const formingOnly = messages.filter((m) => m.forming);
    const firstOfBar = new Map<number, number | null>();
    for (const m of formingOnly) {
      const msg: Record<string, any> = { topic: 'AAPL', payload: m.payload, forming: true };
      runner.run(msg);
      if (!firstOfBar.has(m.payload.time)) firstOfBar.set(m.payload.time, msg.indicators.sma10);
    }
    // The first revision of bar i is computed on bars 0..i-1 closed (each at its last revision) plus itself.
    const closes = closed.map((b) => b.close);
    const firstRevisions = formingOnly.filter((_, i) => i % 4 === 0).map((m) => m.payload.close);
    closed.forEach((b, i) => {
      if (i < 9) return;
      const want = (closes.slice(i - 9, i).reduce((a, c) => a + c, 0) + firstRevisions[i]) / 10;
      assert.ok(Math.abs((firstOfBar.get(b.time) as number) - want) < 1e-9, `bar ${i}`);
    });
  });

  it('indicator (technicalindicators EMA, our own RSI, a bar indicator ATR): closed values equal the closed bars\' stream', () => {
    const { closed, messages } = liveStream(80, 3);
    for (const id of ['ema', 'rsi', 'atr', 'macd']) {
      const spec = findIndicator(id);
      const params = resolveParams(spec, {});
      const make = () => new IndicatorRunner({ create: () => spec.create(params), input: spec.input, fields: spec.fields, output: ['out'], name: id, numeric: spec.lines.length === 0 });
      const live = make();
      const reference = make();
      const want = closed.map((b) => {
        const msg: Record<string, any> = { topic: 'X', payload: b };
        reference.run(msg);
        return msg.out;
      });
      const got: unknown[] = [];
      for (const m of messages) {
        const msg: Record<string, any> = { topic: 'X', payload: m.payload, forming: m.forming };
        live.run(msg);
        if (!m.forming) got.push(msg.out);
      }
      assert.deepEqual(got, want, id);
    }
  });

  it('a history batch then forming updates: the batch counts once, each revision replaces the last value', () => {
    const { closed, messages } = liveStream(50, 3);
    const runner = smaRunner(5);
    runner.run({ topic: 'A', payload: closed.slice(0, 30), history: true });
    const rest = messages.filter((m) => m.payload.time > closed[29].time);
    const values: Array<number | null> = [];
    for (const m of rest) {
      const msg: Record<string, any> = { topic: 'A', payload: m.payload, forming: m.forming };
      runner.run(msg);
      if (!m.forming) values.push(msg.indicators.sma5);
    }
    assert.deepEqual(values, smaSeries(closed.map((b) => b.close), 5).slice(30));
  });

  it('bars not marked forming all count, whatever their time (hand-made bars, a replay)', () => {
    const runner = smaRunner(2);
    const bar = (time: number, close: number) => ({ time, open: close, high: close, low: close, close, volume: 1 });
    const out = [bar(0, 10), bar(0, 20), bar(0, 30)].map((payload) => {
      const msg: Record<string, any> = { payload };
      runner.run(msg);
      return msg.indicators.sma2;
    });
    assert.deepEqual(out, [null, 15, 25]);
  });

  it('BarSequence: forming, closed copy, a closed bar again, and a forming bar that never closed', () => {
    const s = new BarSequence();
    assert.deepEqual(s.next(1, true), { step: 'forming', closePending: false });
    assert.deepEqual(s.next(1, true), { step: 'forming', closePending: false });
    assert.deepEqual(s.next(1, false), { step: 'closed', closePending: false });
    assert.deepEqual(s.next(1, false), { step: 'closed', closePending: false });
    assert.deepEqual(s.next(2, true), { step: 'forming', closePending: false });
    assert.deepEqual(s.next(3, true), { step: 'forming', closePending: true });
    assert.deepEqual(s.next(4, false), { step: 'closed', closePending: true });
  });
});

describe('crossover on forming bars', () => {
  const options = { mode: 'series' as const, fast: ['f'], slow: ['s'], emit: 'cross' as const };
  const msg = (time: number, f: number, s: number, forming: boolean): Record<string, any> => ({ topic: 'A', payload: { time, close: 1 }, f, s, forming });

  it('no signal while a bar forms, by default: the cross comes with the closed bar, once', () => {
    const crossover = new Crossover(options);
    const results = [msg(1, 1, 2, false), msg(2, 3, 2, true), msg(2, 1, 2, true), msg(2, 3, 2, true), msg(2, 3, 2, false), msg(3, 4, 2, true), msg(3, 4, 2, false)].map((m) => {
      const r = crossover.run(m);
      return r.kind === 'bar' ? [r.send, m.signal?.side ?? null] : null;
    });
    assert.deepEqual(results, [[false, null], [false, null], [false, null], [false, null], [true, 'BUY'], [false, null], [false, null]]);
  });

  it('a forming cross that is gone by the close gives nothing', () => {
    const crossover = new Crossover(options);
    const sent = [msg(1, 1, 2, false), msg(2, 3, 2, true), msg(2, 1, 2, false), msg(3, 1, 2, false)].filter((m) => (crossover.run(m) as { send: boolean }).send);
    assert.deepEqual(sent, []);
  });

  it('formingSignals: a forming cross gives a signal marked forming, once per bar and side; the closed bar its own', () => {
    const crossover = new Crossover({ ...options, formingSignals: true });
    const signals = [msg(1, 1, 2, false), msg(2, 3, 2, true), msg(2, 3.5, 2, true), msg(2, 3, 2, false), msg(3, 1, 2, true)].map((m) => {
      crossover.run(m);
      return m.signal ? `${m.signal.side}${m.signal.forming ? ' forming' : ''}` : null;
    });
    assert.deepEqual(signals, [null, 'BUY forming', null, 'BUY', 'SELL forming']);
  });

  it('a forming bar that never closed is compared at its last revision when the next bar starts', () => {
    const crossover = new Crossover({ ...options, emit: 'every' });
    const sides = [msg(1, 1, 2, true), msg(2, 1, 2, true), msg(2, 3, 2, true), msg(3, 3, 2, true)].map((m) => {
      crossover.run(m);
      return m.signal?.side ?? null;
    });
    assert.deepEqual(sides, [null, null, null, 'BUY']);
  });
});
