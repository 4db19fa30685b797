/**
 * A login with two accounts, through the real client: each order is booked on its order.account (the
 * first account when it names none, as TWS books it), an account the login does not manage is error
 * 321, and positions, executions, the account summary, the account updates and the P&L are each
 * account's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract, type Execution, type Order } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const FIRST = 'DU1110001';
const SECOND = 'DU2220002';

async function place(client: ApiClient, order: Partial<Order>): Promise<number> {
  const id = client.nextValidId++;
  client.api.placeOrder(id, AAPL, { orderType: OrderType.MKT, transmit: true, ...order } as Order);
  return id;
}

async function filled(client: ApiClient, id: number): Promise<void> {
  let done = false;
  client.api.on(EventName.orderStatus, (orderId: number, status: string) => {
    if (orderId === id && status === 'Filled') done = true;
  });
  await waitFor(() => done, `order ${id} filled`);
}

test('each order is booked on its own account; positions, executions, summary, updates and P&L per account', async () => {
  const sim = await startSimulator({ accounts: [FIRST, SECOND], startingCash: 100_000 });
  try {
    const client = await connectApi(sim, 1);
    assert.equal(client.accounts, `${FIRST},${SECOND}`);
    const opened = new Map<number, string>();
    client.api.on(EventName.openOrder, (orderId: number, _contract: Contract, order: Order) => opened.set(orderId, order.account ?? ''));

    const second = await place(client, { action: OrderAction.BUY, totalQuantity: 30, account: SECOND });
    await filled(client, second);
    const first = await place(client, { action: OrderAction.SELL, totalQuantity: 10 });
    await filled(client, first);
    assert.equal(opened.get(second), SECOND, 'OPEN_ORDER names the account the order is booked on');
    assert.equal(opened.get(first), FIRST, 'an order without an account is booked on the first');

    const unknown = await place(client, { action: OrderAction.BUY, totalQuantity: 1, account: 'DU9999999' });
    await waitFor(() => client.errors.some((e) => e.reqId === unknown), 'the refusal of an unknown account');
    assert.equal(client.errors.find((e) => e.reqId === unknown)?.code, 321);
    client.errors.length = 0;

    // A working order cannot move to another account by a modification.
    const resting = client.nextValidId++;
    client.api.placeOrder(resting, AAPL, { action: OrderAction.BUY, totalQuantity: 5, orderType: OrderType.LMT, lmtPrice: 1, account: SECOND, transmit: true });
    await waitFor(() => opened.get(resting) === SECOND, 'the resting order');
    client.api.placeOrder(resting, AAPL, { action: OrderAction.BUY, totalQuantity: 6, orderType: OrderType.LMT, lmtPrice: 1, account: FIRST, transmit: true });
    await waitFor(() => client.errors.some((e) => e.reqId === resting), 'the refused move');
    assert.equal(client.errors.find((e) => e.reqId === resting)?.code, 321);
    assert.deepEqual(sim.engines.get(FIRST)!.openOrders(), []);
    assert.equal(sim.engines.get(SECOND)!.openOrders().length, 1);
    client.api.cancelOrder(resting);
    await waitFor(() => sim.engines.get(SECOND)!.openOrders().length === 0, 'the cancel on its own account');
    client.errors.length = 0;

    const positions: Array<[string, string | undefined, number]> = [];
    let positionEnd = false;
    client.api.on(EventName.position, (account: string, contract: Contract, pos: number) => positions.push([account, contract.symbol, pos]));
    client.api.once(EventName.positionEnd, () => (positionEnd = true));
    client.api.reqPositions();
    await waitFor(() => positionEnd, 'POSITION_END');
    assert.deepEqual(positions.sort(), [[FIRST, 'AAPL', -10], [SECOND, 'AAPL', 30]]);

    const executions = new Map<number, string[]>();
    const ended = new Set<number>();
    client.api.on(EventName.execDetails, (reqId: number, _contract: Contract, execution: Execution) => executions.set(reqId, [...(executions.get(reqId) ?? []), `${execution.acctNumber} ${execution.side} ${execution.shares}`]));
    client.api.on(EventName.execDetailsEnd, (reqId: number) => ended.add(reqId));
    client.api.reqExecutions(11, { acctCode: FIRST });
    client.api.reqExecutions(12, { acctCode: SECOND });
    await waitFor(() => ended.has(11) && ended.has(12), 'both execution lists');
    assert.deepEqual(executions.get(11), [`${FIRST} SLD 10`]);
    assert.deepEqual(executions.get(12), [`${SECOND} BOT 30`]);

    const summary = new Map<string, number>();
    let summaryEnd = false;
    client.api.on(EventName.accountSummary, (reqId: number, account: string, tag: string, value: string) => reqId === 3 && summary.set(`${account} ${tag}`, Number(value)));
    client.api.once(EventName.accountSummaryEnd, () => (summaryEnd = true));
    client.api.reqAccountSummary(3, 'All', 'NetLiquidation,TotalCashValue,GrossPositionValue');
    await waitFor(() => summaryEnd, 'ACCOUNT_SUMMARY_END');
    assert.ok(summary.get(`${FIRST} TotalCashValue`)! > 100_000, `the short sale's proceeds are the first account's cash (${summary.get(`${FIRST} TotalCashValue`)})`);
    assert.ok(summary.get(`${SECOND} TotalCashValue`)! < 100_000 - 30 * 100, `the second account paid for its shares (${summary.get(`${SECOND} TotalCashValue`)})`);
    for (const account of [FIRST, SECOND]) {
      const nl = summary.get(`${account} NetLiquidation`)!;
      assert.ok(nl < 100_000 && nl > 99_900, `${account} lost its commission and spread only (${nl})`);
    }

    const portfolio = new Map<string, string[]>();
    const downloaded = new Set<string>();
    client.api.on(EventName.updatePortfolio, (contract: Contract, position: number, _price: number, _value: number, _avg?: number, _u?: number, _r?: number, account?: string) =>
      portfolio.set(account ?? '', [...(portfolio.get(account ?? '') ?? []), `${contract.symbol} ${position}`]),
    );
    client.api.on(EventName.accountDownloadEnd, (account: string) => downloaded.add(account));
    client.api.reqAccountUpdates(true, SECOND);
    await waitFor(() => downloaded.has(SECOND), 'the second account downloaded');
    client.api.reqAccountUpdates(false, SECOND);
    client.api.reqAccountUpdates(true, FIRST);
    await waitFor(() => downloaded.has(FIRST), 'the first account downloaded');
    assert.deepEqual(portfolio.get(SECOND), ['AAPL 30']);
    assert.deepEqual(portfolio.get(FIRST), ['AAPL -10']);

    const pnl = new Map<number, number>();
    client.api.on(EventName.pnlSingle, (reqId: number, pos: number) => pnl.set(reqId, pos));
    client.api.reqPnLSingle(21, FIRST, '', 265598);
    client.api.reqPnLSingle(22, SECOND, '', 265598);
    client.api.reqPnL(23, 'DU9999999', '');
    await waitFor(() => pnl.has(21) && pnl.has(22) && client.errors.some((e) => e.reqId === 23), 'the P&L of each account');
    assert.deepEqual([pnl.get(21), pnl.get(22)], [-10, 30]);
    assert.equal(client.errors.find((e) => e.reqId === 23)?.code, 321);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
