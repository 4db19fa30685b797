/**
 * The simulator's account streams, through the real client: at TWS's cadence (the P&L every second,
 * the summary and the account updates on a fill and every 3 minutes of the market's clock), and
 * consistent with each other whenever they go out: each batch of account updates (closed by its
 * update time) has NetLiquidation = TotalCashValue + the portfolio's market values, at the prices the
 * portfolio shows, and the account summary and the per-position P&L sent with it say the same (the
 * answer to a new subscription goes at once, before the next beat).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract } from '@stoqey/ib';
import { connectApi, delay, startSimulator, waitFor, type ApiClient } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const MSFT: Contract = { symbol: 'MSFT', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const AAPL_CONID = 265598;

async function buy(client: ApiClient, contract: Contract, quantity: number): Promise<void> {
  let filled = false;
  const id = client.nextValidId++;
  client.api.on(EventName.orderStatus, (orderId: number, status: string) => {
    if (orderId === id && status === 'Filled') filled = true;
  });
  client.api.placeOrder(id, contract, { action: OrderAction.BUY, totalQuantity: quantity, orderType: OrderType.MKT, transmit: true });
  await waitFor(() => filled, `the ${contract.symbol} fill`);
}

test('at every account update NetLiquidation = TotalCashValue + market value, in the summary, the account updates and the P&L alike', async () => {
  // At 60x the market's 3 minutes pass in 3 s of wall clock.
  const sim = await startSimulator({ startingCash: 100_000, ticksPerSecond: 10, clockSpeed: 60 });
  try {
    const client = await connectApi(sim, 1);
    await buy(client, AAPL, 100);
    await buy(client, MSFT, 50);

    const summary = new Map<string, number>();
    let summaries = 0;
    client.api.on(EventName.accountSummary, (reqId: number, _account: string, tag: string, value: string) => {
      if (reqId !== 3) return;
      summary.set(tag, Number(value));
      if (tag === 'NetLiquidation') summaries++;
    });
    client.api.reqAccountSummary(3, 'All', 'NetLiquidation,TotalCashValue,GrossPositionValue');
    let pnlValue = Number.NaN;
    client.api.on(EventName.pnlSingle, (reqId: number, _pos: number, _daily: number, _unrealized: number | undefined, _realized: number | undefined, value: number) => {
      if (reqId === 4) pnlValue = value;
    });
    client.api.reqPnLSingle(4, 'DU1234567', '', AAPL_CONID);
    await waitFor(() => summary.has('NetLiquidation') && Number.isFinite(pnlValue), 'the summary and the P&L');

    const values = new Map<string, number>();
    const marketValues = new Map<number, number>();
    const checks: Array<{ nl: number; cash: number; value: number; summaryNl: number; summaryCash: number; gross: number; pnl: number; aapl: number }> = [];
    client.api.on(EventName.updateAccountValue, (key: string, value: string, currency: string) => currency === 'USD' && values.set(key, Number(value)));
    client.api.on(EventName.updatePortfolio, (contract: Contract, _position: number, _price: number, marketValue: number) => marketValues.set(contract.conId ?? 0, marketValue));
    client.api.on(EventName.updateAccountTime, () => {
      const value = [...marketValues.values()].reduce((a, b) => a + b, 0);
      checks.push({
        nl: values.get('NetLiquidation')!,
        cash: values.get('TotalCashValue')!,
        value,
        summaryNl: summary.get('NetLiquidation')!,
        summaryCash: summary.get('TotalCashValue')!,
        gross: summary.get('GrossPositionValue')!,
        pnl: pnlValue,
        aapl: marketValues.get(AAPL_CONID)!,
      });
    });
    client.api.reqAccountUpdates(true, 'DU1234567');
    const summariesBefore = summaries;
    await delay(7500);
    // 7.5 s at 60x is 7.5 minutes of market time: two or three refreshes of 3 minutes, no more.
    assert.ok(checks.length >= 3 && checks.length <= 4, `the first answer, then an account update every 3 minutes of market time (${checks.length} in 7.5 minutes)`);
    const refreshes = summaries - summariesBefore;
    assert.ok(refreshes >= 2 && refreshes <= 3, `the summary every 3 minutes of market time (${refreshes} in 7.5 minutes)`);
    assert.ok(new Set(checks.map((c) => c.nl)).size >= 2, 'NetLiquidation moved with the prices');
    for (const [i, c] of checks.entries()) {
      const at = `update ${i + 1}: ${JSON.stringify(c)}`;
      assert.ok(Math.abs(c.nl - (c.cash + c.value)) < 0.011, `account updates: NetLiquidation = TotalCashValue + market value (${at})`);
      // The first answer goes at the subscription, alone; every later one on the beat with the others.
      if (i === 0) continue;
      assert.ok(Math.abs(c.summaryNl - c.nl) < 0.011, `the summary's NetLiquidation is the account updates' (${at})`);
      assert.ok(Math.abs(c.summaryCash - c.cash) < 0.011, `the summary's cash is the account updates' (${at})`);
      assert.ok(Math.abs(c.gross - c.value) < 0.011, `GrossPositionValue is the portfolio's market value (${at})`);
      assert.ok(Math.abs(c.pnl - c.aapl) < 0.011, `the P&L stream's market value is the portfolio's (${at})`);
    }
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('between two refreshes only the P&L moves, once a second, as at TWS', async () => {
  const sim = await startSimulator({ startingCash: 100_000, ticksPerSecond: 10 });
  try {
    const client = await connectApi(sim, 1);
    await buy(client, AAPL, 100);
    let summaries = 0;
    let updates = 0;
    let pnls = 0;
    client.api.on(EventName.accountSummary, (reqId: number, _account: string, tag: string) => reqId === 5 && tag === 'NetLiquidation' && summaries++);
    client.api.on(EventName.updateAccountTime, () => updates++);
    client.api.on(EventName.pnl, (reqId: number) => reqId === 6 && pnls++);
    client.api.reqAccountSummary(5, 'All', 'NetLiquidation');
    client.api.reqAccountUpdates(true, 'DU1234567');
    client.api.reqPnL(6, 'DU1234567', '');
    await delay(3300);
    assert.equal(summaries, 1, 'the summary answered once, not again within 3 minutes');
    assert.equal(updates, 1, 'the account updates answered once, not again within 3 minutes');
    assert.ok(pnls >= 3 && pnls <= 5, `the P&L at once and every second (${pnls} in 3.3 s)`);
    // A fill refreshes both at once.
    await buy(client, MSFT, 10);
    await waitFor(() => summaries === 2 && updates === 2, 'the summary and the account updates after the fill');
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
