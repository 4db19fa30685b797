/**
 * Runs one flow in an embedded Node-RED, headless (no editor, no HTTP listener), with this package
 * installed into a temporary user directory (a link to the package root, as `npm install <path>` would
 * make), and waits until every backtest-report in the flow has published its final result.
 *
 * The Node-RED module is handed in by the caller (bin/ib-flow resolves it): lib never imports node-red.
 */
import { resultsBus, type PublishedResult, type ReplayActivity, type ReplayProgress, type ReportFailure } from '../nodes/results-bus';
import { startEmbeddedRuntime, type EmbeddedRuntime, type LogEvent, type NodeRedModule } from './embedded-runtime';
import { reportNodes, type FlowNode } from './flow-edit';

export type { NodeRedModule } from './embedded-runtime';

export interface HeadlessRunOptions {
  /** Root of this package (holds package.json with the "node-red" section). */
  packageRoot: string;
  packageName: string;
  timeoutMs: number;
  /** Core nodes directory of the handed-in Node-RED (default: the one it resolves itself). */
  coreNodesDir?: string;
  /** Load every core node file, not only those the flow uses. */
  allCoreNodes?: boolean;
  /** Warnings and errors of the runtime, one line each; a line already logged is counted, not repeated. */
  log?: (line: string) => void;
  /** Replay progress as backtest-report publishes it (a few times a second). */
  onProgress?: (progress: ReplayProgress) => void;
}

/** An error the flow's nodes reported, and how many times. */
export interface NodeErrorCount {
  text: string;
  count: number;
}

export interface HeadlessRun {
  results: PublishedResult[];
  /** Errors the flow's nodes reported during the run, each distinct text once, in order of first sight. */
  nodeErrors: NodeErrorCount[];
}

const LEVEL_ERROR = 20;
const ERROR_GRACE_MS = 3000;
/** Node types whose error means no result will come. */
const FATAL_SOURCES = new Set(['ib-historical-bars', 'ib-backtest-report', 'ib-connect']);

export async function runFlowHeadless(RED: NodeRedModule, flow: readonly FlowNode[], options: HeadlessRunOptions): Promise<HeadlessRun> {
  const reports = reportNodes(flow);
  if (reports.length === 0) throw new Error('the flow has no enabled ib-backtest-report node: nothing would report a result');
  const log = options.log ?? (() => undefined);
  const lineCounts = new Map<string, number>();
  const errorCounts = new Map<string, number>();
  let fail: (err: Error) => void = () => undefined;
  const onLog = (event: LogEvent) => {
    // Runtime chatter (projects, credentials, banners) is not the user's concern in a headless run.
    if (event.level > LEVEL_ERROR && !event.type) return;
    const text = typeof event.msg === 'string' ? event.msg : event.msg instanceof Error ? event.msg.message : JSON.stringify(event.msg);
    const who = event.type ? `[${event.type}${event.name ? `:${event.name}` : ''}] ` : '';
    const line = `${event.level <= LEVEL_ERROR ? 'error' : 'warn'}: ${who}${text}`;
    // A node failing on every bar says the same thing thousands of times: once is enough, with a count.
    const seen = lineCounts.get(line);
    lineCounts.set(line, (seen ?? 0) + 1);
    if (seen === undefined) log(line);
    if (event.level > LEVEL_ERROR || !event.type) return;
    const errorText = `${who}${text}`;
    errorCounts.set(errorText, (errorCounts.get(errorText) ?? 0) + 1);
    const failure = new Error(`${event.type} "${event.name || event.id}" failed: ${text}`);
    if (FATAL_SOURCES.has(event.type)) fail(failure);
    // Outside a replay (a batch flow) a node error means the report will not come: wait briefly for one
    // anyway (another branch may still report), then give up with this error. During a replay the pacer
    // moves on after a failed message, so the run still ends.
    else if (replaysRunning === 0) setTimeout(() => replaysRunning === 0 && fail(failure), ERROR_GRACE_MS).unref();
  };

  const bus = resultsBus();
  const wanted = new Set(reports.map((r) => r.id));
  const results = new Map<string, PublishedResult>();
  let onResult: (r: PublishedResult) => void = () => undefined;
  let onFailure: (f: ReportFailure) => void = () => undefined;
  let replaysRunning = 0;
  const onReplay = (event: ReplayActivity) => {
    replaysRunning = Math.max(0, replaysRunning + (event.running ? 1 : -1));
  };
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      const missing = reports.filter((r) => !results.has(r.id)).map((r) => `"${r.name || r.id}"`);
      reject(new Error(`timed out after ${options.timeoutMs / 1000} s waiting for ${missing.join(', ')}: is the replay started (an inject node set to fire once)?`));
    }, options.timeoutMs);
    fail = (err) => {
      clearTimeout(timer);
      reject(err);
    };
    onResult = (r) => {
      if (!wanted.has(r.nodeId) || results.has(r.nodeId)) return;
      results.set(r.nodeId, r);
      if (results.size === wanted.size) {
        clearTimeout(timer);
        resolve();
      }
    };
    onFailure = (f) => {
      if (wanted.has(f.nodeId)) fail(new Error(`backtest-report "${f.name}" failed: ${f.error}`));
    };
  });
  finished.catch(() => undefined);
  bus.on('result', onResult);
  bus.on('failure', onFailure);
  bus.on('replay', onReplay);
  const onProgress = (p: ReplayProgress) => options.onProgress?.(p);
  if (options.onProgress) bus.on('progress', onProgress);
  let runtime: EmbeddedRuntime | null = null;
  try {
    runtime = await startEmbeddedRuntime(RED, {
      packageRoot: options.packageRoot,
      packageName: options.packageName,
      flow,
      onLog,
      coreNodes: options.allCoreNodes ? 'all' : 'used',
      coreNodesDir: options.coreNodesDir,
    });
    const known = new Set(RED.nodes.getNodeList().flatMap((set) => set.types ?? []));
    const structural = new Set(['tab', 'subflow', 'group', 'junction']);
    const missing = [...new Set(flow.map((n) => n.type).filter((t) => !structural.has(t) && !t.startsWith('subflow:') && !known.has(t)))];
    if (missing.length) throw new Error(`node types not installed here: ${missing.join(', ')} (install their packages next to node-red)`);
    await finished;
    return { results: reports.map((r) => results.get(r.id)!), nodeErrors: [...errorCounts].map(([text, count]) => ({ text, count })) };
  } finally {
    for (const [line, count] of lineCounts) if (count > 1) log(`${line} (${count} times in all)`);
    bus.off('progress', onProgress);
    bus.off('result', onResult);
    bus.off('failure', onFailure);
    bus.off('replay', onReplay);
    await runtime?.stop();
  }
}
