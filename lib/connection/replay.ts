/**
 * One message per bar through a flow, paced by the flow: the replay clock sees each bar first (on a
 * backtest connection it fills what earlier bars' orders trigger and marks equity), then the bar is sent
 * and the next one waits until `send` resolves, i.e. until the flow finished with everything the bar
 * caused. Several sources on one connection offer their bars to the clock, which lets them out as one
 * time-ordered stream (lib/backtest/time-merge.ts). The caller supplies `send` (historical-bars: its flow pacer) and a progress callback.
 */
import type { Contract } from '@stoqey/ib';
import type { Bar, InstrumentKey } from '../messages';
import type { InstrumentSpec } from '../backtest/types';
import type { ReplayClock } from './types';

/** The message each bar goes out as (a type, not an interface: it passes as a plain record). */
export type ReplayMessage = {
  topic: InstrumentKey;
  payload: Bar;
  contract?: Contract;
  /** The replay mark (lib/messages/history.ts): replayed bars are history and never live orders. */
  history: true;
};

export interface ReplayProgress {
  key: InstrumentKey;
  done: number;
  total: number;
  elapsedMs: number;
  /** The last call of a replay that sent every bar. */
  finished: boolean;
  /** Short status text: `AAPL 42% 4.2k bars 9.8k/s`. */
  text: string;
}

export interface ReplayInput {
  key: InstrumentKey;
  /** Each message gets its own copy (a node downstream may change its message). */
  contract: Contract | null;
  bars: readonly Bar[];
  /** What the source knows of the instrument (IB's contract details), for a backtest's fills. */
  spec?: InstrumentSpec;
  /** Names this source to the clock (several may replay into one run). */
  sourceId: string;
  /** The connection's replay clock; none when the source has no connection (nothing is fed). */
  clock?: ReplayClock | null;
  /** Sends one bar; resolves when the flow finished with it. */
  send(msg: ReplayMessage): Promise<void>;
  /** Progress about every `progressEveryMs` and once at the end. */
  onProgress?(progress: ReplayProgress): void;
  /** Checked before each bar: true ends the replay (the node closed). */
  stopped?(): boolean;
  progressEveryMs?: number;
}

/** Replays `bars`; resolves when the last one is handled, or early when `stopped()` says so. */
export async function replayBars(input: ReplayInput): Promise<void> {
  const { key, contract, bars, spec, sourceId, clock, send, onProgress, stopped } = input;
  const every = input.progressEveryMs ?? 250;
  const started = Date.now();
  let lastProgress = 0;
  clock?.begin(sourceId, key, bars.length, spec);
  try {
    for (let i = 0; i < bars.length; i++) {
      if (stopped?.()) return;
      const bar = bars[i]!;
      const msg: ReplayMessage = contract ? { topic: key, payload: bar, contract: { ...contract }, history: true } : { topic: key, payload: bar, history: true };
      // On the one clock of every source replaying on the connection: earlier bars of the others go first.
      if (clock) await clock.offer(sourceId, key, bar, () => send(msg));
      else await send(msg);
      if (onProgress) {
        const now = Date.now();
        if (now - lastProgress >= every) {
          lastProgress = now;
          onProgress(progress(key, i + 1, bars.length, now - started, false));
        }
      }
    }
    onProgress?.(progress(key, bars.length, bars.length, Date.now() - started, true));
  } finally {
    clock?.end(sourceId);
  }
}

function progress(key: InstrumentKey, done: number, total: number, elapsedMs: number, finished: boolean): ReplayProgress {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(done / seconds) : 0;
  const pct = total ? ` ${Math.floor((100 * done) / total)}%` : '';
  return { key, done, total, elapsedMs, finished, text: `${key}${pct} ${compactCount(done)} bars ${compactCount(rate)}/s` };
}

/** 950, 1.2k, 42k, 1.2M: counts short enough for a node status. */
export function compactCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
