#!/usr/bin/env node
/**
 * ib-flow: run a flow file headless and print every backtest-report's final result as a JSON line.
 *
 *   npx ib-flow run FLOW.json [--set 'NODE NAME.property=value' ...] [--sweep 'NODE NAME.property=10,20,30' ...]
 *                             [--walk-forward K] [--sort metric] [--parallel N] [--timeout s] [--no-trades]
 *                             [--all-core-nodes]
 *
 * One run goes in this process; a sweep or walk-forward runs each combination in its own worker process
 * (flow-runner/pool.ts), in parallel.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, UsageError, USAGE, type Assignment, type RunArgs } from '../flow-runner/args';
import { runFlowHeadless, type NodeRedModule } from '../flow-runner/embedded';
import { applyParams, combinations, readFlow, resolveBarFiles, splitBarFiles, stripDashboard, type FlowNode, type ParamValue } from '../flow-runner/flow-edit';
import { metricOf, resultLine, sortLines, type ResultLine } from '../flow-runner/lines';
import { runJobs, WORKER_FLAG, type FlowJob, type JobOutcome } from '../flow-runner/pool';

const packageRoot = join(__dirname, '..', '..');

function packageName(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string }).name;
}

interface LoadedNodeRed {
  RED: NodeRedModule;
  /** Its core nodes directory (the @node-red/nodes folder), resolved as Node-RED itself resolves it. */
  coreNodesDir: string | undefined;
}

function loadNodeRed(): LoadedNodeRed {
  for (const from of [packageRoot, process.cwd()]) {
    let entry: string;
    try {
      entry = require.resolve('node-red', { paths: [from] });
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
  throw new UsageError('ib-flow needs Node-RED: install it where you run ib-flow (npm install node-red)');
}

function stderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function runInProcess(job: FlowJob): Promise<JobOutcome> {
  try {
    const { RED, coreNodesDir } = loadNodeRed();
    const results = await runFlowHeadless(RED, job.flow, {
      packageRoot,
      packageName: packageName(),
      timeoutMs: job.timeoutMs,
      coreNodesDir,
      allCoreNodes: job.allCoreNodes,
      log: stderr,
    });
    return { results };
  } catch (err) {
    return { error: (err as Error).message };
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
  const { flow, values } = applyParams(stripped.flow, args.sets);
  return { flow, setValues: values };
}

function linesOf(outcome: JobOutcome, params: ParamValue[], args: RunArgs, extra: Record<string, unknown> = {}): ResultLine[] {
  if (outcome.error !== undefined) {
    return [{ ...extra, report: '', params: Object.fromEntries(params.map((p) => [p.target, p.value])), error: outcome.error }];
  }
  return (outcome.results ?? []).map((r) => resultLine(r, params, args.trades, extra));
}

function jobsFor(flow: FlowNode[], combos: Assignment[][], setValues: ParamValue[], args: RunArgs): Array<{ job: FlowJob; params: ParamValue[] }> {
  return combos.map((combo) => {
    const applied = applyParams(flow, combo);
    return { job: { flow: applied.flow, timeoutMs: args.timeoutSeconds * 1000, allCoreNodes: args.allCoreNodes }, params: [...setValues, ...applied.values] };
  });
}

async function sweep(args: RunArgs, prepared: Prepared): Promise<boolean> {
  const planned = jobsFor(prepared.flow, combinations(args.sweeps), prepared.setValues, args);
  const parallel = args.parallel ?? availableParallelism();
  stderr(`ib-flow: ${planned.length} combinations, ${Math.min(parallel, planned.length)} at a time`);
  const outcomes = await runJobs(__filename, planned.map((p) => p.job), parallel, (i, outcome) => {
    if (outcome.error) stderr(`combination ${i + 1} failed: ${outcome.error}`);
  });
  const lines = outcomes.flatMap((outcome, i) => linesOf(outcome, planned[i]!.params, args));
  for (const line of sortLines(lines, args.sort)) print(line);
  return outcomes.every((o) => !o.error);
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
      print(isLine);
      const oosLine = linesOf(oosOutcomes[f]!, outOfSample[f]!.params, args, { fold: f + 1, sample: 'out-of-sample' })[0]!;
      print(oosLine);
      const a = metricOf(isLine, args.sort);
      const b = metricOf(oosLine, args.sort);
      if (a !== null) isValues.push(a);
      if (b !== null) oosValues.push(b);
    }
    const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
    print({ walkForward: folds, metric: args.sort, inSampleMean: mean(isValues), outOfSampleMean: mean(oosValues) });
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === WORKER_FLAG) {
    worker();
    return -1;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    stderr(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const args = parseArgs(argv);
  const prepared = prepare(args);
  if (args.walkForward !== null) return (await walkForward(args, prepared, args.walkForward)) ? 0 : 1;
  if (args.sweeps.length > 0) return (await sweep(args, prepared)) ? 0 : 1;
  const outcome = await runInProcess({ flow: prepared.flow, timeoutMs: args.timeoutSeconds * 1000, allCoreNodes: args.allCoreNodes });
  for (const line of linesOf(outcome, prepared.setValues, args)) print(line);
  if (outcome.error) stderr(`ib-flow: ${outcome.error}`);
  return outcome.error ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: Error) => {
    stderr(err instanceof UsageError ? `ib-flow: ${err.message}\n\n${USAGE}` : `ib-flow: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
