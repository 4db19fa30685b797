/**
 * Command line of `ib-flow`:
 *   ib-flow run FLOW.json [--set 'NODE NAME.property=value' ...] [--sweep 'NODE NAME.property=10,20,30' ...]
 *                         [--walk-forward K] [--sort metric] [--parallel N] [--timeout seconds] [--no-trades]
 *                         [--all-core-nodes] [--json] [--shard K/N]
 *   ib-flow merge FILE... [--sort metric] [--json]
 */
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';

export interface Assignment {
  /** "NODE NAME.property" as given: resolved against the flow's node names later. */
  target: string;
  value: string;
}

export interface SweepSpec {
  target: string;
  values: string[];
}

export interface RunArgs {
  flowFile: string;
  sets: Assignment[];
  sweeps: SweepSpec[];
  walkForward: number | null;
  sort: string;
  parallel: number | null;
  timeoutSeconds: number;
  trades: boolean;
  /** Load every Node-RED core node file, not only those the flow uses. */
  allCoreNodes: boolean;
  /** JSON lines on stdout instead of the summary. */
  json: boolean;
  /** Run only slice `index` (1-based) of `count` of a sweep's combinations. */
  shard: { index: number; count: number } | null;
}

export interface MergeArgs {
  /** Files of JSON lines (`-` for stdin). */
  files: string[];
  sort: string;
  json: boolean;
}

export type Command = { command: 'run'; args: RunArgs } | { command: 'merge'; args: MergeArgs } | { command: 'help'; text: string } | { command: 'version' };

export const USAGE = `usage: ib-flow run FLOW.json [options]    run a flow headless and report each backtest-report's result
       ib-flow merge FILE... [options]     rank the JSON lines of several runs or shards (- reads stdin)
       ib-flow --version | --help | run --help | merge --help`;

export const RUN_USAGE = `usage: ib-flow run FLOW.json [options]
  --set 'NODE NAME.property=value'     set a node property (by node name or id); repeatable
  --sweep 'NODE NAME.property=a,b,c'   try each value (or from:to:step); repeatable: every combination runs
  --walk-forward K                     split the bar files into K+1 parts: K folds of in-sample / out-of-sample
  --sort METRIC                        sort sweep results by a metric (default sharpe; drawdowns sort ascending)
  --parallel N                         worker processes for a sweep (default: CPU count)
  --shard K/N                          run only the K-th of N equal slices of the sweep (merge them with ib-flow merge)
  --timeout SECONDS                    give up on a run after this long (default 600)
  --no-trades                          leave the trade list out of the result lines
  --json                               print one JSON line per result instead of the summary
  --all-core-nodes                     load every Node-RED core node file (default: only those the flow uses)
  --help                               this text
Options take their value as the next argument or after '=' (--sort=finalEquity). A --set or --sweep
that the node's editor would refuse (no such property, a value it rejects) stops before the run.
Exit codes: 0 all results came, 1 a run failed or a node reported errors, 2 a bad command line.`;

export const MERGE_USAGE = `usage: ib-flow merge FILE... [options]
  --sort METRIC    rank by this metric (default sharpe; drawdowns sort ascending)
  --json           print the ranked JSON lines instead of the summary table
  --help           this text
Reads the JSON lines of ib-flow run --json (one file per shard, or - for stdin) and ranks them together.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function splitAssignment(text: string, flag: string): Assignment {
  const eq = text.indexOf('=');
  const dot = text.lastIndexOf('.', eq);
  if (eq < 0 || dot <= 0 || dot === eq - 1) {
    throw new UsageError(`${flag} '${text}' is not NODE NAME.property=value (e.g. ${flag} 'fast SMA.period=10')`);
  }
  return { target: text.slice(0, eq).trim(), value: text.slice(eq + 1) };
}

/** Values of a sweep: "10,20,30" or a range "10:50:10" (inclusive). */
export function sweepValues(text: string): string[] {
  const range = /^\s*(-?\d+(?:\.\d+)?)\s*:\s*(-?\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (range) {
    const [from, to, step] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (!(step > 0)) throw new UsageError(`sweep range ${text}: the step must be positive`);
    const values: string[] = [];
    const decimals = Math.max(...[range[1], range[2], range[3]].map((s) => (s!.split('.')[1] ?? '').length));
    for (let v = from; v <= to + step * 1e-9; v += step) values.push(v.toFixed(decimals));
    if (values.length > 10_000) throw new UsageError(`sweep range ${text} has more than 10000 values`);
    return values;
  }
  const values = text.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) throw new UsageError(`sweep '${text}' has no values: give a,b,c or from:to:step`);
  return values;
}

const RUN_OPTIONS = {
  set: { type: 'string', multiple: true },
  sweep: { type: 'string', multiple: true },
  'walk-forward': { type: 'string' },
  sort: { type: 'string' },
  parallel: { type: 'string' },
  shard: { type: 'string' },
  timeout: { type: 'string' },
  'no-trades': { type: 'boolean' },
  json: { type: 'boolean' },
  'all-core-nodes': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MERGE_OPTIONS = { sort: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** node:util's parseArgs, its errors turned into usage errors that name the option. */
function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  try {
    return nodeParseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number >= 1, got '${text}'`);
  return n;
}

/** "K/N": the K-th (1-based) of N slices. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(index >= 1 && count >= 1 && index <= count)) throw new UsageError(`--shard '${text}' is not K/N with 1 <= K <= N (e.g. --shard 2/4)`);
  return { index, count };
}

export function parseCommand(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('no command');
  if (command === '--help' || command === '-h' || command === 'help') return { command: 'help', text: USAGE };
  if (command === '--version' || command === '-v') return { command: 'version' };
  if (command === 'merge') {
    const { values, positionals } = parse(rest, MERGE_OPTIONS);
    if (values.help) return { command: 'help', text: MERGE_USAGE };
    if (positionals.length === 0) throw new UsageError('merge needs the files of JSON lines to rank (or - for stdin)');
    return { command: 'merge', args: { files: positionals, sort: values.sort ?? 'sharpe', json: values.json === true } };
  }
  if (command !== 'run') throw new UsageError(`unknown command '${command}'`);
  const { values, positionals } = parse(rest, RUN_OPTIONS);
  if (values.help) return { command: 'help', text: RUN_USAGE };
  if (positionals.length === 0) throw new UsageError('no flow file: ib-flow run FLOW.json');
  if (positionals.length > 1) throw new UsageError(`one flow file at a time (got ${positionals.join(' and ')})`);
  const sweeps = (values.sweep ?? []).map((text) => {
    const a = splitAssignment(text, '--sweep');
    return { target: a.target, values: sweepValues(a.value) };
  });
  const shard = values.shard === undefined ? null : parseShard(values.shard);
  if (shard && sweeps.length === 0) throw new UsageError('--shard splits a sweep: give at least one --sweep');
  return {
    command: 'run',
    args: {
      flowFile: positionals[0]!,
      sets: (values.set ?? []).map((text) => splitAssignment(text, '--set')),
      sweeps,
      walkForward: values['walk-forward'] === undefined ? null : positiveInt(values['walk-forward'], '--walk-forward'),
      sort: values.sort ?? 'sharpe',
      parallel: values.parallel === undefined ? null : positiveInt(values.parallel, '--parallel'),
      timeoutSeconds: values.timeout === undefined ? 600 : positiveInt(values.timeout, '--timeout'),
      trades: values['no-trades'] !== true,
      allCoreNodes: values['all-core-nodes'] === true,
      json: values.json === true,
      shard,
    },
  };
}
