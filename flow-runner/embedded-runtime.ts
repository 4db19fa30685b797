/**
 * An embedded, headless Node-RED (no editor, no HTTP listener) with this package installed in a
 * temporary user directory, plus optional extra node folders (benchmarks add their own relay nodes).
 * Of Node-RED's core node files it loads only those the starting flow needs (core-nodes.ts): a sweep
 * runs one such runtime per process, and mqtt, websocket, http, parsers ... cost memory a backtest does
 * not use. The Node-RED module is handed in: lib never imports node-red.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { coreNodeFiles, nodeFilesUnder, selectCoreNodeFiles, typesOfFlow, type CoreNodeSelection } from './core-nodes';

export interface NodeRedModule {
  init(server: unknown, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNodeList(): Array<{ types?: string[] }>; getNode(id: string): { receive(msg: Record<string, unknown>): void } | null };
  runtime?: { flows: { setFlows(opts: { flows: { flows: unknown[] }; deploymentType?: string }): Promise<unknown> } };
}

export interface LogEvent {
  level: number;
  msg?: unknown;
  type?: string;
  id?: string;
  name?: string;
}

export interface EmbeddedOptions {
  packageRoot: string;
  packageName: string;
  /** The flow to start with. */
  flow: readonly unknown[];
  /** Extra folders of node files (.js + .html). */
  nodesDir?: string[];
  onLog?: (event: LogEvent) => void;
  /**
   * Core node files to load: 'used' (default) loads core/common and the files registering a type the
   * starting flow uses; 'all' loads every one, as Node-RED does by default.
   */
  coreNodes?: 'used' | 'all';
  /**
   * The core nodes directory (the @node-red/nodes folder) of the handed-in Node-RED. Default: the one
   * Node-RED resolves itself in init (its `coreNodesDir` setting).
   */
  coreNodesDir?: string;
}

export interface EmbeddedRuntime {
  readonly RED: NodeRedModule;
  readonly userDir: string;
  /** A running node of the flow, once the runtime has started it (flows start after RED.start resolves). */
  node(id: string, timeoutMs?: number): Promise<{ receive(msg: Record<string, unknown>): void }>;
  /** Core node files left out (file names), empty when all are loaded. */
  readonly leftOutCoreFiles: readonly string[];
  /**
   * Replaces the running flows (a full deploy). Rejects, before anything changes, when the flow uses a
   * core node type whose file this runtime left out.
   */
  deploy(flow: readonly unknown[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedRuntime(RED: NodeRedModule, options: EmbeddedOptions): Promise<EmbeddedRuntime> {
  const userDir = mkdtempSync(join(tmpdir(), 'ib-flow-'));
  mkdirSync(join(userDir, 'node_modules'));
  symlinkSync(options.packageRoot, join(userDir, 'node_modules', options.packageName), 'junction');
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(options.flow));
  const settings: Record<string, unknown> = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    uiPort: 0,
    telemetry: { enabled: false },
    editorTheme: { tours: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    logging: {
      embedded: { level: 'warn', metrics: false, audit: false, handler: () => (event: LogEvent) => options.onLog?.(event) },
    },
  };
  if (options.nodesDir?.length) settings.nodesDir = options.nodesDir;
  if (options.coreNodesDir !== undefined) settings.coreNodesDir = options.coreNodesDir;
  // Present at init, so the runtime's settings object exposes it; filled in below, before start scans node files.
  const nodesExcludes: string[] = [];
  settings.nodesExcludes = nodesExcludes;
  RED.init(createServer(), settings);
  const selection = options.coreNodes === 'all' ? null : selectionFor(settings.coreNodesDir, options);
  if (selection) nodesExcludes.push(...selection.excludes);
  await RED.start();
  return {
    RED,
    userDir,
    leftOutCoreFiles: selection?.excludes ?? [],
    async node(id, timeoutMs = 30_000) {
      const started = Date.now();
      for (;;) {
        const found = RED.nodes.getNode(id);
        if (found) return found;
        if (Date.now() - started > timeoutMs) throw new Error(`node ${id} did not start within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async deploy(flow) {
      if (!RED.runtime) throw new Error('this Node-RED does not expose runtime.flows.setFlows');
      if (selection) assertCoreTypesLoaded(flow, selection);
      await RED.runtime.flows.setFlows({ flows: { flows: [...flow] }, deploymentType: 'full' });
    },
    async stop() {
      await RED.stop().catch(() => undefined);
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** Which core node files to leave out; null (load all) when Node-RED did not say where they are. */
function selectionFor(coreNodesDir: unknown, options: EmbeddedOptions): CoreNodeSelection | null {
  if (typeof coreNodesDir !== 'string') return null;
  // nodesExcludes matches file names in the nodesDir folders too: never exclude one of theirs.
  const theirs = new Set((options.nodesDir ?? []).flatMap((dir) => nodeFilesUnder(dir)).map((file) => basename(file)));
  return selectCoreNodeFiles(coreNodeFiles(coreNodesDir), typesOfFlow(options.flow), theirs);
}

function assertCoreTypesLoaded(flow: readonly unknown[], selection: CoreNodeSelection): void {
  const missing = [...typesOfFlow(flow)].filter((type) => selection.leftOut.has(type));
  if (missing.length === 0) return;
  const where = missing.map((type) => `'${type}' (${selection.leftOut.get(type)!.path})`).join(', ');
  throw new Error(
    `core node type${missing.length > 1 ? 's' : ''} ${where} not loaded: this runtime loaded only the core node files its starting flow uses. ` +
      `Start it with coreNodes: 'all' (ib-flow: --all-core-nodes), or with a starting flow that uses the type.`,
  );
}
