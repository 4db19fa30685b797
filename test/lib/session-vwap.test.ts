/**
 * Sessions in indicators: the session VWAP starts afresh on each trading day the bars node marks
 * (bar.session), live and in a batch alike, across the overnight gap; a forming first bar of a day
 * does not leak into the day before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarAggregator } from '../../lib/data/bar-aggregator';
import { findIndicator, resolveParams } from '../../lib/indicators/catalog';
import { IndicatorRunner } from '../../lib/indicators/runner';
import type { Bar } from '../../lib/messages';

const spec = findIndicator('vwap-session');
const runner = () => new IndicatorRunner({ create: () => spec.create(resolveParams(spec, {})), input: 'bar', fields: spec.fields, output: ['vwap'], name: 'vwap', numeric: true, perSession: spec.perSession });

/** Two trading days of 30-minute regular-hours bars from trades, each day at its own price level. */
function twoDays(): Bar[] {
  const aggregator = new BarAggregator({ barSize: '30 mins' });
  const ticks = [];
  for (const [day, level] of [[7, 100], [8, 200]] as const) {
    for (let m = 0; m < 390; m += 10) ticks.push({ type: 'Last', time: Date.UTC(2026, 0, day, 14, 30 + m), price: level + (m % 30) / 10, size: 100 });
  }
  return aggregator.pushAll(ticks);
}

/** The plain reference: per trading day, cumulative typical price x volume over volume. */
function reference(bars: Bar[]): number[] {
  let session = '';
  let pv = 0;
  let v = 0;
  return bars.map((b) => {
    if (b.session !== session) [session, pv, v] = [b.session!, 0, 0];
    pv += ((b.high + b.low + b.close) / 3) * b.volume;
    v += b.volume;
    return pv / v;
  });
}

describe('session VWAP', () => {
  it('starts again at each session open, streaming and batch alike', () => {
    const bars = twoDays();
    assert.deepEqual([...new Set(bars.map((b) => b.session))], ['2026-01-07', '2026-01-08']);
    const want = reference(bars);
    const live = runner();
    const streamed = bars.map((payload) => {
      const msg: Record<string, any> = { payload };
      live.run(msg);
      return msg.vwap;
    });
    streamed.forEach((v, i) => {
      assert.ok(Math.abs(v - want[i]) < 1e-9, `bar ${i}`);
    });
    const firstOfDay2 = bars.findIndex((b) => b.session === '2026-01-08');
    assert.ok(streamed[firstOfDay2] > 199, 'the second day does not carry the first day\'s volume');
    const batch: Record<string, any> = { payload: bars };
    runner().run(batch);
    assert.deepEqual(batch.vwap, streamed);
  });

  it('a forming first bar of a new day: the day before ends with its own last bar, the new day starts fresh', () => {
    const bars = twoDays();
    const i = bars.findIndex((b) => b.session === '2026-01-08');
    const live = runner();
    for (const payload of bars.slice(0, i)) live.run({ payload });
    const forming: Record<string, any> = { payload: { ...bars[i], close: bars[i].close + 1 }, forming: true };
    live.run(forming);
    const b = forming.payload;
    assert.ok(Math.abs(forming.vwap - (b.high + b.low + b.close) / 3) < 1e-9);
    const closed: Record<string, any> = { payload: bars[i] };
    live.run(closed);
    assert.ok(Math.abs(closed.vwap - reference(bars)[i]) < 1e-9);
  });
});
