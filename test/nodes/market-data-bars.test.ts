/**
 * market-data's "5-second bars" (IB's real-time bars) in a real Node-RED against the simulator through
 * the real @stoqey/ib client: closed 5-second bars from deploy, with the contract; a reconnect in the
 * middle of the stream (bars resume, none twice, none skipped but the seconds the socket was down);
 * bars of a quote-only instrument; TRADES refused there with an error naming what to use; a bad type.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';

const TYPES = ['ib-connect', 'ib-market-data'];

describe('market-data: 5-second bars', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 10 });

  it('closed 5-second bars from deploy; they survive a reconnect, none twice', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [
      { id: 'md', type: 'ib-market-data', connection: 'c', symbol: 'AAPL', kind: 'bars', whatToShow: 'TRADES', useRTH: false, throttle: 1000, wires: [['out']] },
      { id: 'mid', type: 'ib-market-data', connection: 'c', kind: 'bars', whatToShow: 'MIDPOINT', throttle: 0, wires: [['midOut']] },
      { id: 'midOut', type: 'helper' },
    ], 161));
    const msgs = listen(helper.getNode('out'));
    const mids = listen(helper.getNode('midOut'));
    helper.getNode('mid').receive({ topic: 'EUR:CASH:IDEALPRO:USD' });
    await waitFor(() => msgs.length >= 2 && mids.length >= 1, 20_000, 'two bars');
    for (const m of msgs) {
      assert.equal(m.topic, 'AAPL');
      assert.equal(m.contract.symbol, 'AAPL');
      assert.equal(m.payload.time % 5000, 0);
      assert.ok(m.payload.volume > 0 && m.payload.high >= m.payload.low);
      assert.equal(m.forming, undefined, 'a real-time bar is closed');
    }
    assert.equal(msgs[1].payload.time, msgs[0].payload.time + 5000, 'every bar, though the throttle is 1 s');
    assert.equal(mids[0].topic, 'EUR:CASH:IDEALPRO:USD');
    assert.equal(mids[0].payload.volume, 0, 'quote bars have no volume');
    assert.equal(mids[0].payload.wap, undefined);

    const before = msgs.length;
    suite.sim.dropConnections();
    await waitFor(() => msgs.length >= before + 2, 30_000, 'bars after the reconnect');
    const times = msgs.map((m) => m.payload.time);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1], `bar times increase: ${times.join(', ')}`);
    assert.ok(helper.getNode('md').status.args.some((a: Array<{ text?: string }>) => /AAPL .* bars/.test(a[0]?.text ?? '')), 'status shows the bars');
  });

  it('TRADES bars of a quote-only instrument fail with the reason; a bad bar type is refused', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [
      { id: 'md', type: 'ib-market-data', connection: 'c', kind: 'bars', whatToShow: 'TRADES', wires: [['out']] },
      { id: 'bad', type: 'ib-market-data', connection: 'c', kind: 'bars', whatToShow: 'BID_ASK', wires: [['out']] },
    ], 162));
    let error = nextMessage(helper.getNode('caught'), 8000);
    helper.getNode('md').receive({ topic: 'EUR:CASH:IDEALPRO:USD' });
    assert.match(String((await error).error.message), /5-second TRADES bars for EUR:CASH:IDEALPRO:USD failed: .*MIDPOINT, BID or ASK/);
    error = nextMessage(helper.getNode('caught'), 8000);
    helper.getNode('bad').receive({ topic: 'AAPL' });
    assert.match(String((await error).error.message), /5-second bars show TRADES, MIDPOINT, BID or ASK, not "BID_ASK"/);
  });
});
