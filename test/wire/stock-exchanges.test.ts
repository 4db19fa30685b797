/**
 * Stocks beyond the US, and direct routing, through the real @stoqey/ib clients: SAP on Xetra (IBIS) in
 * EUR with its listing's tick, zone and hours; a US stock qualified and traded on one venue (ISLAND,
 * NYSE) instead of SMART, its executions naming that venue; and a buy of SAP paid out of EUR cash,
 * commission included, as TWS books it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type CommissionReport, type Contract, type Execution } from '@stoqey/ib';
import { connectApi, connectNext, startSimulator, waitFor, type ApiClient } from './harness';

test('SAP on Xetra: EUR, primary exchange IBIS, its tick, zone and hours; qualified on SMART and on IBIS', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectNext(sim, 1);
    const [smart, ...more] = await client.ib.getContractDetails({ symbol: 'SAP', secType: SecType.STK, exchange: 'SMART', currency: 'EUR' });
    assert.ok(smart);
    assert.equal(more.length, 0);
    assert.equal(smart.contract.conId, 14204);
    assert.equal(smart.contract.exchange, 'SMART');
    assert.equal(smart.contract.primaryExch, 'IBIS');
    assert.equal(smart.contract.currency, 'EUR');
    assert.equal(smart.contract.tradingClass, 'XETRA');
    assert.equal(smart.minTick, 0.02);
    assert.equal(smart.timeZoneId, 'MET');
    assert.ok((smart.validExchanges ?? '').split(',').includes('IBIS'), `IBIS among ${smart.validExchanges}`);
    assert.match(smart.liquidHours ?? '', /\d{8}:0900-\d{8}:1730/);
    assert.equal(smart.marketRuleIds?.split(',').length, smart.validExchanges?.split(',').length, 'one market rule per venue');
    assert.deepEqual(smart.secIdList, [{ tag: 'ISIN', value: 'DE0007164600' }]);

    const [ibis] = await client.ib.getContractDetails({ symbol: 'SAP', secType: SecType.STK, exchange: 'IBIS', currency: 'EUR' });
    assert.equal(ibis?.contract.exchange, 'IBIS', 'asked on IBIS, answered on IBIS');
    assert.equal(ibis?.contract.conId, 14204);
    // Named by its symbol alone: the one SAP there is.
    const [bySymbol] = await client.ib.getContractDetails({ symbol: 'SAP', secType: SecType.STK });
    assert.equal(bySymbol?.contract.currency, 'EUR');
    // A US stock asked on its venues: NASDAQ's is ISLAND at IB (NASDAQ is the listing only).
    for (const exchange of ['ISLAND', 'NYSE', 'ARCA']) {
      const [aapl] = await client.ib.getContractDetails({ symbol: 'AAPL', secType: SecType.STK, exchange, currency: 'USD' });
      assert.equal(aapl?.contract.exchange, exchange);
      assert.equal(aapl?.contract.primaryExch, 'NASDAQ');
    }
    await assert.rejects(client.ib.getContractDetails({ symbol: 'AAPL', secType: SecType.STK, exchange: 'IBIS', currency: 'USD' }), /No security definition/);
    await assert.rejects(client.ib.getContractDetails({ symbol: 'SAP', secType: SecType.STK, exchange: 'SMART', currency: 'USD' }), /No security definition/);
    assert.deepEqual(client.logger.problems, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

interface Fill {
  contract: Contract;
  execution: Execution;
  commission: CommissionReport;
}

async function buy(client: ApiClient, contract: Contract, quantity: number): Promise<Fill> {
  const id = client.nextValidId++;
  let fill: Omit<Fill, 'commission'> | undefined;
  let commission: CommissionReport | undefined;
  client.api.on(EventName.execDetails, (_reqId: number, c: Contract, execution: Execution) => {
    if (execution.orderId === id) fill = { contract: c, execution };
  });
  client.api.on(EventName.commissionReport, (report: CommissionReport) => {
    if (fill && report.execId === fill.execution.execId) commission = report;
  });
  client.api.placeOrder(id, contract, { action: OrderAction.BUY, totalQuantity: quantity, orderType: OrderType.MKT, transmit: true });
  await waitFor(() => commission !== undefined, `the ${contract.symbol} fill and its commission`);
  return { ...fill!, commission: commission! };
}

test('direct routing: AAPL sent to NYSE executes there; SAP on IBIS is paid in EUR, commission included', async () => {
  const sim = await startSimulator({ startingCash: 100_000 });
  try {
    const client = await connectApi(sim, 2);
    const aapl = await buy(client, { symbol: 'AAPL', secType: SecType.STK, exchange: 'NYSE', currency: 'USD' }, 10);
    assert.equal(aapl.execution.exchange, 'NYSE');
    assert.equal(aapl.contract.exchange, 'NYSE');
    assert.equal(aapl.commission.currency, 'USD');
    const smart = await buy(client, { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' }, 10);
    assert.equal(smart.execution.exchange, 'NASDAQ', 'SMART routed: reported on the listing, as before');

    const sap = await buy(client, { symbol: 'SAP', secType: SecType.STK, exchange: 'IBIS', currency: 'EUR' }, 10);
    assert.equal(sap.execution.exchange, 'IBIS');
    assert.equal(sap.contract.currency, 'EUR');
    assert.equal(sap.commission.currency, 'EUR');
    assert.ok(sap.execution.price! > 100 && sap.execution.price! < 400, `a euro price: ${sap.execution.price}`);
    assert.ok(Math.abs(sap.execution.price! / 0.02 - Math.round(sap.execution.price! / 0.02)) < 1e-6, `on Xetra's 0.02 tick: ${sap.execution.price}`);

    // The executions a filter on the venue lists.
    const listed: string[] = [];
    let ended = false;
    client.api.on(EventName.execDetails, (reqId: number, _c: Contract, e: Execution) => reqId === 7 && listed.push(`${e.orderId}@${e.exchange}`));
    client.api.once(EventName.execDetailsEnd, () => (ended = true));
    client.api.reqExecutions(7, { exchange: 'NYSE' });
    await waitFor(() => ended, 'EXECUTION_DATA_END');
    assert.deepEqual(listed, [`${aapl.execution.orderId}@NYSE`]);

    const values = new Map<string, number>();
    const portfolio = new Map<string, { currency: string; position: number }>();
    let downloaded = false;
    client.api.on(EventName.updateAccountValue, (key: string, value: string, currency: string) => values.set(`${key} ${currency}`, Number(value)));
    client.api.on(EventName.updatePortfolio, (c: Contract, position: number) => portfolio.set(c.symbol ?? '', { currency: c.currency ?? '', position }));
    client.api.once(EventName.accountDownloadEnd, () => (downloaded = true));
    client.api.reqAccountUpdates(true, 'DU1234567');
    await waitFor(() => downloaded, 'ACCT_DOWNLOAD_END');
    const eurPaid = 10 * sap.execution.price! + sap.commission.commission!;
    assert.ok(Math.abs(values.get('CashBalance EUR')! + eurPaid) < 0.011, `EUR cash ${values.get('CashBalance EUR')} = -${eurPaid}`);
    const usdPaid = 10 * aapl.execution.price! + aapl.commission.commission! + 10 * smart.execution.price! + smart.commission.commission!;
    assert.ok(Math.abs(values.get('CashBalance USD')! - (100_000 - usdPaid)) < 0.011, `USD cash ${values.get('CashBalance USD')} paid only the AAPL buys`);
    assert.deepEqual(portfolio.get('SAP'), { currency: 'EUR', position: 10 });
    assert.deepEqual(portfolio.get('AAPL'), { currency: 'USD', position: 20 });
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
