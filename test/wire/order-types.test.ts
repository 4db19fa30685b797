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

test('REL, MIDPRICE, PEG MID and FOK through the client: each fills or rests as TWS describes, executions at the ask or the midpoint', async () => {
  const sim = await startSimulator({ accounts: ['DU5550005'] });
  try {
    const client = await connectApi(sim, 1);
    const statuses = new Map<number, string>();
    const prices = new Map<number, number>();
    client.api.on(EventName.orderStatus, (id: number, status: string) => statuses.set(id, status));
    client.api.on(EventName.execDetails, (_reqId: number, _contract: Contract, execution: { orderId?: number; price?: number }) => {
      if (execution.orderId !== undefined && execution.price !== undefined) prices.set(execution.orderId, execution.price);
    });
    let last = 0;
    client.api.on(EventName.tickPrice, (id: number, tickType: number, value: number) => {
      if (id === 91 && tickType === 4) last = value;
    });
    client.api.reqMktData(91, AAPL, '', true, false);
    await waitFor(() => last > 0, 'the last price');
    const round = (x: number) => Math.round(x * 100) / 100;
    const place = (order: Partial<Order>): number => {
      const id = client.nextValidId++;
      client.api.placeOrder(id, AAPL, { action: OrderAction.BUY, totalQuantity: 10, transmit: true, ...order } as Order);
      return id;
    };
    // The simulator quotes AAPL one cent either side of its price: an offset of 0.05 reaches the ask.
    const relAcross = place({ orderType: 'REL' as OrderType, auxPrice: 0.05 });
    // Pegged to the bid, but capped far below it: it stands at its cap.
    const relPassive = place({ orderType: 'REL' as OrderType, auxPrice: 0, lmtPrice: round(last * 0.9) });
    const midFree = place({ orderType: 'MIDPRICE' as OrderType });
    const midCapped = place({ orderType: 'MIDPRICE' as OrderType, lmtPrice: round(last * 0.9) });
    const pegOffset = place({ action: OrderAction.SELL, orderType: 'PEG MID' as OrderType, auxPrice: round(last * 0.1) });
    const fokAway = place({ orderType: OrderType.LMT, lmtPrice: round(last * 0.9), tif: 'FOK' as TimeInForce });
    const fokMarket = place({ orderType: OrderType.MKT, tif: 'FOK' as TimeInForce });
    await waitFor(() => [relAcross, midFree, fokMarket].every((id) => statuses.get(id) === 'Filled'), 'REL across the spread, MIDPRICE and the FOK market order filled');
    await waitFor(() => statuses.get(fokAway) === 'Cancelled', 'the FOK limit away from the market killed');
    await waitFor(() => [relAcross, midFree, fokMarket].every((id) => prices.has(id)), 'their executions');
    for (const id of [relPassive, midCapped, pegOffset]) assert.equal(statuses.get(id), 'Submitted', `order ${id} rests`);
    // REL filled like a marketable limit, at the ask; MIDPRICE at the midpoint, a cent under the ask.
    assert.ok(Math.abs(prices.get(relAcross)! - last) < last * 0.01, `REL at ${prices.get(relAcross)} near ${last}`);
    const cents = prices.get(midFree)! * 100;
    assert.ok(Math.abs(cents - Math.round(cents)) < 1e-6, `the midpoint of a two-cent spread is on the cent, got ${prices.get(midFree)}`);
    const killed = client.errors.find((e) => e.reqId === fokAway);
    assert.equal(killed?.code, 202);
    assert.match(killed?.message ?? '', /FOK order/);
    for (const id of [relPassive, midCapped, pegOffset]) client.api.cancelOrder(id, { manualOrderCancelTime: '' } as never);
    await waitFor(() => [relPassive, midCapped, pegOffset].every((id) => statuses.get(id) === 'Cancelled'), 'the resting ones cancelled');
    assert.deepEqual(client.errors.filter((e) => e.code !== 202), []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
