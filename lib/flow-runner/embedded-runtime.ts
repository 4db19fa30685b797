/**
 * An embedded, headless Node-RED (no editor, no HTTP listener) with this package installed in a
 * temporary user directory, plus optional extra node folders (benchmarks add their own relay nodes).
 * The Node-RED module is handed in: lib never imports node-red.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
}

export interface EmbeddedRuntime {
  readonly RED: NodeRedModule;
  readonly userDir: string;
  /** A running node of the flow, once the runtime has started it (flows start after RED.start resolves). */
  node(id: string, timeoutMs?: number): Promise<{ receive(msg: Record<string, unknown>): void }>;
  /** Replaces the running flows (a full deploy). */
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
  RED.init(createServer(), settings);
  await RED.start();
  return {
    RED,
    userDir,
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
      await RED.runtime.flows.setFlows({ flows: { flows: [...flow] }, deploymentType: 'full' });
    },
    async stop() {
      await RED.stop().catch(() => undefined);
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
