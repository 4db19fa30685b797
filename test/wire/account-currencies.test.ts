/**
 * Cash per currency, through the real client: a long EUR.USD is EUR cash bought with USD, a long
 * USD.JPY is USD cash bought with yen. The account updates list each currency's CashBalance,
 * NetLiquidationByCurrency and ExchangeRate (one unit in USD, the base) and a BASE row of every
 * currency together, and the account summary's TotalCashValue and NetLiquidation are those totals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type CommissionReport, type Contract, type Execution } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';

const EURUSD: Contract = { symbol: 'EUR', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'USD' };
const USDJPY: Contract = { symbol: 'USD', secType: SecType.CASH, exchange: 'IDEALPRO', currency: 'JPY' };

interface Fill {
  price: number;
  commission: number;
}

async function buy(client: ApiClient, contract: Contract, quantity: number): Promise<Fill> {
  const id = client.nextValidId++;
  let execId = '';
  let price = 0;
  let commission = Number.NaN;
  client.api.on(EventName.execDetails, (_reqId: number, _contract: Contract, execution: Execution) => {
    if (execution.orderId !== id) return;
    execId = execution.execId ?? '';
    price = execution.price ?? 0;
  });
  client.api.on(EventName.commissionReport, (report: CommissionReport) => {
    if (report.execId === execId) commission = report.commission ?? 0;
  });
  client.api.placeOrder(id, contract, { action: OrderAction.BUY, totalQuantity: quantity, orderType: OrderType.MKT, transmit: true });
  await waitFor(() => Number.isFinite(commission), `the ${contract.symbol}.${contract.currency} fill and its commission`);
  return { price, commission };
}

test('a pair quoted in another currency: cash per currency, each ExchangeRate, and the BASE totals', async () => {
  const sim = await startSimulator({ startingCash: 100_000 });
  try {
    const client = await connectApi(sim, 1);
    const eur = await buy(client, EURUSD, 20_000);
    const jpy = await buy(client, USDJPY, 10_000);

    const values = new Map<string, number>();
    let downloaded = false;
    client.api.on(EventName.updateAccountValue, (key: string, value: string, currency: string) => values.set(`${key} ${currency}`, Number(value)));
    client.api.once(EventName.accountDownloadEnd, () => (downloaded = true));
    client.api.reqAccountUpdates(true, 'DU1234567');
    await waitFor(() => downloaded, 'ACCT_DOWNLOAD_END');
    const value = (key: string) => {
      assert.ok(values.has(key), `${key} is reported (${[...values.keys()].filter((k) => k.startsWith(key.split(' ')[0])).join(', ')})`);
      return values.get(key)!;
    };

    // What each currency holds, in its own amounts.
    assert.equal(value('CashBalance EUR'), 20_000);
    // A pair's commission is charged in the currency it is quoted in (the commission report says which):
    // USD for EUR.USD, yen for USD.JPY, IB's USD 2 minimum at the rate of the fill.
    assert.ok(Math.abs(value('CashBalance JPY') + 10_000 * jpy.price + jpy.commission) < 0.011, `yen paid for the dollars and the commission: ${value('CashBalance JPY')}`);
    assert.ok(Math.abs(jpy.commission / jpy.price - 2) < 0.01, `the USD.JPY commission is USD 2 in yen: ${jpy.commission}`);
    assert.equal(eur.commission, 2);
    const usdCash = 100_000 - 20_000 * eur.price - eur.commission + 10_000;
    assert.ok(Math.abs(value('CashBalance USD') - usdCash) < 0.011, `USD: paid for the euros and the commissions, received the dollars: ${value('CashBalance USD')} vs ${usdCash}`);
    // Each currency's rate in the base currency (USD), and the BASE row their sum.
    assert.equal(value('ExchangeRate USD'), 1);
    assert.equal(value('ExchangeRate BASE'), 1);
    const eurRate = value('ExchangeRate EUR');
    const jpyRate = value('ExchangeRate JPY');
    assert.ok(Math.abs(eurRate - eur.price) < 0.01, `EUR at about its fill ${eur.price}: ${eurRate}`);
    assert.ok(Math.abs(jpyRate - 1 / jpy.price) < 0.0001, `JPY at about 1 / ${jpy.price}: ${jpyRate}`);
    const total = value('CashBalance USD') + value('CashBalance EUR') * eurRate + value('CashBalance JPY') * jpyRate;
    assert.ok(Math.abs(value('CashBalance BASE') - total) < 0.05, `BASE cash ${value('CashBalance BASE')} = every currency at its rate ${total}`);
    assert.ok(Math.abs(value('NetLiquidationByCurrency BASE') - total) < 0.05, 'forex held is cash: net liquidation is the cash');
    // The account's totals are the BASE row; a currency held is no position value.
    assert.ok(Math.abs(value('TotalCashValue USD') - value('CashBalance BASE')) < 0.011);
    assert.ok(Math.abs(value('NetLiquidation USD') - value('NetLiquidationByCurrency BASE')) < 0.011);
    assert.equal(value('GrossPositionValue USD'), 0);
    // Only the commissions and the spread are lost: the yen are not counted as dollars.
    assert.ok(value('NetLiquidation USD') > 99_900 && value('NetLiquidation USD') < 100_000, `net liquidation ${value('NetLiquidation USD')}`);

    const summary = new Map<string, number>();
    let summaryEnd = false;
    client.api.on(EventName.accountSummary, (reqId: number, _account: string, tag: string, v: string, currency: string) => reqId === 5 && summary.set(`${tag} ${currency}`, Number(v)));
    client.api.once(EventName.accountSummaryEnd, () => (summaryEnd = true));
    client.api.reqAccountSummary(5, 'All', 'NetLiquidation,TotalCashValue,$LEDGER:ALL');
    await waitFor(() => summaryEnd, 'ACCOUNT_SUMMARY_END');
    assert.ok(Math.abs(summary.get('NetLiquidation USD')! - value('NetLiquidation USD')) < 0.011);
    assert.ok(Math.abs(summary.get('TotalCashValue USD')! - value('TotalCashValue USD')) < 0.011);
    assert.equal(summary.get('CashBalance EUR'), 20_000);
    assert.equal(summary.get('ExchangeRate EUR'), eurRate);
    assert.ok(Math.abs(summary.get('CashBalance BASE')! - value('CashBalance BASE')) < 0.011);
    // USD 10,000 is below IDEALPRO's USD 25,000: TWS's odd-lot warning, the order filled all the same.
    assert.deepEqual(client.errors.map((e) => e.code), [399]);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
