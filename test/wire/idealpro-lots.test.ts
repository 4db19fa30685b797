/**
 * IDEALPRO's lot rules through the real @stoqey/ib client, as TWS applies them: a currency order below
 * IDEALPRO's minimum for its base currency (EUR 20,000, USD 25,000 ...) is taken, warned about with
 * TWS's odd-lot message (399 on the order id), and fills; an order at the minimum or above is not
 * warned about.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract, type Execution } from '@stoqey/ib';
import { connectApi, delay, startSimulator, waitFor, type ApiClient } from './harness';

const EURUSD: Contract = { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' };
const USDJPY: Contract = { symbol: 'USD', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'JPY' };

/** Buys at market; resolves with the messages on the order id and the fill. */
async function buy(client: ApiClient, contract: Contract, quantity: number): Promise<{ notices: Array<{ code: number; message: string }>; execution: Execution }> {
  const id = client.nextValidId++;
  let execution: Execution | undefined;
  client.api.on(EventName.execDetails, (_reqId: number, _c: Contract, e: Execution) => {
    if (e.orderId === id) execution = e;
  });
  client.api.placeOrder(id, contract, { action: OrderAction.BUY, totalQuantity: quantity, orderType: OrderType.MKT, transmit: true });
  await waitFor(() => execution !== undefined, `the ${quantity} ${contract.symbol}.${contract.currency} fill`);
  await delay(50);
  return { notices: client.errors.filter((e) => e.reqId === id).map(({ code, message }) => ({ code, message })), execution: execution! };
}

test('IDEALPRO: below the base currency minimum an order is an odd lot (warning 399) and fills; at the minimum no warning', async () => {
  const sim = await startSimulator({ startingCash: 1_000_000 });
  try {
    const client = await connectApi(sim, 1);
    const small = await buy(client, EURUSD, 1_000);
    assert.deepEqual(small.notices, [{ code: 399, message: 'Order Message:\nBUY 1000 EUR.USD Forex\nWarning: your order size is below the EUR 20000 IdealPro minimum and will be routed as an odd lot order.' }]);
    assert.equal(small.execution.shares, 1_000, 'the odd lot fills whole');
    assert.equal(small.execution.exchange, 'IDEALPRO');

    const regular = await buy(client, EURUSD, 20_000);
    assert.deepEqual(regular.notices, [], 'EUR 20,000 is a regular IDEALPRO order');
    // The minimum is the base currency's: USD 25,000 for USD.JPY.
    const dollars = await buy(client, USDJPY, 20_000);
    assert.deepEqual(dollars.notices.map((n) => n.code), [399]);
    assert.match(dollars.notices[0]!.message, /below the USD 25000 IdealPro minimum/);
    assert.deepEqual((await buy(client, USDJPY, 25_000)).notices, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
