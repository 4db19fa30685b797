/**
 * An option from its chain to a filled order, through the real @stoqey/ib client: qualify the
 * underlying, read its chain (reqSecDefOptParams), qualify one call, buy 3 at market; the execution is
 * per share, the commission per contract, POSITION and PORTFOLIO avgCost = price x 100 (commission
 * included), market value = contracts x price x 100, and the cash paid is the premium x 100, as TWS
 * reports an equity option. Selling closes it with the realized P&L counted the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type CommissionReport, type Contract, type ContractDetails, type Execution } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';

const START = 100_000;
const CONTRACTS = 3;
const near = (a: number, b: number, eps = 0.01) => Math.abs(a - b) <= eps;

async function details(client: ApiClient, reqId: number, contract: Contract): Promise<ContractDetails[]> {
  const found: ContractDetails[] = [];
  let ended = false;
  client.api.on(EventName.contractDetails, (id: number, d: ContractDetails) => id === reqId && found.push(d));
  client.api.on(EventName.contractDetailsEnd, (id: number) => id === reqId && (ended = true));
  client.api.reqContractDetails(reqId, contract);
  await waitFor(() => ended, `contract details ${reqId}`);
  return found;
}

test('an AAPL call from the chain to a fill: multiplier 100 in executions, positions, portfolio, cash and P&L', async () => {
  const sim = await startSimulator({ startingCash: START, accounts: ['DU5550003'] });
  try {
    const client = await connectApi(sim, 1);
    const [aapl] = await details(client, 1, { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' });
    let expirations: string[] = [];
    let strikes: number[] = [];
    client.api.on(EventName.securityDefinitionOptionParameter, (_id: number, exchange: string, _u: number, _tc: string, _m: string, e: string[], s: number[]) => {
      if (exchange === 'SMART') {
        expirations = e;
        strikes = s;
      }
    });
    client.api.reqSecDefOptParams(2, 'AAPL', '', SecType.STK, aapl!.contract.conId!);
    await waitFor(() => strikes.length > 0, 'the chain');
    const [call] = await details(client, 3, { symbol: 'AAPL', secType: SecType.OPT, exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: expirations[3], strike: strikes[20], right: 'C' as Contract['right'] });
    const option: Contract = { ...call!.contract, exchange: 'SMART' };
    assert.equal(option.multiplier, 100);

    const fills = new Map<string, { contract: Contract; execution: Execution; report?: CommissionReport }>();
    client.api.on(EventName.execDetails, (_reqId: number, contract: Contract, execution: Execution) => fills.set(execution.execId!, { contract, execution }));
    client.api.on(EventName.commissionReport, (report: CommissionReport) => {
      const fill = fills.get(report.execId!);
      if (fill) fill.report = report;
    });
    const trade = async (action: OrderAction) => {
      const id = client.nextValidId++;
      client.api.placeOrder(id, option, { action, totalQuantity: CONTRACTS, orderType: OrderType.MKT, transmit: true });
      await waitFor(() => [...fills.values()].some((f) => f.execution.orderId === id && f.report !== undefined), `the ${action} fill`);
      return [...fills.values()].find((f) => f.execution.orderId === id)!;
    };
    const buy = await trade(OrderAction.BUY);
    const premium = buy.execution.price!;
    assert.ok(premium > 0.05 && premium < 60, `execution price ${premium} is per share of the underlying`);
    assert.equal(buy.execution.shares, CONTRACTS);
    assert.equal(buy.contract.secType, 'OPT');
    assert.equal(buy.contract.strike, strikes[20]);
    assert.equal(buy.contract.right, 'C');
    const commission = buy.report!.commission!;
    assert.ok(commission >= 1 && commission <= CONTRACTS * 0.7 + 1e-9, `IB tiered US options commission, at most USD 0.70 a contract (USD 1 minimum): ${commission}`);

    const positions: Array<{ pos: number; avgCost: number; contract: Contract }> = [];
    let positionEnd = false;
    client.api.on(EventName.position, (_account: string, contract: Contract, pos: number, avgCost?: number) => {
      if (contract.secType === 'OPT') positions.push({ pos, avgCost: avgCost ?? NaN, contract });
    });
    client.api.once(EventName.positionEnd, () => (positionEnd = true));
    client.api.reqPositions();
    await waitFor(() => positionEnd, 'POSITION_END');
    const position = positions.at(-1)!;
    assert.equal(position.pos, CONTRACTS);
    assert.equal(position.contract.multiplier, 100);
    assert.equal(position.contract.strike, strikes[20]);
    assert.ok(near(position.avgCost, premium * 100 + commission / CONTRACTS, 1e-6), `avgCost ${position.avgCost} per contract = ${premium} x 100 + commission`);

    const portfolio: Array<{ position: number; marketPrice: number; marketValue: number; averageCost: number }> = [];
    const values = new Map<string, string>();
    let downloaded = false;
    client.api.on(EventName.updatePortfolio, (contract: Contract, pos: number, marketPrice: number, marketValue: number, averageCost?: number) => {
      if (contract.secType === 'OPT') portfolio.push({ position: pos, marketPrice, marketValue, averageCost: averageCost ?? NaN });
    });
    client.api.on(EventName.updateAccountValue, (key: string, value: string, currency: string) => currency === 'USD' && values.set(key, value));
    client.api.once(EventName.accountDownloadEnd, () => (downloaded = true));
    client.api.reqAccountUpdates(true, 'DU5550003');
    await waitFor(() => downloaded, 'ACCT_DOWNLOAD_END');
    const p = portfolio.at(-1)!;
    assert.equal(p.position, CONTRACTS);
    assert.ok(p.marketPrice > 0 && p.marketPrice < premium * 3, `marketPrice ${p.marketPrice} per share`);
    assert.ok(near(p.marketValue, CONTRACTS * 100 * p.marketPrice), `marketValue ${p.marketValue} = 3 x 100 x ${p.marketPrice}`);
    // An option is paid in full: the premium x 100 per contract and the commission leave cash.
    const cash = Number(values.get('TotalCashValue'));
    assert.ok(near(cash, START - CONTRACTS * 100 * premium - commission), `cash ${cash}`);

    const sell = await trade(OrderAction.SELL);
    const exit = sell.execution.price!;
    const realized = (exit - premium) * CONTRACTS * 100 - commission - sell.report!.commission!;
    assert.ok(near(sell.report!.realizedPNL!, realized, 1e-6), `realized ${sell.report!.realizedPNL} = (${exit} - ${premium}) x 3 x 100 - commissions`);
    await waitFor(() => positions.some((x) => x.pos === 0), 'the flat position');
    assert.ok(near(sim.engine.cash(), START + realized, 1e-6));
    client.api.reqAccountUpdates(false, 'DU5550003');
    client.api.cancelPositions();
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
