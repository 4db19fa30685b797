/**
 * What an `ib-connect` config node gives the nodes that use it, whatever its mode: the broker and four
 * capabilities (history, live data, account feed, replay clock). The tws, simulator and backtest
 * connections each implement all of them; where a mode lacks one, asking for it throws a
 * CapabilityError that says why and what to do instead, so a node never asks which mode it is on. The
 * shape follows backtrader's store (one object hands out data and broker) and LEAN's backtesting
 * brokerage beside the live ones.
 */
import type { Bar, InstrumentKey } from '../messages';
import type { BacktestEvents, BacktestOptions, BacktestSummary, InstrumentSpec, SummaryOptions } from '../backtest/types';
import type { Broker } from '../orders/broker';
import type { SizeRules } from '../messages/size-rules';
import type { Contract } from '@stoqey/ib';
import type { AccountPart, AccountSnapshot } from '../data/account';
import type { ConnectionStatus, IbSession } from '../ib/connection';
import type { BatchSources } from '../backtest/batch-sources';

export type { ConnectionStatus } from '../ib/connection';

export interface ConnectionEvents {
  status: (status: ConnectionStatus) => void;
  /**
   * Market data subscriptions must be made again: after a reconnect, or TWS code 1101 (connectivity
   * restored, data lost). Nodes re-issue their subscriptions on this event.
   */
  resubscribe: () => void;
}

/** What a node wants live data for; names the refusal a backtest connection gives. */
export type LiveDataUse = 'quotes' | 'depth' | 'bar updates';

export interface Connection {
  /** Where orders go: the IB broker (tws, simulator) or the fill engine's (backtest), inside the account guard. */
  readonly broker: Broker;
  status(): ConnectionStatus;
  /**
   * The session to ask IB history on (contracts, historical bars): the connection's own socket, or a
   * backtest connection's data connection. Throws a CapabilityError when there is none.
   */
  history(): IbSession;
  /**
   * The session live subscriptions go to (quotes, tick-by-tick, depth, bar updates). Throws a
   * CapabilityError on a backtest connection, worded for `use`.
   */
  liveData(use: LiveDataUse): IbSession;
  /** What the account node shows (summary, positions, P&L, orders, executions). */
  accountFeed(): AccountSource;
  /**
   * How much of an instrument one may trade (size increment, minimum size): TWS's contract details on
   * a tws or simulator connection (and a backtest's data connection), else a backtest's contracts
   * table; null when neither says. Rejects with a message naming the contract when TWS cannot find it.
   */
  sizeRules(contract: Contract): Promise<SizeRules | null>;
  /**
   * The contract id TWS knows an instrument by (what its price conditions name), from the same
   * contract details as sizeRules; null where there is no TWS to ask (a backtest). Rejects with a
   * message naming the contract when TWS cannot find it.
   */
  contractId(contract: Contract): Promise<number | null>;
  /** The clock replaying sources feed before they send a bar into the flow, and reports listen to. */
  replay(): ReplayClock;
  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  off<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
}

/** A connection the config node opens on its first user and closes after the last. */
export interface OpenableConnection extends Connection {
  /** Connects; called when the first user registers. */
  open(): Promise<void>;
  /** Disconnects; called when the last user leaves. May be opened again. */
  close(): Promise<void>;
  /** Releases everything for good; called when the config node closes. */
  dispose(): Promise<void>;
}

/**
 * The clock of a replay. Replaying sources call begin() once, onBar() for each bar before they send it
 * into the flow, and end() when they are done.
 * - backtest connection: the backtest run. Each bar first fills what earlier bars' orders trigger and
 *   marks equity at its close; end() of the last source ends the run, and backtest-report sums it up.
 * - tws and simulator connections: a plain pacer without fills. History replayed there warms
 *   indicators up; no account is marked, nothing is filled (orders from it go to the real order path,
 *   which refuses history-marked messages), and there is no run to sum up.
 */
export interface ReplayClock {
  /** Whether replayed bars fill orders and add up to a backtest run (true only on a backtest connection). */
  readonly fillsOrders: boolean;
  /** What a batch backtest on this connection starts from (the backtest connection's own settings). */
  readonly options: BacktestOptions;
  /**
   * The sources sending all their bars in one message on this connection (lib/backtest/batch-sources.ts):
   * a report here runs the batches of one round as one portfolio, as replays here share one clock.
   */
  readonly batchSources: BatchSources;
  /**
   * A source starts replaying; the first of a run resets the backtest to its starting cash. `spec`: what
   * the source knows of the instrument (IB's contract details), for a backtest's fills.
   */
  begin(sourceId: string, key: InstrumentKey, totalBars: number | null, spec?: InstrumentSpec): void;
  /**
   * A source is about to begin (its bars are loading): until it begins and offers its first bar, or
   * ends, the other sources' bars wait for it, so one inject starting several replays gives one clock.
   */
  hold(sourceId: string): void;
  /**
   * A source's next bar on the one clock of all running sources (lib/backtest/time-merge.ts): resolves
   * once the bar was fed (as onBar) and `deliver` (sending it into the flow) has finished, after every
   * bar of an earlier time of the other sources; bars of one time are all fed before any is delivered.
   */
  offer(sourceId: string, key: InstrumentKey, bar: Bar, deliver: () => Promise<void>): Promise<void>;
  /** One bar, before the flow sees it (a single source outside the clock: tests, tools). */
  onBar(key: InstrumentKey, bar: Bar): void;
  /** A source finished (or gave up while held); when none is left, 'end' is emitted. */
  end(sourceId: string): void;
  running(): boolean;
  /** Bars fed this run. */
  barsDone(): number;
  /** Bars the running sources announced, or null when one did not know. */
  expectedBars(): number | null;
  /** The run's metrics, trades and equity curve; throws on a clock that fills nothing. */
  summary(options?: SummaryOptions): BacktestSummary;
  on<E extends keyof BacktestEvents>(event: E, listener: BacktestEvents[E]): this;
  off<E extends keyof BacktestEvents>(event: E, listener: BacktestEvents[E]): this;
}

export interface AccountFeedOptions {
  /** The account to follow; empty: the connection's. */
  account: string;
  parts: ReadonlySet<AccountPart>;
  /** Executions from this time on (epoch ms), as far back as TWS keeps them; unset or null: today's. */
  executionsSince?: number | null;
  /** Something in `part` changed (only once the feed has loaded). */
  onChange(part: AccountPart): void;
  /** A failure after the feed opened (TWS refused a subscription ...). */
  onError(err: Error): void;
  /** Stops the wait for the first snapshot (the node closed). */
  isClosed?(): boolean;
}

/** A running account feed. */
export interface OpenAccountFeed {
  snapshot(): AccountSnapshot;
  stop(): void;
}

export interface AccountSource {
  /**
   * Opens a feed and resolves once it holds a whole snapshot of the parts asked for; rejects with a
   * message that says what is missing (not connected, no account known, TWS did not answer in time).
   */
  open(options: AccountFeedOptions): Promise<OpenAccountFeed>;
}
