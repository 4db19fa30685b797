/**
 * An option's historical bars follow its underlying through the same model its live quotes use,
 * through the real client: each hourly bar's close of an AAPL call is the model's price at AAPL's close
 * of that bar (checked against the simulator's own market of the same seed), and over the last days the call
 * moves with AAPL and the put against it wherever AAPL moved noticeably in an hour.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BarSizeSetting, EventName, SecType, WhatToShow, type Bar, type Contract, type ContractDetails } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';
import type { Market } from '../../lib/sim/market/market';

async function details(client: ApiClient, reqId: number, contract: Contract): Promise<ContractDetails[]> {
  const found: ContractDetails[] = [];
  let ended = false;
  client.api.on(EventName.contractDetails, (id: number, d: ContractDetails) => id === reqId && found.push(d));
  client.api.on(EventName.contractDetailsEnd, (id: number) => id === reqId && (ended = true));
  client.api.reqContractDetails(reqId, contract);
  await waitFor(() => ended, `contract details ${reqId}`);
  return found;
}

async function hourlyBars(client: ApiClient, reqId: number, contract: Contract): Promise<Bar[]> {
  const bars: Bar[] = [];
  let ended = false;
  client.api.on(EventName.historicalData, (id: number, time: string, open: number, high: number, low: number, close: number) => {
    if (id !== reqId) return;
    if (time.startsWith('finished')) ended = true;
    else bars.push({ time, open, high, low, close });
  });
  client.api.reqHistoricalData(reqId, contract, '', '3 D', BarSizeSetting.HOURS_ONE, WhatToShow.MIDPOINT, 0, 2, false);
  await waitFor(() => ended, `bars ${reqId}`, 15_000);
  return bars;
}

test("an option's hourly bars: its close is the model's price at the underlying's close; a call moves with it, a put against it", async () => {
  const sim = await startSimulator({ historicalPacing: false });
  try {
    const client = await connectApi(sim, 1);
    const aapl: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
    const [stock] = await details(client, 1, aapl);
    let expirations: string[] = [];
    let strikes: number[] = [];
    client.api.on(EventName.securityDefinitionOptionParameter, (_id: number, exchange: string, _u: number, _tc: string, _m: string, e: string[], s: number[]) => {
      if (exchange === 'SMART') {
        expirations = e;
        strikes = s;
      }
    });
    client.api.reqSecDefOptParams(2, 'AAPL', '', SecType.STK, stock!.contract.conId!);
    await waitFor(() => strikes.length > 0, 'the chain');
    const option = (right: 'C' | 'P'): Contract => ({ symbol: 'AAPL', secType: SecType.OPT, exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: expirations[4], strike: strikes[20], right: right as Contract['right'] });
    const [call] = await details(client, 3, option('C'));
    const [put] = await details(client, 4, option('P'));
    const underlying = await hourlyBars(client, 5, aapl);
    const calls = await hourlyBars(client, 6, { ...call!.contract, exchange: 'SMART' });
    const puts = await hourlyBars(client, 7, { ...put!.contract, exchange: 'SMART' });
    assert.ok(underlying.length >= 40, `at least two days of hourly bars (${underlying.length})`);
    assert.deepEqual(calls.map((b) => b.time), underlying.map((b) => b.time));
    assert.deepEqual(puts.map((b) => b.time), underlying.map((b) => b.time));

    let noticeable = 0;
    for (let i = 1; i < underlying.length; i++) {
      const move = underlying[i]!.close! - underlying[i - 1]!.close!;
      if (Math.abs(move) < underlying[i]!.close! * 0.002) continue;
      noticeable++;
      const at = `bar ${underlying[i]!.time}: AAPL ${underlying[i - 1]!.close} -> ${underlying[i]!.close}`;
      assert.equal(Math.sign(calls[i]!.close! - calls[i - 1]!.close!), Math.sign(move), `the call moves with AAPL (${at}: ${calls[i - 1]!.close} -> ${calls[i]!.close})`);
      assert.equal(Math.sign(puts[i]!.close! - puts[i - 1]!.close!), -Math.sign(move), `the put moves against AAPL (${at}: ${puts[i - 1]!.close} -> ${puts[i]!.close})`);
    }
    assert.ok(noticeable >= 5, `AAPL moved noticeably in ${noticeable} hours`);
    for (const bars of [calls, puts]) for (const b of bars) assert.ok(b.low! <= Math.min(b.open!, b.close!) && b.high! >= Math.max(b.open!, b.close!), `a bar's range holds its open and close (${JSON.stringify(b)})`);

    // The close is the model's price at AAPL's close, at the bar's end: the simulator's own market knows both.
    const market = (sim as unknown as { market: Market }).market;
    const instrument = market.universe.get(call!.contract.conId!)!;
    const stockInstrument = market.universe.get(stock!.contract.conId!)!;
    for (let i = 0; i + 1 < calls.length; i++) {
      const end = Number(underlying[i + 1]!.time) * 1000;
      const model = market.optionValueAt(instrument, market.path(stockInstrument).priceAt(end), end).price;
      assert.equal(calls[i]!.close, market.path(instrument).roundTick(model), `bar ${calls[i]!.time}: the model's price at AAPL's close ${underlying[i]!.close}`);
      assert.equal(underlying[i]!.close, market.path(stockInstrument).priceAt(end));
    }
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
