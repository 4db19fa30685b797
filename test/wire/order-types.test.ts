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
import { validateOrderIntent } from '../../lib/orders/validate';
import { buildOrder } from '../../lib/orders/build';

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

test('algos and conditions through the client: the simulator fills an Adaptive order as its type and reports the algo back; a time condition releases its order at its time, a price condition when the price crosses, conditionsCancelOrder cancels', async () => {
  const sim = await startSimulator({ accounts: ['DU5550006'] });
  try {
    const client = await connectApi(sim, 1);
    const statuses = new Map<number, string[]>();
    const reported = new Map<number, Order>();
    client.api.on(EventName.orderStatus, (id: number, status: string) => {
      const list = statuses.get(id) ?? [];
      if (list.at(-1) !== status) list.push(status);
      statuses.set(id, list);
    });
    client.api.on(EventName.openOrder, (id: number, _contract: Contract, order: Order) => reported.set(id, order));
    let last = 0;
    client.api.on(EventName.tickPrice, (id: number, tickType: number, value: number) => {
      if (id === 92 && tickType === 4) last = value;
    });
    client.api.reqMktData(92, AAPL, '', true, false);
    await waitFor(() => last > 0, 'the last price');
    const round = (x: number) => Math.round(x * 100) / 100;
    const place = (fields: Record<string, unknown>): number => {
      const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, ...fields });
      if (intent.kind === 'modify') throw new Error('a new order');
      const id = client.nextValidId++;
      client.api.placeOrder(id, AAPL, { ...buildOrder('BUY', 10, intent, 'wire'), orderId: id });
      return id;
    };
    const adaptive = place({ orderType: 'MKT', algoStrategy: 'Adaptive', algoParams: { adaptivePriority: 'Patient' } });
    const timed = place({ orderType: 'MKT', conditions: [{ type: 'time', time: formatIbUtc(Date.now() + 1500) }] });
    const priced = place({ orderType: 'MKT', conditions: [{ type: 'price', conId: 265598, isMore: true, price: round(last * 1.5) }] });
    // MSFT (conId 272093) trades above 1: met at once, so this AAPL order works at once.
    const otherMet = place({ orderType: 'MKT', conditions: [{ type: 'price', conId: 272093, isMore: true, price: 1 }] });
    const cancelling = place({ orderType: 'LMT', lmtPrice: round(last * 0.8), conditions: [{ type: 'time', time: formatIbUtc(Date.now() + 1500) }], conditionsCancelOrder: true });
    await waitFor(() => statuses.get(adaptive)?.at(-1) === 'Filled' && statuses.get(otherMet)?.at(-1) === 'Filled', 'the Adaptive order and the one released by MSFT filled');
    assert.equal(reported.get(adaptive)?.algoStrategy, 'Adaptive', 'TWS reports the algo back');
    assert.deepEqual(reported.get(adaptive)?.algoParams, [{ tag: 'adaptivePriority', value: 'Patient' }]);
    assert.equal(statuses.get(timed)?.at(-1), 'PreSubmitted', 'held until its time');
    await waitFor(() => statuses.get(cancelling)?.at(-1) === 'Submitted', `the one its conditions cancel working (errors ${JSON.stringify(client.errors)})`);
    await waitFor(() => statuses.get(timed)?.at(-1) === 'Filled', 'the time condition released it', 8000);
    assert.deepEqual(statuses.get(timed), ['PreSubmitted', 'Submitted', 'Filled']);
    await waitFor(() => statuses.get(cancelling)?.at(-1) === 'Cancelled', 'the conditions cancelled it', 8000);
    assert.match(client.errors.find((e) => e.reqId === cancelling)?.message ?? '', /conditions were met/);
    assert.equal(statuses.get(priced)?.at(-1), 'PreSubmitted', 'AAPL is far from 1.5 times its price');
    const conditions = reported.get(priced)?.conditions ?? [];
    assert.deepEqual([conditions.length, (conditions[0] as { conId?: number }).conId, (conditions[0] as { isMore?: boolean }).isMore], [1, 265598, true], 'TWS reports the conditions back');
    // A modification re-sends the working order as TWS reported it: its conditions stay.
    client.api.placeOrder(priced, AAPL, { ...reported.get(priced)!, totalQuantity: 20 });
    await waitFor(() => sim.engine.openOrders().some((o) => o.order.orderId === priced && o.order.totalQuantity === 20), 'the modification');
    assert.equal(sim.engine.openOrders().find((o) => o.order.orderId === priced)?.order.conditions?.length, 1);
    assert.deepEqual(client.errors.filter((e) => e.code !== 202), []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('a price condition names its instrument by conId, as TWS takes it: the simulator fails an order whose condition has none (0) or one it does not know with 133, and places nothing', async () => {
  const sim = await startSimulator({ accounts: ['DU5550007'] });
  try {
    const client = await connectApi(sim, 1);
    const place = (conId: number | undefined): number => {
      const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, conditions: [{ type: 'price', conId, isMore: true, price: 1 }] });
      if (intent.kind === 'modify') throw new Error('a new order');
      const id = client.nextValidId++;
      client.api.placeOrder(id, AAPL, { ...buildOrder('BUY', 10, intent, 'wire'), orderId: id });
      return id;
    };
    const none = place(undefined);
    const unknown = place(999_999_999);
    await waitFor(() => client.errors.filter((e) => e.code === 133).length === 2, `both refused (errors ${JSON.stringify(client.errors)})`);
    assert.match(client.errors.find((e) => e.reqId === none)?.message ?? '', /Submit new order failed: its price condition names conId 0, which is no contract/);
    assert.match(client.errors.find((e) => e.reqId === unknown)?.message ?? '', /names conId 999999999/);
    assert.equal(sim.engine.openOrders().length, 0, 'nothing placed');
    // With AAPL's own conId it works (met at once: AAPL trades above 1).
    const own = place(265598);
    await waitFor(() => sim.engine.executions().some((e) => e.orderId === own) || client.errors.some((e) => e.reqId === own), 'the order with a conId filled');
    assert.deepEqual(client.errors.filter((e) => e.reqId === own), []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('COMPLETED_ORDER echoes an order\'s algo and conditions as OPEN_ORDER does (reqCompletedOrders after a cancel)', async () => {
  const sim = await startSimulator({ accounts: ['DU5550008'] });
  try {
    const client = await connectApi(sim, 1);
    const statuses = new Map<number, string>();
    client.api.on(EventName.orderStatus, (id: number, status: string) => statuses.set(id, status));
    const intent = validateOrderIntent({
      action: 'BUY',
      totalQuantity: 10,
      orderType: 'LMT',
      lmtPrice: 1,
      algoStrategy: 'Adaptive',
      algoParams: { adaptivePriority: 'Patient' },
      conditions: [{ type: 'price', conId: 272093, isMore: true, price: 1, triggerMethod: 'midpoint', conjunction: 'or' }, { type: 'time', time: '20261218 10:00:00 US/Eastern' }],
      conditionsCancelOrder: false,
      conditionsIgnoreRth: true,
    });
    if (intent.kind === 'modify') throw new Error('a new order');
    const id = client.nextValidId++;
    client.api.placeOrder(id, AAPL, { ...buildOrder('BUY', 10, intent, 'echo'), orderId: id });
    await waitFor(() => statuses.get(id) === 'Submitted', `the order working (errors ${JSON.stringify(client.errors)})`);
    client.api.cancelOrder(id);
    await waitFor(() => statuses.get(id) === 'Cancelled', 'cancelled');
    const completed: Order[] = [];
    let ended = false;
    client.api.on(EventName.completedOrder, (_c: Contract, order: Order) => completed.push(order));
    client.api.once(EventName.completedOrdersEnd, () => (ended = true));
    client.api.reqCompletedOrders(false);
    await waitFor(() => ended, 'the completed orders');
    const order = completed.find((o) => o.orderRef === 'echo');
    assert.ok(order, 'the cancelled order is a completed order');
    assert.equal(order.algoStrategy, 'Adaptive');
    assert.deepEqual(order.algoParams, [{ tag: 'adaptivePriority', value: 'Patient' }]);
    const [price, time] = (order.conditions ?? []) as unknown as Array<Record<string, unknown>>;
    assert.deepEqual([price?.conId, price?.isMore, price?.price, price?.triggerMethod, price?.conjunctionConnection], [272093, true, 1, 8, 'o']);
    assert.deepEqual([time?.time, time?.isMore], ['20261218 10:00:00 US/Eastern', true]);
    assert.deepEqual([order.conditionsIgnoreRth, order.conditionsCancelOrder], [true, false]);
    assert.deepEqual(client.errors.filter((e) => e.code !== 202), []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('LIT, goodAfterTime, hidden, Vwap and Twap through the client: a touched LIT works as its limit, one far away rests; an order waits for its goodAfterTime; hidden and the algos are reported back', async () => {
  const sim = await startSimulator({ accounts: ['DU5550009'] });
  try {
    const client = await connectApi(sim, 1);
    const statuses = new Map<number, string[]>();
    const reported = new Map<number, Order>();
    client.api.on(EventName.orderStatus, (id: number, status: string) => {
      const list = statuses.get(id) ?? [];
      if (list.at(-1) !== status) list.push(status);
      statuses.set(id, list);
    });
    client.api.on(EventName.openOrder, (id: number, _contract: Contract, order: Order) => reported.set(id, order));
    let last = 0;
    client.api.on(EventName.tickPrice, (id: number, tickType: number, value: number) => {
      if (id === 93 && tickType === 4) last = value;
    });
    client.api.reqMktData(93, AAPL, '', true, false);
    await waitFor(() => last > 0, 'the last price');
    const round = (x: number) => Math.round(x * 100) / 100;
    const place = (fields: Record<string, unknown>): number => {
      const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, ...fields });
      if (intent.kind === 'modify') throw new Error('a new order');
      const id = client.nextValidId++;
      client.api.placeOrder(id, AAPL, { ...buildOrder('BUY', 10, intent, 'wire'), orderId: id });
      return id;
    };
    // A buy LIT triggers when the price is at or below its trigger: above the market it is touched at once.
    const touched = place({ orderType: 'LIT', auxPrice: round(last * 1.05), lmtPrice: round(last * 1.1) });
    const away = place({ orderType: 'LIT', auxPrice: round(last * 0.8), lmtPrice: round(last * 0.8) });
    const later = place({ orderType: 'MKT', goodAfterTime: formatIbUtc(Date.now() + 1500) });
    const hidden = place({ orderType: 'LMT', lmtPrice: round(last * 0.8), hidden: true });
    const vwap = place({ orderType: 'MKT', algoStrategy: 'Vwap', algoParams: { maxPctVol: 0.1, noTakeLiq: false } });
    const twap = place({ orderType: 'LMT', lmtPrice: round(last * 1.1), algoStrategy: 'Twap', algoParams: { strategyType: 'Marketable' } });
    await waitFor(() => [touched, vwap, twap].every((id) => statuses.get(id)?.at(-1) === 'Filled'), `the touched LIT and the two algo orders filled (errors ${JSON.stringify(client.errors)})`);
    assert.notEqual(statuses.get(later)?.at(-1), 'Filled', 'not before its goodAfterTime');
    await waitFor(() => statuses.get(later)?.at(-1) === 'Filled', 'filled once its goodAfterTime passed', 8000);
    assert.equal(statuses.get(away)?.at(-1), 'Submitted', 'the LIT far below rests');
    assert.equal(statuses.get(hidden)?.at(-1), 'Submitted');
    assert.equal(reported.get(hidden)?.hidden, true, 'TWS reports hidden back');
    assert.deepEqual([reported.get(vwap)?.algoStrategy, reported.get(vwap)?.algoParams], ['Vwap', [{ tag: 'maxPctVol', value: '0.1' }, { tag: 'noTakeLiq', value: '0' }]]);
    assert.deepEqual([reported.get(twap)?.algoStrategy, reported.get(twap)?.algoParams], ['Twap', [{ tag: 'strategyType', value: 'Marketable' }]]);
    assert.equal(reported.get(later)?.goodAfterTime !== undefined && reported.get(later)?.goodAfterTime !== '', true, 'goodAfterTime reported back');
    assert.deepEqual(client.errors.filter((e) => e.code !== 202 && e.code !== 399), []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('MOC, LOC, OPG, IOC and STP LMT through the client: IOC and a triggered STP LMT at once; MOC, a LOC its close meets and OPG at the next day, a LOC the close misses cancelled', async () => {
  const sim = await startSimulator({ accounts: ['DU5550010'] });
  try {
    const client = await connectApi(sim, 1);
    const statuses = new Map<number, string>();
    client.api.on(EventName.orderStatus, (id: number, status: string) => statuses.set(id, status));
    let last = 0;
    client.api.on(EventName.tickPrice, (id: number, tickType: number, value: number) => {
      if (id === 94 && tickType === 4) last = value;
    });
    client.api.reqMktData(94, AAPL, '', false, false);
    await waitFor(() => last > 0, 'the last price');
    const round = (x: number) => Math.round(x * 100) / 100;
    const place = (fields: Record<string, unknown>): number => {
      const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, ...fields });
      if (intent.kind === 'modify') throw new Error('a new order');
      const id = client.nextValidId++;
      client.api.placeOrder(id, AAPL, { ...buildOrder('BUY', 10, intent, 'wire'), orderId: id });
      return id;
    };
    const ioc = place({ orderType: 'LMT', lmtPrice: round(last * 0.8), tif: 'IOC' });
    const stopLimit = place({ orderType: 'STP LMT', auxPrice: round(last * 0.9), lmtPrice: round(last * 1.1) });
    const moc = place({ orderType: 'MOC' });
    const locMet = place({ orderType: 'LOC', lmtPrice: round(last * 1.5) });
    const locMissed = place({ orderType: 'LOC', lmtPrice: round(last * 0.5) });
    const opg = place({ orderType: 'LMT', lmtPrice: round(last * 1.5), tif: 'OPG' });
    await waitFor(() => statuses.get(ioc) === 'Cancelled' && statuses.get(stopLimit) === 'Filled', `the IOC cancelled, the STP LMT filled (errors ${JSON.stringify(client.errors)})`);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([moc, locMet, locMissed, opg].map((id) => statuses.get(id)), ['Submitted', 'Submitted', 'Submitted', 'Submitted'], 'the close and the open orders wait for their day');
    sim.advanceClock(24 * 3600_000);
    await waitFor(() => [moc, locMet, opg].every((id) => statuses.get(id) === 'Filled') && statuses.get(locMissed) === 'Cancelled', `MOC, the met LOC and OPG filled, the missed LOC cancelled (${JSON.stringify([moc, locMet, locMissed, opg].map((id) => statuses.get(id)))})`, 8000);
    assert.deepEqual(client.errors.filter((e) => e.code !== 202 && e.code !== 399).map((e) => e.code), []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
