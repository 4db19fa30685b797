/**
 * The connection an `ib-connect` in backtest mode gives its users: no socket by construction (nothing
 * here imports a socket client), a broker over the backtest run's fill engine, and the run as its
 * replay clock, which replaying sources feed and backtest-report sums up. IB history comes from its
 * data connection (another ib-connect), if it names one; live data it has none.
 */
import { BacktestBroker } from '../broker/backtest-broker';
import type { Broker } from '../orders/broker';
import { FillEngine } from '../fills/fill-engine';
import { TypedEventEmitter } from '../messages/events';
import type { IbSession } from '../ib/connection';
import { BacktestRun, type EngineFactory } from '../backtest/session';
import type { BacktestOptions } from '../backtest/types';
import { BacktestAccountSource } from './backtest-account-source';
import { CapabilityError } from './errors';
import type { Contract } from '@stoqey/ib';
import { specFor } from '../fills/contract-terms';
import { instrumentKey } from '../messages/instrument';
import { sizeRulesOf, type SizeRules } from '../messages/size-rules';
import type { AccountSource, Connection, ConnectionEvents, ConnectionStatus, LiveDataUse, OpenableConnection } from './types';

export interface BacktestConnectionOptions extends BacktestOptions {
  /** The connection (tws or simulator) IB history comes from; looked up when asked (config nodes start in any order). */
  dataConnection?: () => Connection | null;
  /** The fill engine to use; the shared FillEngine unless a test or benchmark passes another. */
  createEngine?: EngineFactory;
  /**
   * Wraps the fill engine's broker (ib-connect puts the account guard around it: risk limits, journal),
   * given the replay time, so orders-per-minute and the session day are the bars', not the machine's.
   * None: the bare broker.
   */
  wrapBroker?: (inner: Broker, replayTime: () => number) => Broker;
  /** Releases what wrapBroker made (on dispose). */
  releaseBroker?: (broker: Broker) => void;
}

/** Why a backtest connection has no live data, worded for what was wanted. */
const NO_LIVE_DATA: Record<LiveDataUse, { message: string; status: string }> = {
  quotes: {
    message: 'market-data has no live source on a backtest connection: replay bars with historical-bars, or set the connection to simulator or tws mode',
    status: 'backtest: no live data',
  },
  depth: { message: 'market-depth has no live source on a backtest connection: set the connection to simulator or tws mode', status: 'backtest: no live depth' },
  'bar updates': {
    message: 'keep-up-to-date needs live data: a backtest connection has none; choose "one message per bar" to replay',
    status: 'backtest: no live bars',
  },
};

export class BacktestConnection implements OpenableConnection {
  readonly mode = 'backtest' as const;
  readonly broker: Broker;
  private readonly run: BacktestRun;
  private readonly account: AccountSource;
  private readonly data: () => Connection | null;
  private readonly events = new TypedEventEmitter<ConnectionEvents>();
  private readonly release: (broker: Broker) => void;

  constructor(options: BacktestConnectionOptions) {
    const { dataConnection = () => null, createEngine = (o) => new FillEngine(o), wrapBroker, releaseBroker, ...backtestOptions } = options;
    this.run = new BacktestRun(backtestOptions, createEngine);
    this.data = dataConnection;
    const inner = new BacktestBroker(this.run);
    this.release = releaseBroker ?? (() => undefined);
    if (wrapBroker) {
      let replayTime = 0;
      this.run.on('bar', (_key, bar) => {
        replayTime = bar.time;
      });
      this.broker = wrapBroker(inner, () => replayTime);
    } else {
      this.broker = inner;
    }
    this.account = new BacktestAccountSource(this.run, this.broker);
  }

  status(): ConnectionStatus {
    const account = this.broker.account() ?? this.run.engine().account;
    return { mode: 'backtest', state: 'connected', account, accounts: account ? [account] : [], live: false, liveOrdersAllowed: false, text: `backtest ${account}` };
  }

  history(): IbSession {
    const data = this.data();
    // A backtest as data connection would have no socket either (and could name this one back).
    if (!data || data instanceof BacktestConnection) {
      throw new CapabilityError(
        'this backtest connection has no data connection to fetch IB history from: set "data connection" in its ib-connect node, or use a file or msg source',
        'backtest: no data connection',
      );
    }
    return data.history();
  }

  async sizeRules(contract: Contract): Promise<SizeRules | null> {
    // The contracts table speaks for the backtest; else the data connection's TWS, when there is one.
    const spec = specFor(this.run.options.contracts, instrumentKey(contract));
    const fromTable = sizeRulesOf(spec);
    if (fromTable) return fromTable;
    const data = this.data();
    return data && !(data instanceof BacktestConnection) ? data.sizeRules(contract) : null;
  }

  /** A backtest names instruments by key, not by TWS's ids (its price conditions watch the order's own instrument). */
  async contractId(_contract: Contract): Promise<number | null> {
    return null;
  }

  liveData(use: LiveDataUse): never {
    const refusal = NO_LIVE_DATA[use];
    throw new CapabilityError(refusal.message, refusal.status);
  }

  accountFeed(): AccountSource {
    return this.account;
  }

  replay(): BacktestRun {
    return this.run;
  }

  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this {
    this.events.off(event, listener);
    return this;
  }

  // Nothing to open: a backtest has no socket. A run starts when a source begins replaying.
  async open(): Promise<void> {}

  async close(): Promise<void> {}

  async dispose(): Promise<void> {
    this.release(this.broker);
  }
}

/** A backtest connection; throws a message naming the bad option. */
export function createBacktestConnection(options: BacktestConnectionOptions): BacktestConnection {
  return new BacktestConnection(options);
}
