/**
 * Builds the Connection an ib-connect config asks for. tws and simulator: a socket session with the IB
 * broker over it, inside the account guard (live interlock, risk limits, journal). backtest: the fill
 * engine's broker inside the same guard, and no socket at all.
 */
import { join } from 'node:path';
import { createIbBroker, disposeBroker, guardBroker } from '../../lib/broker';
import type { Connection } from '../../lib/ib/connection';
import { createBacktestConnection } from '../../lib/backtest';
import { IbConnection } from '../../lib/ib/ib-connection';
import type { SessionLog } from '../../lib/ib/session';
import type { ConnectionConfig } from './config';

/** A connection the config node can open on its first user and close after the last. */
export interface OpenableConnection extends Connection {
  /** Connects; called when the first user registers. */
  open(): Promise<void>;
  /** Disconnects; called when the last user leaves. May be opened again. */
  close(): Promise<void>;
  /** Releases everything for good; called when the config node closes. */
  dispose(): Promise<void>;
}

export interface BuildContext {
  /** The config node's id: names its journal file. */
  id: string;
  /** Where journals go by default (<userDir>/ib-algo-journal). */
  journalDir: string;
  log: SessionLog;
}

export function journalPathFor(config: ConnectionConfig, context: BuildContext): string {
  return config.journalPath || join(context.journalDir, `${context.id}.jsonl`);
}

export function buildConnection(config: ConnectionConfig, context: BuildContext): OpenableConnection {
  if (config.mode === 'backtest') return buildBacktestConnection(config, context);
  return buildIbConnection(config, context);
}

function buildIbConnection(config: ConnectionConfig, context: BuildContext): OpenableConnection {
  const simulator = config.mode === 'simulator';
  const connection = new IbConnection(
    {
      mode: config.mode === 'simulator' ? 'simulator' : 'tws',
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
            accounts: [config.simulator.account],
            maxFillPerEvent: config.simulator.partialFills > 0 ? config.simulator.partialFills : undefined,
          }
        : undefined,
    },
    (conn) =>
      createIbBroker(conn.ib, {
        clientId: config.clientId,
        allowLiveOrders: config.allowLiveOrders,
        limits: config.limits,
        journalPath: journalPathFor(config, context),
        statusProvider: () => conn.status(),
        log: context.log,
      }),
  );
  const dispose = connection.dispose.bind(connection);
  return Object.assign(connection, {
    dispose: async () => {
      await dispose();
      disposeBroker(connection.broker);
    },
  });
}

function buildBacktestConnection(config: ConnectionConfig, context: BuildContext): OpenableConnection {
  const run = createBacktestConnection({
    startingCash: config.backtest.startingCash,
    commission: config.backtest.commission,
    commissionPercent: config.backtest.commissionPercent,
    slippage: { kind: config.backtest.slippageKind, amount: config.backtest.slippage },
    fillAt: config.backtest.fillAt,
  });
  // The account guard runs on replay time, so orders-per-minute and the session day are those of the
  // bars, not of the machine replaying them.
  let replayTime = 0;
  run.backtest?.on('bar', (_key, bar) => {
    replayTime = bar.time;
  });
  const broker = guardBroker(run.broker, {
    limits: config.limits,
    journalPath: config.journalPath || null,
    clock: () => replayTime,
  });
  void context;
  return {
    mode: run.mode,
    ib: null,
    backtest: run.backtest,
    broker,
    status: () => run.status(),
    on(event, listener) {
      run.on(event, listener);
      return this;
    },
    off(event, listener) {
      run.off(event, listener);
      return this;
    },
    // Nothing to open: a backtest has no socket. A run starts when historical-bars begins replaying.
    open: async () => undefined,
    close: async () => undefined,
    dispose: async () => disposeBroker(broker),
  };
}
