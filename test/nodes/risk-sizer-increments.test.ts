/**
 * risk-sizer rounds to the instrument's own size rules: on a connection to the simulator, TWS's
 * contract details (BTC on PAXOS trades by 0.0001, AAPL by 1 share) without any sizeIncrement on the
 * message; a round-lot setting that is a multiple of the instrument's increment still counts; on a
 * backtest connection, its contracts table (sizeIncrement, minSize), a size below the minimum ending in
 * done(err) naming it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';

const TYPES = ['ib-connect', 'ib-risk-sizer'];
const buy = { side: 'BUY', reason: 'test', time: 1 };
const bar = (close: number) => ({ time: 1, open: close, high: close, low: close, close, volume: 1 });

describe('risk-sizer: size increments from the contract details', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 4 });

  it("the simulator's contract details: BTC by 0.0001, AAPL by whole shares, a round lot kept", async () => {
    await loadFlow(
      TYPES,
      simulatorFlow(
        suite.sim,
        [
          { id: 'sizer', type: 'ib-risk-sizer', connection: 'c', method: 'notional', notional: 1000, wires: [['out']] },
          { id: 'lots', type: 'ib-risk-sizer', connection: 'c', method: 'notional', notional: 25_000, increment: 100, wires: [['out']] },
        ],
        81,
      ),
    );
    let reply = nextMessage(helper.getNode('out'), 15_000);
    helper.getNode('sizer').receive({ topic: 'BTC:CRYPTO:PAXOS:USD', payload: bar(40_000), signal: buy });
    assert.deepEqual((await reply).order, { targetQuantity: 0.025 }, '1,000 at 40,000 is 0.025 BTC, a multiple of PAXOS\'s 0.0001');
    reply = nextMessage(helper.getNode('out'), 15_000);
    helper.getNode('sizer').receive({ topic: 'AAPL', payload: bar(333), signal: buy });
    assert.deepEqual((await reply).order, { targetQuantity: 3 });
    reply = nextMessage(helper.getNode('out'), 15_000);
    helper.getNode('lots').receive({ topic: 'AAPL', payload: bar(100), signal: buy });
    assert.deepEqual((await reply).order, { targetQuantity: 200 }, '25,000 at 100 in lots of 100: 200');
  });

  it("a backtest's contracts table: sizeIncrement, and minSize refusing a smaller order with done(err)", async () => {
    await loadFlow(TYPES, [
      { id: 'tab', type: 'tab' },
      { id: 'bt', z: 'tab', type: 'ib-connect', mode: 'backtest', btCash: 50_000, btCommission: 'none', btContracts: '{"XYZ": {"sizeIncrement": 0.5}, "QQQ": {"sizeIncrement": 1, "minSize": 10}}' },
      { id: 'sizer', z: 'tab', type: 'ib-risk-sizer', connection: 'bt', method: 'notional', notional: 1000, wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const reply = nextMessage(helper.getNode('out'), 5000);
    helper.getNode('sizer').receive({ topic: 'XYZ', payload: bar(400), signal: buy });
    assert.deepEqual((await reply).order, { targetQuantity: 2.5 }, '1,000 at 400 by halves: 2.5');
    const caught = listen(helper.getNode('caught'));
    helper.getNode('sizer').receive({ topic: 'QQQ', payload: bar(400), signal: buy });
    await waitFor(() => caught.length === 1, 5000, 'the minimum size refusal');
    assert.match(caught[0]!.error.message, /2 of QQQ is below its minimum size 10/);
  });
});
