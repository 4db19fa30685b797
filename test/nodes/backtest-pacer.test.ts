/**
 * The flow pacer in a real Node-RED runtime: a test replay node sends numbered bars through paths with
 * asynchronous function nodes, delay nodes, fan-out, link and catch nodes, and a node without `done`;
 * every message a bar causes must be handled before the next bar leaves.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFlowPacer, ReplayStoppedError, type FlowPacer } from '../../nodes/flow-pacer';
import { useMessageCatalogs } from '../../nodes/i18n';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../../nodes/red';
import { helper, packageModule, startServer, stopServer } from '../helpers/node-red';

interface ReplayRun {
  log: string[];
  warnings: string[];
  finished: Promise<{ error?: Error }>;
}

let log: string[] = [];
let warnings: string[] = [];
let finish: (result: { error?: Error }) => void = () => undefined;

function newRun(): ReplayRun {
  log = [];
  warnings = [];
  const finished = new Promise<{ error?: Error }>((resolve) => (finish = resolve));
  return { get log() { return log; }, get warnings() { return warnings; }, finished };
}

/** A replaying node: on input {payload: N, paced}, sends bars 0..N-1 (paced or not) and logs each send. */
function testNodes(RED: NodeAPI): void {
  // As the package's nodes do: the pacer's warnings come from the package's message catalogs.
  useMessageCatalogs(RED);
  RED.nodes.registerType('test-replay', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const pacer: FlowPacer = createFlowPacer(RED, node, { stallWarningMs: Number(def.stallWarningMs) || 10_000 });
    const warn = node.warn.bind(node);
    node.warn = (m: unknown) => {
      warnings.push(String(m));
      warn(m);
    };
    node.on('input', (msg, _send, done) => {
      const count = Number(msg.payload);
      const paced = msg.paced !== false;
      (async () => {
        for (let i = 0; i < count; i++) {
          log.push(`sent ${i}`);
          if (paced) await pacer.send({ topic: 'T', payload: i });
          else node.send({ topic: 'T', payload: i });
        }
      })().then(
        () => {
          done();
          finish({});
        },
        (error: Error) => {
          done();
          finish({ error });
        },
      );
    });
  });
  // A sink that logs what it gets, then calls done.
  RED.nodes.registerType('test-sink', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    this.on('input', (msg: NodeMessage, _send, done) => {
      log.push(`${def.name} ${String(msg.payload)}`);
      done();
    });
  });
  // An old-style node whose handler takes only msg: Node-RED never fires onComplete for it.
  RED.nodes.registerType('test-legacy', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    (node.on as (e: string, h: (msg: NodeMessage) => void) => void)('input', (msg: NodeMessage) => {
      log.push(`${def.name} ${String(msg.payload)}`);
      node.send(msg);
    });
  });
}

/** Every sink entry belongs to the last bar sent: nothing of bar i is handled after bar i+1 leaves. */
function assertCausal(entries: string[], bars: number, sinksPerBar: number): void {
  let current = -1;
  const seen = new Map<number, number>();
  for (const entry of entries) {
    const [who, n] = [entry.slice(0, entry.lastIndexOf(' ')), Number(entry.slice(entry.lastIndexOf(' ') + 1))];
    if (who === 'sent') {
      assert.equal(n, current + 1, 'bars leave in order');
      if (current >= 0) assert.equal(seen.get(current), sinksPerBar, `every message of bar ${current} was handled before bar ${n} left`);
      current = n;
    } else {
      assert.equal(n, current, `"${entry}" arrived while bar ${current} was the last one sent`);
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
  }
  assert.equal(current, bars - 1);
  assert.equal(seen.get(current), sinksPerBar);
}

/** Core nodes the flows use (the helper preloads only catch, status and complete). */
const nodeModules: unknown[] = [
  packageModule(testNodes as Parameters<typeof packageModule>[0]),
  require('@node-red/nodes/core/function/10-function.js'),
  require('@node-red/nodes/core/function/89-delay.js'),
  require('@node-red/nodes/core/common/60-link.js'),
];

function load(flow: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => helper.load(nodeModules, flow, {}, (err) => (err ? reject(err) : resolve())));
}

const tab = { id: 'tab', type: 'tab', label: 'pacer' };

describe('flow pacer', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('waits for async function nodes, delays and fan-out before sending the next bar', async () => {
    const flow = [
      tab,
      { id: 'replay', z: 'tab', type: 'test-replay', wires: [['fnAsync', 'sinkDirect']] },
      {
        id: 'fnAsync',
        z: 'tab',
        type: 'function',
        func: 'setTimeout(() => { node.send([msg, RED.util.cloneMessage(msg)]); node.done(); }, Math.random() * 2); return;',
        outputs: 2,
        wires: [['wait3'], ['sinkB']],
      },
      { id: 'wait3', z: 'tab', type: 'delay', pauseType: 'delay', timeout: '3', timeoutUnits: 'milliseconds', wires: [['fnNew']] },
      // A function that returns a brand-new message object: it still carries the bar's _msgid.
      { id: 'fnNew', z: 'tab', type: 'function', func: 'return { payload: msg.payload };', outputs: 1, wires: [['sinkA']] },
      { id: 'sinkA', z: 'tab', type: 'test-sink', name: 'A', wires: [] },
      { id: 'sinkB', z: 'tab', type: 'test-sink', name: 'B', wires: [] },
      { id: 'sinkDirect', z: 'tab', type: 'test-sink', name: 'D', wires: [] },
    ];
    await load(flow);
    const run = newRun();
    helper.getNode('replay').receive({ payload: 40 });
    const result = await run.finished;
    assert.equal(result.error, undefined);
    if (process.env.DEBUG_PACER) console.log(run.log.join("\n"));
    assertCausal(run.log, 40, 3);
  });

  it('the same flow unpaced lets bars overtake each other (the check above can fail)', async () => {
    const flow = [
      tab,
      { id: 'replay', z: 'tab', type: 'test-replay', wires: [['wait3']] },
      { id: 'wait3', z: 'tab', type: 'delay', pauseType: 'delay', timeout: '3', timeoutUnits: 'milliseconds', wires: [['sinkA']] },
      { id: 'sinkA', z: 'tab', type: 'test-sink', name: 'A', wires: [] },
    ];
    await load(flow);
    const run = newRun();
    helper.getNode('replay').receive({ payload: 5, paced: false });
    await run.finished;
    await new Promise((r) => setTimeout(r, 50));
    assert.throws(() => assertCausal(run.log, 5, 1));
  });

  it('counts messages that link, catch and complete nodes receive directly', async () => {
    const flow = [
      tab,
      { id: 'replay', z: 'tab', type: 'test-replay', wires: [['thrower', 'linkOut']] },
      {
        id: 'thrower',
        z: 'tab',
        type: 'function',
        func: 'if (msg.payload % 2) { throw new Error("odd " + msg.payload); } return msg;',
        outputs: 1,
        wires: [['sinkEven']],
      },
      { id: 'catcher', z: 'tab', type: 'catch', scope: ['thrower'], uncaught: false, wires: [['slowCatch']] },
      { id: 'slowCatch', z: 'tab', type: 'delay', pauseType: 'delay', timeout: '2', timeoutUnits: 'milliseconds', wires: [['sinkCatch']] },
      { id: 'completer', z: 'tab', type: 'complete', scope: ['sinkEven'], uncaught: false, wires: [['sinkComplete']] },
      { id: 'linkOut', z: 'tab', type: 'link out', mode: 'link', links: ['linkIn'], wires: [] },
      { id: 'linkIn', z: 'tab', type: 'link in', links: [], wires: [['slowLink']] },
      { id: 'slowLink', z: 'tab', type: 'delay', pauseType: 'delay', timeout: '2', timeoutUnits: 'milliseconds', wires: [['legacy']] },
      { id: 'legacy', z: 'tab', type: 'test-legacy', name: 'L', wires: [['sinkLink']] },
      { id: 'sinkEven', z: 'tab', type: 'test-sink', name: 'E', wires: [] },
      { id: 'sinkCatch', z: 'tab', type: 'test-sink', name: 'C', wires: [] },
      { id: 'sinkComplete', z: 'tab', type: 'test-sink', name: 'X', wires: [] },
      { id: 'sinkLink', z: 'tab', type: 'test-sink', name: 'K', wires: [] },
    ];
    await load(flow);
    const run = newRun();
    helper.getNode('replay').receive({ payload: 20 });
    const result = await run.finished;
    assert.equal(result.error, undefined);
    // Per bar: even -> E + X (complete), odd -> C (catch); always L (legacy) + K (link path).
    let current = -1;
    const perBar = new Map<number, string[]>();
    for (const entry of run.log) {
      const [who, n] = entry.split(' ');
      if (who === 'sent') current = Number(n);
      else {
        assert.equal(Number(n), current, `"${entry}" arrived after bar ${current} left`);
        perBar.set(current, [...(perBar.get(current) ?? []), who!]);
      }
    }
    for (let i = 0; i < 20; i++) {
      const expected = i % 2 ? ['C', 'K', 'L'] : ['E', 'K', 'L', 'X'];
      assert.deepEqual([...(perBar.get(i) ?? [])].sort(), expected, `bar ${i}`);
    }
  });

  it('resolves at once when nothing is wired', async () => {
    const flow = [tab, { id: 'replay', z: 'tab', type: 'test-replay', wires: [] }];
    await load(flow);
    const run = newRun();
    helper.getNode('replay').receive({ payload: 1000 });
    const result = await run.finished;
    assert.equal(result.error, undefined);
    assert.equal(run.log.length, 1000);
  });

  it('warns about a node that never calls done, and rejects the pending send when the flow stops', async () => {
    const flow = [
      tab,
      { id: 'replay', z: 'tab', type: 'test-replay', stallWarningMs: 100, wires: [['hold']] },
      { id: 'hold', z: 'tab', type: 'function', name: 'holder', func: 'if (false) node.done(); return;', outputs: 1, wires: [[]] },
    ];
    await load(flow);
    const run = newRun();
    helper.getNode('replay').receive({ payload: 3 });
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(run.log.length, 1, 'the second bar waits');
    assert.equal(run.warnings.length, 1);
    assert.match(run.warnings[0]!, /1 message\(s\) of one bar not finished .*holder/);
    await helper.unload();
    const result = await run.finished;
    assert.ok(result.error instanceof ReplayStoppedError, `got ${String(result.error)}`);
    // The hooks go with the last pacer.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const hooks = require('@node-red/util').hooks as { has(name: string): boolean };
    assert.equal(hooks.has('onComplete.ibAlgoFlowPacer'), false);
  });
});
