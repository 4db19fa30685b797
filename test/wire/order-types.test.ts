/**
 * Order types and times in force beyond the basic ones, through the real @stoqey/ib client against the
 * simulator: MIT fills once the price is touched (and rests while not), GTD expires at its goodTillDate
 * with TWS's 202.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type TimeInForce, type Contract, type Order } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor } from './harness';
import { formatIbUtc } from '../../lib/data/dates';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

test('MIT: a buy touched at once fills at market; one far below rests; GTD expires at its time with 202', async () => {
  const sim = await startSimulator({ accounts: ['DU5550004'] });
  try {
    const client = await connectApi(sim, 1);
    const statuses = new Map<number, string>();
    client.api.on(EventName.orderStatus, (id: number, status: string) => statuses.set(id, status));
    let price = 0;
    client.api.on(EventName.tickPrice, (id: number, tickType: number, value: number) => {
      if (id === 90 && tickType === 4) price = value;
    });
    client.api.reqMktData(90, AAPL, '', true, false);
    await waitFor(() => price > 0, 'the last price');
    const touched = client.nextValidId++;
    const resting = client.nextValidId++;
    const gtd = client.nextValidId++;
    const mit = (auxPrice: number): Order => ({ action: OrderAction.BUY, totalQuantity: 5, orderType: 'MIT' as OrderType, auxPrice: Math.round(auxPrice * 100) / 100, transmit: true });
    client.api.placeOrder(touched, AAPL, mit(price * 1.05));
    client.api.placeOrder(resting, AAPL, mit(price * 0.8));
    client.api.placeOrder(gtd, AAPL, { action: OrderAction.BUY, totalQuantity: 5, orderType: OrderType.LMT, lmtPrice: Math.round(price * 80) / 100, tif: 'GTD' as TimeInForce, goodTillDate: formatIbUtc(Date.now() + 1500), transmit: true });
    await waitFor(() => statuses.get(touched) === 'Filled', 'the touched MIT filled');
    await waitFor(() => statuses.get(gtd) === 'Cancelled', 'the GTD order expired', 8000);
    assert.equal(statuses.get(resting), 'Submitted', 'the MIT far below rests');
    const expired = client.errors.find((e) => e.reqId === gtd);
    assert.equal(expired?.code, 202);
    assert.match(expired?.message ?? '', /goodTillDate has passed/);
    assert.deepEqual(client.errors.filter((e) => e.reqId !== gtd), []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
