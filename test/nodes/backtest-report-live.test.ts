/**
 * backtest-report on a simulator connection (the package's TWS simulator over a real socket): it tracks
 * the running account from the broker's equity: equity curve, drawdown, Sharpe to date.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, nextMessage, nodeModule, startServer, stopServer, waitFor } from '../helpers/node-red';

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
  });
});
