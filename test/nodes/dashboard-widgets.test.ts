/**
 * The package's Dashboard 2.0 widgets (price chart, account panel, backtest summary) set up wrong, in a
 * real Node-RED runtime: without a dashboard group, or with a group that is no Dashboard 2.0 group, each
 * says so on its status and in the log with how to fix it, and the runtime goes on.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, nodeModule, startServer, stopServer } from '../helpers/node-red';

const WIDGETS: Array<[string, string]> = [
  ['ui-ib-price-chart', 'price chart'],
  ['ui-ib-account-panel', 'account panel'],
  ['ui-ib-backtest-summary', 'backtest summary'],
];

function load(type: string, flow: unknown[]): Promise<void> {
  const modules = [nodeModule(type), nodeModule('ib-connect')];
  return new Promise((resolve, reject) => helper.load(modules, flow, {}, (err?: Error) => (err ? reject(err) : resolve())));
}

/** What the runtime logged since the flow loaded, each entry as text. */
function logged(): string[] {
  return (helper as unknown as { log(): { args: unknown[][] } }).log().args.map((a) => JSON.stringify(a));
}

describe('dashboard widgets set up wrong', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  for (const [type, label] of WIDGETS) {
    it(`${label}: without a group it says to pick one, red ring`, async () => {
      await load(type, [{ id: 'tab', type: 'tab' }, { id: 'w', z: 'tab', type, x: 100, y: 100, wires: [] }]);
      const status = (helper.getNode('w').status as unknown as { args: unknown[][] }).args ?? [];
      assert.deepEqual(status.at(-1)?.[0], { fill: 'red', shape: 'ring', text: 'no dashboard group' });
      assert.ok(logged().some((line) => line.includes(`${label} has no Dashboard 2.0 group: open the node and pick or add one under \\"Group\\"`)), `no error naming the missing group: ${logged().slice(-3).join(' ')}`);
    });

    it(`${label}: a group that is not a Dashboard 2.0 group (another config node) is refused the same way`, async () => {
      await load(type, [
        { id: 'tab', type: 'tab' },
        { id: 'c', type: 'ib-connect', mode: 'backtest' },
        { id: 'w', z: 'tab', type, group: 'c', x: 100, y: 100, wires: [] },
      ]);
      const status = (helper.getNode('w').status as unknown as { args: unknown[][] }).args ?? [];
      assert.deepEqual(status.at(-1)?.[0], { fill: 'red', shape: 'ring', text: 'no dashboard group' });
      // A message into the unconfigured widget is taken and dropped, nothing thrown.
      helper.getNode('w').receive({ payload: { bars: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
  }
});
