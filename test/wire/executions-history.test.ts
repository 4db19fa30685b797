/**
 * Executions of past days through the real client: the simulator keeps them across its days (its
 * clock moved on with advanceClock) and answers an ExecutionFilter as TWS does: without a time only
 * today's, with one from then on but no further back than the 7 days TWS keeps, and by client id,
 * account, symbol and side. Completed orders of past days are listed too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract, type Execution, type ExecutionFilter } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const MSFT: Contract = { symbol: 'MSFT', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const DAY = 24 * 3600_000;

/** Utc time as an ExecutionFilter takes it: yyyyMMdd-HH:mm:ss. */
function filterTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}

let nextReqId = 100;
function executions(client: ApiClient, filter: ExecutionFilter): Promise<Array<{ ref: string; execution: Execution }>> {
  const reqId = nextReqId++;
  return new Promise((resolve) => {
    const found: Array<{ ref: string; execution: Execution }> = [];
    const onExec = (id: number, _contract: Contract, execution: Execution) => {
      if (id === reqId) found.push({ ref: execution.orderRef ?? '', execution });
    };
    const onEnd = (id: number) => {
      if (id !== reqId) return;
      client.api.off(EventName.execDetails, onExec);
      client.api.off(EventName.execDetailsEnd, onEnd);
      resolve(found);
    };
    client.api.on(EventName.execDetails, onExec);
    client.api.on(EventName.execDetailsEnd, onEnd);
    client.api.reqExecutions(reqId, filter);
  });
}

test('executions of past days: today by default, a time filter back to 7 days, by client, account, symbol and side', async () => {
  const sim = await startSimulator({ accounts: ['DU1111111', 'DU2222222'] });
  try {
    const one = await connectApi(sim, 1);
    const two = await connectApi(sim, 2);
    const statuses = new Map<number, string>();
    for (const c of [one, two]) c.api.on(EventName.orderStatus, (orderId: number, status: string) => statuses.set(orderId, status));
    const fill = async (client: ApiClient, orderId: number, contract: Contract, action: OrderAction, account: string, orderRef: string) => {
      client.api.placeOrder(orderId, contract, { action, totalQuantity: 10, orderType: OrderType.MKT, orderRef, account, transmit: true });
      await waitFor(() => statuses.get(orderId) === 'Filled', `order ${orderRef} filled`);
    };
    // Eight days ago: an AAPL buy; five days ago: an MSFT buy by client 2; today an AAPL sell.
    await fill(one, one.nextValidId, AAPL, OrderAction.BUY, 'DU1111111', 'eight-days');
    sim.advanceClock(3 * DAY);
    await fill(two, one.nextValidId + 10, MSFT, OrderAction.BUY, 'DU1111111', 'five-days');
    sim.advanceClock(5 * DAY);
    await fill(one, one.nextValidId + 20, AAPL, OrderAction.SELL, 'DU1111111', 'today');
    // The simulator's clock runs with the wall clock, 8 days ahead of it now.
    const now = Date.now() + 8 * DAY;
    const refs = async (filter: ExecutionFilter) => (await executions(one, filter)).map((e) => e.ref).sort();

    assert.deepEqual(await refs({}), ['today'], 'without a time: today only, as TWS');
    assert.deepEqual(await refs({ time: filterTime(now - 6 * DAY) }), ['five-days', 'today']);
    assert.deepEqual(await refs({ time: filterTime(now - 30 * DAY) }), ['five-days', 'today'], 'no further back than the 7 days TWS keeps');
    assert.deepEqual(await refs({ time: filterTime(now - 6 * DAY), clientId: '2' }), ['five-days']);
    assert.deepEqual(await refs({ time: filterTime(now - 6 * DAY), acctCode: 'DU1111111' }), ['five-days', 'today']);
    assert.deepEqual(await refs({ time: filterTime(now - 6 * DAY), acctCode: 'DU2222222' }), [], 'the simulator books every order on its first account');
    assert.deepEqual(await refs({ time: filterTime(now - 6 * DAY), symbol: 'MSFT' }), ['five-days']);
    assert.deepEqual(await refs({ time: filterTime(now - 6 * DAY), side: 'SELL' }), ['today']);
    const [old] = await executions(one, { time: filterTime(now - 6 * DAY), symbol: 'MSFT' });
    assert.equal(old!.execution.acctNumber, 'DU1111111');
    assert.equal(old!.execution.clientId, 2);
    assert.match(old!.execution.time ?? '', /^\d{8} \d\d:\d\d:\d\d/);
    const completed: Array<{ ref: string; time: string }> = [];
    let ended = false;
    one.api.on(EventName.completedOrder, (_c: Contract, order: { orderRef?: string }, state: { completedTime?: string }) => completed.push({ ref: order.orderRef ?? '', time: state.completedTime ?? '' }));
    one.api.once(EventName.completedOrdersEnd, () => (ended = true));
    one.api.reqCompletedOrders(false);
    await waitFor(() => ended, 'COMPLETED_ORDERS_END');
    assert.deepEqual(completed.map((c) => c.ref), ['eight-days', 'five-days', 'today'], 'completed orders of past days, oldest first');
    assert.equal(new Set(completed.map((c) => c.time.slice(0, 8))).size, 3, 'each completed on its own day');
    assert.deepEqual([...one.errors, ...two.errors], []);
    one.disconnect();
    two.disconnect();
  } finally {
    await sim.close();
  }
});
