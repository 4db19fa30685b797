#!/usr/bin/env node
/**
 * `ib-sim`: runs the TWS simulator standalone on 127.0.0.1 so any IB API client can connect to it.
 * `ib-sim --help` lists the options.
 */
import { parseArgs } from 'node:util';
import { createSimulator, type SimulatorOptions } from '../lib/sim/server';

/** Every option, with its one help line: parseArgs reads them, --help prints them. */
const OPTIONS = {
  port: { type: 'string', value: 'N', help: 'port to listen on (0 picks a free one); default 7497' },
  seed: { type: 'string', value: 'N', help: 'seed of every random walk: same seed, same prices and bars; default 1' },
  account: { type: 'string', value: 'A[,B...]', help: 'the accounts the login reports (managedAccounts); default DU1234567 (see Accounts)' },
  'max-version': { type: 'string', value: 'N', help: 'highest server version to negotiate, 176..193; default 193' },
  'ticks-per-second': { type: 'string', value: 'N', help: 'market data ticks per second per instrument; default 4' },
  'clock-speed': { type: 'string', value: 'N', help: "the market's clock N times real time (1 to 3600; at 60 a 5-minute bar forms in 5 s)" },
  'no-pacing': { type: 'boolean', value: '', help: "do not enforce IB's historical-data pacing (error 162)" },
  'partial-fills': { type: 'string', value: 'N', help: 'fill at most N shares at a time' },
  'cash-account': { type: 'boolean', value: '', help: 'a cash account: paid in full, no short sales (default: Reg T margin, as IB paper)' },
  verbose: { type: 'boolean', value: '', help: 'log each connection event and bad frame' },
  help: { type: 'boolean', value: '', help: 'print this help and exit' },
} as const;

type Name = keyof typeof OPTIONS;

const USAGE = 'usage: ib-sim [--port N] [--seed N] [--account A[,B...]] [options]   (ib-sim --help lists them)';

const HELP = `${USAGE}

Runs the TWS simulator on 127.0.0.1 for any IB API client.

Options (--name value or --name=value):
${(Object.keys(OPTIONS) as Name[]).map((name) => `  ${`--${name}${OPTIONS[name].value ? ` ${OPTIONS[name].value}` : ''}`.padEnd(22)}${OPTIONS[name].help}`).join('\n')}

Accounts: ids starting with D are paper accounts. Any other id (U7654321) presents a
live account: ib-connect then counts the connection as live and refuses orders unless "Allow live
orders" is ticked, whatever account is typed in it. Several ids present a login with several accounts
(--account DU1111111,DU2222222), each with its own cash, positions and executions: an order is booked
on the account it names (the first when it names none), and one for an account not listed is refused (321).`;

/** The simulator's options from the command line, or 'help'; a bad option or value throws what is wrong. */
function parseArguments(argv: string[]): SimulatorOptions | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type, ...(name === 'help' ? { short: 'h' } : {}) }])), allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs' own wording is long and speaks of positionals: name the option instead.
    const option = /'(-[^' ]+)/.exec((error as Error).message)?.[1];
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) throw new Error(`unknown option ${option}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) throw new Error(`${option} needs a value`);
    throw error;
  }
  const { values, positionals } = parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}`);
  if (values.help) return 'help';
  const number = (name: Name, min: number, max = Infinity): number | undefined => {
    const text = values[name];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`--${name} needs a number${max < Infinity ? ` from ${min} to ${max}` : ` of at least ${min}`}, got ${String(text)}`);
    }
    return value;
  };
  const options: SimulatorOptions = { port: number('port', 0, 65535) ?? 7497 };
  const seed = number('seed', 0);
  if (seed !== undefined) options.seed = seed;
  if (values.account !== undefined) {
    options.accounts = String(values.account).split(',').filter(Boolean);
    if (options.accounts.length === 0) throw new Error('--account needs an account id such as DU1234567');
  }
  const maxVersion = number('max-version', 176, 193);
  if (maxVersion !== undefined) options.maxServerVersion = maxVersion;
  const ticks = number('ticks-per-second', 0.01);
  if (ticks !== undefined) options.ticksPerSecond = ticks;
  const clockSpeed = number('clock-speed', 1, 3600);
  if (clockSpeed !== undefined) options.clockSpeed = clockSpeed;
  if (values['no-pacing']) options.historicalPacing = false;
  const partial = number('partial-fills', 1);
  if (partial !== undefined) options.maxFillPerEvent = partial;
  if (values['cash-account']) options.accountType = 'cash';
  if (values.verbose) options.log = (line) => console.log(`[ib-sim] ${line}`);
  return options;
}

async function main(): Promise<void> {
  let parsed: SimulatorOptions | 'help';
  try {
    parsed = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`ib-sim: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  if (parsed === 'help') {
    console.log(HELP);
    return;
  }
  const options = parsed;
  const simulator = await createSimulator(options);
  console.log(
    `ib-sim listening on ${simulator.host}:${simulator.port} (accounts ${(options.accounts ?? ['DU1234567']).join(',')}, server versions 176..${options.maxServerVersion ?? 193}, seed ${options.seed ?? 1})`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    simulator.close().then(
      () => {
        console.log(`ib-sim stopped (${signal})`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`ib-sim: error while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`ib-sim: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
