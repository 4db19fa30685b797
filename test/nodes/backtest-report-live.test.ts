/**
 * backtest-report on a simulator connection (the package's TWS simulator over a real socket): it tracks
 * the running account from the broker's equity: equity curve, return and drawdown to date.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, nextMessage, nodeModule, startServer, stopServer, waitFor } from '../helpers/node-red';

function load(flow: unknown[]): Promise<void> {
  const modules = ['ib-connect', 'ib-backtest-report'].map(nodeModule);
  return new Promise((resolve, reject) => helper.load(modules, flow, {}, (err?: Error) => (err ? reject(err) : resolve())));
}

describe('backtest-report on a live or simulator connection', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('samples the account: equity point, drawdown and Sharpe to date', async () => {
    await load([
      { id: 'sim', type: 'ib-connect', mode: 'simulator', clientId: 11 },
      { id: 'acct', type: 'ib-backtest-report', connection: 'sim', sampleSeconds: 1, wires: [['stats'], ['eq'], ['dd'], []] },
      { id: 'stats', type: 'helper' },
      { id: 'eq', type: 'helper' },
      { id: 'dd', type: 'helper' },
    ]);
    const sim = helper.getNode('sim') as unknown as { connection: { status(): { state: string }; broker: { equity(): number | null } } };
    await waitFor(() => sim.connection.status().state === 'connected' && sim.connection.broker.equity() !== null, 15_000, 'account equity');
    const first = nextMessage(helper.getNode('stats'), 5000);
    const point = nextMessage(helper.getNode('eq'), 5000);
    const drawdown = nextMessage(helper.getNode('dd'), 5000);
    helper.getNode('acct').receive({});
    const stats = await first;
    assert.equal(stats.live, true);
    assert.equal(stats.topic, 'DU1234567');
    assert.equal(stats.payload.equity, sim.connection.broker.equity());
    assert.equal(stats.payload.samples, 1);
    assert.equal(stats.payload.drawdownPct, 0);
    assert.equal(stats.payload.sharpe, null, 'no returns yet');
    const eq = await point;
    assert.equal(eq.topic, 'equity');
    assert.deepEqual(Object.keys(eq.payload), ['x', 'y']);
    assert.equal((await drawdown).topic, 'drawdown %');
    // The timer keeps sampling once a second.
    const next = await nextMessage(helper.getNode('stats'), 3000);
    assert.ok(next.payload.samples >= 2);
    // The status: equity as money, return and drawdown; no Sharpe (annualised from seconds it is noise).
    const statuses = (helper.getNode('acct').status as unknown as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
    const last = statuses[statuses.length - 1];
    assert.match(last, /^equity \d{1,3}(,\d{3})*\.\d{2} · [+-]?\d+\.\d{2}% · dd \d+\.\d{2}%$/);
    assert.ok(statuses.every((t) => !/sharpe/i.test(t)), `a Sharpe in the status: ${JSON.stringify(statuses)}`);
  });

  it('breaks the live account down by instrument and by strategy: P&L to date and its drawdown', async () => {
    await loadFlow(['ib-connect', 'ib-place-order', 'ib-backtest-report'], [
      { id: 'tab', type: 'tab' },
      { id: 'sim', z: 'tab', type: 'ib-connect', mode: 'simulator', clientId: 12 },
      { id: 'po-trend', z: 'tab', type: 'ib-place-order', connection: 'sim', orderRef: 'trend', symbol: 'AAPL', wires: [[], []] },
      { id: 'po-meanrev', z: 'tab', type: 'ib-place-order', connection: 'sim', orderRef: 'meanrev', symbol: 'AAPL', wires: [[], []] },
      { id: 'acct', z: 'tab', type: 'ib-backtest-report', connection: 'sim', sampleSeconds: 1, wires: [['stats'], [], [], []] },
      { id: 'stats', z: 'tab', type: 'helper' },
    ]);
    const sim = helper.getNode('sim') as unknown as { connection: { status(): { state: string }; broker: { equity(): number | null; orderBlock(): string | null; position(k: string): number } } };
    await waitFor(() => sim.connection.status().state === 'connected' && sim.connection.broker.orderBlock() === null && sim.connection.broker.equity() !== null, 15_000, 'ready');
    helper.getNode('po-trend').receive({ topic: 'AAPL', order: { targetQuantity: 100 } });
    helper.getNode('po-meanrev').receive({ topic: 'AAPL', order: { targetQuantity: 50 } });
    await waitFor(() => sim.connection.broker.position('AAPL') === 150, 10_000, 'the account holds 150');
    // A sample once TWS's portfolio update has priced the position.
    let payload: Record<string, any> = {};
    for (let asked = 0; asked < 30; asked++) {
      const next = nextMessage(helper.getNode('stats'), 5000);
      helper.getNode('acct').receive({});
      payload = (await next).payload;
      const row = payload.instruments?.find((r: { instrument: string }) => r.instrument === 'AAPL');
      if (row?.position === 150 && row.openPnl !== 0 && payload.strategies?.length === 2) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const aapl = payload.instruments.find((r: { instrument: string }) => r.instrument === 'AAPL');
    assert.equal(aapl.position, 150);
    assert.deepEqual(payload.strategies.map((r: { strategy: string; instruments: string[] }) => [r.strategy, r.instruments]), [['meanrev', ['AAPL']], ['trend', ['AAPL']]]);
    for (const row of [aapl, ...payload.strategies]) {
      for (const field of ['pnl', 'realizedPnl', 'openPnl', 'drawdown', 'maxDrawdown', 'return', 'trades', 'winningTrades', 'exposurePct']) assert.equal(typeof row[field], 'number', `${field} of ${JSON.stringify(row)}`);
      assert.ok(row.drawdown >= 0 && row.maxDrawdown >= row.drawdown);
      // Held at this sample (the first ones may have come before the fills): exposed at some of them.
      assert.ok(row.exposurePct > 0 && row.exposurePct <= 100, `exposure of ${JSON.stringify(row)}`);
      assert.equal(row.trades, 0, 'no round trip is closed yet');
    }
    // The strategies' P&L adds up to the instrument's (TWS counts the commissions in its average cost).
    const sum = payload.strategies.reduce((total: number, r: { pnl: number }) => total + r.pnl, 0);
    assert.ok(Math.abs(sum - aapl.pnl) < 0.05, `strategies ${sum} vs AAPL ${aapl.pnl}`);
  });
});
