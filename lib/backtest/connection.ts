/**
 * The connection an `ib-connect` in backtest mode gives its users: no socket by construction (`ib` is
 * null and nothing here imports a socket client), a broker over the backtest session's fill engine, and
 * the session that replaying sources feed and backtest-report reads.
 */
import { EventEmitter } from 'node:events';
import type { Connection, ConnectionEvents, ConnectionStatus } from '../ib/connection';
import { BacktestBroker } from '../broker/backtest-broker';
import { FillEngine } from '../fills/fill-engine';
import { BacktestRun, type EngineFactory } from './session';
import type { BacktestOptions } from './types';

export interface BacktestConnectionOptions extends BacktestOptions {
  /** Another connection (tws or simulator) that historical-bars may draw IB history from. */
  dataConnection?: Connection | null;
  /** The fill engine to use; the shared FillEngine unless a test or benchmark passes another. */
  createEngine?: EngineFactory;
}

export class BacktestConnection implements Connection {
  readonly mode = 'backtest' as const;
  readonly ib = null;
  readonly broker: BacktestBroker;
  readonly backtest: BacktestRun;
  private readonly events = new EventEmitter();

  constructor(options: BacktestConnectionOptions) {
    const { dataConnection = null, createEngine = (o) => new FillEngine(o), ...backtestOptions } = options;
    this.backtest = new BacktestRun(backtestOptions, createEngine, dataConnection);
    this.broker = new BacktestBroker(this.backtest);
  }

  status(): ConnectionStatus {
    const account = this.broker.account();
    return { mode: 'backtest', state: 'connected', account, accounts: account ? [account] : [], live: false, liveOrdersAllowed: false, text: `backtest ${account}` };
  }

  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this {
    this.events.off(event, listener);
    return this;
  }
}

/** What ib-connect calls in backtest mode. Throws a message naming the bad option. */
export function createBacktestConnection(options: BacktestConnectionOptions): Connection {
  return new BacktestConnection(options);
}
