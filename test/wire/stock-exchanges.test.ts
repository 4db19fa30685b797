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
import { fetchBars } from './historical-client';

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

const TOYOTA: Contract = { symbol: '7203', secType: SecType.STK, exchange: 'SMART', currency: 'JPY' };

test('Toyota in Tokyo: TSEJ, JPY, units of 100 shares, two sessions around the lunch break; RTH bars skip it; a buy paid in yen', async () => {
  const sim = await startSimulator({ startingCash: 1_000_000, historicalPacing: false });
  try {
    const next = await connectNext(sim, 3);
    const [details] = await next.ib.getContractDetails(TOYOTA);
    assert.ok(details);
    assert.equal(details.contract.primaryExch, 'TSEJ');
    assert.equal(details.contract.currency, 'JPY');
    assert.equal(details.timeZoneId, 'Japan');
    assert.equal(details.minTick, 0.5);
    assert.deepEqual([details.minSize, details.sizeIncrement], [100, 100]);
    assert.match(details.liquidHours ?? '', /^(\d{8}):0900-\1:1130;\1:1230-\1:1530(;|$)/);
    const [direct] = await next.ib.getContractDetails({ ...TOYOTA, exchange: 'TSEJ' });
    assert.equal(direct?.contract.exchange, 'TSEJ');
    next.disconnect();

    const client = await connectApi(sim, 4);
    // A Tokyo weekday's regular 30-minute bars: 09:00 to 11:30, then 12:30 to 15:30 (00:00-06:30 UTC less the break).
    const bars = await fetchBars(client.api, 1, { contract: TOYOTA, end: '20240315 07:00:00 UTC', duration: '1 D', barSize: '30 mins', useRth: true, formatDate: 2 });
    const starts = bars.map((b) => new Date(Number(b.time) * 1000).toISOString().slice(11, 16));
    assert.deepEqual(starts, ['00:00', '00:30', '01:00', '01:30', '02:00', '03:30', '04:00', '04:30', '05:00', '05:30', '06:00']);

    const fill = await buy(client, { ...TOYOTA, exchange: 'TSEJ' }, 100);
    assert.equal(fill.execution.exchange, 'TSEJ');
    assert.equal(fill.commission.currency, 'JPY');
    assert.ok(Math.abs(fill.execution.price! / 0.5 - Math.round(fill.execution.price! / 0.5)) < 1e-9, `on the 0.5 yen tick: ${fill.execution.price}`);
    const odd = client.nextValidId++;
    client.api.placeOrder(odd, TOYOTA, { action: OrderAction.BUY, totalQuantity: 50, orderType: OrderType.MKT, transmit: true });
    await waitFor(() => client.errors.some((e) => e.reqId === odd), 'the refusal of 50 shares');
    assert.deepEqual(client.errors.map((e) => e.code), [201]);
    assert.match(client.errors[0]!.message, /trades in units of 100 shares: 50 is not a whole number of units/);

    const values = new Map<string, number>();
    let downloaded = false;
    client.api.on(EventName.updateAccountValue, (key: string, value: string, currency: string) => values.set(`${key} ${currency}`, Number(value)));
    client.api.once(EventName.accountDownloadEnd, () => (downloaded = true));
    client.api.reqAccountUpdates(true, 'DU1234567');
    await waitFor(() => downloaded, 'ACCT_DOWNLOAD_END');
    const yen = 100 * fill.execution.price! + fill.commission.commission!;
    assert.ok(Math.abs(values.get('CashBalance JPY')! + yen) < 0.011, `JPY cash ${values.get('CashBalance JPY')} = -${yen}`);
    assert.equal(values.get('CashBalance USD'), 1_000_000);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('Toyota on a USD 100,000 margin account: margin and buying power count the yen at the dollar rate, a buy too large for the dollars is refused with 201 in USD', async () => {
  // 100 shares at about 2,800 yen are about USD 1,900 (USD.JPY about 150): counted as dollars they were
  // 280,000, whose Reg T margin (140,000) the account could not cover, so TWS's paper account refused
  // what any yen trader buys.
  const sim = await startSimulator({ startingCash: 100_000 });
  try {
    const client = await connectApi(sim, 5);
    const rates = new Map<string, number>();
    const fill = await buy(client, { ...TOYOTA, exchange: 'TSEJ' }, 100);
    assert.equal(fill.commission.currency, 'JPY');

    const values = new Map<string, number>();
    let downloaded = false;
    client.api.on(EventName.updateAccountValue, (key: string, value: string, currency: string) => {
      values.set(`${key} ${currency}`, Number(value));
      if (key === 'ExchangeRate') rates.set(currency, Number(value));
    });
    client.api.once(EventName.accountDownloadEnd, () => (downloaded = true));
    client.api.reqAccountUpdates(true, 'DU1234567');
    await waitFor(() => downloaded, 'ACCT_DOWNLOAD_END');
    const jpy = rates.get('JPY')!;
    assert.ok(jpy > 1 / 200 && jpy < 1 / 100, `one yen in dollars: ${jpy}`);
    const yenValue = 100 * fill.execution.price!;
    const dollars = yenValue * jpy;
    // Reg T: 50% initial, 25% maintenance of the position's value in dollars (marked at the last quote: within 1%).
    const initial = values.get('InitMarginReq USD')!;
    assert.ok(Math.abs(initial - dollars * 0.5) < dollars * 0.005, `initial margin ${initial} = half of USD ${dollars.toFixed(2)}`);
    assert.ok(Math.abs(values.get('MaintMarginReq USD')! - dollars * 0.25) < dollars * 0.0025);
    assert.ok(Math.abs(values.get('GrossPositionValue USD')! - dollars) < dollars * 0.01, `position value in dollars: ${values.get('GrossPositionValue USD')}`);
    const net = values.get('NetLiquidation USD')!;
    assert.ok(net > 99_900 && net < 100_000, `net liquidation: the dollars less the commission and the spread (${net})`);
    assert.ok(Math.abs(values.get('BuyingPower USD')! - (net - initial) * 2) < 1, `buying power ${values.get('BuyingPower USD')} = 2 x (${net} - ${initial})`);

    // About USD 370,000 of Toyota (20,000 shares) needs about USD 185,000 of initial margin: refused, in dollars.
    const big = client.nextValidId++;
    client.api.placeOrder(big, TOYOTA, { action: OrderAction.BUY, totalQuantity: 20_000, orderType: OrderType.MKT, transmit: true });
    await waitFor(() => client.errors.some((e) => e.reqId === big), 'the refusal of 20,000 shares');
    const refusal = client.errors.find((e) => e.reqId === big)!;
    assert.equal(refusal.code, 201);
    const amounts = /EQUITY WITH LOAN VALUE \[([\d.]+) USD\] MUST EXCEED THE INITIAL MARGIN \[([\d.]+) USD\]/.exec(refusal.message);
    assert.ok(amounts, refusal.message);
    const needed = Number(amounts[2]);
    const expected = 20_100 * fill.execution.price! * jpy * 0.5;
    assert.ok(Math.abs(needed - expected) < expected * 0.02, `initial margin asked: ${needed}, about ${expected.toFixed(0)}`);
    // 5,000 shares (about USD 90,000, margin 45,000) fit.
    const fits = await buy(client, TOYOTA, 5_000);
    assert.equal(fits.execution.shares, 5_000);
    assert.deepEqual(client.errors.map((e) => e.code), [201]);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
