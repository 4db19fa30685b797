/**
 * What the node tests against the simulator share: a suite with the Node-RED test runtime and a
 * simulator up for its tests, the flow around the nodes under test (an ib-connect to the simulator,
 * a helper 'out', a catch wired to a helper 'caught'), an example flow made loadable in the test
 * runtime, and a list of the messages a node receives.
 */
import { after, afterEach, before } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator, SimulatorOptions } from '../../lib/sim/server/types';
import { helper, startServer, stopServer, type TestNode } from './node-red';
import { examplesDir } from './paths';

export interface SimulatorSuite {
  /** The running simulator (set once the suite's before hook ran). */
  readonly sim: Simulator;
}

/**
 * Call inside describe(): starts the test runtime and a simulator with `options` (port 0) before the
 * tests, stops both after them, and unloads the flow after each test.
 */
export function useSimulatorSuite(options: SimulatorOptions): SimulatorSuite {
  let sim: Simulator | null = null;
  before(async () => {
    await startServer();
    sim = await createSimulator({ ...options, port: 0 });
  });
  after(async () => {
    await stopServer();
    await sim?.close();
  });
  afterEach(() => helper.unload());
  return {
    get sim(): Simulator {
      if (!sim) throw new Error('the simulator is not started yet: use suite.sim inside a test, not while describing');
      return sim;
    },
  };
}

/**
 * `nodes` on tab 'tab' with an ib-connect 'c' (tws mode) to the simulator as `clientId` (each test its
 * own, so a test never sees the previous test's session), a helper 'out' and a catch wired to 'caught'.
 */
export function simulatorFlow(sim: Simulator, nodes: Array<Record<string, unknown>>, clientId: number): unknown[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'c', z: 'tab', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId },
    ...nodes.map((n) => ({ z: 'tab', ...n })),
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

/**
 * examples/<name>.json as the test runtime loads it: without inject and comment nodes (the test sends
 * the messages), debug nodes as helper nodes with the same ids, every flow node on tab 'tab'.
 */
export function exampleFlow(name: string): unknown[] {
  const example = JSON.parse(readFileSync(join(examplesDir, `${name}.json`), 'utf8')) as Array<Record<string, any>>;
  const nodes = example
    .filter((n) => n.type !== 'inject' && n.type !== 'comment')
    .map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper' } : n))
    .map((n) => (n.type === 'ib-connect' ? n : { ...n, z: 'tab' }));
  return [{ id: 'tab', type: 'tab' }, ...nodes];
}

/** Every message `node` receives from now on. */
export function listen(node: TestNode): Array<Record<string, any>> {
  const msgs: Array<Record<string, any>> = [];
  node.on('input', (m: Record<string, any>) => msgs.push(m));
  return msgs;
}
