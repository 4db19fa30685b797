#!/usr/bin/env node
/**
 * ib-flow: run a flow file headless and report every backtest-report's final result: a short summary,
 * or JSON lines with --json.
 *
 *   npx ib-flow run FLOW.json [--set 'NODE NAME.property=value' ...] [--sweep 'NODE NAME.property=10,20,30' ...]
 *                             [--walk-forward K] [--sort metric] [--parallel N] [--shard K/N] [--timeout s]
 *                             [--no-trades] [--json] [--all-core-nodes]
 *   npx ib-flow merge SHARD.jsonl ... [--sort metric] [--json]
 *
 * One run goes in this process; a sweep or walk-forward runs each combination in its own worker process
 * (flow-runner/pool.ts), in parallel. Node-RED is the one beside this package, the flow, the working
 * directory or installed globally; IB_ALGO_NODE_RED_PATH (a node-red package folder) chooses another.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseCommand, UsageError, USAGE, type Assignment, type MergeArgs, type RunArgs } from '../flow-runner/args';
import { runFlowHeadless, type NodeRedModule } from '../flow-runner/embedded';
import { applyParams, combinations, readFlow, resolveBarFiles, shardSlice, splitBarFiles, stripDashboard, type FlowNode, type ParamValue } from '../flow-runner/flow-edit';
import { metricOf, resultLine, sortLines, type ResultLine } from '../flow-runner/lines';
import { packageNodeSchemas, type NodeSchema } from '../flow-runner/node-schema';
import { runJobs, WORKER_FLAG, type FlowJob, type JobOutcome } from '../flow-runner/pool';
import { summaryBlock, summaryTable } from '../flow-runner/summary';

const packageRoot = join(__dirname, '..', '..');

function packageName(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string }).name;
}

interface LoadedNodeRed {
  RED: NodeRedModule;
  /** Its core nodes directory (the @node-red/nodes folder), resolved as Node-RED itself resolves it. */
  coreNodesDir: string | undefined;
}

/** The global node_modules folder (`npm root -g`), asked only when Node-RED is nowhere nearer. */
function globalModules(): string[] {
  try {
    return [execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['root', '-g'], { encoding: 'utf8', timeout: 10_000 }).trim()];
  } catch {
    return [];
  }
}

/**
 * Node-RED as the user has it: beside this package, beside the flow file, in the working directory,
 * or installed globally (npm install -g node-red), in that order.
 */
function loadNodeRed(flowDir: string | null): LoadedNodeRed {
  // IB_ALGO_NODE_RED_PATH, a node-red package folder, wins: to run a flow on another Node-RED than the nearest.
  const chosen = process.env.IB_ALGO_NODE_RED_PATH;
  const places = [packageRoot, ...(flowDir ? [flowDir] : []), process.cwd()];
  for (const from of chosen ? [chosen] : [...places, ...globalModules()]) {
    let entry: string;
    try {
      entry = chosen ? require.resolve(chosen) : require.resolve('node-red', { paths: [from] });
    } catch {
      continue; // try the next place
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const RED = require(entry) as NodeRedModule;
    let coreNodesDir: string | undefined;
    try {
      coreNodesDir = dirname(require.resolve('@node-red/nodes', { paths: [dirname(entry)] }));
    } catch {
      coreNodesDir = undefined; // the runtime then uses the one Node-RED finds
    }
    return { RED, coreNodesDir };
  }
  throw new UsageError('ib-flow needs Node-RED: install it beside the flow or globally (npm install node-red, or npm install -g node-red)');
}

function stderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

function printJson(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Resolves once everything written to stdout so far has reached the pipe, file or terminal. */
function stdoutDrained(): Promise<void> {
  return new Promise((done) => process.stdout.write('', () => done()));
}

/** A progress line on stderr, rewritten in place: only on a terminal, never into a pipe or a log file. */
function progressReporter(): ((text: string | null) => void) | null {
  if (!process.stderr.isTTY) return null;
  let shown = false;
  return (text) => {
    if (text === null) {
      if (shown) process.stderr.write('\r\x1b[2K');
      shown = false;
      return;
    }
    process.stderr.write(`\r\x1b[2K${text}`);
    shown = true;
  };
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

let flowDir: string | null = null;

async function runInProcess(job: FlowJob, progress: ((text: string | null) => void) | null = null): Promise<JobOutcome> {
  try {
    const { RED, coreNodesDir } = loadNodeRed(flowDir);
    const run = await runFlowHeadless(RED, job.flow, {
      packageRoot,
      packageName: packageName(),
      timeoutMs: job.timeoutMs,
      coreNodesDir,
      allCoreNodes: job.allCoreNodes,
      log: (line) => {
        progress?.(null);
        stderr(line);
      },
      onProgress: progress
        ? (p) => {
            const rate = p.elapsedMs > 0 ? (p.bars * 1000) / p.elapsedMs : 0;
            const left = p.totalBars && rate > 0 ? `, ${duration(((p.totalBars - p.bars) / rate) * 1000)} left` : '';
            const done = p.totalBars ? `${p.bars.toLocaleString('en-US')}/${p.totalBars.toLocaleString('en-US')} bars` : `${p.bars.toLocaleString('en-US')} bars`;
            progress(`ib-flow: ${done}, ${Math.round(rate).toLocaleString('en-US')} bars/s${left}`);
          }
        : undefined,
    });
    return { results: run.results, nodeErrors: run.nodeErrors };
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    progress?.(null);
  }
}

/** Worker mode: one job from the parent, its outcome back, exit. */
function worker(): void {
  process.once('message', (job: FlowJob) => {
    void runInProcess(job).then((outcome) => {
      process.send!(outcome, () => process.exit(0));
    });
  });
}

interface Prepared {
  flow: FlowNode[];
  setValues: ParamValue[];
}

function prepare(args: RunArgs): Prepared {
  const file = resolve(args.flowFile);
  const stripped = stripDashboard(readFlow(file));
  if (stripped.removed.length) stderr(`note: left out dashboard nodes (${stripped.removed.join(', ')}): a headless run has no dashboard`);
  resolveBarFiles(stripped.flow, [dirname(file), process.cwd()], { name: packageName(), root: packageRoot });
  const { flow, values } = applyParams(stripped.flow, args.sets, nodeSchemas());
  return { flow, setValues: values };
}

let schemas: Map<string, NodeSchema> | null = null;
/** What this package's node types accept, read once from their editor definitions. */
function nodeSchemas(): Map<string, NodeSchema> {
  schemas ??= packageNodeSchemas(packageRoot);
  return schemas;
}

function linesOf(outcome: JobOutcome, params: ParamValue[], args: RunArgs, extra: Record<string, unknown> = {}): ResultLine[] {
  if (outcome.error !== undefined) {
    return [{ ...extra, report: '', params: Object.fromEntries(params.map((p) => [p.target, p.value])), error: outcome.error }];
  }
  return (outcome.results ?? []).map((r) => resultLine(r, params, args.trades, extra));
}

function jobsFor(flow: FlowNode[], combos: Assignment[][], setValues: ParamValue[], args: RunArgs): Array<{ job: FlowJob; params: ParamValue[] }> {
  return combos.map((combo) => {
    const applied = applyParams(flow, combo, nodeSchemas());
    return { job: { flow: applied.flow, timeoutMs: args.timeoutSeconds * 1000, allCoreNodes: args.allCoreNodes }, params: [...setValues, ...applied.values] };
  });
}

async function sweep(args: RunArgs, prepared: Prepared): Promise<boolean> {
  const all = combinations(args.sweeps);
  const { items, first } = shardSlice(all, args.shard);
  const planned = jobsFor(prepared.flow, items, prepared.setValues, args);
  const parallel = args.parallel ?? availableParallelism();
  const of = args.shard ? ` (shard ${args.shard.index}/${args.shard.count}: combinations ${first + 1}-${first + items.length} of ${all.length})` : '';
  stderr(`ib-flow: ${planned.length} combinations${of}, ${Math.min(parallel, planned.length)} at a time`);
  const progress = progressReporter();
  let done = 0;
  const started = Date.now();
  const outcomes = await runJobs(__filename, planned.map((p) => p.job), parallel, (i, outcome) => {
    done++;
    progress?.(null);
    if (outcome.error) stderr(`combination ${first + i + 1} failed: ${outcome.error}`);
    const left = done < planned.length ? `, ${duration(((Date.now() - started) / done) * (planned.length - done))} left` : '';
    progress?.(`ib-flow: ${done}/${planned.length} combinations done${left}`);
  });
  progress?.(null);
  const extra = (i: number): Record<string, unknown> => (args.shard ? { combination: first + i + 1, shard: `${args.shard.index}/${args.shard.count}` } : {});
  const lines = outcomes.flatMap((outcome, i) => linesOf(outcome, planned[i]!.params, args, extra(i)));
  const ranked = sortLines(lines, args.sort);
  if (args.json) for (const line of ranked) printJson(line);
  else process.stdout.write(`${summaryTable(ranked, args.sort)}\n`);
  return reportNodeErrors(outcomes) && outcomes.every((o) => !o.error);
}

/** Says once what the flow's nodes reported (the first error and how many); false when there were any. */
function reportNodeErrors(outcomes: readonly JobOutcome[]): boolean {
  const all = new Map<string, number>();
  for (const o of outcomes) for (const e of o.nodeErrors ?? []) all.set(e.text, (all.get(e.text) ?? 0) + e.count);
  if (all.size === 0) return true;
  const [firstText, firstCount] = [...all][0]!;
  const total = [...all.values()].reduce((a, b) => a + b, 0);
  const distinct = all.size > 1 ? ` (${all.size} different; run with the flow in Node-RED to see them all)` : '';
  stderr(`ib-flow: the flow reported ${total} error${total === 1 ? '' : 's'}${distinct}; the first, ${firstCount} time${firstCount === 1 ? '' : 's'}: ${firstText}`);
  return false;
}

/** Ranks the JSON lines of several runs or shards together. */
function merge(args: MergeArgs): boolean {
  const lines: ResultLine[] = [];
  for (const file of args.files) {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    text.split('\n').forEach((raw, i) => {
      if (!raw.trim()) return;
      let line: unknown;
      try {
        line = JSON.parse(raw);
      } catch {
        throw new UsageError(`${file}:${i + 1} is not a JSON line of ib-flow run --json`);
      }
      // Result lines carry their report; a walk-forward's closing summary line does not rank.
      if (line && typeof line === 'object' && typeof (line as ResultLine).report === 'string') lines.push(line as ResultLine);
    });
  }
  const ranked = sortLines(lines, args.sort);
  if (args.json) for (const line of ranked) printJson(line);
  else process.stdout.write(`${summaryTable(ranked, args.sort)}\n`);
  return ranked.every((l) => typeof l.error !== 'string');
}

/**
 * Walk-forward: the bar files cut into K+1 consecutive parts; fold k optimizes on part k (every sweep
 * combination, best by --sort) and tests that choice on part k+1, which it has not seen.
 */
async function walkForward(args: RunArgs, prepared: Prepared, folds: number): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'ib-flow-wf-'));
  try {
    const parts = splitBarFiles(prepared.flow, folds + 1, dir);
    const combos = combinations(args.sweeps);
    const parallel = args.parallel ?? availableParallelism();
    const inSample = parts.slice(0, folds).map((flow) => jobsFor(flow, combos, prepared.setValues, args));
    stderr(`ib-flow: walk-forward, ${folds} folds x ${combos.length} combinations in-sample, ${Math.min(parallel, folds * combos.length)} at a time`);
    const isOutcomes = await runJobs(__filename, inSample.flat().map((p) => p.job), parallel);
    let ok = isOutcomes.every((o) => !o.error);
    const chosen: Array<{ combo: Assignment[]; line: ResultLine | null }> = [];
    for (let f = 0; f < folds; f++) {
      const lines = inSample[f]!.map((p, c) => ({ c, line: linesOf(isOutcomes[f * combos.length + c]!, p.params, args, { fold: f + 1, sample: 'in-sample' })[0]! }));
      const best = sortLines(lines.map((l) => ({ ...l.line, _c: l.c })), args.sort)[0]!;
      chosen.push({ combo: combos[best._c as number]!, line: best });
    }
    const outOfSample = chosen.map((choice, f) => jobsFor(parts[f + 1]!, [choice.combo], prepared.setValues, args)[0]!);
    const oosOutcomes = await runJobs(__filename, outOfSample.map((p) => p.job), parallel);
    ok = ok && oosOutcomes.every((o) => !o.error);
    const isValues: number[] = [];
    const oosValues: number[] = [];
    for (let f = 0; f < folds; f++) {
      const { _c, ...isLine } = chosen[f]!.line as ResultLine & { _c?: number };
      void _c;
      if (args.json) printJson(isLine);
      const oosLine = linesOf(oosOutcomes[f]!, outOfSample[f]!.params, args, { fold: f + 1, sample: 'out-of-sample' })[0]!;
      if (args.json) printJson(oosLine);
      else process.stdout.write(`${summaryBlock(isLine as ResultLine)}\n${summaryBlock(oosLine)}\n`);
      const a = metricOf(isLine, args.sort);
      const b = metricOf(oosLine, args.sort);
      if (a !== null) isValues.push(a);
      if (b !== null) oosValues.push(b);
    }
    const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
    const wf = { walkForward: folds, metric: args.sort, inSampleMean: mean(isValues), outOfSampleMean: mean(oosValues) };
    if (args.json) printJson(wf);
    else process.stdout.write(`walk-forward, ${folds} fold${folds === 1 ? '' : 's'}: mean ${args.sort} in sample ${wf.inSampleMean ?? '-'}, out of sample ${wf.outOfSampleMean ?? '-'}\n`);
    return reportNodeErrors([...isOutcomes, ...oosOutcomes]) && ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === WORKER_FLAG) {
    worker();
    return -1;
  }
  if (argv.length === 0) {
    stderr(USAGE);
    return 2;
  }
  const command = parseCommand(argv);
  if (command.command === 'help') {
    process.stdout.write(`${command.text}\n`);
    return 0;
  }
  if (command.command === 'version') {
    process.stdout.write(`${packageName()} ${version()}\n`);
    return 0;
  }
  if (command.command === 'merge') return merge(command.args) ? 0 : 1;
  const args = command.args;
  flowDir = dirname(resolve(args.flowFile));
  const prepared = prepare(args);
  if (args.walkForward !== null) return (await walkForward(args, prepared, args.walkForward)) ? 0 : 1;
  if (args.sweeps.length > 0) return (await sweep(args, prepared)) ? 0 : 1;
  const outcome = await runInProcess({ flow: prepared.flow, timeoutMs: args.timeoutSeconds * 1000, allCoreNodes: args.allCoreNodes }, progressReporter());
  const lines = linesOf(outcome, prepared.setValues, args);
  if (args.json) for (const line of lines) printJson(line);
  else process.stdout.write(`${lines.map(summaryBlock).join('\n\n')}\n`);
  if (outcome.error) stderr(`ib-flow: ${outcome.error}`);
  const clean = reportNodeErrors([outcome]);
  return outcome.error || !clean ? 1 : 0;
}

main(process.argv.slice(2)).then(
  async (code) => {
    if (code < 0) return; // a worker: it exits once its outcome is sent
    // Exit only after stdout has drained: a pipe (ib-flow run ... | jq) would otherwise get a cut line.
    await stdoutDrained();
    process.exit(code);
  },
  async (err: Error) => {
    stderr(err instanceof UsageError ? `ib-flow: ${err.message}\n\n${USAGE}` : `ib-flow: ${err.stack ?? err.message}`);
    await stdoutDrained();
    process.exit(2);
  },
);
