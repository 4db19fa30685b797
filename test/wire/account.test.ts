/**
 * Positions, account summary, account updates and PnL of the simulator's account, moving with fills,
 * through IBApi at both ends of the version range and through IBApiNext.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract } from '@stoqey/ib';
import { firstValueFrom, filter } from 'rxjs';
import { connectApi, connectNext, startSimulator, waitFor, type ApiClient } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

async function buy(client: ApiClient, quantity: number): Promise<void> {
  let filled = false;
  const id = client.nextValidId++;
  client.api.on(EventName.orderStatus, (orderId: number, status: string) => {
    if (orderId === id && status === 'Filled') filled = true;
  });
  client.api.placeOrder(id, AAPL, { action: OrderAction.BUY, totalQuantity: quantity, orderType: OrderType.MKT, transmit: true });
  await waitFor(() => filled, 'the fill');
}

for (const version of [176, 193]) {
  test(`positions, summary, account updates and PnL at server version ${version}`, async () => {
    const sim = await startSimulator({ maxServerVersion: version, startingCash: 100_000, accounts: ['DU5550001'] });
    try {
      const client = await connectApi(sim, 1);
      await buy(client, 100);
      const positions: Array<{ account: string; symbol?: string; pos: number; avgCost: number }> = [];
      let positionEnd = false;
      client.api.on(EventName.position, (account: string, contract: Contract, pos: number, avgCost?: number) =>
        positions.push({ account, symbol: contract.symbol, pos, avgCost: avgCost ?? 0 }),
      );
      client.api.once(EventName.positionEnd, () => (positionEnd = true));
      client.api.reqPositions();
      await waitFor(() => positionEnd, 'POSITION_END');
      assert.deepEqual(positions.map((p) => [p.account, p.symbol, p.pos]), [['DU5550001', 'AAPL', 100]]);
      assert.ok(positions[0].avgCost > 100);

      const summary = new Map<string, string>();
      let summaryEnd = false;
      client.api.on(EventName.accountSummary, (reqId: number, _account: string, tag: string, value: string) => reqId === 3 && summary.set(tag, value));
      client.api.once(EventName.accountSummaryEnd, () => (summaryEnd = true));
      client.api.reqAccountSummary(3, 'All', 'NetLiquidation,TotalCashValue,BuyingPower,AvailableFunds,GrossPositionValue');
      await waitFor(() => summaryEnd, 'ACCOUNT_SUMMARY_END');
      assert.deepEqual([...summary.keys()].sort(), ['AvailableFunds', 'BuyingPower', 'GrossPositionValue', 'NetLiquidation', 'TotalCashValue']);
      const cash = Number(summary.get('TotalCashValue'));
      const gross = Number(summary.get('GrossPositionValue'));
      assert.ok(cash < 100_000 - 100 * 100, `cash ${cash} paid for the shares`);
      assert.ok(Math.abs(Number(summary.get('NetLiquidation')) - (cash + gross)) < 0.05);

      const values = new Map<string, string>();
      const portfolio: Array<{ symbol?: string; position: number }> = [];
      let downloaded = false;
      client.api.on(EventName.updateAccountValue, (key: string, value: string) => values.set(key, value));
      client.api.on(EventName.updatePortfolio, (contract: Contract, position: number) => portfolio.push({ symbol: contract.symbol, position }));
      client.api.once(EventName.accountDownloadEnd, () => (downloaded = true));
      client.api.reqAccountUpdates(true, 'DU5550001');
      await waitFor(() => downloaded, 'ACCT_DOWNLOAD_END');
      assert.ok(values.has('NetLiquidation') && values.has('CashBalance'));
      assert.deepEqual(portfolio.at(-1), { symbol: 'AAPL', position: 100 });

      const pnl: number[] = [];
      const single: Array<{ pos: number; value: number }> = [];
      client.api.on(EventName.pnl, (_reqId: number, daily: number) => pnl.push(daily));
      client.api.on(EventName.pnlSingle, (_reqId: number, pos: number, _d: number, _u: number | undefined, _r: number | undefined, value: number) => single.push({ pos, value }));
      client.api.reqPnL(4, 'DU5550001', '');
      client.api.reqPnLSingle(5, 'DU5550001', '', 265598);
      await waitFor(() => pnl.length >= 1 && single.length >= 1, 'PnL messages');
      assert.equal(single[0].pos, 100);
      assert.ok(single[0].value > 10_000);
      // A second fill moves the position and the summary subscription.
      await buy(client, 50);
      await waitFor(() => positions.some((p) => p.pos === 150), 'the position update');
      client.api.cancelPnL(4);
      client.api.cancelPnLSingle(5);
      client.api.cancelPositions();
      client.api.cancelAccountSummary(3);
      client.api.reqAccountUpdates(false, 'DU5550001');
      assert.deepEqual(client.errors, []);
      client.disconnect();
    } finally {
      await sim.close();
    }
  });
}

test('IBApiNext positions, account summary and PnL', async () => {
  const sim = await startSimulator();
  try {
    const api = await connectApi(sim, 1);
    await buy(api, 10);
    const client = await connectNext(sim, 2);
    const positions = await firstValueFrom(client.ib.getPositions().pipe(filter((u) => (u.all.get('DU1234567')?.length ?? 0) > 0)));
    assert.equal(positions.all.get('DU1234567')![0].pos, 10);
    const summary = await firstValueFrom(client.ib.getAccountSummary('All', 'NetLiquidation').pipe(filter((u) => u.all.size > 0)));
    const value = summary.all.get('DU1234567')?.get('NetLiquidation')?.get('USD')?.value;
    assert.ok(Number(value) > 0);
    const pnl = await firstValueFrom(client.ib.getPnL('DU1234567'));
    assert.equal(typeof pnl.dailyPnL, 'number');
    assert.deepEqual(client.logger.problems, []);
    client.disconnect();
    api.disconnect();
  } finally {
    await sim.close();
  }
});
