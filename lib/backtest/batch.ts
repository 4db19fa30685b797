/**
 * The batch (vectorized) backtest's clock: whole arrays of bars, one per instrument, run through the
 * very same session and fill engine as a replay, in one time-ordered stream. At each timestamp every
 * instrument that has a bar there is fed to the engine first (fills of earlier orders, marks at the
 * close), then the order path acts on each of those bars in the order the instruments were given:
 * exactly what a replay of several sources on one backtest connection does (session.ts, `offer`),
 * so batch and replay agree to the cent. An instrument without a bar at a timestamp (a holiday, a
 * halt) is skipped there; the others go on. Equity is marked once per timestamp over all positions.
 *
 * What the order path does with a bar (plan the orders, pass the account guard) is not this floor's:
 * the caller hands it in (lib/broker/batch-backtest.ts), so the batch and the replay share one path.
 */
import type { Bar, InstrumentKey } from '../messages';
import { batchLength, columnsBarAt, isBarBatch, requireColumn, type BarBatch, type BarColumns } from '../messages/bar-columns';
import { FillEngine } from '../fills/fill-engine';
import { BacktestRun, checkBar, type EngineFactory } from './session';
import { compareKeys } from './time-merge';
import type { BacktestOptions, BacktestSummary, SummaryOptions } from './types';

export interface BatchInstrument {
  key: InstrumentKey;
  /** An array of bar objects, or columns ({time, open, high, low, close, volume} arrays), in time order. */
  bars: BarBatch;
}

/** Acts on bar `index` of instrument `part` (its position in the list), after every bar of its time was fed. */
export type BatchAct = (part: number, index: number, bar: Bar) => void;

export interface BatchRunInput {
  instruments: readonly BatchInstrument[];
  options: BacktestOptions;
  summary?: SummaryOptions;
  createEngine?: EngineFactory;
  /** Builds the order path on the run (its engine is where the orders go); called once, before the first bar. */
  orderPath(run: BacktestRun): BatchAct;
  /** Called once after the last bar (releases what the order path holds). */
  finish?(): void;
}

/**
 * Reads bar i of one instrument's batch as a bar object. Columns are read into one bar object per
 * instrument, overwritten by the next read: a million bars are a million reads, not a million objects.
 * Nothing the run hands a bar to keeps it (the engine and the session copy the prices they keep, and
 * the order path reads the bar it is given at once).
 */
interface Reader {
  key: InstrumentKey;
  n: number;
  at(i: number): Bar;
  time(i: number): number;
}

function readerOf(instrument: BatchInstrument): Reader {
  const { key, bars } = instrument;
  if (!isBarBatch(bars)) {
    throw new Error('batch backtest: msg.payload must be an array of bars {time, open, high, low, close, volume}, or columns {time: [...], open: [...], high: [...], low: [...], close: [...], volume: [...]}');
  }
  const n = batchLength(bars);
  if (Array.isArray(bars)) {
    const list = bars as readonly Bar[];
    return { key, n, at: (i) => list[i]!, time: (i) => list[i]!.time };
  }
  const columns = bars as BarColumns;
  const open = requireColumn(columns, 'open', 'a backtest');
  const high = requireColumn(columns, 'high', 'a backtest');
  const low = requireColumn(columns, 'low', 'a backtest');
  const { time, close, volume } = columns;
  // One bar, read into (as columnsBarAt reads it: a missing volume column is 0).
  const bar: Bar = columnsBarAt(columns, 0);
  const at = (i: number): Bar => {
    bar.time = time[i]!;
    bar.open = open[i]!;
    bar.high = high[i]!;
    bar.low = low[i]!;
    bar.close = close[i]!;
    bar.volume = volume ? volume[i]! : 0;
    return bar;
  };
  return { key, n, at, time: (i) => time[i]! };
}

/** Bars every instrument announced: the equity curve is sized once (one point per distinct time at most this many). */
function totalBars(readers: readonly Reader[]): number {
  let total = 0;
  for (const r of readers) total += r.n;
  return total;
}

export function runBatch(input: BatchRunInput): BacktestSummary {
  const readers = input.instruments.map(readerOf);
  const run = new BacktestRun(input.options, input.createEngine ?? ((o) => new FillEngine(o)), totalBars(readers));
  const act = input.orderPath(run);
  try {
    readers.forEach((r, part) => {
      run.begin(`batch:${part}`, r.key, r.n);
    });
    if (readers.length === 1) runOne(run, readers[0]!, act);
    else runMerged(run, readers, act);
    readers.forEach((_r, part) => {
      run.end(`batch:${part}`);
    });
  } finally {
    input.finish?.();
  }
  // The run is not reused: its curve buffers can be handed out as they are.
  return run.summary(input.summary, false);
}

/** One instrument: every bar is its own timestamp. */
function runOne(run: BacktestRun, reader: Reader, act: BatchAct): void {
  const { key, n } = reader;
  for (let i = 0; i < n; i++) {
    const bar = reader.at(i);
    run.onBar(key, bar);
    act(0, i, bar);
  }
}

/**
 * Several instruments: at each step the earliest time among the instruments' next bars is released,
 * every bar at that time fed to the engine, then acted on. Each instrument's bars must be in time order.
 */
function runMerged(run: BacktestRun, readers: readonly Reader[], act: BatchAct): void {
  const k = readers.length;
  const cursor = new Array<number>(k).fill(0);
  // The time of each instrument's next bar (read once per bar), or null once it has none left.
  const next = readers.map((r) => (r.n > 0 ? r.time(0) : null));
  const due = new Array<number>(k);
  const bars = new Array<Bar>(k);
  // Bars of one time go to the engine in instrument-key order, as the replay's clock feeds them, so
  // the executions (and the trade list) come out in the same order whichever way the inputs were given.
  const byKey = readers.map((_r, p) => p).sort((a, b) => compareKeys(readers[a]!.key, readers[b]!.key));
  let last = -Infinity;
  for (;;) {
    let time = Infinity;
    let first = -1;
    for (let p = 0; p < k; p++) {
      const t = next[p];
      if (t === null) continue;
      // A time that is not a number would never be the earliest: name it instead of skipping its bars.
      if (t !== t) checkBar(readers[p]!.key, readers[p]!.at(cursor[p]!));
      if (t < time) {
        time = t;
        first = p;
      }
    }
    if (first < 0) return;
    if (time < last) {
      throw new Error(`batch backtest: the bars of ${readers[first]!.key} are not in time order at bar ${cursor[first]}: sort them by time`);
    }
    last = time;
    let count = 0;
    for (let j = 0; j < k; j++) {
      const p = byKey[j]!;
      if (next[p] !== time) continue;
      const r = readers[p]!;
      const bar = r.at(cursor[p]!);
      run.onBar(r.key, bar);
      due[count] = p;
      bars[count++] = bar;
    }
    for (let j = 0; j < count; j++) {
      const p = due[j]!;
      const i = cursor[p]!;
      cursor[p] = i + 1;
      next[p] = i + 1 < readers[p]!.n ? readers[p]!.time(i + 1) : null;
      act(p, i, bars[j]!);
    }
  }
}
