/**
 * The batch fast path of sma/indicator (lib/indicators/column.ts and IndicatorRunner's batch): a
 * batch gives exactly what streaming the same bars gives, for every source and the bar indicators,
 * leaves the state where streaming would, and fails at the first bad bar with an error naming its
 * index and field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findIndicator, resolveParams } from '../../lib/indicators/catalog';
import { barColumn, barValueAt, MISSING, nullableColumn, ohlcvColumns } from '../../lib/indicators/column';
import { parsePath } from '../../lib/messages/path';
import { IndicatorRunner, type IndicatorRunnerOptions } from '../../lib/indicators/runner';
import { Sma } from '../../lib/indicators/sma';
import { SOURCE_FIELDS, readValueSource, type ValueSource } from '../../lib/messages/source';

type Bar = { time: number; open: number; high: number; low: number; close: number; volume: number };

/** A seeded random walk, with prices whose sums and averages are not exact in binary. */
function walk(n: number, seed = 7): Bar[] {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  let price = 100.37;
  const bars: Bar[] = [];
  for (let i = 0; i < n; i++) {
    const open = price;
    price *= 1 + (rnd() - 0.5) * 0.03;
    bars.push({ time: 1_700_000_000_000 + i * 60_000, open, high: Math.max(open, price) * (1 + rnd() * 0.004), low: Math.min(open, price) * (1 - rnd() * 0.004), close: price, volume: Math.round(rnd() * 10_000) });
  }
  return bars;
}

const smaOptions = (source: ValueSource, period = 7): IndicatorRunnerOptions => ({ create: () => new Sma(period), input: 'value', source, output: parsePath('indicators.out', 'output'), name: 'out' });

function catalogOptions(id: string): IndicatorRunnerOptions {
  const spec = findIndicator(id);
  const params = resolveParams(spec, {});
  return { create: () => spec.create(params), input: spec.input, fields: spec.fields, output: parsePath('indicators.out', 'output'), name: id };
}

/** Streams `msgs` one by one through a fresh runner, then batches them through another; returns both outputs and the runners. */
function streamAndBatch(options: IndicatorRunnerOptions, bars: unknown[], extra: (i: number) => Record<string, unknown> = () => ({}), batchExtra: Record<string, unknown> = {}) {
  const streaming = new IndicatorRunner(options);
  const streamed = bars.map((payload, i) => {
    const msg: Record<string, any> = { topic: 'T', payload, ...extra(i) };
    streaming.run(msg);
    return msg.indicators.out;
  });
  const batching = new IndicatorRunner(options);
  const msg: Record<string, any> = { topic: 'T', payload: bars, ...batchExtra };
  const result = batching.run(msg);
  return { streamed, batched: msg.indicators.out as unknown[], result, streaming, batching };
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('batch fast path: identical to streaming', () => {
  const bars = walk(500);

  for (const field of SOURCE_FIELDS) {
    it(`sma on ${field}: same numbers to the bit, and live bars continue from the batch's state`, () => {
      const { streamed, batched, result, batching, streaming } = streamAndBatch(smaOptions(readValueSource(field, '')), bars.slice(0, 400));
      assert.equal(batched.length, 400);
      assert.deepEqual(batched, streamed);
      assert.ok(streamed.slice(6).every((v) => typeof v === 'number'), 'values after warm-up');
      assert.deepEqual(result, { kind: 'batch', topic: 'T', count: 400, last: streamed[399] });
      for (const payload of bars.slice(400)) {
        const a: Record<string, any> = { topic: 'T', payload };
        const b: Record<string, any> = { topic: 'T', payload };
        streaming.run(a);
        batching.run(b);
        assert.equal(b.indicators.out, a.indicators.out);
      }
    });
  }

  it('a batch of number payloads is the numbers themselves, for every source field', () => {
    const numbers = bars.map((b) => b.close);
    for (const field of ['close', 'typical', 'ohlc4'] as const) {
      const { streamed, batched } = streamAndBatch(smaOptions(readValueSource(field, '')), numbers);
      assert.deepEqual(batched, streamed);
    }
  });

  it('property source: nulls (upstream warm-up or gaps) give null and leave the state alone', () => {
    const rsi = bars.map((b, i) => (i < 14 || i % 37 === 0 ? null : b.close / 3));
    const { streamed, batched } = streamAndBatch(smaOptions(readValueSource('property', 'indicators.rsi'), 5), bars, (i) => ({ indicators: { rsi: rsi[i] } }), { indicators: { rsi } });
    assert.deepEqual(batched, streamed);
    assert.equal(batched[37], null);
    assert.equal(typeof batched[38], 'number');
  });

  for (const id of ['ema', 'rsi', 'macd', 'bb', 'atr', 'stochastic', 'mfi', 'obv', 'psar']) {
    it(`${id}: batch equals streaming`, () => {
      const { streamed, batched } = streamAndBatch(catalogOptions(id), bars);
      assert.deepEqual(batched, streamed);
      assert.ok(streamed.some((v) => v !== null), `${id} produced values`);
    });
  }

  it('an empty batch gives an empty array', () => {
    const msg: Record<string, any> = { payload: [] };
    assert.deepEqual(new IndicatorRunner(smaOptions(readValueSource('close', ''))).run(msg), { kind: 'batch', topic: '', count: 0, last: null });
    assert.deepEqual(msg.indicators.out, []);
  });
});

describe('batch fast path: errors name the first bad bar and field', () => {
  const bars = (): Array<Record<string, unknown>> => walk(50);
  const sma = (field = 'close') => new IndicatorRunner(smaOptions(readValueSource(field, '')));

  it('a bad close names its bar; the first bad bar wins', () => {
    const payload = bars();
    payload[31].close = NaN;
    payload[17].close = '101.5';
    assert.equal(errorOf(() => sma().run({ payload })), 'msg.payload[17].close is the string "101.5", not a number: convert it with Number() before this node (e.g. in a function node) or fix the data source');
    payload[17].close = 101.5;
    assert.match(errorOf(() => sma().run({ payload })), /^msg\.payload\[31\]\.close is NaN: send bars as \{time, open, high, low, close, volume\}/);
  });

  it('derived prices name the field that is missing; non-bars are named', () => {
    const payload = bars();
    delete payload[5].low;
    assert.match(errorOf(() => sma('typical').run({ payload })), /^msg\.payload\[5\]\.low is missing: /);
    assert.match(errorOf(() => sma('close').run({ payload: [1, 2, 'x', 4] })), /^msg\.payload\[2\] is string: /);
    assert.match(errorOf(() => sma('close').run({ payload: [1, 2, null] })), /^msg\.payload\[2\] is null: /);
    assert.match(errorOf(() => sma('close').run({ payload: [1, Infinity] })), /^msg\.payload\[1\] is Infinity: /);
  });

  it('bar indicators: the lowest bad bar over all fields, as streaming would meet it', () => {
    const payload = bars();
    payload[9].high = null;
    payload[4].close = undefined;
    const atr = new IndicatorRunner(catalogOptions('atr'));
    assert.match(errorOf(() => atr.run({ payload })), /^msg\.payload\[4\]\.close is missing: /);
    assert.match(errorOf(() => atr.run({ payload: [payload[0], 5] })), /^msg\.payload\[1\] is a number: atr needs whole bars with high, low, close;/);
  });

  it('property source: the element is named', () => {
    const runner = new IndicatorRunner(smaOptions(readValueSource('property', 'indicators.rsi'), 2));
    assert.match(errorOf(() => runner.run({ payload: bars().slice(0, 4), indicators: { rsi: [null, 40, 'x', 50] } })), /^msg\.indicators\.rsi\[2\] is the string "x", not a number: point the node at a property/);
    assert.match(errorOf(() => runner.run({ payload: bars().slice(0, 4), indicators: { rsi: [null, 40, undefined, 50] } })), /^msg\.indicators\.rsi\[2\] is missing: /);
  });

  it('a failed batch leaves the instrument state as it was', () => {
    const runner = sma();
    const good = bars();
    const first: Record<string, any> = { topic: 'A', payload: good.slice(0, 20) };
    runner.run(first);
    const bad = good.slice(20, 30);
    bad[3] = { ...bad[3], close: NaN };
    assert.throws(() => runner.run({ topic: 'A', payload: bad }), /msg\.payload\[3\]\.close is NaN/);
    const reference = new IndicatorRunner(smaOptions(readValueSource('close', '')));
    reference.run({ topic: 'A', payload: good.slice(0, 20) });
    const next = (r: IndicatorRunner) => {
      const msg: Record<string, any> = { topic: 'A', payload: good[20] };
      r.run(msg);
      return msg.indicators.out;
    };
    assert.equal(next(runner), next(reference));
  });
});

describe('columns', () => {
  it('barColumn reads a Float64Array of the field', () => {
    const column = barColumn([{ close: 1.5, high: 3, low: 1 }, 2], 'close');
    assert.ok(column instanceof Float64Array);
    assert.deepEqual(Array.from(column), [1.5, 2]);
    assert.deepEqual(Array.from(barColumn([{ high: 3, low: 1 }], 'median')), [2]);
  });

  it('columnar batches: the same values as bar objects, derived prices to the bit, no copy of a plain column', () => {
    const bars = [
      { time: 1, open: 10, high: 12.3, low: 9.1, close: 11.7, volume: 5 },
      { time: 2, open: 11.7, high: 13.9, low: 11.2, close: 13.1, volume: 7 },
    ];
    const columns = { time: [1, 2], open: [10, 11.7], high: [12.3, 13.9], low: [9.1, 11.2], close: [11.7, 13.1], volume: [5, 7] };
    for (const field of ['open', 'high', 'low', 'close', 'volume', 'median', 'typical', 'weighted', 'ohlc4'] as const) {
      assert.deepEqual(Array.from(barColumn(columns, field)), Array.from(barColumn(bars, field)), field);
      assert.equal(barValueAt(columns, 1, field), barValueAt(bars, 1, field), field);
    }
    assert.equal(barColumn(columns, 'close'), columns.close, 'a checked column is handed on, not copied');
    const typed = { time: new Float64Array([1, 2]), close: new Float64Array([3, 4]) };
    assert.deepEqual(Array.from(barColumn(typed, 'close')), [3, 4]);
    const read = ohlcvColumns(columns, ['high', 'low', 'close'], 'atr');
    assert.deepEqual(Object.keys(read), ['high', 'low', 'close']);
  });

  it('columnar batches: errors name the column and the bar, the lowest bar over all fields first', () => {
    const columns = { time: [1, 2, 3], high: [5, 5, 5], low: [4, 4, 'x'], close: [4.5, NaN, 4.5] } as never;
    assert.throws(() => barColumn(columns, 'close'), /^Error: msg\.payload\.close\[1\] is NaN: each column must hold one finite number per bar/);
    assert.throws(() => ohlcvColumns(columns, ['high', 'low', 'close'], 'atr'), /^Error: msg\.payload\.close\[1\] is NaN/);
    assert.throws(() => barValueAt(columns, 2, 'typical'), /^Error: msg\.payload\.low\[2\] is the string "x", not a number/);
    assert.throws(() => barColumn(columns, 'open'), /^Error: msg\.payload\.open is missing: the open price reads the open of every bar/);
  });

  it('nullableColumn carries null and NaN (warm-ups) as MISSING and calls refuse for anything else', () => {
    const column = nullableColumn([1, null, 2.5, NaN], () => {
      throw new Error('refused');
    });
    assert.equal(column[0], 1);
    assert.ok(Number.isNaN(column[1]) && Number.isNaN(MISSING));
    assert.equal(column[2], 2.5);
    assert.ok(Number.isNaN(column[3]));
    for (const bad of [undefined, '3', Infinity, {}]) {
      assert.throws(
        () =>
          nullableColumn([1, bad], (i) => {
            throw new Error(`refused ${i}`);
          }),
        /refused 1/,
        String(bad),
      );
    }
  });

  it('ohlcvColumns reads the fields asked for, and only those', () => {
    const columns = ohlcvColumns([{ open: 1, high: 2, low: 0.5, close: 1.5, volume: 9 }], ['high', 'low'], 'psar');
    assert.deepEqual(Object.keys(columns), ['high', 'low']);
    assert.deepEqual([...Array.from(columns.high!), ...Array.from(columns.low!)], [2, 0.5]);
  });
});
