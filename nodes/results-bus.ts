/**
 * Where backtest-report announces each final result, so a headless runner (bin/ib-flow) in the same
 * process can collect them without wiring anything into the user's flow. Kept on a process-wide symbol
 * so two copies of the package (a linked checkout and an installed one) still share it.
 */
import { TypedEventEmitter } from '../lib/messages/events';

export interface PublishedResult {
  /** The backtest-report node's id and name. */
  nodeId: string;
  name: string;
  /** The result line: metrics, the instrument, the trade list. */
  result: Record<string, unknown>;
}

export interface ReportFailure {
  nodeId: string;
  name: string;
  error: string;
}

/** How far a replay has come, as backtest-report sees it (published a few times a second). */
export interface ReplayProgress {
  nodeId: string;
  bars: number;
  /** Bars the replaying sources announced, or null when they did not say. */
  totalBars: number | null;
  elapsedMs: number;
}

/** A backtest-report saw a replay start (running true) or end (false). */
export interface ReplayActivity {
  nodeId: string;
  running: boolean;
}

/** What the bus carries, each event with its own payload. */
export interface ResultsBusEvents {
  result: (result: PublishedResult) => void;
  failure: (failure: ReportFailure) => void;
  replay: (activity: ReplayActivity) => void;
  progress: (progress: ReplayProgress) => void;
}

type ResultsBus = TypedEventEmitter<ResultsBusEvents>;

const KEY = Symbol.for('node-red-contrib-ib-algo.backtest-results');

export function resultsBus(): ResultsBus {
  const holder = globalThis as unknown as Record<symbol, ResultsBus | undefined>;
  let bus = holder[KEY];
  if (!bus) {
    bus = new TypedEventEmitter<ResultsBusEvents>();
    bus.setMaxListeners(0);
    holder[KEY] = bus;
  }
  return bus;
}
