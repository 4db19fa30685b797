/**
 * Live data nodes during an outage, in a real Node-RED runtime against a simulator that is restarted
 * (the real client reconnects): market-data and market-depth say the connection is down (a red or
 * yellow ring, no price) for as long as it is, and come back green after it. Fifty of them on one
 * connection raise no MaxListenersExceededWarning.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, waitFor } from '../helpers/node-red';
import { simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';
import type { Connection } from '../../lib/connection/types';

interface Shown {
  fill?: string;
  shape?: string;
  text?: string;
  at: number;
}

describe('live data through an outage', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 4 });

  it('50 market-data and 5 market-depth nodes show the outage, then data again; no listener warnings', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const data = Array.from({ length: 50 }, (_, i) => ({ id: `md${i}`, type: 'ib-market-data', connection: 'c', symbol: i % 2 ? 'AAPL' : 'MSFT', kind: 'quote', marketDataType: 'live', throttle: 0, wires: [[]] }));
      const depth = Array.from({ length: 5 }, (_, i) => ({ id: `dp${i}`, type: 'ib-market-depth', connection: 'c', symbol: 'AAPL', rows: 5, wires: [[]] }));
      const ids = [...data, ...depth].map((n) => n.id);
      // Listen before the flow starts: the nodes set statuses from their first moment.
      await loadFlow(['ib-connect', 'ib-market-data', 'ib-market-depth'], simulatorFlow(suite.sim, [...data, ...depth], 81));
      const shown = new Map<string, Shown[]>(ids.map((id) => [id, []]));
      for (const id of ids) {
        helper.getNode(id).on('call:status', (call: { args: [Record<string, string>] }) => shown.get(id)!.push({ ...call.args[0], at: Date.now() }));
      }
      const last = (id: string) => shown.get(id)!.at(-1);
      const live = (id: string) => last(id)?.fill === 'green' && last(id)?.shape === 'dot' && /\d/.test(last(id)?.text ?? '');
      await waitFor(() => ids.every(live), 20_000, 'every node green with a price');

      const connection = (helper.getNode('c') as unknown as { connection: Connection }).connection;
      // When the connection is back, as the connection itself says it (the nodes follow from then on).
      let up = 0;
      connection.on('status', (status: { state: string }) => {
        if (status.state === 'connected' && up === 0 && Date.now() > downAt) up = Date.now();
      });
      let downAt = Infinity;
      const restarted = suite.sim.restart(2500);
      await waitFor(() => connection.status().state !== 'connected', 5000, 'the connection to see the drop');
      const down = Date.now();
      downAt = down;
      // Past two of the nodes' one-second status ticks.
      await new Promise((resolve) => setTimeout(resolve, 2200));
      for (const id of ids) {
        const s = last(id)!;
        assert.ok(s.shape === 'ring' && (s.fill === 'red' || s.fill === 'yellow'), `${id} during the outage: ${JSON.stringify(s)}`);
        assert.match(s.text ?? '', /^no data: /, `${id} says no data is coming`);
      }
      await restarted;
      await waitFor(() => up > 0, 10_000, 'the reconnect');
      for (const id of ids) {
        const during = shown.get(id)!.filter((s) => s.at > down + 50 && s.at < up);
        assert.deepEqual(during.filter((s) => s.fill === 'green'), [], `${id} showed nothing green while the connection was down`);
      }
      await waitFor(() => ids.every(live), 20_000, 'every node green with a price again');
      assert.deepEqual(
        warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});
