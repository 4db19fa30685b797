/**
 * Builds the Connection an ib-connect config asks for. tws and simulator: a socket session with the IB
 * broker over it, inside the account guard (live interlock, risk limits, journal). backtest: the fill
 * engine's broker inside the same guard, and no socket at all.
 */
import { join } from 'node:path';
import { createIbBroker, disposeBroker, guardBroker } from '../broker';
import type { SessionLog } from '../ib/session';
import { createBacktestConnection } from './backtest-connection';
import type { ConnectionConfig } from './config';
import { IbConnection } from './ib-connection';
import type { Connection, OpenableConnection } from './types';

export interface BuildContext {
  /** The config node's id: names its journal file. */
  id: string;
  /** Where journals go by default (<userDir>/ib-algo-journal). */
  journalDir: string;
  log: SessionLog;
  /** Backtest mode: the data connection IB history comes from, looked up when asked. */
  dataConnection?: () => Connection | null;
}

function journalPathFor(config: ConnectionConfig, context: BuildContext): string {
  return config.journalPath || join(context.journalDir, `${context.id}.jsonl`);
}

export function buildConnection(config: ConnectionConfig, context: BuildContext): OpenableConnection {
  if (config.mode === 'backtest') return buildBacktestConnection(config, context);
  return buildIbConnection(config, context);
}

function buildIbConnection(config: ConnectionConfig, context: BuildContext): OpenableConnection {
  const simulator = config.mode === 'simulator';
  return new IbConnection(
    {
      mode: simulator ? 'simulator' : 'tws',
      host: simulator ? '127.0.0.1' : config.host,
      port: simulator ? 0 : config.port,
      clientId: config.clientId,
      account: simulator ? undefined : config.account || undefined,
      allowLiveOrders: config.allowLiveOrders,
      log: context.log,
      simulator: simulator
        ? {
            seed: config.simulator.seed,
            ticksPerSecond: config.simulator.ticksPerSecond,
            clockSpeed: config.simulator.clockSpeed,
            accounts: [config.simulator.account],
            maxFillPerEvent: config.simulator.partialFills > 0 ? config.simulator.partialFills : undefined,
          }
        : undefined,
    },
    (conn) =>
      createIbBroker(conn.session, {
        clientId: config.clientId,
        allowLiveOrders: config.allowLiveOrders,
        limits: config.limits,
        journalPath: journalPathFor(config, context),
        // An embedded simulator starts with a fresh account each time: the journal's fills are an
        // earlier simulator's, so strategies start from its own executions only.
        strategiesFromJournal: !simulator,
        statusProvider: () => conn.status(),
        log: context.log,
      }),
  );
}

function buildBacktestConnection(config: ConnectionConfig, context: BuildContext): OpenableConnection {
  return createBacktestConnection({
    startingCash: config.backtest.startingCash,
    commission: config.backtest.commission,
    commissionPercent: config.backtest.commissionPercent,
    slippage: { kind: config.backtest.slippageKind, amount: config.backtest.slippage },
    fillAt: config.backtest.fillAt,
    accountType: config.backtest.accountType,
    contracts: config.backtest.contracts,
    baseCurrency: config.backtest.baseCurrency,
    fxRates: config.backtest.fxRates,
    dataConnection: context.dataConnection,
    // The account guard runs on replay time, so orders-per-minute and the session day are those of
    // the bars, not of the machine replaying them.
    wrapBroker: (inner, replayTime) => guardBroker(inner, { limits: config.limits, journalPath: config.journalPath || null, clock: replayTime }),
    releaseBroker: disposeBroker,
  });
}
