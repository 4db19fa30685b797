/**
 * The embedded runtime loads only the core node files its starting flow uses (seen in the runtime's own
 * node list), all of them on request, and refuses a later deploy that needs a left-out file.
 * One real Node-RED per runtime, started one after the other in this process.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { coreNodeFiles } from '../../flow-runner/core-nodes';
import { startEmbeddedRuntime, type EmbeddedOptions, type EmbeddedRuntime, type NodeRedModule } from '../../flow-runner/embedded-runtime';
import { repoRoot } from '../helpers/paths';

const nodeRedEntry = require.resolve(process.env.IB_ALGO_NODE_RED_PATH || 'node-red');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED = require(nodeRedEntry) as NodeRedModule;
const coreNodesDir = dirname(require.resolve('@node-red/nodes', { paths: [dirname(nodeRedEntry)] }));
const coreFiles = coreNodeFiles(coreNodesDir);
/** Node-RED names a core node set after its file: "10-mqtt.js" -> "node-red/mqtt". */
const setIdOf = (fileName: string) => `node-red/${fileName.replace(/^\d+-/, '').replace(/\.c?js$/, '')}`;
const commonSets = coreFiles.filter((f) => f.path.startsWith('core/common/')).map((f) => setIdOf(f.name));

interface NodeSet {
  id: string;
  module: string;
  types?: string[];
}

const tab = { id: 'e0e0000000000001', type: 'tab', label: 'test' };
const mqttFlow = [
  tab,
  { id: 'e0e0000000000002', type: 'mqtt-broker', name: 'local', broker: '127.0.0.1', port: '1883', autoConnect: false, protocolVersion: '4' },
  { id: 'e0e0000000000003', z: tab.id, type: 'mqtt in', name: 'ticks', topic: 'ticks', qos: '0', datatype: 'auto-detect', broker: 'e0e0000000000002', nl: false, rap: true, inputs: 0, x: 100, y: 100, wires: [[]] },
];

function coreSetsLoaded(): string[] {
  return (RED.nodes.getNodeList() as NodeSet[]).filter((s) => s.module === 'node-red').map((s) => s.id).sort();
}

function coreTypesLoaded(): Set<string> {
  const sets = RED.nodes.getNodeList() as NodeSet[];
  return new Set(sets.filter((s) => s.module === 'node-red').flatMap((s) => s.types ?? []));
}

async function withRuntime(options: Partial<EmbeddedOptions> & { flow: readonly unknown[] }, use: (runtime: EmbeddedRuntime) => Promise<void>): Promise<void> {
  const errors: string[] = [];
  const runtime = await startEmbeddedRuntime(RED, {
    packageRoot: repoRoot,
    packageName: 'node-red-contrib-ib-algo',
    onLog: (e) => e.level <= 20 && errors.push(String(e.msg)),
    ...options,
  });
  try {
    await use(runtime);
    assert.deepEqual(errors, [], 'no runtime errors');
  } finally {
    await runtime.stop();
  }
}

describe('embedded runtime: core node files', () => {
  it("a flow using mqtt loads core/common and mqtt's file only, and its nodes start", async () => {
    await withRuntime({ flow: mqttFlow }, async (runtime) => {
      assert.deepEqual(coreSetsLoaded(), [...commonSets, 'node-red/mqtt'].sort());
      const loaded = coreTypesLoaded();
      for (const absent of ['function', 'change', 'http in', 'websocket in', 'tcp in', 'exec', 'xml']) assert.ok(!loaded.has(absent), `${absent} not loaded`);
      assert.ok(runtime.leftOutCoreFiles.includes('21-httpin.js'));
      assert.ok(!runtime.leftOutCoreFiles.includes('10-mqtt.js'));
      await runtime.node('e0e0000000000003', 10_000);
      assert.ok((RED.nodes.getNodeList() as NodeSet[]).some((s) => s.module === 'node-red-contrib-ib-algo'), "the package's own nodes are there");
    });
  });

  it('a later deploy using a left-out core type is refused with what to do; one using loaded types runs', async () => {
    await withRuntime({ flow: mqttFlow }, async (runtime) => {
      await runtime.node('e0e0000000000003', 10_000);
      const httpFlow = [tab, { id: 'e0e0000000000004', z: tab.id, type: 'http request', method: 'GET', url: 'http://127.0.0.1:1/', x: 100, y: 100, wires: [[]] }];
      await assert.rejects(runtime.deploy(httpFlow), (err: Error) => {
        assert.match(err.message, /core node type 'http request' \(core\/network\/21-httprequest\.js\) not loaded/);
        assert.match(err.message, /coreNodes: 'all' \(ib-flow: --all-core-nodes\)/);
        return true;
      });
      assert.ok(RED.nodes.getNode('e0e0000000000003'), 'the running flow is untouched');

      const loadedFlow = [
        tab,
        { id: 'e0e0000000000005', z: tab.id, type: 'inject', props: [], repeat: '', once: false, x: 100, y: 100, wires: [['e0e0000000000006']] },
        { id: 'e0e0000000000006', z: tab.id, type: 'ib-sma', name: 'sma', period: 3, source: 'close', output: 'indicators.sma', x: 300, y: 100, wires: [[]] },
      ];
      await runtime.deploy(loadedFlow);
      await runtime.node('e0e0000000000006', 10_000);
      assert.equal(RED.nodes.getNode('e0e0000000000003'), null, 'the full deploy replaced the mqtt flow');
    });
  });

  it("coreNodes: 'all' loads every core node file, as Node-RED does by default", async () => {
    await withRuntime({ flow: [tab], coreNodes: 'all', coreNodesDir }, async (runtime) => {
      assert.deepEqual(runtime.leftOutCoreFiles, []);
      assert.deepEqual(coreSetsLoaded(), coreFiles.map((f) => setIdOf(f.name)).sort());
      const loaded = coreTypesLoaded();
      for (const type of coreFiles.flatMap((f) => f.types ?? [])) assert.ok(loaded.has(type), `${type} loaded`);
      await runtime.deploy([tab, { id: 'e0e0000000000007', z: tab.id, type: 'function', func: 'return msg;', outputs: 1, x: 100, y: 100, wires: [[]] }]);
      await runtime.node('e0e0000000000007', 10_000);
    });
  });

  it('a flow with an unknown type: the type is not in the node list and its flow does not start (Node-RED waits for it)', async () => {
    const flow = [tab, { id: 'e0e0000000000008', z: tab.id, type: 'no-such-type', x: 100, y: 100, wires: [] }, { id: 'e0e0000000000009', z: tab.id, type: 'inject', props: [], x: 100, y: 200, wires: [[]] }];
    await withRuntime({ flow }, async (runtime) => {
      assert.ok(!(RED.nodes.getNodeList() as NodeSet[]).some((s) => s.types?.includes('no-such-type')));
      await assert.rejects(runtime.node('e0e0000000000009', 1_000), /did not start within 1000 ms/);
    });
  });
});
