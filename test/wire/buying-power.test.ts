/**
 * Buying power over the wire, through the real @stoqey/ib client: the simulator is a Reg T margin
 * account unless told (an IB paper account), so it buys up to twice its funds in stock and refuses more
 * with TWS's error 201 on the order's id; a cash account refuses what its cash cannot pay and any short
 * sale; an order that fitted when placed but not at its fill price is cancelled with error 201; the
 * account summary reports the margins the check uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract, type Execution } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const START = 100_000;
const REJECTED =
  /^Order rejected - reason:YOUR ORDER IS NOT ACCEPTED\. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE \[([\d.]+) USD\] MUST EXCEED THE INITIAL MARGIN \[([\d.]+) USD\]$/;

function watch(client: ApiClient) {
  const executions: Execution[] = [];
  const statuses: Array<{ orderId: number; status: string }> = [];
  client.api.on(EventName.execDetails, (_r: number, _c: Contract, e: Execution) => executions.push(e));
  client.api.on(EventName.orderStatus, (orderId: number, status: string) => statuses.push({ orderId, status }));
  return { executions, statuses };
}

/** Buys one share to learn the price the account is marked at. */
async function onePrice(client: ApiClient, seen: ReturnType<typeof watch>): Promise<number> {
  const id = client.nextValidId++;
  client.api.placeOrder(id, AAPL, {
    action: OrderAction.BUY,
    totalQuantity: 1,
    orderType: OrderType.MKT,
    transmit: true,
  });
  await waitFor(() => seen.executions.some((e) => e.orderId === id), 'the one-share fill');
  return seen.executions.find((e) => e.orderId === id)!.price!;
}

async function rejection(client: ApiClient, orderId: number) {
  await waitFor(() => client.errors.some((e) => e.reqId === orderId), `an error on order ${orderId}`);
  return client.errors.find((e) => e.reqId === orderId)!;
}

test('Reg T (the default): 1.5 x equity in stock fills, 2.5 x is refused with error 201 and its margin figures', async () => {
  const sim = await startSimulator({ startingCash: START });
  try {
    const client = await connectApi(sim, 1);
    const seen = watch(client);
    const price = await onePrice(client, seen);
    const tooMuch = Math.floor((2.5 * START) / price);
    const refusedId = client.nextValidId++;
    client.api.placeOrder(refusedId, AAPL, {
      action: OrderAction.BUY,
      totalQuantity: tooMuch,
      orderType: OrderType.MKT,
      transmit: true,
    });
    const error = await rejection(client, refusedId);
    assert.equal(error.code, 201);
    const match = REJECTED.exec(error.message);
    assert.ok(match, error.message);
    // The reference: 50% of the position after the order, at about the price just paid.
    const expectedMargin = 0.5 * (tooMuch + 1) * price;
    assert.ok(
      Math.abs(Number(match[2]) - expectedMargin) / expectedMargin < 0.02,
      `initial margin ${match[2]} vs ${expectedMargin}`,
    );
    assert.ok(Math.abs(Number(match[1]) - START) < START * 0.01, `equity with loan value ${match[1]}`);
    assert.equal(seen.executions.filter((e) => e.orderId === refusedId).length, 0);
    // As TWS: the error, then the order reported Inactive.
    await waitFor(
      () => seen.statuses.some((s) => s.orderId === refusedId && s.status === 'Inactive'),
      'the refused order reported Inactive',
    );

    const fitsId = client.nextValidId++;
    const fits = Math.floor((1.5 * START) / price);
    client.api.placeOrder(fitsId, AAPL, {
      action: OrderAction.BUY,
      totalQuantity: fits,
      orderType: OrderType.MKT,
      transmit: true,
    });
    await waitFor(
      () => seen.statuses.some((s) => s.orderId === fitsId && s.status === 'Filled'),
      'the margin buy filled',
    );

    const summary = new Map<string, string>();
    let ended = false;
    client.api.on(EventName.accountSummary, (_r: number, _a: string, tag: string, value: string) =>
      summary.set(tag, value),
    );
    client.api.once(EventName.accountSummaryEnd, () => (ended = true));
    client.api.reqAccountSummary(
      9,
      'All',
      'NetLiquidation,InitMarginReq,MaintMarginReq,AvailableFunds,BuyingPower,GrossPositionValue',
    );
    await waitFor(() => ended, 'the account summary');
    const n = (tag: string) => Number(summary.get(tag));
    assert.ok(Math.abs(n('InitMarginReq') - 0.5 * n('GrossPositionValue')) < 0.02);
    assert.ok(Math.abs(n('MaintMarginReq') - 0.25 * n('GrossPositionValue')) < 0.02);
    assert.ok(Math.abs(n('AvailableFunds') - (n('NetLiquidation') - n('InitMarginReq'))) < 0.02);
    assert.ok(
      Math.abs(n('BuyingPower') - 2 * n('AvailableFunds')) < 0.05,
      `BuyingPower ${n('BuyingPower')} = 2 x AvailableFunds ${n('AvailableFunds')}`,
    );
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('a cash account: pays in full, never sells short, and cancels at the fill what no longer fits (error 201)', async () => {
  const sim = await startSimulator({ startingCash: START, accountType: 'cash' });
  try {
    const client = await connectApi(sim, 1);
    const seen = watch(client);
    const price = await onePrice(client, seen);

    const marginId = client.nextValidId++;
    client.api.placeOrder(marginId, AAPL, {
      action: OrderAction.BUY,
      totalQuantity: Math.floor((1.5 * START) / price),
      orderType: OrderType.MKT,
      transmit: true,
    });
    const margin = await rejection(client, marginId);
    assert.equal(margin.code, 201);
    assert.match(margin.message, REJECTED);

    const shortId = client.nextValidId++;
    client.api.placeOrder(shortId, AAPL, {
      action: OrderAction.SELL,
      totalQuantity: 10,
      orderType: OrderType.MKT,
      transmit: true,
    });
    const short = await rejection(client, shortId);
    assert.equal(short.code, 201);
    assert.match(
      short.message,
      /^Order rejected - reason:YOUR ORDER IS NOT ACCEPTED\. A CASH ACCOUNT CANNOT SELL SHORT: it holds 1 of AAPL and the order sells 10\./,
    );

    // A buy stop far below the market is checked at its stop price (fits), triggers at once and fills
    // at the ask, where 1.3 x the cash does not fit: cancelled, error 201.
    const stopId = client.nextValidId++;
    const stop = Math.round((price / 2) * 100) / 100;
    client.api.placeOrder(stopId, AAPL, {
      action: OrderAction.BUY,
      totalQuantity: Math.floor((1.3 * START) / price),
      orderType: OrderType.STP,
      auxPrice: stop,
      tif: 'GTC',
      transmit: true,
    });
    const atFill = await rejection(client, stopId);
    assert.equal(atFill.code, 201);
    assert.match(atFill.message, REJECTED);
    await waitFor(
      () => seen.statuses.some((s) => s.orderId === stopId && s.status === 'Cancelled'),
      'the stop order cancelled',
    );
    assert.equal(seen.executions.filter((e) => e.orderId === stopId).length, 0);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('a series of entries the account cannot always afford: the simulator refuses exactly those a plain reference refuses', async () => {
  // A cash account: an entry fits when its value (at about the last price) is within the cash. Sizes
  // are chosen well away from the edge (the price moves a little between orders): 0.6, 1.4, 0.9, 2.2,
  // 0.5 and 1.1 times the cash.
  const sim = await startSimulator({ startingCash: START, accountType: 'cash' });
  try {
    const client = await connectApi(sim, 1);
    const seen = watch(client);
    const price = await onePrice(client, seen);
    const sizes = [0.6, 1.4, 0.9, 2.2, 0.5, 1.1].map((x) => Math.floor((x * START) / price));
    // The reference: the cash is about START (each entry is sold again before the next), so an entry
    // is refused when it costs more than that.
    const expected = sizes.map((quantity) => quantity * price > START);
    assert.deepEqual(expected, [false, true, false, true, false, true]);
    const refused: boolean[] = [];
    for (const quantity of sizes) {
      const id = client.nextValidId++;
      client.api.placeOrder(id, AAPL, {
        action: OrderAction.BUY,
        totalQuantity: quantity,
        orderType: OrderType.MKT,
        transmit: true,
      });
      await waitFor(
        () => seen.statuses.some((s) => s.orderId === id && (s.status === 'Filled' || s.status === 'Inactive')),
        `order ${id} filled or refused`,
      );
      const wasRefused = seen.statuses.some((s) => s.orderId === id && s.status === 'Inactive');
      refused.push(wasRefused);
      if (wasRefused) {
        const error = await rejection(client, id);
        assert.equal(error.code, 201);
        assert.match(error.message, REJECTED);
        continue;
      }
      const exit = client.nextValidId++;
      client.api.placeOrder(exit, AAPL, {
        action: OrderAction.SELL,
        totalQuantity: quantity,
        orderType: OrderType.MKT,
        transmit: true,
      });
      await waitFor(
        () => seen.statuses.some((s) => s.orderId === exit && s.status === 'Filled'),
        `exit ${exit} filled`,
      );
    }
    assert.deepEqual(refused, expected);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
