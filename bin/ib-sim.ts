#!/usr/bin/env node
/**
 * `ib-sim`: runs the TWS simulator standalone on 127.0.0.1 so any IB API client can connect to it.
 *   ib-sim --port 7497 [--seed N] [--account DU...] [--max-version 193] [--ticks-per-second N]
 *          [--no-pacing] [--partial-fills N] [--cash-account] [--verbose]
 */
import { createSimulator, type SimulatorOptions } from '../lib/sim/server';

const USAGE =
  'usage: ib-sim [--port 7497] [--seed N] [--account DU1234567[,DU...]] [--max-version 176..193] [--ticks-per-second N] [--clock-speed N] [--no-pacing] [--partial-fills N] [--cash-account] [--verbose]\n  --cash-account: orders must be paid in full and may not sell short (default: a Reg T margin account, as IB paper accounts)';

const HELP = `${USAGE}

Runs the TWS simulator on 127.0.0.1 for any IB API client.

  --port N              port to listen on (0 picks a free one); default 7497
  --seed N              seed of every random walk: same seed, same prices and bars; default 1
  --account A[,B...]    the accounts the login reports (managedAccounts); default DU1234567.
                        Ids starting with D are paper accounts. Any other id (U7654321) presents a
                        live account: ib-connect then counts the connection as live and refuses
                        orders unless "Allow live orders" is ticked, whatever account is typed in it.
                        Several ids present a login with several accounts; orders name theirs,
                        an order for an account not listed is refused (321).
  --max-version N       highest server version to negotiate, 176..193; default 193
  --ticks-per-second N  market data ticks per second per instrument; default 4
  --clock-speed N       run the market's clock N times faster than real time (1 to 3600; default 1):
                        at 60 a 5-minute bar forms in 5 seconds
  --no-pacing           do not enforce IB's historical-data pacing (error 162)
  --partial-fills N     fill at most N shares at a time
  --verbose             log each connection event and bad frame`;

function parseArguments(argv: string[]): SimulatorOptions {
  const options: SimulatorOptions = { port: 7497 };
  const number = (flag: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value) || value < min) throw new Error(`${flag} needs a number of at least ${min}, got ${text ?? 'nothing'}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--port':
        options.port = number(flag, argv[++i], 0);
        break;
      case '--seed':
        options.seed = number(flag, argv[++i], 0);
        break;
      case '--account':
        options.accounts = (argv[++i] ?? '').split(',').filter(Boolean);
        if (options.accounts.length === 0) throw new Error('--account needs an account id such as DU1234567');
        break;
      case '--max-version':
        options.maxServerVersion = number(flag, argv[++i], 176);
        break;
      case '--ticks-per-second':
        options.ticksPerSecond = number(flag, argv[++i], 0.01);
        break;
      case '--clock-speed':
        options.clockSpeed = number(flag, argv[++i], 1);
        break;
      case '--no-pacing':
        options.historicalPacing = false;
        break;
      case '--partial-fills':
        options.maxFillPerEvent = number(flag, argv[++i], 1);
        break;
      case '--cash-account':
        options.accountType = 'cash';
        break;
      case '--verbose':
        options.log = (line) => console.log(`[ib-sim] ${line}`);
        break;
      case '--help':
      case '-h':
        console.log(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: SimulatorOptions;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`ib-sim: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
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
