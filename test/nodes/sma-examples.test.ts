/**
 * The example flows of sma, indicator and crossover deploy as imported (with Node-RED's own inject,
 * function, debug and comment nodes) and compute: the bar generator's messages come out annotated.
 * risk-sizer's example needs the simulator connection; its JSON is checked for shape here.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectMessages, helper, nodeModule, startServer, stopServer } from '../helpers/node-red';
import { examplesDir } from '../helpers/paths';

const core = (file: string) => require(require.resolve(`@node-red/nodes/core/${file}`));
const coreModules = ['common/20-inject.js', 'function/10-function.js', 'common/21-debug.js', 'common/90-comment.js'].map(core);

function example(type: string): Array<Record<string, any>> {
  return JSON.parse(readFileSync(join(examplesDir, `${type}.json`), 'utf8'));
}

function load(flow: unknown[], types: string[]): Promise<void> {
  return new Promise((resolve, reject) => helper.load([...types.map(nodeModule), ...coreModules], flow, {}, (err?: Error) => (err ? reject(err) : resolve())));
}

/** The example on a tab, timers off (inject repeat/once), and a helper node on the given node's output. */
function prepared(type: string, tapId: string): unknown[] {
  const nodes: Array<Record<string, any>> = example(type).map((n) => ({ ...n, z: 'tab', ...(n.type === 'inject' ? { repeat: '', once: false } : {}) }));
  const tap = nodes.find((n) => n.id === tapId) as Record<string, any>;
  tap.wires = [[...tap.wires[0], 'tap']];
  return [{ id: 'tab', type: 'tab' }, ...nodes, { id: 'tap', z: 'tab', type: 'helper' }];
}

describe('example flows', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('ib-sma example: bars and a batch get sma20', async () => {
    await load(prepared('ib-sma', 'sma-node'), ['ib-sma']);
    const got = collectMessages(helper.getNode('tap'), 21);
    for (let i = 0; i < 20; i++) helper.getNode('sma-bar').receive({});
    helper.getNode('sma-batch').receive({});
    const msgs = await got;
    assert.equal(msgs[18].indicators.sma20, null);
    assert.equal(typeof msgs[19].indicators.sma20, 'number');
    assert.equal(msgs[20].indicators.sma20.length, 500);
  });

  it('ib-indicator example: rsi14, macd and atr14 on every bar', async () => {
    await load(prepared('ib-indicator', 'ind-atr'), ['ib-indicator']);
    const got = collectMessages(helper.getNode('tap'), 40);
    for (let i = 0; i < 40; i++) helper.getNode('ind-bar').receive({});
    const last = (await got)[39].indicators;
    assert.equal(typeof last.rsi14, 'number');
    assert.equal(typeof last.macd.macd, 'number');
    assert.equal(typeof last.atr14, 'number');
  });

  it('ib-crossover example: the chain runs and only crosses come out', async () => {
    await load(prepared('ib-crossover', 'x-slow'), ['ib-sma', 'ib-crossover']);
    const got = collectMessages(helper.getNode('tap'), 300);
    for (let i = 0; i < 300; i++) helper.getNode('x-bar').receive({});
    const msgs = await got;
    assert.equal(typeof msgs[299].indicators.sma50, 'number');
  });

  it('every example has a comment and uses its node', () => {
    for (const type of ['ib-sma', 'ib-indicator', 'ib-crossover', 'ib-risk-sizer']) {
      const flow = example(type);
      assert.ok(flow.some((n) => n.type === 'comment' && n.name), `${type} example has a comment`);
      assert.ok(flow.some((n) => n.type === type), `${type} example uses ${type}`);
    }
    const rs = example('ib-risk-sizer');
    const connection = rs.find((n) => n.type === 'ib-connect');
    assert.equal(connection?.mode, 'simulator');
    assert.equal(rs.find((n) => n.type === 'ib-risk-sizer')?.connection, connection?.id);
  });
});
