/**
 * Contract details from the simulator's universe through IBApi and IBApiNext, at several server
 * versions, and error 200 for what it does not know.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, SecType, type ContractDetails } from '@stoqey/ib';
import { connectApi, connectNext, startSimulator, VERSIONS, waitFor } from './harness';

for (const version of VERSIONS) {
  test(`contract details at server version ${version}: stock, forex, future, unknown`, async () => {
    const sim = await startSimulator({ maxServerVersion: version });
    try {
      const client = await connectApi(sim, 1);
      const details = new Map<number, ContractDetails[]>();
      const ended = new Set<number>();
      client.api.on(EventName.contractDetails, (reqId: number, d: ContractDetails) => {
        details.set(reqId, [...(details.get(reqId) ?? []), d]);
      });
      client.api.on(EventName.contractDetailsEnd, (reqId: number) => ended.add(reqId));
      client.api.reqContractDetails(1, { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' });
      client.api.reqContractDetails(2, { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' });
      client.api.reqContractDetails(3, { symbol: 'ES', secType: SecType.FUT, exchange: 'CME', currency: 'USD' });
      client.api.reqContractDetails(4, { symbol: 'NOPE', secType: SecType.STK, exchange: 'SMART', currency: 'USD' });
      await waitFor(() => ended.has(1) && ended.has(2) && ended.has(3) && client.errors.length >= 1, 'all answers');
      const aapl = details.get(1)![0];
      assert.equal(aapl.contract.conId, 265598);
      assert.equal(aapl.contract.symbol, 'AAPL');
      assert.equal(aapl.contract.primaryExch, 'NASDAQ');
      assert.equal(aapl.contract.exchange, 'SMART');
      assert.equal(aapl.minTick, 0.01);
      assert.equal(aapl.sizeIncrement, 1);
      assert.equal(aapl.timeZoneId, 'US/Eastern');
      assert.match(aapl.tradingHours ?? '', /^\d{8}:0000-\d{8}:0000(;|$)/);
      assert.match(aapl.liquidHours ?? '', /\d{8}:0930-\d{8}:1600/);
      assert.equal(aapl.longName, 'APPLE INC');
      const eur = details.get(2)![0];
      assert.equal(eur.contract.localSymbol, 'EUR.USD');
      assert.equal(eur.minTick, 0.00005);
      const futures = details.get(3)!;
      assert.equal(futures.length, 2, 'ES without expiry is ambiguous: both contracts come back');
      assert.equal(futures[0].contract.multiplier, 50);
      assert.equal(futures[0].minTick, 0.25);
      assert.match(futures[0].contract.lastTradeDateOrContractMonth ?? '', /^\d{8}$/);
      if (version >= 182) assert.equal(futures[0].contract.lastTradeDate, futures[0].contract.lastTradeDateOrContractMonth);
      if (version >= 186) assert.deepEqual(futures[0].ineligibilityReasonList, []);
      assert.deepEqual(client.errors, [{ message: 'No security definition has been found for the request', code: 200, reqId: 4 }]);
      assert.ok(!ended.has(4));
      client.disconnect();
    } finally {
      await sim.close();
    }
  });
}

test('IBApiNext getContractDetails: found by conId, unknown rejects with 200', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectNext(sim, 2);
    const details = await client.ib.getContractDetails({ conId: 756733, exchange: 'SMART' });
    assert.equal(details.length, 1);
    assert.equal(details[0].contract.symbol, 'SPY');
    await assert.rejects(client.ib.getContractDetails({ symbol: 'ZZZZ', secType: SecType.STK, exchange: 'SMART', currency: 'USD' }), (error: { code: number }) => error.code === 200);
    assert.deepEqual(client.logger.problems, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
