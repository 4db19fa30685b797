/**
 * Orders through the simulator and the shared fill engine, decoded by the real client at every
 * negotiated version of the test set: fills and TWS's message order, modify, cancel, duplicate ids,
 * brackets, global cancel, open orders and executions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract, type Order } from '@stoqey/ib';
import { connectApi, connectNext, startSimulator, VERSIONS, waitFor, type ApiClient } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

/** Records order-related events of a client in arrival order. */
function recordOrderEvents(client: ApiClient) {
  const events: Array<{ kind: string; orderId: number; status?: string; filled?: number; permId?: number; clientId?: number }> = [];
  const commissions: Array<{ execId: string; commission: number }> = [];
  const executions: Array<{ reqId: number; orderId: number; execId: string; shares: number; price: number; side: string }> = [];
  client.api.on(EventName.openOrder, (orderId: number, _c: Contract, order: Order, state: { status?: string }) =>
    events.push({ kind: 'open', orderId, status: state.status, permId: order.permId, clientId: order.clientId }),
  );
  client.api.on(EventName.orderStatus, (orderId: number, status: string, filled: number, _r: number, _a: number, permId?: number, _p?: number, _l?: number, clientId?: number) =>
    events.push({ kind: 'status', orderId, status, filled, permId, clientId }),
  );
  client.api.on(EventName.execDetails, (reqId: number, _c: Contract, e: { orderId?: number; execId?: string; shares?: number; price?: number; side?: string }) => {
    events.push({ kind: 'exec', orderId: e.orderId ?? -1 });
    executions.push({ reqId, orderId: e.orderId ?? -1, execId: e.execId ?? '', shares: e.shares ?? 0, price: e.price ?? 0, side: e.side ?? '' });
  });
  client.api.on(EventName.commissionReport, (report: { execId?: string; commission?: number }) => {
    events.push({ kind: 'commission', orderId: -1 });
    commissions.push({ execId: report.execId ?? '', commission: report.commission ?? 0 });
  });
  return { events, commissions, executions };
}

for (const version of VERSIONS) {
  test(`orders at server version ${version}: market fill in TWS's order, limit modify and cancel`, async () => {
    const sim = await startSimulator({ maxServerVersion: version });
    try {
      const client = await connectApi(sim, 1);
      const watcher = await connectApi(sim, 2);
      const seen = recordOrderEvents(client);
      const seenByOther = recordOrderEvents(watcher);
      const id = client.nextValidId;
      client.api.placeOrder(id, AAPL, { action: OrderAction.BUY, totalQuantity: 100, orderType: OrderType.MKT, transmit: true });
      await waitFor(() => seen.commissions.length === 1, 'the commission report');
      assert.deepEqual(
        seen.events.map((e) => `${e.kind}${e.status ? `:${e.status}` : ''}`),
        ['open:Submitted', 'status:Submitted', 'exec', 'open:Filled', 'status:Filled', 'commission'],
      );
      const permIds = new Set(seen.events.filter((e) => e.permId !== undefined).map((e) => e.permId));
      assert.equal(permIds.size, 1, 'one permId in OPEN_ORDER and ORDER_STATUS');
      assert.ok(seen.events.filter((e) => e.kind === 'status').every((e) => e.clientId === 1));
      assert.equal(seen.executions[0].shares, 100);
      assert.equal(seen.executions[0].side, 'BOT');
      assert.ok(seen.commissions[0].commission > 0);
      await waitFor(() => seenByOther.commissions.length === 1, 'the other client to see the order too');

      const limitId = id + 1;
      client.api.placeOrder(limitId, AAPL, { action: OrderAction.BUY, totalQuantity: 10, orderType: OrderType.LMT, lmtPrice: 1, tif: 'GTC', transmit: true });
      await waitFor(() => seen.events.some((e) => e.orderId === limitId && e.status === 'Submitted'), 'the limit order working');
      client.api.placeOrder(limitId, AAPL, { action: OrderAction.BUY, totalQuantity: 20, orderType: OrderType.LMT, lmtPrice: 2, tif: 'GTC', transmit: true });
      await new Promise((resolve) => setTimeout(resolve, 50));
      client.api.cancelOrder(limitId);
      await waitFor(() => client.errors.some((e) => e.code === 202), 'the cancel confirmation');
      assert.ok(seen.events.some((e) => e.orderId === limitId && e.kind === 'status' && e.status === 'Cancelled'));
      assert.deepEqual(client.errors.map((e) => [e.reqId, e.code]), [[limitId, 202]]);
      assert.deepEqual(watcher.errors, []);
      client.disconnect();
      watcher.disconnect();
    } finally {
      await sim.close();
    }
  });
}

test('duplicate order id from another client is 103; cancel of an unknown order is 135', async () => {
  const sim = await startSimulator();
  try {
    const a = await connectApi(sim, 1);
    const b = await connectApi(sim, 2);
    a.api.placeOrder(50, AAPL, { action: OrderAction.BUY, totalQuantity: 1, orderType: OrderType.LMT, lmtPrice: 1, transmit: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    b.api.placeOrder(50, AAPL, { action: OrderAction.SELL, totalQuantity: 1, orderType: OrderType.LMT, lmtPrice: 1000, transmit: true });
    b.api.cancelOrder(777);
    await waitFor(() => b.errors.length >= 2, 'both errors');
    assert.deepEqual(b.errors.map((e) => [e.reqId, e.code]), [[50, 103], [777, 135]]);
    a.disconnect();
    b.disconnect();
  } finally {
    await sim.close();
  }
});

test('bracket: held parent and children transmit together; children work after the parent fills; global cancel', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectApi(sim, 1);
    const seen = recordOrderEvents(client);
    const parent = client.nextValidId;
    client.api.placeOrder(parent, AAPL, { action: OrderAction.BUY, totalQuantity: 100, orderType: OrderType.LMT, lmtPrice: 10_000, transmit: false });
    client.api.placeOrder(parent + 1, AAPL, { action: OrderAction.SELL, totalQuantity: 100, orderType: OrderType.LMT, lmtPrice: 9_000, parentId: parent, ocaGroup: 'b1', transmit: false });
    client.api.placeOrder(parent + 2, AAPL, { action: OrderAction.SELL, totalQuantity: 100, orderType: OrderType.STP, auxPrice: 1, parentId: parent, ocaGroup: 'b1', transmit: true });
    await waitFor(() => seen.events.some((e) => e.orderId === parent && e.status === 'Filled'), 'the parent fill');
    await waitFor(
      () => seen.events.some((e) => e.orderId === parent + 1 && e.status === 'Submitted') && seen.events.some((e) => e.orderId === parent + 2 && e.status === 'Submitted'),
      'both children working',
    );
    const open = await new Promise<number[]>((resolve) => {
      const ids: number[] = [];
      const onOpen = (orderId: number) => ids.push(orderId);
      client.api.on(EventName.openOrder, onOpen);
      client.api.once(EventName.openOrderEnd, () => {
        client.api.off(EventName.openOrder, onOpen);
        resolve(ids);
      });
      client.api.reqAllOpenOrders();
    });
    assert.deepEqual([...new Set(open)].sort(), [parent + 1, parent + 2]);
    client.api.reqGlobalCancel();
    await waitFor(() => client.errors.filter((e) => e.code === 202).length === 2, 'both children cancelled');
    const executions = await new Promise<string[]>((resolve) => {
      const sides: string[] = [];
      const onExec = (reqId: number, _c: Contract, e: { side?: string }) => reqId === 77 && sides.push(e.side ?? '');
      client.api.on(EventName.execDetails, onExec);
      client.api.once(EventName.execDetailsEnd, () => {
        client.api.off(EventName.execDetails, onExec);
        resolve(sides);
      });
      client.api.reqExecutions(77, { symbol: 'AAPL', side: 'BUY' });
    });
    assert.deepEqual(executions, ['BOT']);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('IBApiNext places, lists and cancels orders without decoder complaints', async () => {
  const sim = await startSimulator({ maxServerVersion: 176 });
  try {
    const client = await connectNext(sim, 7);
    const orderId = await client.ib.placeNewOrder(AAPL, { action: OrderAction.SELL, totalQuantity: 5, orderType: OrderType.LMT, lmtPrice: 99_999, transmit: true });
    const open = await client.ib.getAllOpenOrders();
    assert.deepEqual(open.map((o) => o.orderId), [orderId]);
    assert.equal(open[0].orderState.status, 'Submitted');
    client.ib.cancelOrder(orderId);
    await waitFor(() => client.errors.some((e) => e.code === 202), 'the cancel');
    const details = await client.ib.getExecutionDetails({});
    assert.deepEqual(details, []);
    assert.deepEqual(client.logger.problems, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('a TRAIL LIMIT order keeps its lmtPriceOffset on the wire: the simulator works it instead of refusing it', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectApi(sim, 1);
    const seen = recordOrderEvents(client);
    const id = client.nextValidId;
    client.api.placeOrder(id, AAPL, { action: OrderAction.BUY, totalQuantity: 10, orderType: OrderType.TRAIL_LIMIT, auxPrice: 5, lmtPriceOffset: 0.5, tif: 'GTC', transmit: true });
    await waitFor(() => seen.events.some((e) => e.orderId === id && e.status === 'Submitted') || client.errors.length > 0, 'the order working or refused');
    assert.deepEqual(client.errors, []);
    client.api.cancelOrder(id);
    await waitFor(() => seen.events.some((e) => e.orderId === id && e.status === 'Cancelled'), 'the cancel');
    client.disconnect();
  } finally {
    await sim.close();
  }
});
