/**
 * Settings that name where a value comes from are Node-RED typedInputs (msg, flow, global, env, and a
 * number where a value fits), read for each message through evaluateNodeProperty: crossover's compared
 * values, sma's source property and risk-sizer's stop price. A flow saved before the settings had a
 * type (a plain property name, no ...Type) reads the message property as before.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { helper, loadFlow, nextMessage, startServer, stopServer } from '../helpers/node-red';

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
