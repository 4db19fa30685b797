/**
 * The account panel's model (lib/charts/account-panel.ts): the account node's snapshot, backtest-report's
 * live samples and the connection's status and halt, as a trader reads them on the dashboard.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccountPanelModel, ORDER_LOG_ROWS } from '../../lib/charts/account-panel';

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

describe('account panel tables', () => {
  const all = { summary: true, positions: true, orders: true, log: true };
  const account = {
    payload: {
      account: 'DU1234567',
      live: false,
      summary: { NetLiquidation: 1000065.65 },
      positions: [
        { symbol: 'MSFT', key: 'MSFT', quantity: 1200, avgCost: 349.7812, marketPrice: 349.93, marketValue: 419916, unrealizedPnl: 178.56, realizedPnl: 0 },
        { symbol: 'AAPL', key: 'AAPL', quantity: 0, avgCost: 0, marketPrice: 152.1, marketValue: 0, unrealizedPnl: 0, realizedPnl: -161.2 },
        { symbol: 'ES', key: 'ES:FUT:CME:USD:20261218', quantity: -2, avgCost: 301250, marketPrice: 6030.5, marketValue: -603050, unrealizedPnl: -550, realizedPnl: null },
      ],
      orders: [
        { orderId: 2, symbol: 'MSFT', action: 'SELL', totalQuantity: 1200, orderType: 'LMT', lmtPrice: 356.9, auxPrice: 0, status: 'Submitted', orderRef: 'sma-cross:take-profit' },
        { orderId: 3, symbol: 'MSFT', action: 'SELL', totalQuantity: 1200, orderType: 'STP', lmtPrice: null, auxPrice: 346.4, status: 'Submitted', orderRef: 'sma-cross:stop-loss' },
        { orderId: 4, symbol: 'MSFT', action: 'BUY', totalQuantity: 10, orderType: 'MKT', lmtPrice: null, auxPrice: null, status: 'PreSubmitted', orderRef: '' },
      ],
    },
  };

  it('positions: open ones only, with their symbol, quantity, prices and money formatted, P&L signed', () => {
    const model = new AccountPanelModel(all);
    model.accept(account);
    const { positions } = model.view();
    assert.deepEqual(positions.columns.map((c) => c.key), ['symbol', 'quantity', 'avg cost', 'last', 'market value', 'unrealized P&L', 'realized P&L']);
    assert.deepEqual(positions.rows, [
      { symbol: 'MSFT', quantity: '1,200', 'avg cost': '349.78', last: '349.93', 'market value': '419,916.00', 'unrealized P&L': '+178.56', 'realized P&L': '0.00' },
      { symbol: 'ES', quantity: '-2', 'avg cost': '301,250.00', last: '6,030.50', 'market value': '-603,050.00', 'unrealized P&L': '-550.00', 'realized P&L': '-' },
    ]);
  });

  it('working orders: the limit of a limit order, the stop of a stop order, none of a market order', () => {
    const model = new AccountPanelModel(all);
    model.accept(account);
    assert.deepEqual(model.view().orders.rows, [
      { order: '2', symbol: 'MSFT', side: 'SELL', quantity: '1,200', type: 'LMT', price: '356.90', status: 'Submitted', strategy: 'sma-cross:take-profit' },
      { order: '3', symbol: 'MSFT', side: 'SELL', quantity: '1,200', type: 'STP', price: '346.40', status: 'Submitted', strategy: 'sma-cross:stop-loss' },
      { order: '4', symbol: 'MSFT', side: 'BUY', quantity: '10', type: 'MKT', price: '', status: 'PreSubmitted', strategy: '' },
    ]);
  });

  it('order log: order events, fills and caught errors, the newest first, the newest 20 kept; what-ifs are no events', () => {
    const model = new AccountPanelModel(all);
    const at = new Date(2026, 11, 2, 9, 30, 5).getTime();
    assert.equal(model.accept({ topic: 'MSFT', payload: { orderId: 1, symbol: 'MSFT', action: 'BUY', orderType: 'MKT', status: 'Submitted', filled: 0, remaining: 100, avgFillPrice: 0, orderRef: 'sma-cross' } }, at), true);
    model.accept({ topic: 'MSFT', payload: { execId: 'e1', orderId: 1, symbol: 'MSFT', side: 'BOT', shares: 100, price: 349.78, orderRef: 'sma-cross' } }, at + 1000);
    model.accept({ topic: 'MSFT', payload: { orderId: 1, symbol: 'MSFT', action: 'BUY', orderType: 'MKT', status: 'Filled', filled: 100, remaining: 0, avgFillPrice: 349.78, orderRef: 'sma-cross' } }, at + 1000);
    model.accept({ topic: 'MSFT', payload: { orderId: 5, symbol: 'MSFT', action: 'SELL', orderType: 'LMT', status: 'Cancelled', filled: 0, remaining: 100, avgFillPrice: 0, orderRef: 'sma-cross:take-profit', reason: 'Another order of its OCA group filled. (IB 202)' } }, at + 2000);
    model.accept({ topic: 'AAPL', payload: 'x', error: { message: 'AAPL: trading halted: kill switch' } }, at + 3000);
    assert.equal(model.accept({ topic: 'AAPL', payload: { whatIf: true, initMarginChange: 100 } }, at), false);
    const { log } = model.view();
    assert.deepEqual(log.columns.map((c) => c.key), ['time', 'symbol', 'event', 'detail', 'order', 'strategy']);
    assert.deepEqual(log.rows, [
      { time: '09:30:08', symbol: 'AAPL', event: 'error', detail: 'AAPL: trading halted: kill switch', order: '', strategy: '' },
      { time: '09:30:07', symbol: 'MSFT', event: 'Cancelled', detail: 'SELL LMT filled 0/100 - Another order of its OCA group filled. (IB 202)', order: '5', strategy: 'sma-cross:take-profit' },
      { time: '09:30:06', symbol: 'MSFT', event: 'Filled', detail: 'BUY MKT filled 100/100 @ 349.78', order: '1', strategy: 'sma-cross' },
      { time: '09:30:06', symbol: 'MSFT', event: 'fill', detail: 'BUY 100 @ 349.78', order: '1', strategy: 'sma-cross' },
      { time: '09:30:05', symbol: 'MSFT', event: 'Submitted', detail: 'BUY MKT filled 0/100', order: '1', strategy: 'sma-cross' },
    ]);
    for (let i = 0; i < 30; i++) model.accept({ payload: { orderId: 100 + i, symbol: 'AAPL', action: 'BUY', orderType: 'MKT', status: 'Submitted', filled: 0, remaining: 1, orderRef: '' } }, at);
    assert.equal(model.view().log.rows.length, ORDER_LOG_ROWS);
    assert.equal(model.view().log.rows[0]!.order, '129');
  });

  it('shows what it is set to: a panel set to its summary alone (as every panel before the tables) takes no order events and lists nothing', () => {
    const summary = new AccountPanelModel();
    summary.accept(account);
    assert.equal(summary.accept({ payload: { orderId: 1, symbol: 'MSFT', status: 'Submitted', filled: 0, remaining: 1 } }), false);
    const v = summary.view();
    assert.deepEqual(v.sections, { summary: true, positions: false, orders: false, log: false });
    assert.deepEqual([v.positions.rows, v.orders.rows, v.log.rows], [[], [], []]);
    const positionsOnly = new AccountPanelModel({ summary: false, positions: true, orders: false, log: false });
    positionsOnly.accept(account);
    assert.deepEqual([positionsOnly.view().positions.rows.length, positionsOnly.view().orders.rows.length], [2, 0]);
  });
});
