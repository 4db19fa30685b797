/**
 * Streaming and snapshot quotes from the simulator, live and delayed, through IBApi and IBApiNext.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, IBApiTickType, SecType, MarketDataType } from '@stoqey/ib';
import { connectApi, connectNext, startSimulator, VERSIONS, waitFor } from './harness';

const AAPL = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

for (const version of [VERSIONS[0], VERSIONS[VERSIONS.length - 1]]) {
  test(`streaming quotes at server version ${version}: bid < ask, sizes, volume, day stats, then cancel`, async () => {
    const sim = await startSimulator({ maxServerVersion: version, ticksPerSecond: 50 });
    try {
      const client = await connectApi(sim, 1);
      const prices = new Map<number, number[]>();
      const sizes = new Map<number, number[]>();
      const types: number[] = [];
      let updates = 0;
      client.api.on(EventName.tickPrice, (reqId: number, tickType: IBApiTickType, price: number) => {
        updates++;
        if (reqId === 11) prices.set(tickType, [...(prices.get(tickType) ?? []), price]);
      });
      client.api.on(EventName.tickSize, (reqId: number, tickType?: IBApiTickType, size?: number) => {
        updates++;
        if (reqId === 11 && tickType !== undefined && size !== undefined) sizes.set(tickType, [...(sizes.get(tickType) ?? []), size]);
      });
      client.api.on(EventName.marketDataType, (_reqId: number, type: number) => types.push(type));
      client.api.reqMktData(11, AAPL, '', false, false);
      await waitFor(() => updates >= 40, 'a stream of updates');
      client.api.cancelMktData(11);
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.deepEqual(types, [1]);
      const bid = prices.get(IBApiTickType.BID)!.at(-1)!;
      const ask = prices.get(IBApiTickType.ASK)!.at(-1)!;
      assert.ok(bid > 100 && bid < 400, `AAPL bid ${bid} is plausible`);
      assert.ok(ask > bid);
      for (const type of [IBApiTickType.LAST, IBApiTickType.HIGH, IBApiTickType.LOW, IBApiTickType.CLOSE, IBApiTickType.OPEN]) {
        assert.ok((prices.get(type)?.length ?? 0) >= 1, `tick type ${type} arrived`);
      }
      assert.ok(prices.get(IBApiTickType.HIGH)!.at(-1)! >= prices.get(IBApiTickType.LOW)!.at(-1)!);
      for (const type of [IBApiTickType.BID_SIZE, IBApiTickType.ASK_SIZE, IBApiTickType.LAST_SIZE, IBApiTickType.VOLUME]) {
        assert.ok((sizes.get(type)?.length ?? 0) >= 1, `size type ${type} arrived`);
      }
      assert.ok(sizes.get(IBApiTickType.VOLUME)!.at(-1)! > 0);
      // Nothing more arrives after the cancel.
      const count = updates;
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(updates, count);
      assert.deepEqual(client.errors, []);
      client.disconnect();
    } finally {
      await sim.close();
    }
  });
}

test('snapshot: all values once, then TICK_SNAPSHOT_END; delayed type uses delayed tick ids', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectApi(sim, 1);
    const seen: Array<[number, number]> = [];
    let ended = false;
    const types: number[] = [];
    client.api.on(EventName.tickPrice, (reqId: number, tickType: IBApiTickType) => seen.push([reqId, tickType]));
    client.api.on(EventName.tickSnapshotEnd, () => (ended = true));
    client.api.on(EventName.marketDataType, (_reqId: number, type: number) => types.push(type));
    client.api.reqMarketDataType(3);
    client.api.reqMktData(5, { symbol: 'MSFT', secType: SecType.STK, exchange: 'SMART', currency: 'USD' }, '', true, false);
    await waitFor(() => ended, 'the snapshot end');
    assert.deepEqual(types, [3]);
    const ids = new Set(seen.map(([, t]) => t));
    assert.ok(ids.has(IBApiTickType.DELAYED_BID) && ids.has(IBApiTickType.DELAYED_ASK) && ids.has(IBApiTickType.DELAYED_LAST));
    assert.ok(!ids.has(IBApiTickType.BID));
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('unknown symbol gets 200; duplicate ticker id gets 322; forex has no last', async () => {
  const sim = await startSimulator({ ticksPerSecond: 20 });
  try {
    const client = await connectApi(sim, 1);
    const tickTypes = new Set<number>();
    client.api.on(EventName.tickPrice, (reqId: number, tickType: IBApiTickType) => reqId === 3 && tickTypes.add(tickType));
    client.api.reqMktData(1, { symbol: 'NOPE', secType: SecType.STK, exchange: 'SMART', currency: 'USD' }, '', false, false);
    client.api.reqMktData(2, AAPL, '', false, false);
    client.api.reqMktData(2, AAPL, '', false, false);
    client.api.reqMktData(3, { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' }, '', false, false);
    await waitFor(() => client.errors.length >= 2 && tickTypes.has(IBApiTickType.BID), 'errors and forex ticks');
    assert.deepEqual(client.errors.map((e) => [e.reqId, e.code]), [[1, 200], [2, 322]]);
    assert.ok(!tickTypes.has(IBApiTickType.LAST));
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('IBApiNext getMarketData streams and getMarketDataSnapshot resolves', async () => {
  const sim = await startSimulator({ ticksPerSecond: 20 });
  try {
    const client = await connectNext(sim, 4);
    client.ib.setMarketDataType(MarketDataType.REALTIME);
    const snapshot = await client.ib.getMarketDataSnapshot(AAPL, '', false);
    assert.ok((snapshot.get(IBApiTickType.BID)?.value ?? 0) > 0);
    const updates: number[] = [];
    const subscription = client.ib.getMarketData(AAPL, '', false, false).subscribe((update) => {
      const bid = update.all.get(IBApiTickType.BID)?.value;
      if (bid !== undefined) updates.push(bid);
    });
    await waitFor(() => updates.length >= 10, 'ten updates');
    subscription.unsubscribe();
    assert.deepEqual(client.logger.problems, []);
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
