/**
 * Tick-by-tick with numberOfTicks > 0: the simulator sends the last N ticks of the kind first, in one
 * HISTORICAL_TICKS_LAST / _BID_ASK / HISTORICAL_TICKS message under the request's id (done = true),
 * then the live TICK_BY_TICK stream. Decoded by the real @stoqey/ib IBApi at both ends of the version
 * range: no decoder errors, N ticks before the first live one, times ascending and not in the future.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, SecType, TickByTickDataType, type Contract } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const EURUSD: Contract = { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' };

interface Arrival {
  history: boolean;
  /** Epoch seconds as the client decoded them. */
  times: number[];
  /** Price of each tick: trade price, bid, or midpoint. */
  prices: number[];
  done?: boolean;
  /** Date.now() in seconds when the event fired. */
  receivedAt: number;
}

/** Records, per request id, every historical tick message and live tick in arrival order. */
function record(client: ApiClient): Map<number, Arrival[]> {
  const byReq = new Map<number, Arrival[]>();
  const add = (reqId: number, arrival: Omit<Arrival, 'receivedAt'>) => {
    const list = byReq.get(reqId) ?? [];
    list.push({ ...arrival, receivedAt: Date.now() / 1000 });
    byReq.set(reqId, list);
  };
  const { api } = client;
  api.on(EventName.historicalTicksLast, (reqId, ticks, done) => add(reqId, { history: true, done, times: ticks.map((t) => Number(t.time)), prices: ticks.map((t) => t.price ?? NaN) }));
  api.on(EventName.historicalTicksBidAsk, (reqId, ticks, done) => add(reqId, { history: true, done, times: ticks.map((t) => Number(t.time)), prices: ticks.map((t) => t.priceBid ?? NaN) }));
  api.on(EventName.historicalTicks, (reqId, ticks, done) => add(reqId, { history: true, done, times: ticks.map((t) => Number(t.time)), prices: ticks.map((t) => t.price ?? NaN) }));
  api.on(EventName.tickByTickAllLast, (reqId, _type, time, price) => add(reqId, { history: false, times: [Number(time)], prices: [price] }));
  api.on(EventName.tickByTickBidAsk, (reqId, time, bid) => add(reqId, { history: false, times: [Number(time)], prices: [bid] }));
  api.on(EventName.tickByTickMidPoint, (reqId, time, mid) => add(reqId, { history: false, times: [Number(time)], prices: [mid] }));
  return byReq;
}

const REQUESTS: Array<{ reqId: number; contract: Contract; kind: TickByTickDataType; count: number }> = [
  { reqId: 1, contract: AAPL, kind: TickByTickDataType.Last, count: 50 },
  { reqId: 2, contract: AAPL, kind: TickByTickDataType.AllLast, count: 20 },
  { reqId: 3, contract: EURUSD, kind: TickByTickDataType.BidAsk, count: 30 },
  { reqId: 4, contract: EURUSD, kind: TickByTickDataType.MidPoint, count: 10 },
];

for (const version of [176, 193]) {
  test(`server version ${version}: numberOfTicks sends that many history ticks of each kind before the live stream`, async () => {
    const sim = await startSimulator({ maxServerVersion: version, ticksPerSecond: 40 });
    try {
      const client = await connectApi(sim, 1);
      const byReq = record(client);
      for (const r of REQUESTS) client.api.reqTickByTickData(r.reqId, r.contract, r.kind, r.count, false);
      // The first live tick leaves at once; a quiet midpoint may take a while to move again.
      await waitFor(() => REQUESTS.every((r) => (byReq.get(r.reqId) ?? []).some((a) => !a.history)), 'history and live ticks of every kind');
      for (const r of REQUESTS) client.api.cancelTickByTickData(r.reqId);
      assert.deepEqual(client.errors, []);
      for (const r of REQUESTS) {
        const arrivals = byReq.get(r.reqId)!;
        const [history, ...rest] = arrivals;
        assert.equal(history.history, true, `${r.kind}: the history comes first`);
        assert.equal(history.done, true, `${r.kind}: one history message, done`);
        assert.equal(rest.filter((a) => a.history).length, 0, `${r.kind}: no second history message`);
        assert.equal(history.times.length, r.count, `${r.kind}: ${r.count} history ticks`);
        for (let i = 1; i < history.times.length; i++) assert.ok(history.times[i] >= history.times[i - 1], `${r.kind}: history times ascend`);
        assert.ok(history.times[history.times.length - 1] <= history.receivedAt, `${r.kind}: history is not in the future`);
        assert.ok(history.times[history.times.length - 1] <= rest[0].times[0], `${r.kind}: history ends before the first live tick`);
        assert.ok(history.prices.every((p) => Number.isFinite(p) && p > 0), `${r.kind}: prices decoded`);
        // The same market model: the newest history tick is within 1% of the first live one.
        const lastPrice = history.prices[history.prices.length - 1];
        assert.ok(Math.abs(lastPrice - rest[0].prices[0]) / rest[0].prices[0] < 0.01, `${r.kind}: ${lastPrice} vs live ${rest[0].prices[0]}`);
      }
      client.disconnect();
    } finally {
      await sim.close();
    }
  });
}

test('numberOfTicks 0 sends no history; above 1000 is capped at IB\'s 1000', async () => {
  const sim = await startSimulator({ ticksPerSecond: 40 });
  try {
    const client = await connectApi(sim, 1);
    const byReq = record(client);
    client.api.reqTickByTickData(1, AAPL, TickByTickDataType.Last, 0, false);
    client.api.reqTickByTickData(2, EURUSD, TickByTickDataType.BidAsk, 5000, false);
    await waitFor(() => (byReq.get(1) ?? []).length >= 3 && (byReq.get(2) ?? []).some((a) => !a.history), 'live ticks of both');
    client.api.cancelTickByTickData(1);
    client.api.cancelTickByTickData(2);
    assert.deepEqual(client.errors, []);
    assert.ok(byReq.get(1)!.every((a) => !a.history), 'no history without numberOfTicks');
    const history = byReq.get(2)![0];
    assert.equal(history.history, true);
    assert.equal(history.times.length, 1000);
    assert.ok(history.times[0] < history.times[999], 'a thousand ticks span time');
    client.disconnect();
  } finally {
    await sim.close();
  }
});
