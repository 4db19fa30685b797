/**
 * A backtest run on an `ib-connect` in backtest mode. The replaying source (historical-bars) feeds each
 * bar to the session *before* sending it into the flow: the fill engine fills what the previous bars'
 * orders trigger on this bar (market orders at its open, stops/limits when its range reaches them) and
 * marks equity at its close; only then does the strategy see the bar, so it can never trade on a price
 * it has not seen. backtest-report listens to the session.
 */
import type { Bar, InstrumentKey } from '../messages';
import type { FillEngineApi } from '../fills/types';

import type { CommissionModelName } from '../fills/commission';
import type { AccountType } from '../fills/margin';
import type { InstrumentSpec } from '../fills/contract-terms';

export type { CommissionModelName, AccountType, InstrumentSpec };

export interface BacktestOptions {
  startingCash: number;
  commission: CommissionModelName;
  /** Percent of trade value, for the 'percent' model. */
  commissionPercent?: number;
  slippage?: { kind: 'none' | 'ticks' | 'bps'; amount: number };
  /** 'next-open' (default): orders fill on the next bar. 'close': market orders fill at this bar's close. */
  fillAt?: 'next-open' | 'close';
  account?: string;
  /**
   * The account orders are checked against (lib/fills/margin.ts): 'cash' (the default, as backtrader and
   * backtesting.py: paid in full, no short sales of securities) or 'reg-t' (Reg T margin, 50% on stocks).
   */
  accountType?: AccountType;
  /**
   * Each instrument's own terms, by symbol or instrument key ({"ES": {"minTick": 0.25, "multiplier": 50,
   * "initialMargin": 15000}, "EUR.USD": {"minTick": 0.00005}}): they win over what a replaying source read
   * from IB's contract details, which wins over the defaults (lib/fills/contract-terms.ts).
   */
  contracts?: Record<string, InstrumentSpec>;
  /**
   * The account's base currency (USD unless set): equity, buying power, limits and reports are in it; an
   * instrument quoted in another currency keeps cash in that one (lib/fills/currency.ts).
   */
  baseCurrency?: string;
  /**
   * Fixed rates, base-currency units per unit of each currency ({"EUR": 1.08}), for currencies no FX
   * instrument of the backtest (EUR.USD bars) gives a rate for.
   */
  fxRates?: Record<string, number>;
}

export interface BacktestEvents {
  /** A replay began (a new run: the engine was reset when no other source was running). */
  start: (info: { sourceId: string; key: InstrumentKey; totalBars: number | null }) => void;
  /** After the engine handled `bar`: equity is marked at its close. */
  bar: (key: InstrumentKey, bar: Bar, equity: number) => void;
  /** Every source that began has ended: the run is over. */
  end: () => void;
}

export interface BacktestSession {
  readonly options: BacktestOptions;
  /** The fill engine of the current run. */
  engine(): FillEngineApi;
  /**
   * A source starts replaying; the first one of a run resets the engine to the starting cash. `spec`:
   * what the source knows of the instrument (IB's contract details: minTick, multiplier, currency).
   */
  begin(sourceId: string, key: InstrumentKey, totalBars: number | null, spec?: InstrumentSpec): void;
  /**
   * A replaying source's next bar on the run's one clock (several sources make one time-ordered
   * stream): resolves once the bar was fed (as onBar) and `deliver`, which sends it into the flow, has
   * finished, after every bar of an earlier time of the other running sources.
   */
  offer(sourceId: string, key: InstrumentKey, bar: Bar, deliver: () => Promise<void>): Promise<void>;
  /** Feeds one bar to the engine (fills, then marks at close), then emits 'bar'. */
  onBar(key: InstrumentKey, bar: Bar): void;
  /**
   * A source is about to begin (its bars are loading): until it begins and offers its first bar, or
   * ends, the other sources' bars wait for it on the clock.
   */
  hold(sourceId: string): void;
  /** A source finished (or gave up while held); when no source is running any more, emits 'end'. */
  end(sourceId: string): void;
  running(): boolean;
  on<E extends keyof BacktestEvents>(event: E, listener: BacktestEvents[E]): this;
  off<E extends keyof BacktestEvents>(event: E, listener: BacktestEvents[E]): this;
}

// ---- Additions (backtest engineer): the run's record and summary, read by backtest-report and ib-flow.

/** How to annualize a summary; by default periods per year come from the spacing of the bar times. */
export interface SummaryOptions {
  /** IB bar size setting ("1 day", "5 mins") to take periods per year from. */
  barSize?: string | null;
  periodsPerYear?: number;
  /** Annual risk-free rate as a fraction; default 0. */
  riskFreeRate?: number;
}

/** What a finished (or running) backtest adds up to: the same shape from replay and from batch. */
export interface BacktestSummary {
  metrics: import('./metrics').BacktestMetrics;
  trades: import('./trades').Trade[];
  curve: import('./equity-curve').EquityCurve;
  executions: import('../messages').Execution[];
  /** Return, P&L, trades and exposure per instrument (lib/backtest/breakdown.ts). */
  instruments: import('./breakdown').InstrumentResult[];
  /** The same per strategy (orderRef), once strategies trade (lib/backtest/breakdown.ts). */
  strategies: import('./breakdown').StrategyResult[];
}

export interface BacktestSession {
  /** Metrics, trades and equity curve of the current (or last) run. */
  summary(options?: SummaryOptions): BacktestSummary;
  /** Bars fed to the engine this run. */
  barsDone(): number;
  /** Bars the running sources announced in begin(), or null when one did not know. */
  expectedBars(): number | null;
}
