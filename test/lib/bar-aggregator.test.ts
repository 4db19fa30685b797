/**
 * The bar aggregator: ticks and 5-second bars into 1-minute, 5-minute, hourly and daily bars on the
 * exchange's clock; the simulator's own 5-second bars of a whole day summarize to its own 1- and 5-minute
 * bars; regular hours clip and skip; a session crossing midnight; daylight saving; forming bars; errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarAggregator, parseSession } from '../../lib/data/bar-aggregator';
import { Market } from '../../lib/sim/market/market';
import { buildBars, requestedBarSize as parseBarSize, parseDuration, type WireBar } from '../../lib/sim/market/bars';
import type { Bar } from '../../lib/messages';

const ny = (y: number, m: number, d: number, h: number, min: number, s = 0) => {
  // New York is UTC-5 in January, UTC-4 in July.
  const offset = m >= 4 && m <= 10 ? 4 : 5;
  return Date.UTC(y, m - 1, d, h + offset, min, s);
};

function simBars(market: Market, symbol: string, size: string, end: number, duration: string, useRth: boolean): WireBar[] {
  const instrument = market.universe.resolveContract({ symbol, secType: 'STK', exchange: 'SMART', currency: 'USD' } as never)[0];
  return buildBars(market.path(instrument), { barSize: parseBarSize(size)!, duration: parseDuration(duration)!, end, now: end, useRth, whatToShow: 'TRADES' });
}

const ohlcv = (b: { open: number; high: number; low: number; close: number; volume: number }) => [b.open, b.high, b.low, b.close, b.volume];

describe('bar aggregator', () => {
  it("the simulator's 5-second bars of a day summarize to its own 1-minute and 5-minute bars (regular hours and all hours)", () => {
    const market = new Market(7, Date.UTC(2026, 0, 10));
    for (const useRth of [true, false]) {
      const end = ny(2026, 1, 7, 16, 0);
      const fives = simBars(market, 'AAPL', '5 secs', end, useRth ? '23400 S' : '86400 S', useRth);
      assert.ok(fives.length > 4000, `${fives.length} 5-second bars`);
      for (const size of ['1 min', '5 mins', '1 hour']) {
        const want = simBars(market, 'AAPL', size, end, useRth ? '23400 S' : '86400 S', useRth);
        const aggregator = new BarAggregator({ barSize: size, useRTH: useRth });
        const got = aggregator.pushAll(fives.map((b) => ({ time: b.start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, wap: b.wap, count: b.count })));
        assert.equal(got.length, want.length, `${size} useRTH ${useRth}`);
        got.forEach((bar, i) => {
          assert.equal(bar.time, want[i].start, `${size} bar ${i} time`);
          assert.deepEqual(ohlcv(bar).slice(0, 4), ohlcv(want[i]).slice(0, 4), `${size} bar ${i} at ${new Date(bar.time).toISOString()}`);
          assert.equal(bar.volume, want[i].volume, `${size} bar ${i} volume`);
        });
      }
    }
  });

  it('5-second bars complete the 1-minute bar with the bar ending on the minute, not with the next input', () => {
    const aggregator = new BarAggregator({ barSize: '1 min', useRTH: false });
    const t0 = ny(2026, 1, 7, 10, 0);
    const outs: Array<{ at: number; bar: Bar }> = [];
    for (let i = 0; i < 24; i++) {
      const time = t0 + i * 5000;
      for (const out of aggregator.push({ time, open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: 10 })) outs.push({ at: time, bar: out.bar });
    }
    assert.deepEqual(outs.map((o) => [o.at - t0, o.bar.time - t0]), [[55_000, 0], [115_000, 60_000]]);
    assert.deepEqual(ohlcv(outs[0].bar), [100, 112, 99, 111.5, 120]);
    assert.equal(outs[0].bar.count, undefined);
  });

  it('ticks: OHLC, volume, VWAP and count per bar; a bar completes with the first tick of a later bar; flush ends the last', () => {
    const aggregator = new BarAggregator({ barSize: '1 min', useRTH: false });
    const t = ny(2026, 1, 7, 11, 0);
    const ticks = [
      { type: 'Last', time: t + 1000, price: 10, size: 100 },
      { type: 'Last', time: t + 20_000, price: 12, size: 50 },
      { type: 'Last', time: t + 59_000, price: 9, size: 50 },
      { type: 'Last', time: t + 61_000, price: 11, size: 10 },
    ];
    const out = ticks.flatMap((tick) => aggregator.push(tick));
    assert.equal(out.length, 1);
    assert.deepEqual(out[0].bar, { time: t, open: 10, high: 12, low: 9, close: 9, volume: 200, wap: (1000 + 600 + 450) / 200, count: 3, session: '2026-01-07' });
    assert.deepEqual(aggregator.flush(), { time: t + 60_000, open: 11, high: 11, low: 11, close: 11, volume: 10, wap: 11, count: 1, session: '2026-01-07' });
    // Midpoints and quotes give price bars without volume.
    const quotes = new BarAggregator({ barSize: '1 min', useRTH: false, quotePrice: 'mid' });
    quotes.push({ time: t, bid: 10, ask: 10.2, last: 50 });
    quotes.push({ type: 'MidPoint', time: t + 1000, mid: 10.3 });
    assert.deepEqual(quotes.flush(), { time: t, open: 10.1, high: 10.3, low: 10.1, close: 10.3, volume: 0, count: 2, session: '2026-01-07' });
  });

  it('forming bars when asked: after each input the bar so far, marked forming; then the closed bar', () => {
    const aggregator = new BarAggregator({ barSize: '1 min', useRTH: false, formingBars: true });
    const t = ny(2026, 1, 7, 11, 0);
    const seen = [t, t + 30_000, t + 60_000].map((time, i) => aggregator.push({ type: 'Last', time, price: 10 + i, size: 1 }).map((o) => [o.bar.time - t, o.forming, o.bar.close]));
    assert.deepEqual(seen, [[[0, true, 10]], [[0, true, 11]], [[0, false, 11], [60_000, true, 12]]]);
  });

  it('regular hours: inputs outside are skipped, hourly bars clipped to the 09:30 open, no bar spans the overnight gap', () => {
    const aggregator = new BarAggregator({ barSize: '1 hour' });
    const times = [ny(2026, 1, 7, 9, 0), ny(2026, 1, 7, 9, 45), ny(2026, 1, 7, 10, 15), ny(2026, 1, 7, 15, 59), ny(2026, 1, 7, 16, 30), ny(2026, 1, 8, 9, 31)];
    const bars = aggregator.pushAll(times.map((time, i) => ({ type: 'Last', time, price: 100 + i, size: 1 })));
    assert.deepEqual(bars.map((b) => [new Date(b.time).toISOString(), b.open]), [
      ['2026-01-07T14:30:00.000Z', 101],
      ['2026-01-07T15:00:00.000Z', 102],
      ['2026-01-07T20:00:00.000Z', 103],
      ['2026-01-08T14:30:00.000Z', 105],
    ]);
    assert.equal(aggregator.skipped, 2);
  });

  it('daily bars: one per trading day at its date, regular hours only by default; a session crossing midnight is dated by its close', () => {
    const daily = new BarAggregator({ barSize: '1 day' });
    const bars = daily.pushAll([ny(2026, 1, 7, 9, 30), ny(2026, 1, 7, 15, 0), ny(2026, 1, 7, 18, 0), ny(2026, 1, 8, 10, 0)].map((time, i) => ({ type: 'Last', time, price: 10 + i, size: 1 })));
    assert.deepEqual(bars.map((b) => [new Date(b.time).toISOString().slice(0, 10), b.open, b.close]), [['2026-01-07', 10, 11], ['2026-01-08', 13, 13]]);
    // CME-style 17:00-16:00 Chicago: Sunday 18:00 belongs to Monday's session; Monday 16:30 (the break) is skipped.
    const chicago = (d: number, h: number) => Date.UTC(2026, 0, d, h + 6);
    const futures = new BarAggregator({ barSize: '1 day', timeZone: 'America/Chicago', session: '17:00-16:00' });
    const fb = futures.pushAll([chicago(11, 18), chicago(12, 9), chicago(12, 16.5), chicago(12, 17.5)].map((time, i) => ({ type: 'Last', time, price: 10 + i, size: 1 })));
    assert.deepEqual(fb.map((b) => [new Date(b.time).toISOString().slice(0, 10), b.open, b.close, b.session]), [['2026-01-12', 10, 11, '2026-01-12'], ['2026-01-13', 13, 13, '2026-01-13']]);
  });

  it('daylight saving: the 09:30 open is 13:30 UTC in summer, 14:30 in winter', () => {
    const aggregator = new BarAggregator({ barSize: '30 mins' });
    const times = [Date.UTC(2026, 0, 7, 14, 31), Date.UTC(2026, 2, 9, 13, 31), Date.UTC(2026, 6, 7, 13, 29), Date.UTC(2026, 6, 7, 13, 31), Date.UTC(2026, 6, 7, 13, 20)];
    const bars = aggregator.pushAll(times.map((time) => ({ type: 'Last', time, price: 1, size: 1 })));
    assert.deepEqual(bars.map((b) => new Date(b.time).toISOString()), ['2026-01-07T14:30:00.000Z', '2026-03-09T13:30:00.000Z', '2026-07-07T13:30:00.000Z']);
    assert.equal(aggregator.skipped, 2, 'before the open, and older than the bar being formed');
  });

  it('bad settings and bad input say what to fix', () => {
    assert.throws(() => new BarAggregator({ barSize: '1 week' }), /divide a day/);
    assert.throws(() => new BarAggregator({ barSize: '7 parsecs' }), /bar size/);
    assert.throws(() => new BarAggregator({ barSize: '1 min', timeZone: 'Mars/Olympus' }), /time zone "Mars\/Olympus" is unknown/);
    assert.throws(() => parseSession('9.30-16'), /HH:MM-HH:MM/);
    const aggregator = new BarAggregator({ barSize: '1 min' });
    assert.throws(() => aggregator.push(42), /msg.payload is number/);
    assert.throws(() => aggregator.push({ close: 1 }), /msg.payload.time is missing/);
    assert.throws(() => aggregator.push({ time: 1, open: 1, high: 'x', low: 1, close: 1 }), /msg.payload.high is the string "x"/);
    assert.throws(() => aggregator.push({ time: 1, foo: 1 }), /neither bar fields/);
  });
});
