/**
 * The message side of sma/indicator in lib: sources, outputs, per-instrument state, reset, batch
 * identical to streaming, and errors that name the property.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findIndicator, resolveParams } from '../../lib/indicators/catalog';
import { parsePath } from '../../lib/messages/path';
import { formatValue, IndicatorRunner } from '../../lib/indicators/runner';
import { Sma } from '../../lib/indicators/sma';
import { readValueSource } from '../../lib/messages/source';

const bar = (close: number, extra: Record<string, unknown> = {}) => ({ time: 0, open: close, high: close + 1, low: close - 1, close, volume: 10, ...extra });

function smaRunner(period = 3, source = readValueSource('close', ''), output = 'indicators.sma3') {
  return new IndicatorRunner({ create: () => new Sma(period), input: 'value', source, output: parsePath(output, 'output'), name: 'sma3' });
}

describe('indicator runner', () => {
  it('annotates the message and keeps what was there', () => {
    const runner = smaRunner();
    const msgs = [1, 2, 3, 4].map((c) => ({ topic: 'A', payload: bar(c), indicators: { other: 7 } as Record<string, unknown> }));
    for (const msg of msgs) runner.run(msg);
    assert.deepEqual(msgs.map((m) => m.indicators.sma3), [null, null, 2, 3]);
    assert.equal(msgs[3].indicators.other, 7);
  });

  it('a number payload is the value', () => {
    const runner = smaRunner();
    const out = [3, 6, 9].map((n) => runner.run({ payload: n }));
    assert.deepEqual(out.at(-1), { kind: 'value', topic: '', value: 6 });
  });

  it('two instruments interleaved keep separate state', () => {
    const runner = smaRunner(2);
    const values = [
      ['A', 1], ['B', 100], ['A', 3], ['B', 300], ['A', 5],
    ].map(([topic, c]) => (runner.run({ topic, payload: bar(c as number) }) as { value: number | null }).value);
    assert.deepEqual(values, [null, null, 2, 200, 4]);
  });

  it('reset clears one topic, or all without a topic', () => {
    const runner = smaRunner(2);
    runner.run({ topic: 'A', payload: bar(1) });
    runner.run({ topic: 'B', payload: bar(1) });
    assert.deepEqual(runner.run({ topic: 'A', reset: true }), { kind: 'reset', cleared: 1 });
    assert.equal((runner.run({ topic: 'A', payload: bar(5) }) as { value: unknown }).value, null, 'A starts over');
    assert.equal((runner.run({ topic: 'B', payload: bar(3) }) as { value: unknown }).value, 2, 'B kept its state');
    assert.deepEqual(runner.run({ reset: true }), { kind: 'reset', cleared: 2 });
  });

  it('batch: index-aligned array, identical to streaming, then live bars continue', () => {
    const closes = Array.from({ length: 50 }, (_, i) => 100 + Math.sin(i / 3) * 10 + i * 0.1);
    const spec = findIndicator('macd');
    const make = () => new IndicatorRunner({ create: () => spec.create(resolveParams(spec, { fastPeriod: 3, slowPeriod: 6, signalPeriod: 4 })), input: 'value', source: readValueSource('close', ''), output: ['indicators', 'macd'], name: 'macd' });
    const streaming = make();
    const streamed = closes.map((c) => {
      const msg: Record<string, any> = { topic: 'X', payload: bar(c) };
      streaming.run(msg);
      return msg.indicators.macd;
    });
    const batching = make();
    const batchMsg: Record<string, any> = { topic: 'X', payload: closes.slice(0, 40).map((c) => bar(c)) };
    const result = batching.run(batchMsg);
    assert.equal(result.kind, 'batch');
    assert.deepEqual(batchMsg.indicators.macd, streamed.slice(0, 40));
    // The batch left X's state at bar 40: streaming the rest continues exactly.
    for (let i = 40; i < 50; i++) {
      const msg: Record<string, any> = { topic: 'X', payload: bar(closes[i]) };
      batching.run(msg);
      assert.deepEqual(msg.indicators.macd, streamed[i]);
    }
  });

  it('a property source: null (upstream warm-up) gives null and leaves the state alone', () => {
    const runner = smaRunner(2, readValueSource('property', 'indicators.rsi'), 'indicators.rsiAvg');
    const feed = (rsi: number | null) => {
      const msg: Record<string, any> = { payload: bar(1), indicators: { rsi } };
      runner.run(msg);
      return msg.indicators.rsiAvg;
    };
    assert.deepEqual([null, null, 40, 60, null, 80].map(feed), [null, null, null, 50, null, 70]);
    const batchMsg: Record<string, any> = { payload: [bar(1), bar(2), bar(3)], indicators: { rsi: [null, 40, 60] } };
    smaRunner(2, readValueSource('property', 'indicators.rsi'), 'indicators.rsiAvg').run(batchMsg);
    assert.deepEqual(batchMsg.indicators.rsiAvg, [null, null, 50]);
  });

  it('bad input names the property and leaves the state alone', () => {
    const runner = smaRunner(2);
    runner.run({ payload: bar(1) });
    assert.throws(() => runner.run({ payload: bar(Number.NaN) }), /msg\.payload\.close is NaN/);
    assert.throws(() => runner.run({ payload: { ...bar(1), close: '187.2' } }), /msg\.payload\.close is the string "187.2", not a number: convert it with Number\(\)/);
    assert.throws(() => runner.run({ payload: { time: 1, open: 1 } }), /msg\.payload\.close is missing: send bars as \{time, open, high, low, close, volume\}/);
    assert.throws(() => runner.run({ payload: 'abc' }), /msg\.payload is string/);
    assert.throws(() => runner.run({ payload: [bar(1), { ...bar(2), close: null }] }), /msg\.payload\[1\]\.close is null/);
    assert.equal((runner.run({ payload: bar(3) }) as { value: unknown }).value, 2, 'state unchanged by the bad messages');
    const atr = findIndicator('atr');
    const bars = new IndicatorRunner({ create: () => atr.create(resolveParams(atr)), input: 'bar', fields: atr.fields, output: ['indicators', 'atr14'], name: 'atr14' });
    assert.throws(() => bars.run({ payload: 12.5 }), /msg\.payload is a number: atr14 needs whole bars with high, low, close/);
    assert.throws(() => bars.run({ payload: { close: 1, low: 1 } }), /msg\.payload\.high is missing/);
    const prop = smaRunner(2, readValueSource('property', 'indicators.rsi'));
    assert.throws(() => prop.run({ payload: bar(1) }), /msg\.indicators\.rsi is missing/);
    assert.throws(() => prop.run({ payload: [bar(1)], indicators: { rsi: 5 } }), /msg\.indicators\.rsi must be an array of 1 values/);
  });

  it('configuration errors say what to enter', () => {
    assert.throws(() => readValueSource('property', ''), /no property is set/);
    assert.throws(() => readValueSource('vwap', ''), /source "vwap" is unknown/);
    assert.throws(() => parsePath('indicators..x', 'output property'), /output property "indicators..x" is not a message property path/);
  });

  it('status texts', () => {
    assert.equal(formatValue('sma20', 187.3249), 'sma20 = 187.32');
    assert.equal(formatValue('sma20', null), 'sma20 warming up');
    assert.equal(formatValue('macd', { macd: 0.41, signal: null, histogram: 0.001234 }), 'macd = 0.41 / - / 0.001234');
  });
});
