/**
 * Settings that name where a value comes from are Node-RED typedInputs (msg, flow, global, env, and a
 * number where a value fits), read for each message through evaluateNodeProperty: crossover's compared
 * values and levels, sma's source property and risk-sizer's stop price. A flow saved before the settings
 * had a type (a plain property name, no ...Type; a crossover level a plain number) reads as before.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { collectMessages, helper, loadFlow, nextMessage, startServer, stopServer } from '../helpers/node-red';

const bar = (close: number, time: number) => ({ time, open: close, high: close, low: close, close, volume: 1 });

describe('typedInput settings', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('crossover compares a message property against a number, and against flow context', async () => {
    await loadFlow(['ib-crossover'], [
      { id: 'tab', type: 'tab' },
      { id: 'crossNum', z: 'tab', type: 'ib-crossover', mode: 'series', fast: 'value', fastType: 'msg', slow: '10', slowType: 'num', emit: 'cross', wires: [['out']] },
      { id: 'crossCtx', z: 'tab', type: 'ib-crossover', mode: 'series', fast: 'value', slow: 'threshold', slowType: 'flow', emit: 'cross', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const num = helper.getNode('crossNum');
    num.receive({ topic: 'T', value: 9, payload: bar(9, 1) });
    const signal = nextMessage(helper.getNode('out'));
    num.receive({ topic: 'T', value: 11, payload: bar(11, 2) });
    assert.equal((await signal).signal.side, 'BUY');
    assert.match((await signal).signal.reason, /value crossed above 10/);

    const ctx = helper.getNode('crossCtx');
    ctx.context().flow.set('threshold', 100);
    ctx.receive({ topic: 'T', value: 120, payload: bar(120, 1) });
    const down = nextMessage(helper.getNode('out'));
    ctx.receive({ topic: 'T', value: 90, payload: bar(90, 2) });
    assert.equal((await down).signal.side, 'SELL');
  });

  it("crossover's levels: a number as before, a level moved in flow context per message, a band from the environment, an error naming a level that is missing", async () => {
    process.env.IB_ALGO_TEST_LOWER = '30';
    process.env.IB_ALGO_TEST_UPPER = '70';
    await loadFlow(['ib-crossover'], [
      { id: 'tab', type: 'tab' },
      // Saved before the levels had a type: no levelType.
      { id: 'old', z: 'tab', type: 'ib-crossover', mode: 'level', fast: 'rsi', fastType: 'msg', level: 50, emit: 'cross', wires: [['out']] },
      { id: 'moving', z: 'tab', type: 'ib-crossover', mode: 'level', fast: 'rsi', fastType: 'msg', level: 'rsiLevel', levelType: 'flow', emit: 'cross', wires: [['out']] },
      { id: 'rsiBand', z: 'tab', type: 'ib-crossover', mode: 'band', fast: 'rsi', fastType: 'msg', lower: 'IB_ALGO_TEST_LOWER', lowerType: 'env', upper: 'IB_ALGO_TEST_UPPER', upperType: 'env', emit: 'cross', wires: [['out']] },
      { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const out = helper.getNode('out');
    const cross = async (id: string, values: number[]) => {
      const next = nextMessage(out);
      for (const [i, rsi] of values.entries()) helper.getNode(id).receive({ topic: 'T', rsi, payload: bar(rsi, i + 1) });
      return (await next).signal as { side: string; reason: string };
    };
    assert.deepEqual(await cross('old', [45, 55]), { side: 'BUY', reason: 'rsi crossed above 50', time: 2 });

    const moving = helper.getNode('moving');
    moving.context().flow.set('rsiLevel', 50);
    assert.equal((await cross('moving', [45, 55])).reason, 'rsi crossed above 50');
    // The strategy raises its level to 60: the next bar, at 58, is below it (a cross down, against the
    // level of its own message), and the one after, at 62, crosses it up.
    moving.context().flow.set('rsiLevel', 60);
    const next = collectMessages(out, 2);
    moving.receive({ topic: 'T', rsi: 58, payload: bar(58, 3) });
    moving.receive({ topic: 'T', rsi: 62, payload: bar(62, 4) });
    assert.deepEqual((await next).map((m) => m.signal), [
      { side: 'SELL', reason: 'rsi crossed below 60', time: 3 },
      { side: 'BUY', reason: 'rsi crossed above 60', time: 4 },
    ]);

    assert.deepEqual(await cross('rsiBand', [25, 35]), { side: 'BUY', reason: 'rsi crossed above 30', time: 2 });

    moving.context().flow.set('rsiLevel', undefined);
    const caught = nextMessage(helper.getNode('caught'));
    moving.receive({ topic: 'T', rsi: 50, payload: bar(50, 5) });
    assert.match(String((await caught).error.message), /crossover level \(flow\.rsiLevel\) is undefined: enter a number/);
  });

  it("sma averages flow context named by its source property; a flow without sourcePropertyType reads msg as before", async () => {
    await loadFlow(['ib-sma'], [
      { id: 'tab', type: 'tab' },
      { id: 'smaContext', z: 'tab', type: 'ib-sma', period: 2, source: 'property', sourceProperty: 'level', sourcePropertyType: 'flow', wires: [['out']] },
      { id: 'smaOld', z: 'tab', type: 'ib-sma', period: 2, source: 'property', sourceProperty: 'indicators.rsi', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const sma = helper.getNode('smaContext');
    const out = helper.getNode('out');
    sma.context().flow.set('level', 4);
    let next = nextMessage(out);
    sma.receive({ topic: 'T', payload: bar(1, 1) });
    await next;
    sma.context().flow.set('level', 6);
    next = nextMessage(out);
    sma.receive({ topic: 'T', payload: bar(1, 2) });
    assert.equal((await next).indicators.sma2, 5);

    const old = helper.getNode('smaOld');
    next = nextMessage(out);
    old.receive({ topic: 'T', indicators: { rsi: 30 }, payload: bar(1, 1) });
    await next;
    next = nextMessage(out);
    old.receive({ topic: 'T', indicators: { rsi: 50 }, payload: bar(1, 2) });
    assert.equal((await next).indicators.sma2, 40);
  });

  it('risk-sizer takes its stop price as a number, and names a flow value that is missing', async () => {
    await loadFlow(['ib-risk-sizer'], [
      { id: 'tab', type: 'tab' },
      { id: 'crossNum', z: 'tab', type: 'ib-risk-sizer', method: 'risk', riskPercent: 1, stop: 'level', stopProperty: '95', stopPropertyType: 'num', direction: 'long-only', wires: [['out']] },
      { id: 'sizeMissing', z: 'tab', type: 'ib-risk-sizer', method: 'risk', riskPercent: 1, stop: 'level', stopProperty: 'stopPrice', stopPropertyType: 'flow', direction: 'long-only', wires: [['out']] },
      { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const sized = nextMessage(helper.getNode('out'));
    helper.getNode('crossNum').receive({ topic: 'T', signal: { side: 'BUY', reason: 'test', time: 1 }, account: { equity: 100000 }, payload: bar(100, 1) });
    const order = (await sized).order;
    // 1% of 100,000 at risk over a 5-point stop: 200 shares, the stop at 95.
    assert.equal(order.targetQuantity, 200);
    assert.equal(order.stopLoss, 95);

    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('sizeMissing').receive({ topic: 'T', signal: { side: 'BUY', reason: 'test', time: 1 }, account: { equity: 100000 }, payload: bar(100, 1) });
    assert.match((await caught).error.message, /flow\.stopPrice/);
  });
});
