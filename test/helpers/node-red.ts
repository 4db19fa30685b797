/**
 * A real Node-RED runtime for node tests, through node-red-node-test-helper. Loads the compiled nodes
 * from dist/ exactly as Node-RED would.
 */
import { join } from 'node:path';
import { distNodesDir } from './paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const helper: TestHelper = require('node-red-node-test-helper');
// IB_ALGO_NODE_RED_PATH: the node-red package directory to test against instead of the repository's
// own (scripts/test-node-red-5.mjs points it at Node-RED 5 installed under .ci/cache).
helper.init(require.resolve(process.env.IB_ALGO_NODE_RED_PATH || 'node-red'));

export interface TestNode {
  id: string;
  on(event: string, listener: (...args: any[]) => void): void;
  receive(msg: Record<string, unknown>): void;
  [key: string]: any;
}

interface TestHelper {
  init(nodeRedPath: string, settings?: Record<string, unknown>): void;
  load(nodes: unknown[], flow: unknown[], credentials: Record<string, unknown>, cb: (err?: Error) => void): void;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(cb: () => void): void;
  stopServer(cb: () => void): void;
  settings(settings: Record<string, unknown>): void;
}

export { helper };

/** The module function of a compiled node, e.g. nodeModule('ib-sma'). */
export function nodeModule(type: string): unknown {
  return require(join(distNodesDir, type, `${type}.js`));
}

export function startServer(): Promise<void> {
  return new Promise((resolve) => helper.startServer(resolve));
}

export async function stopServer(): Promise<void> {
  await helper.unload();
  await new Promise<void>((resolve) => helper.stopServer(resolve));
}

/** Loads a flow with the given node types (their compiled modules) and resolves once it is running. */
export function loadFlow(types: string[], flow: unknown[], credentials: Record<string, unknown> = {}): Promise<void> {
  const modules = types.map(nodeModule);
  return new Promise((resolve, reject) => helper.load(modules, flow, credentials, (err) => (err ? reject(err) : resolve())));
}

/** Resolves with the next message a helper node receives. */
export function nextMessage(node: TestNode, timeoutMs = 5000): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on ${node.id} within ${timeoutMs} ms`)), timeoutMs);
    node.on('input', (msg: Record<string, any>) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Collects `count` messages from a helper node. */
export function collectMessages(node: TestNode, count: number, timeoutMs = 5000): Promise<Array<Record<string, any>>> {
  return new Promise((resolve, reject) => {
    const messages: Array<Record<string, any>> = [];
    const timer = setTimeout(
      () => reject(new Error(`only ${messages.length} of ${count} messages on ${node.id} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    node.on('input', (msg: Record<string, any>) => {
      messages.push(msg);
      if (messages.length === count) {
        clearTimeout(timer);
        resolve(messages);
      }
    });
  });
}

/** Waits until `predicate` holds, polling. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
