/**
 * Command line of `ib-flow`:
 *   ib-flow run FLOW.json [--set 'NODE NAME.property=value' ...] [--sweep 'NODE NAME.property=10,20,30' ...]
 *                         [--walk-forward K] [--sort metric] [--parallel N] [--timeout seconds] [--no-trades]
 *                         [--all-core-nodes]
 */

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
}

export const USAGE = `usage: ib-flow run FLOW.json [options]
  --set 'NODE NAME.property=value'     set a node property (by node name or id); repeatable
  --sweep 'NODE NAME.property=a,b,c'   try each value (or from:to:step); repeatable: every combination runs
  --walk-forward K                     split the bar files into K+1 parts: K folds of in-sample / out-of-sample
  --sort METRIC                        sort sweep results by a metric (default sharpe; drawdowns sort ascending)
  --parallel N                         worker processes for a sweep (default: CPU count)
  --timeout SECONDS                    give up on a run after this long (default 600)
  --no-trades                          leave the trade list out of the result lines
  --all-core-nodes                     load every Node-RED core node file (default: only those the flow uses)
Prints one JSON line per backtest-report and parameter combination.`;

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

export function parseArgs(argv: string[]): RunArgs {
  const [command, ...rest] = argv;
  if (command !== 'run') throw new UsageError(command ? `unknown command '${command}'` : 'no command');
  const args: RunArgs = { flowFile: '', sets: [], sweeps: [], walkForward: null, sort: 'sharpe', parallel: null, timeoutSeconds: 600, trades: true, allCoreNodes: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const next = (): string => {
      const value = rest[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      return value;
    };
    const positiveInt = (text: string, what: string): number => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number >= 1, got '${text}'`);
      return n;
    };
    switch (arg) {
      case '--set':
        args.sets.push(splitAssignment(next(), '--set'));
        break;
      case '--sweep': {
        const a = splitAssignment(next(), '--sweep');
        args.sweeps.push({ target: a.target, values: sweepValues(a.value) });
        break;
      }
      case '--walk-forward':
        args.walkForward = positiveInt(next(), '--walk-forward');
        break;
      case '--sort':
        args.sort = next();
        break;
      case '--parallel':
        args.parallel = positiveInt(next(), '--parallel');
        break;
      case '--timeout':
        args.timeoutSeconds = positiveInt(next(), '--timeout');
        break;
      case '--no-trades':
        args.trades = false;
        break;
      case '--all-core-nodes':
        args.allCoreNodes = true;
        break;
      default:
        if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
        if (args.flowFile) throw new UsageError(`one flow file at a time (got ${args.flowFile} and ${arg})`);
        args.flowFile = arg;
    }
  }
  if (!args.flowFile) throw new UsageError('no flow file: ib-flow run FLOW.json');
  return args;
}
