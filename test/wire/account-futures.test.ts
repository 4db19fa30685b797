/**
 * A futures position in the simulator, read through the real @stoqey/ib client the way TWS reports it:
 * executions per unit, commission per contract, POSITION and PORTFOLIO avgCost = price x multiplier
 * (commission included), market value and P&L = contracts x price x 50, the account's cash and net
 * liquidation moving 50 dollars a point per contract, and the realized P&L of the closing fill.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type CommissionReport, type Contract, type ContractDetails, type Execution } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';

const START = 1_000_000;
const CONTRACTS = 2;
const near = (a: number, b: number, eps = 0.01) => Math.abs(a - b) <= eps;

async function esContract(client: ApiClient): Promise<Contract> {
  const found: ContractDetails[] = [];
  let ended = false;
  client.api.on(EventName.contractDetails, (reqId: number, d: ContractDetails) => reqId === 1 && found.push(d));
  client.api.once(EventName.contractDetailsEnd, () => (ended = true));
  client.api.reqContractDetails(1, { symbol: 'ES', secType: SecType.FUT, exchange: 'CME', currency: 'USD' });
  await waitFor(() => ended, 'ES contract details');
  return { ...found[0]!.contract, exchange: 'CME' };
}

/** Sends a market order and waits for its execution and commission report. */
async function trade(client: ApiClient, contract: Contract, action: OrderAction, fills: Map<string, { execution: Execution; report?: CommissionReport }>) {
  const id = client.nextValidId++;
  client.api.placeOrder(id, contract, { action, totalQuantity: CONTRACTS, orderType: OrderType.MKT, transmit: true });
  await waitFor(() => [...fills.values()].some((f) => f.execution.orderId === id && f.report !== undefined), `the ${action} fill and its commission`);
  return [...fills.values()].find((f) => f.execution.orderId === id)!;
}

test('an ES position (multiplier 50) as TWS reports it: positions, portfolio, account values, P&L', async () => {
  const sim = await startSimulator({ startingCash: START, accounts: ['DU5550002'] });
  try {
    const client = await connectApi(sim, 1);
    const es = await esContract(client);
    assert.equal(es.multiplier, 50);
    const fills = new Map<string, { execution: Execution; report?: CommissionReport }>();
    client.api.on(EventName.execDetails, (_reqId: number, _contract: Contract, execution: Execution) => fills.set(execution.execId!, { execution }));
    client.api.on(EventName.commissionReport, (report: CommissionReport) => {
      const fill = fills.get(report.execId!);
      if (fill) fill.report = report;
    });

    const buy = await trade(client, es, OrderAction.BUY, fills);
    const entry = buy.execution.price!;
    assert.ok(entry > 1000 && entry < 20_000, `execution price ${entry} is per index point, not per contract`);
    assert.equal(buy.execution.shares, CONTRACTS);
    assert.equal(buy.report!.commission, CONTRACTS * 0.85, 'IB tiered, US futures: USD 0.85 a contract');

    const positions: Array<{ pos: number; avgCost: number; multiplier?: number }> = [];
    let positionEnd = false;
    client.api.on(EventName.position, (_account: string, contract: Contract, pos: number, avgCost?: number) => {
      if (contract.symbol === 'ES') positions.push({ pos, avgCost: avgCost ?? NaN, multiplier: contract.multiplier });
    });
    client.api.once(EventName.positionEnd, () => (positionEnd = true));
    client.api.reqPositions();
    await waitFor(() => positionEnd, 'POSITION_END');
    assert.equal(positions[0]!.pos, CONTRACTS);
    assert.equal(positions[0]!.multiplier, 50);
    // avgCost per contract: the fill price x 50 plus the commission per contract.
    assert.ok(near(positions[0]!.avgCost, entry * 50 + 0.85, 1e-6), `avgCost ${positions[0]!.avgCost}, entry ${entry}`);

    const portfolio: Array<{ position: number; marketPrice: number; marketValue: number; averageCost: number; unrealizedPNL: number }> = [];
    const values = new Map<string, string>();
    let downloaded = false;
    client.api.on(EventName.updatePortfolio, (contract: Contract, position: number, marketPrice: number, marketValue: number, averageCost?: number, unrealizedPNL?: number) => {
      if (contract.symbol === 'ES') portfolio.push({ position, marketPrice, marketValue, averageCost: averageCost ?? NaN, unrealizedPNL: unrealizedPNL ?? NaN });
    });
    client.api.on(EventName.updateAccountValue, (key: string, value: string, currency: string) => currency === 'USD' && values.set(key, value));
    client.api.once(EventName.accountDownloadEnd, () => (downloaded = true));
    client.api.reqAccountUpdates(true, 'DU5550002');
    await waitFor(() => downloaded, 'ACCT_DOWNLOAD_END');
    const p = portfolio.at(-1)!;
    assert.equal(p.position, CONTRACTS);
    assert.ok(p.marketPrice > 1000 && p.marketPrice < 20_000, 'marketPrice per point');
    assert.ok(near(p.marketValue, CONTRACTS * p.marketPrice * 50), `marketValue ${p.marketValue} = 2 x ${p.marketPrice} x 50`);
    assert.ok(near(p.averageCost, positions[0]!.avgCost, 1e-6));
    assert.ok(near(p.unrealizedPNL, p.marketValue - CONTRACTS * p.averageCost), `unrealized ${p.unrealizedPNL}`);
    // Marked to market as at IB: no notional leaves cash, the open P&L is in it, and futures have no
    // position value (GrossPositionValue) but margin on their notional.
    const cash = Number(values.get('TotalCashValue'));
    assert.ok(near(cash, START - CONTRACTS * 0.85 + (p.marketValue - CONTRACTS * entry * 50)), `cash ${cash}`);
    const netLiq = Number(values.get('NetLiquidation'));
    assert.ok(near(netLiq, cash), 'a futures-only account: net liquidation = cash');
    assert.equal(Number(values.get('GrossPositionValue')), 0);
    assert.ok(near(Number(values.get('InitMarginReq')), p.marketValue * 0.05), `initial margin ${values.get('InitMarginReq')}`);
    // Within 20 points of the entry: the notional (about USD 500,000) neither appears nor vanishes.
    assert.ok(Math.abs(netLiq - START) < CONTRACTS * 50 * 20, `net liquidation ${netLiq} stays near the start`);

    const single: Array<{ pos: number; unrealized?: number; value: number }> = [];
    client.api.on(EventName.pnlSingle, (_reqId: number, pos: number, _daily: number, unrealized: number | undefined, _realized: number | undefined, value: number) =>
      single.push({ pos, unrealized, value }),
    );
    client.api.reqPnLSingle(5, 'DU5550002', '', es.conId!);
    await waitFor(() => single.length >= 1, 'PNL_SINGLE');
    const s = single[0]!;
    assert.equal(s.pos, CONTRACTS);
    assert.ok(s.value > CONTRACTS * 1000 * 50, `PnL single value ${s.value} is the contracts' market value`);
    client.api.cancelPnLSingle(5);

    const sell = await trade(client, es, OrderAction.SELL, fills);
    const exit = sell.execution.price!;
    const realized = (exit - entry) * CONTRACTS * 50 - 2 * CONTRACTS * 0.85;
    assert.ok(near(sell.report!.realizedPNL!, realized, 1e-6), `realized ${sell.report!.realizedPNL} = (${exit} - ${entry}) x 2 x 50 - commissions`);
    await waitFor(() => positions.some((x) => x.pos === 0), 'the flat position');
    assert.ok(near(sim.engine.cash(), START + realized, 1e-6));
    client.api.reqAccountUpdates(false, 'DU5550002');
    client.api.cancelPositions();
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
