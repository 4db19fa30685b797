/**
 * Brokers for ib-connect. What the connection calls:
 *
 *   // tws / simulator mode: the broker over the session, wrapped in the account guard
 *   const broker = createIbBroker(session, {
 *     clientId, allowLiveOrders, limits,            // limits: RiskLimits (0 / blank = no limit)
 *     journalPath,                                  // e.g. <userDir>/ib-algo-journal/<node id>.jsonl
 *     statusProvider: () => connection.status(),
 *     log,                                          // optional {debug, info, warn}
 *   });
 *   // backtest mode: the same guard around the fill-engine broker (no interlock: no socket)
 *   const broker = guardBroker(backtestBroker, { limits, journalPath: null, clock: replayClock });
 *
 *   // on close (redeploy / shutdown)
 *   disposeBroker(broker);
 *
 * The guard (GuardedBroker) checks every order against the live interlock, the kill switch, the
 * daily-loss lock, duplicate keys and the risk limits, and journals every decision and fill; the
 * IbBroker underneath keeps ids, working orders and positions in step with TWS across reconnects.
 */
import type { ConnectionStatus, IbSession } from '../ib/connection';
import { emptyMemory, Journal, readJournal, rememberFromJournal, type JournalMemory } from '../journal/journal';
import type { RiskLimits } from '../risk-controls/limits';
import type { Execution } from '../messages';
import { GuardedBroker } from './guarded-broker';
import { IbBroker, type BrokerLog } from './ib-broker';
import type { Broker } from '../orders/broker';

export { GuardedBroker } from './guarded-broker';
export { IbBroker } from './ib-broker';
export type { BrokerLog } from './ib-broker';

export interface CreateIbBrokerOptions {
  clientId: number;
  /** The connection's "allow live orders" box; the interlock also needs status.liveOrdersAllowed. */
  allowLiveOrders: boolean;
  limits: RiskLimits;
  /** The journal file (JSON lines, appended); null writes none. */
  journalPath: string | null;
  statusProvider: () => ConnectionStatus;
  /** Order messages per second to TWS (default 40, @stoqey/ib's own pace; TWS allows 50). */
  maxMessagesPerSecond?: number;
  /** Time zone of the trading session day for the daily-loss lock. Default America/New_York. */
  timeZone?: string;
  /**
   * Start each strategy's position from the journal's fills (default true): TWS lists only the current
   * day's executions. False where the account is new each time (an embedded simulator).
   */
  strategiesFromJournal?: boolean;
  /** How long a flatten waits for orders to settle before it measures the positions (GuardOptions.flattenWaitMs). Default 3000. */
  flattenWaitMs?: number;
  log?: BrokerLog;
}

export function createIbBroker(session: IbSession, options: CreateIbBrokerOptions): GuardedBroker {
  const memory = loadMemory(options.journalPath, options.log);
  const statusProvider = () => {
    const status = options.statusProvider();
    // Both must agree: the session's view of the account and this connection's box.
    return { ...status, liveOrdersAllowed: status.liveOrdersAllowed && options.allowLiveOrders };
  };
  const inner = new IbBroker(session, {
    clientId: options.clientId,
    statusProvider,
    maxMessagesPerSecond: options.maxMessagesPerSecond,
    minOrderId: memory.maxOrderId > 0 ? memory.maxOrderId + 1 : undefined,
    executions: options.strategiesFromJournal === false ? [] : memory.executions,
    log: options.log,
  });
  return new GuardedBroker(inner, {
    limits: options.limits,
    journal: options.journalPath ? preparedJournal(options.journalPath, options.log) : null,
    statusProvider,
    timeZone: options.timeZone,
    memory,
    flattenWaitMs: options.flattenWaitMs,
  });
}

export interface GuardBrokerOptions {
  limits: RiskLimits;
  journalPath: string | null;
  statusProvider?: () => ConnectionStatus | null;
  /** The clock of orders-per-minute and the session day; a backtest passes its replay time. */
  clock?: () => number;
  timeZone?: string;
}

/** The account guard around any broker (the backtest broker in backtest mode). */
export function guardBroker(inner: Broker, options: GuardBrokerOptions): GuardedBroker {
  // A backtest starts clean each run: a kill switch or loss lock of an earlier replay (on its replay
  // days) does not carry into the next one.
  const memory = { ...loadMemory(options.journalPath), halt: null, dailyLossLock: null };
  return new GuardedBroker(inner, {
    limits: options.limits,
    journal: options.journalPath ? new Journal(options.journalPath, options.clock) : null,
    statusProvider: options.statusProvider,
    clock: options.clock,
    timeZone: options.timeZone,
    memory,
  });
}

/** Releases listeners, timers and the journal of a broker made here. Orders at TWS stay there. */
export function disposeBroker(broker: Broker): void {
  if (broker instanceof GuardedBroker) {
    broker.dispose();
    if (broker.inner instanceof IbBroker) broker.inner.dispose();
  } else if (broker instanceof IbBroker) {
    broker.dispose();
  }
}

/**
 * The journal with its file already open, so the first order's decision line is one write like the
 * rest. A file that cannot be opened now is only a warning here: the first decision line tries again
 * and, failing, refuses that order (nothing is sent unrecorded).
 */
function preparedJournal(path: string, log?: BrokerLog): Journal {
  const journal = new Journal(path);
  try {
    journal.prepare();
  } catch (err) {
    log?.warn(`order journal ${path} cannot be opened (${(err as Error).message}); orders will be refused until it can be written`);
  }
  return journal;
}

function loadMemory(path: string | null, log?: BrokerLog): JournalMemory & { executions: Execution[] } {
  if (!path) return { ...emptyMemory(), executions: [] };
  try {
    const entries = readJournal(path);
    // The journal's fills start each strategy's position: TWS lists only the current day's executions.
    const executions = entries.filter((e) => e.type === 'execution' && e.execution && typeof e.execution === 'object').map((e) => e.execution as Execution);
    return { ...rememberFromJournal(entries), executions };
  } catch (err) {
    log?.warn(`order journal ${path} could not be read (${(err as Error).message}); starting without its memory`);
    return { ...emptyMemory(), executions: [] };
  }
}
