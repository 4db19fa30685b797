/**
 * Real-time bars (reqRealTimeBars) from the simulator through the real @stoqey/ib client: 5-second bars
 * of TRADES, MIDPOINT, BID and ASK, aligned on the clock, each sent once its 5 seconds are over, equal to
 * the 5-second historical bars of the same span; cancel stops them; bad requests answer with errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, SecType, WhatToShow, type Contract } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const EURUSD: Contract = { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' };

interface RtBar { time: number; open: number; high: number; low: number; close: number; volume: number; wap: number; count: number; received: number }

test('real-time bars: 5-second TRADES, MIDPOINT, BID and ASK bars, each after its 5 seconds, equal to the historical 5-second bars', async () => {
  const sim = await startSimulator({ ticksPerSecond: 10 });
  try {
    const client = await connectApi(sim, 1);
    const bars = new Map<number, RtBar[]>();
    client.api.on(EventName.realtimeBar, (reqId: number, time: number, open: number, high: number, low: number, close: number, volume: number, wap: number, count: number) => {
      const list = bars.get(reqId) ?? [];
      list.push({ time, open, high, low, close, volume, wap, count, received: Date.now() });
      bars.set(reqId, list);
    });
    const kinds = ['TRADES', 'MIDPOINT', 'BID', 'ASK'] as const;
    kinds.forEach((kind, i) => {
      client.api.reqRealTimeBars(i + 1, AAPL, 5, kind as WhatToShow, false);
    });
    client.api.reqRealTimeBars(9, EURUSD, 5, WhatToShow.MIDPOINT, false);
    await waitFor(() => [1, 2, 3, 4, 9].every((id) => (bars.get(id)?.length ?? 0) >= 3), 'three bars of each', 30_000);
    kinds.forEach((_, i) => {
      client.api.cancelRealTimeBars(i + 1);
    });
    client.api.cancelRealTimeBars(9);
    assert.deepEqual(client.errors, []);

    const trades = bars.get(1)!;
    for (let i = 0; i < trades.length; i++) {
      const bar = trades[i];
      assert.equal(bar.time % 5, 0, 'aligned on :00, :05, ...');
      if (i > 0) assert.equal(bar.time, trades[i - 1].time + 5, 'one bar every 5 seconds, none missing');
      assert.ok(bar.received >= (bar.time + 5) * 1000 - 50, 'sent once its 5 seconds are over');
      assert.ok(bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close));
      assert.ok(bar.volume > 0 && bar.count > 0 && bar.wap >= bar.low && bar.wap <= bar.high);
    }
    const mid = bars.get(2)!;
    const bid = bars.get(3)!;
    const ask = bars.get(4)!;
    const at = (list: RtBar[], time: number) => list.find((b) => b.time === time);
    for (const m of mid) {
      const b = at(bid, m.time);
      const a = at(ask, m.time);
      if (!b || !a) continue;
      assert.ok(b.close < m.close && m.close < a.close, 'bid below the midpoint below the ask');
      assert.equal(m.volume, -1, 'no volume on quote bars, as at IB');
    }

    // The same span asked as historical 5-second bars: the same bars.
    const historical: RtBar[] = [];
    const last = trades.at(-1)!.time;
    const end = new Date((last + 5) * 1000);
    const endText = `${end.getUTCFullYear()}${String(end.getUTCMonth() + 1).padStart(2, '0')}${String(end.getUTCDate()).padStart(2, '0')}-${end.toISOString().slice(11, 19)}`;
    await new Promise<void>((resolve) => {
      client.api.on(EventName.historicalData, (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number, count: number | undefined, wap: number) => {
        if (reqId !== 20) return;
        if (time.startsWith('finished')) return resolve();
        historical.push({ time: Number(time), open, high, low, close, volume, wap, count: count ?? 0, received: 0 });
      });
      client.api.reqHistoricalData(20, AAPL, endText, `${(trades.length + 2) * 5} S`, '5 secs' as never, 'TRADES', 0, 2, false);
    });
    for (const bar of trades) {
      const h = historical.find((x) => x.time === bar.time);
      assert.ok(h, `historical bar at ${bar.time}`);
      assert.deepEqual([bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count], [h.open, h.high, h.low, h.close, h.volume, h.wap, h.count], `bar ${bar.time}`);
    }

    // Cancelled: nothing more arrives.
    const counts = [1, 2, 3, 4, 9].map((id) => bars.get(id)!.length);
    await new Promise((r) => setTimeout(r, 6000));
    assert.deepEqual([1, 2, 3, 4, 9].map((id) => bars.get(id)!.length), counts);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('real-time bars refused: TRADES of a quote-only instrument, a bar size other than 5, an unknown type, a duplicate id', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectApi(sim, 2);
    client.api.reqRealTimeBars(1, EURUSD, 5, WhatToShow.TRADES, false);
    client.api.reqRealTimeBars(2, AAPL, 10, WhatToShow.TRADES, false);
    client.api.reqRealTimeBars(3, AAPL, 5, 'BID_ASK' as WhatToShow, false);
    client.api.reqRealTimeBars(4, AAPL, 5, WhatToShow.TRADES, false);
    client.api.reqRealTimeBars(4, AAPL, 5, WhatToShow.TRADES, false);
    client.api.reqRealTimeBars(5, { ...AAPL, symbol: 'NOSUCH' }, 5, WhatToShow.TRADES, false);
    await waitFor(() => client.errors.length >= 5, 'five errors', 5000);
    const byId = new Map(client.errors.map((e) => [e.reqId, e]));
    assert.equal(byId.get(1)?.code, 420);
    assert.match(byId.get(2)!.message, /5 seconds/);
    assert.match(byId.get(3)!.message, /TRADES, MIDPOINT, BID or ASK/);
    assert.equal(byId.get(4)?.code, 322);
    assert.equal(byId.get(5)?.code, 200);
    client.api.cancelRealTimeBars(4);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('a faster market clock (clockSpeed 60): a 5-second bar every 1/12 s of wall time, on the market clock', async () => {
  const sim = await startSimulator({ ticksPerSecond: 20, clockSpeed: 60 });
  try {
    const client = await connectApi(sim, 3);
    const times: number[] = [];
    client.api.on(EventName.realtimeBar, (_reqId: number, time: number) => times.push(time));
    const started = Date.now();
    client.api.reqRealTimeBars(1, AAPL, 5, WhatToShow.TRADES, false);
    await waitFor(() => times.length >= 12, 'twelve bars', 10_000);
    const wall = Date.now() - started;
    client.api.cancelRealTimeBars(1);
    assert.ok(wall < 4000, `twelve 5-second bars took ${wall} ms of wall time`);
    for (let i = 1; i < times.length; i++) assert.equal(times[i], times[i - 1] + 5, 'consecutive bars, none skipped');
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
