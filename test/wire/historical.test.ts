/**
 * Historical bars from the simulator through the real client: layouts at several versions, IB's bar
 * sizes and durations, determinism for a seed, consistency between bar sizes, errors, keepUpToDate and
 * pacing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, SecType, BarSizeSetting, WhatToShow } from '@stoqey/ib';
import { connectApi, connectNext, startSimulator, VERSIONS, waitFor } from './harness';
import { fetchBars, type HistoricalError } from './historical-client';

const AAPL = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const EURUSD = { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' };
const END = '20240315 16:00:00 US/Eastern';

for (const version of VERSIONS) {
  test(`daily and intraday bars at server version ${version}`, async () => {
    const sim = await startSimulator({ maxServerVersion: version, historicalPacing: false });
    try {
      const client = await connectApi(sim, 1);
      const daily = await fetchBars(client.api, 1, { contract: AAPL, end: END, duration: '1 M', barSize: '1 day', useRth: true });
      assert.ok(daily.length >= 19 && daily.length <= 23, `${daily.length} weekday bars in a month`);
      for (const bar of daily) {
        assert.match(bar.time, /^\d{8}$/);
        assert.ok(bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close));
        assert.ok(bar.volume > 0 && bar.wap >= bar.low && bar.wap <= bar.high && (bar.count ?? 0) > 0);
      }
      assert.equal(daily.at(-1)!.time, '20240315');
      const fiveMinutes = await fetchBars(client.api, 2, { contract: AAPL, end: END, duration: '1 D', barSize: '5 mins', useRth: true });
      assert.equal(fiveMinutes.length, 78, 'a regular session has 78 five-minute bars');
      assert.equal(fiveMinutes[0].time, '20240315 09:30:00 US/Eastern');
      assert.equal(fiveMinutes.at(-1)!.time, '20240315 15:55:00 US/Eastern');
      // The day bar is the session's five-minute bars put together.
      const day = daily.at(-1)!;
      assert.equal(fiveMinutes[0].open, day.open);
      assert.equal(fiveMinutes.at(-1)!.close, day.close);
      assert.equal(Math.max(...fiveMinutes.map((b) => b.high)), day.high);
      assert.equal(Math.min(...fiveMinutes.map((b) => b.low)), day.low);
      assert.equal(fiveMinutes.reduce((sum, b) => sum + b.volume, 0), day.volume);
      assert.deepEqual(client.errors, []);
      client.disconnect();
    } finally {
      await sim.close();
    }
  });
}

test('same seed and request give the same bars; another seed gives others', async () => {
  const a = await startSimulator({ seed: 42 });
  const b = await startSimulator({ seed: 42 });
  const c = await startSimulator({ seed: 43 });
  try {
    const query = { contract: AAPL, end: '20230601 12:00:00 US/Eastern', duration: '3600 S', barSize: '1 min' };
    const [ca, cb, cc] = await Promise.all([connectApi(a, 1), connectApi(b, 1), connectApi(c, 1)]);
    const [ba, bb, bc] = await Promise.all([fetchBars(ca.api, 1, query), fetchBars(cb.api, 1, query), fetchBars(cc.api, 1, query)]);
    assert.equal(ba.length, 60);
    assert.deepEqual(ba, bb);
    assert.notDeepEqual(ba, bc);
    for (const client of [ca, cb, cc]) client.disconnect();
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test('bar sizes agree: one-minute bars make the five-minute bar; seconds make the minute', async () => {
  const sim = await startSimulator({ historicalPacing: false });
  try {
    const client = await connectApi(sim, 1);
    const end = '20240110 11:00:00 US/Eastern';
    const minutes = await fetchBars(client.api, 1, { contract: AAPL, end, duration: '300 S', barSize: '1 min' });
    const [five] = await fetchBars(client.api, 2, { contract: AAPL, end, duration: '300 S', barSize: '5 mins' });
    const seconds = await fetchBars(client.api, 3, { contract: AAPL, end, duration: '60 S', barSize: '5 secs' });
    assert.equal(minutes.length, 5);
    assert.equal(five.open, minutes[0].open);
    assert.equal(five.close, minutes[4].close);
    assert.equal(five.high, Math.max(...minutes.map((m) => m.high)));
    assert.equal(five.low, Math.min(...minutes.map((m) => m.low)));
    assert.equal(five.volume, minutes.reduce((s, m) => s + m.volume, 0));
    assert.equal(seconds.length, 12);
    const lastMinute = minutes[4];
    assert.equal(seconds[0].open, lastMinute.open);
    assert.equal(seconds.at(-1)!.close, lastMinute.close);
    assert.equal(Math.max(...seconds.map((s) => s.high)), lastMinute.high);
    assert.equal(Math.min(...seconds.map((s) => s.low)), lastMinute.low);
    assert.equal(seconds.reduce((s, b) => s + b.volume, 0), lastMinute.volume);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('what to show, formatDate 2, end date formats, week and month bars', async () => {
  const sim = await startSimulator({ historicalPacing: false });
  try {
    const client = await connectApi(sim, 1);
    const mid = await fetchBars(client.api, 1, { contract: EURUSD, end: '20240105-15:00:00', duration: '2 D', barSize: '1 hour', whatToShow: 'MIDPOINT', formatDate: 2 });
    // 15:00 UTC is 10:00 in New York, where the forex days are counted: 10 + 24 hourly bars.
    assert.equal(mid.length, 34);
    assert.match(mid[0].time, /^\d{10}$/);
    assert.equal(mid[0].volume, -1);
    const bid = await fetchBars(client.api, 2, { contract: EURUSD, end: '20240105-15:00:00', duration: '2 D', barSize: '1 hour', whatToShow: 'BID', formatDate: 2 });
    const ask = await fetchBars(client.api, 3, { contract: EURUSD, end: '20240105-15:00:00', duration: '2 D', barSize: '1 hour', whatToShow: 'ASK', formatDate: 2 });
    for (let i = 0; i < mid.length; i++) assert.ok(bid[i].close < mid[i].close && mid[i].close < ask[i].close);
    const bidAsk = await fetchBars(client.api, 4, { contract: EURUSD, end: '20240105 10:00:00', duration: '1 D', barSize: '1 hour', whatToShow: 'BID_ASK' });
    assert.ok(bidAsk.every((b) => b.low <= b.open && b.open < b.close && b.close <= b.high));
    const weeks = await fetchBars(client.api, 5, { contract: AAPL, end: '20240329 16:00:00 US/Eastern', duration: '3 M', barSize: '1 week', useRth: true });
    assert.ok(weeks.length >= 12 && weeks.length <= 14, `${weeks.length} weekly bars`);
    const months = await fetchBars(client.api, 6, { contract: AAPL, end: '20231231 23:59:59', duration: '1 Y', barSize: '1 month', useRth: true });
    assert.equal(months.length, 12);
    assert.equal(months[0].time, '20230102', 'a monthly bar is dated by its first trading day');
    const utc = await fetchBars(client.api, 7, { contract: AAPL, end: '20240315-20:00:00', duration: '1 D', barSize: '1 hour', useRth: true });
    assert.equal(utc.at(-1)!.time, '20240315 15:00:00 US/Eastern');
    const recent = await fetchBars(client.api, 8, { contract: AAPL, duration: '120 S', barSize: '30 secs' });
    assert.ok(recent.length >= 4 && recent.length <= 5);
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('errors: unknown symbol 200, bad bar size and duration 321, bad end date 10314, forex TRADES 162', async () => {
  const sim = await startSimulator({ historicalPacing: false });
  try {
    const client = await connectApi(sim, 1);
    const code = (promise: Promise<unknown>) => promise.then(() => 0, (e: HistoricalError) => e.code);
    assert.equal(await code(fetchBars(client.api, 1, { contract: { ...AAPL, symbol: 'NOPE' }, duration: '1 D', barSize: '1 min' })), 200);
    assert.equal(await code(fetchBars(client.api, 2, { contract: AAPL, duration: '1 D', barSize: '7 mins' })), 321);
    assert.equal(await code(fetchBars(client.api, 3, { contract: AAPL, duration: '1 X', barSize: '1 min' })), 321);
    assert.equal(await code(fetchBars(client.api, 4, { contract: AAPL, end: '2024-01-01', duration: '1 D', barSize: '1 min' })), 10314);
    assert.equal(await code(fetchBars(client.api, 5, { contract: EURUSD, duration: '1 D', barSize: '1 min', whatToShow: 'TRADES' })), 162);
    assert.equal(await code(fetchBars(client.api, 6, { contract: AAPL, duration: '10 Y', barSize: '1 secs' })), 162);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('keepUpToDate: history, then HISTORICAL_DATA_UPDATE of the forming bar until cancelled', async () => {
  const sim = await startSimulator({ ticksPerSecond: 20 });
  try {
    const client = await connectApi(sim, 1);
    const updates: Array<{ time: string; close: number; high: number; low: number }> = [];
    client.api.on(EventName.historicalDataUpdate, (reqId: number, time: string, _open: number, high: number, low: number, close: number) => {
      if (reqId === 9) updates.push({ time, close, high, low });
    });
    const bars = await fetchBars(client.api, 9, { contract: AAPL, duration: '600 S', barSize: '1 min', keepUpToDate: true, formatDate: 2 });
    assert.ok(bars.length >= 10);
    await waitFor(() => updates.length >= 3, 'updates of the forming bar');
    const last = updates.at(-1)!;
    assert.ok(Number(last.time) * 1000 <= Date.now() && Number(last.time) * 1000 > Date.now() - 61_000);
    assert.ok(last.low <= last.close && last.close <= last.high);
    client.api.cancelHistoricalData(9);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const count = updates.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(updates.length, count);
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('pacing: identical request within 15 s and 6 requests in 2 s get 162; off when disabled', async () => {
  const sim = await startSimulator({ historicalPacing: true });
  try {
    const client = await connectApi(sim, 1);
    const query = { contract: AAPL, end: END, duration: '1 D', barSize: '1 hour' };
    await fetchBars(client.api, 1, query);
    await assert.rejects(fetchBars(client.api, 2, query), (e: HistoricalError) => e.code === 162 && /identical/.test(e.message));
    const results = await Promise.allSettled(
      [2, 3, 4, 5, 6, 7].map((n) => fetchBars(client.api, 10 + n, { ...query, end: `202403${10 + n} 16:00:00 US/Eastern` })),
    );
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as HistoricalError);
    assert.ok(rejected.length >= 1 && rejected.every((e) => e.code === 162), 'the sixth request for the series in 2 s is refused');
    client.disconnect();
  } finally {
    await sim.close();
  }
  const relaxed = await startSimulator({ historicalPacing: false });
  try {
    const client = await connectApi(relaxed, 1);
    const query = { contract: AAPL, end: END, duration: '1 D', barSize: '1 hour' };
    const storm = await Promise.all(Array.from({ length: 20 }, (_, i) => fetchBars(client.api, 100 + i, query)));
    assert.ok(storm.every((bars) => bars.length === storm[0].length));
    client.disconnect();
  } finally {
    await relaxed.close();
  }
});

test('IBApiNext getHistoricalData decodes the bars without complaints', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectNext(sim, 3);
    const bars = await client.ib.getHistoricalData(AAPL, END, '2 D', BarSizeSetting.HOURS_ONE, WhatToShow.TRADES, 1, 1);
    assert.equal(bars.length, 14);
    assert.ok(bars.every((bar) => (bar.close ?? 0) > 0));
    assert.deepEqual(client.logger.problems, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
