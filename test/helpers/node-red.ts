/**
 * A real Node-RED runtime for node tests, through node-red-node-test-helper. Loads the compiled nodes
 * from dist/ exactly as Node-RED would.
 */
import { dirname, join } from 'node:path';
import { distNodesDir } from './paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const helper: TestHelper = require('node-red-node-test-helper');
// IB_ALGO_NODE_RED_PATH: the node-red package directory to test against instead of the repository's
// own (scripts/test-node-red-5.mjs points it at Node-RED 5 installed under .ci/cache).
const nodeRedMain = require.resolve(process.env.IB_ALGO_NODE_RED_PATH || 'node-red');
helper.init(nodeRedMain);

interface RuntimeI18n {
  init(settings: { lang?: string }): void;
  /** i18next itself. */
  i: { changeLanguage(lang: string): Promise<unknown> };
  registerMessageCatalog(namespace: string, dir: string, file: string): Promise<void>;
  _(key: string, values?: Record<string, unknown>): string;
}

/**
 * The runtime's own message lookup (@node-red/util's i18n, the one Node-RED's RED._ is). The test
 * helper hands nodes a RED._ that answers every key with itself and never reads a node's locales/;
 * nodeModule gives this package's nodes the real one, with their catalogs registered as Node-RED's
 * registry registers them when it loads a node (namespace <module>/<type>, the locales/ folder beside
 * the .js). The tests run in en-US whatever the machine's LANG: the first init decides, and the
 * helper's own (in startServer) comes later.
 */
const i18n = (require(require.resolve('@node-red/util', { paths: [dirname(nodeRedMain)] })) as { i18n: RuntimeI18n }).i18n;
i18n.init({ lang: 'en-US' });
const catalogs = new Map<string, Promise<void>>();
const packageName = (require(join(distNodesDir, '..', '..', 'package.json')) as { name: string }).name;

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

/**
 * Switches the runtime's language (as settings.lang or LANG would set it at start): the package's
 * catalogs answer in `lang` from then on, en-US where it has no text. The tests otherwise run in en-US.
 */
export async function runtimeLanguage(lang: string): Promise<void> {
  await i18n.i.changeLanguage(lang);
}

type ModuleFunction = (RED: { _: (key: string, values?: Record<string, unknown>) => string }) => unknown;

/**
 * `register` (a module function that stands for nodes of this package, as a test's own nodes do) with
 * the package's message catalogs registered and RED._ reading them; other modules' keys go to the
 * helper's RED._. `types`: the node sets whose catalogs to register (ib-connect's, which holds the
 * shared texts, always).
 */
export function packageModule(register: ModuleFunction, types: string[] = []): ModuleFunction {
  return async (RED) => {
    await Promise.all(
      [...new Set([...types, 'ib-connect'])].map((type) => {
        const namespace = `${packageName}/${type}`;
        if (!catalogs.has(namespace)) catalogs.set(namespace, i18n.registerMessageCatalog(namespace, join(distNodesDir, type, 'locales'), `${type}.json`));
        return catalogs.get(namespace);
      }),
    );
    const helperLookup = RED._;
    if (!(helperLookup as { ours?: boolean }).ours) {
      const lookup = (key: string, values?: Record<string, unknown>) => (key.startsWith(`${packageName}/`) ? i18n._(key, values) : helperLookup(key, values));
      RED._ = Object.assign(lookup, { ours: true });
    }
    return register(RED);
  };
}

/**
 * Counts the lookups of this package's texts in the runtime's message catalogs (each status or error
 * text a node formats) until stop().
 */
export function countCatalogLookups(): { count(): number; stop(): void } {
  const lookup = i18n._;
  let count = 0;
  i18n._ = (key, values) => {
    if (key.startsWith(`${packageName}/`)) count++;
    return lookup.call(i18n, key, values);
  };
  return {
    count: () => count,
    stop: () => {
      i18n._ = lookup;
    },
  };
}

/** The module function of a compiled node, e.g. nodeModule('ib-sma'), as Node-RED calls it: with its message catalog. */
export function nodeModule(type: string): unknown {
  return packageModule(require(join(distNodesDir, type, `${type}.js`)) as ModuleFunction, [type]);
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
