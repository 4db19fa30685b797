/**
 * Market depth (insert/update/delete, L2 with market makers) and tick-by-tick data of every kind,
 * decoded by the real client at both ends of the version range and through IBApiNext.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, SecType, TickByTickDataType, type Contract } from '@stoqey/ib';
import { firstValueFrom, filter } from 'rxjs';
import { connectApi, connectNext, startSimulator, waitFor } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const EURUSD: Contract = { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' };

for (const version of [176, 193]) {
  test(`market depth at server version ${version}: a sorted book kept from insert/update/delete`, async () => {
    const sim = await startSimulator({ maxServerVersion: version, ticksPerSecond: 40 });
    try {
      const client = await connectApi(sim, 1);
      const bids: Array<{ price: number; size: number }> = [];
      const asks: Array<{ price: number; size: number }> = [];
      const operations = new Set<number>();
      const makers = new Set<string>();
      client.api.on(EventName.updateMktDepthL2, (id: number, position: number, marketMaker: string, operation: number, side: number, price: number, size: number) => {
        if (id !== 1) return;
        operations.add(operation);
        makers.add(marketMaker);
        const book = side === 1 ? bids : asks;
        if (operation === 0) book.splice(position, 0, { price, size });
        else if (operation === 1) book[position] = { price, size };
        else book.splice(position, 1);
      });
      let plain = 0;
      client.api.on(EventName.updateMktDepth, (id: number) => id === 2 && plain++);
      client.api.reqMktDepth(1, AAPL, 5, true, []);
      client.api.reqMktDepth(2, EURUSD, 3, false, []);
      await waitFor(() => operations.has(0) && operations.has(1) && operations.has(2) && plain > 0, 'inserts, updates and deletes');
      client.api.cancelMktDepth(1, true);
      client.api.cancelMktDepth(2, false);
      assert.ok(bids.length >= 4 && bids.length <= 5 && asks.length >= 4 && asks.length <= 5);
      for (let i = 1; i < bids.length; i++) assert.ok(bids[i].price < bids[i - 1].price, 'bids sorted high to low');
      for (let i = 1; i < asks.length; i++) assert.ok(asks[i].price > asks[i - 1].price, 'asks sorted low to high');
      assert.ok(bids[0].price < asks[0].price);
      assert.ok(makers.size > 1);
      assert.deepEqual(client.errors, []);
      client.disconnect();
    } finally {
      await sim.close();
    }
  });

  test(`tick-by-tick at server version ${version}: Last, AllLast, BidAsk, MidPoint; forex Last refused`, async () => {
    const sim = await startSimulator({ maxServerVersion: version, ticksPerSecond: 40 });
    try {
      const client = await connectApi(sim, 1);
      const last: number[] = [];
      const allLast: string[] = [];
      const bidAsk: Array<[number, number]> = [];
      const mid: number[] = [];
      client.api.on(EventName.tickByTickAllLast, (reqId, tickType, _time, price, _size, _attribs, exchange) => {
        if (reqId === 1 && tickType === 1) last.push(price);
        if (reqId === 2 && tickType === 2) allLast.push(exchange);
      });
      client.api.on(EventName.tickByTickBidAsk, (_reqId, _time, bid, ask) => bidAsk.push([bid, ask]));
      client.api.on(EventName.tickByTickMidPoint, (_reqId, _time, midPoint) => mid.push(midPoint));
      client.api.reqTickByTickData(1, AAPL, TickByTickDataType.Last, 0, false);
      client.api.reqTickByTickData(2, AAPL, TickByTickDataType.AllLast, 0, false);
      client.api.reqTickByTickData(3, EURUSD, TickByTickDataType.BidAsk, 0, false);
      client.api.reqTickByTickData(4, EURUSD, TickByTickDataType.MidPoint, 0, false);
      client.api.reqTickByTickData(5, EURUSD, TickByTickDataType.Last, 0, false);
      await waitFor(() => last.length >= 3 && allLast.length >= 3 && bidAsk.length >= 3 && mid.length >= 1 && client.errors.length >= 1, 'ticks of every kind');
      for (const id of [1, 2, 3, 4]) client.api.cancelTickByTickData(id);
      assert.ok(last.every((p) => p > 100));
      assert.deepEqual(new Set(allLast), new Set(['NASDAQ']));
      assert.ok(bidAsk.every(([bid, ask]) => bid < ask && bid > 0.5 && ask < 2));
      assert.deepEqual(client.errors.map((e) => [e.reqId, e.code]), [[5, 10189]]);
      client.disconnect();
    } finally {
      await sim.close();
    }
  });
}

test('IBApiNext getMarketDepth keeps a book without complaints', async () => {
  const sim = await startSimulator({ ticksPerSecond: 20 });
  try {
    const client = await connectNext(sim, 3);
    const update = await firstValueFrom(client.ib.getMarketDepth(AAPL, 5, true).pipe(filter((u) => u.all.bids.size >= 4 && u.all.asks.size >= 4)));
    assert.ok(update.all.bids.size <= 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(client.logger.problems, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
