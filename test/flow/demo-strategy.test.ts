/**
 * The demo shows one strategy in both modes: flows/demo.json's Paper trading and Backtest tabs run the
 * same strategy nodes (one subflow instance each, of the same subflow), fed the same kind of bars, and
 * send its entries and exits to order nodes set alike (only their connection differs). Fails if the two
 * tabs drift apart.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths';

type FlowNode = Record<string, any> & { id: string; type: string; z?: string; wires?: string[][] };

const flows: FlowNode[] = JSON.parse(readFileSync(join(repoRoot, 'flows', 'demo.json'), 'utf8'));
const byId = new Map(flows.map((n) => [n.id, n]));
const tabs = flows.filter((n) => n.type === 'tab');
const tab = (label: string) => tabs.find((t) => t.label === label)!;

/** A node's settings, without what only places it (id, tab, position, wires) or picks its connection. */
function settings(node: FlowNode): Record<string, unknown> {
  const { id: _id, z: _z, x: _x, y: _y, wires: _w, connection: _c, name: _n, ...rest } = node;
  return rest;
}

function strategyOf(tabId: string): FlowNode {
  const instances = flows.filter((n) => n.z === tabId && n.type.startsWith('subflow:'));
  assert.equal(instances.length, 1, `tab ${tabId} runs one strategy subflow`);
  return instances[0];
}

function sourcesOf(node: FlowNode): FlowNode[] {
  return flows.filter((n) => n.wires?.some((port) => port.includes(node.id)));
}

describe('demo: one strategy in both modes', () => {
  const paper = strategyOf(tab('Paper trading').id);
  const backtest = strategyOf(tab('Backtest').id);

  it('both tabs run the same subflow, and only the subflow computes the strategy', () => {
    assert.equal(paper.type, backtest.type);
    const definition = byId.get(paper.type.slice('subflow:'.length))!;
    assert.equal(definition.type, 'subflow');
    const inner = flows.filter((n) => n.z === definition.id);
    const smas = inner.filter((n) => n.type === 'ib-sma').map((n) => Number(n.period)).sort((a, b) => a - b);
    assert.deepEqual(smas, [20, 50]);
    assert.ok(inner.some((n) => n.type === 'ib-crossover' && n.emit === 'cross' && n.formingSignals !== true), 'signals on closed bars');
    assert.ok(inner.some((n) => n.type === 'ib-risk-sizer' && n.method === 'fixed' && Number(n.shares) === 100));
    for (const t of tabs) {
      const strays = flows.filter((n) => n.z === t.id && ['ib-sma', 'ib-indicator', 'ib-crossover', 'ib-risk-sizer'].includes(n.type));
      assert.deepEqual(strays.map((n) => n.id), [], `no strategy node of its own on tab ${t.label}`);
    }
  });

  it('the same orders: each output goes to order nodes set alike, on the tab\'s own connection', () => {
    assert.equal(paper.wires!.length, backtest.wires!.length);
    for (const port of [0, 1]) {
      const orderNodes = (instance: FlowNode) => instance.wires![port].map((id) => byId.get(id)!).filter((n) => n.type.startsWith('ib-'));
      const a = orderNodes(paper);
      const b = orderNodes(backtest);
      assert.equal(a.length, 1, `output ${port + 1} of the paper strategy goes to one order node`);
      assert.equal(b.length, 1, `output ${port + 1} of the backtest strategy goes to one order node`);
      assert.deepEqual(settings(b[0]), settings(a[0]), `output ${port + 1}: ${a[0].id} and ${b[0].id} differ`);
      assert.notEqual(a[0].connection, b[0].connection);
      assert.equal(byId.get(b[0].connection)?.mode, 'backtest');
    }
    assert.equal(byId.get(paper.wires![0][0])!.type, 'ib-stop-order', 'entries are protected by a bracket');
  });

  it('the same bars: 5-minute TRADES bars of AAPL, all hours, on both tabs; live bars kept up to date on paper', () => {
    const bars = (instance: FlowNode) => sourcesOf(instance).filter((n) => n.type === 'ib-historical-bars');
    const live = bars(paper);
    const history = bars(backtest);
    assert.ok(live.length >= 1 && history.length === 1);
    for (const node of [...live, ...history]) {
      assert.deepEqual([node.barSize, node.whatToShow, node.useRTH], [history[0].barSize, history[0].whatToShow, history[0].useRTH], node.id);
    }
    assert.equal(history[0].barSize, '5 mins');
    assert.ok(live.every((n) => n.output === 'live'));
    assert.equal(history[0].output, 'each');
    assert.ok(live.some((n) => n.symbol === history[0].symbol));
  });

  it('a faster simulated clock is said in the editor and on the dashboard', () => {
    const speed = Number(byId.get('demo-conn-paper')!.simClockSpeed);
    assert.ok(speed > 1);
    const texts = flows.filter((n) => n.z === tab('Paper trading').id).map((n) => `${n.name ?? ''} ${n.info ?? ''} ${n.payload ?? ''}`).join('\n');
    assert.match(texts, new RegExp(`${speed}x real time`));
    assert.ok(flows.some((n) => n.type === 'inject' && String(n.payload).includes(`${speed}x real time`) && n.wires?.[0].some((id) => byId.get(id)?.type === 'ui-text')), 'the dashboard says it');
  });
});
