/**
 * The account panel's model (lib/charts/account-panel.ts): the account node's snapshot, backtest-report's
 * live samples and the connection's status and halt, as a trader reads them on the dashboard.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccountPanelModel } from '../../lib/charts/account-panel';

const snapshot = (live: boolean) => ({
  topic: 'DU1234567',
  payload: { account: 'DU1234567', live, summary: { NetLiquidation: 999935.7, TotalCashValue: 965024.654 }, pnl: { daily: -64.3, unrealized: 12, realized: 0 } },
});

describe('account panel model', () => {
  it('money with thousands separators and two decimals, P&L signed, the headline coloured by its sign', () => {
    const model = new AccountPanelModel();
    assert.equal(model.accept(snapshot(false)), true);
    const v = model.view();
    assert.equal(v.netLiquidation, '999,935.70');
    assert.equal(v.cash, '965,024.65');
    assert.equal(v.pnlToday, '-64.30');
    assert.equal(v.pnlTodaySign, -1);
    assert.equal(v.unrealized, '+12.00');
    assert.equal(v.realized, '0.00');
    assert.equal(v.returnSinceStart, '-');
  });

  it("PAPER or LIVE from the account's live flag (the connection's own), not from its id", () => {
    const model = new AccountPanelModel();
    assert.equal(model.view().mode, '');
    model.setStatus({ state: 'connected', text: 'LIVE (U7654321) DU1234567 read-only', live: true });
    assert.equal(model.view().mode, 'LIVE', 'before a snapshot: the connection says');
    model.accept(snapshot(true));
    assert.equal(model.view().mode, 'LIVE', 'a DU account id on a login that manages a live account');
    model.accept(snapshot(false));
    assert.equal(model.view().mode, 'PAPER');
  });

  it('the light and the trading state from the connection and its halt', () => {
    const model = new AccountPanelModel();
    assert.deepEqual([model.view().light, model.view().connection, model.view().trading], ['grey', 'waiting for the connection', '']);
    assert.equal(model.setStatus({ state: 'connecting', text: 'connecting 127.0.0.1:7497', live: false }), true);
    assert.deepEqual([model.view().light, model.view().connection], ['yellow', 'connecting 127.0.0.1:7497']);
    model.setStatus({ state: 'connected', text: 'connected DU1234567', live: false });
    assert.deepEqual([model.view().light, model.view().connection, model.view().trading], ['green', 'connected', 'orders allowed']);
    assert.equal(model.setStatus({ state: 'connected', text: 'connected DU1234567', live: false }), false, 'nothing changed');
    model.setStatus({ state: 'connected', text: 'account X not in TWS (DU1)', live: false, error: 'account X ...' });
    assert.deepEqual([model.view().light, model.view().connection], ['red', 'account X not in TWS (DU1)']);
    model.setStatus({ state: 'error', text: 'client id 1 already in use', live: false });
    assert.equal(model.view().light, 'red');
    assert.equal(model.setHalt('kill switch pressed on the dashboard'), true);
    assert.deepEqual([model.view().halted, model.view().trading], [true, 'halted: kill switch pressed on the dashboard']);
    assert.equal(model.setHalt('kill switch pressed on the dashboard'), false);
    model.setHalt(null);
    assert.equal(model.view().halted, false);
  });

  it("return and drawdown from backtest-report's live samples; other messages change nothing", () => {
    const model = new AccountPanelModel();
    assert.equal(model.accept({ live: true, payload: { equity: 1000100, cumulativeReturn: 0.0001, drawdownPct: 0.00499 } }), true);
    assert.equal(model.view().returnSinceStart, '+0.01 %');
    assert.equal(model.view().drawdown, '0.00 %');
    model.accept({ live: true, payload: { equity: 990000, cumulativeReturn: -0.01, drawdownPct: 1.006 } });
    assert.deepEqual([model.view().returnSinceStart, model.view().drawdown], ['-1.00 %', '1.01 %']);
    assert.equal(model.accept({ payload: { orderId: 3, status: 'Filled' } }), false);
    assert.equal(model.accept({ payload: 'halt' }), false);
  });
});
