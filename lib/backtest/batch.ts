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
import { batchLength, isBarBatch, requireColumn, type BarBatch, type BarColumns } from '../messages/bar-columns';
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
 * the order path reads the bar it is given at once). Readers are classes, not closures: the loop's
 * calls to them are then inlined (closures made per instrument from one function are not), and a time
 * read from a column goes straight into the loop's typed array instead of being boxed on return.
 */
interface Reader {
  readonly key: InstrumentKey;
  readonly n: number;
  at(i: number): Bar;
  time(i: number): number;
}

class ObjectReader implements Reader {
  constructor(
    readonly key: InstrumentKey,
    readonly n: number,
    private readonly list: readonly Bar[],
  ) {}

  at(i: number): Bar {
    return this.list[i]!;
  }

  time(i: number): number {
    return this.list[i]!.time;
  }
}

class ColumnReader implements Reader {
  /** The one bar read into (as columnsBarAt reads it: a missing volume column is 0). */
  private readonly bar = new ReadBar();
  private readonly times: readonly number[];
  private readonly open: readonly number[];
  private readonly high: readonly number[];
  private readonly low: readonly number[];
  private readonly close: readonly number[];
  private readonly volume: readonly number[] | undefined;

  constructor(
    readonly key: InstrumentKey,
    readonly n: number,
    columns: BarColumns,
  ) {
    this.open = requireColumn(columns, 'open', 'a backtest') as readonly number[];
    this.high = requireColumn(columns, 'high', 'a backtest') as readonly number[];
    this.low = requireColumn(columns, 'low', 'a backtest') as readonly number[];
    this.times = columns.time as readonly number[];
    this.close = columns.close as readonly number[];
    this.volume = columns.volume as readonly number[] | undefined;
  }

  at(i: number): Bar {
    const bar = this.bar;
    bar.time = this.times[i]!;
    bar.open = this.open[i]!;
    bar.high = this.high[i]!;
    bar.low = this.low[i]!;
    bar.close = this.close[i]!;
    bar.volume = this.volume ? this.volume[i]! : 0;
    return bar;
  }

  time(i: number): number {
    return this.times[i]!;
  }
}

function readerOf(instrument: BatchInstrument): Reader {
  const { key, bars } = instrument;
  if (!isBarBatch(bars)) {
    throw new Error('batch backtest: msg.payload must be an array of bars {time, open, high, low, close, volume}, or columns {time: [...], open: [...], high: [...], low: [...], close: [...], volume: [...]}');
  }
  const n = batchLength(bars);
  return Array.isArray(bars) ? new ObjectReader(key, n, bars as readonly Bar[]) : new ColumnReader(key, n, bars as BarColumns);
}

/**
 * The bar a column reader reads into. A class whose fields start as doubles: V8 then overwrites them in
 * place, where the fields of an object literal took a new heap number on every store (six per bar, a
 * million bars' worth of garbage, and the reads' largest cost in a profile).
 */
class ReadBar implements Bar {
  time = Number.NaN;
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  volume = Number.NaN;
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
function runMerged(run: BacktestRun, given: readonly Reader[], act: BatchAct): void {
  const k = given.length;
  // Bars of one time go to the engine in instrument-key order, as the replay's clock feeds them, so
  // the executions (and the trade list) come out in the same order whichever way the inputs were given.
  const part = given.map((_r, p) => p).sort((a, b) => compareKeys(given[a]!.key, given[b]!.key));
  const readers = part.map((p) => given[p]!);
  const cursor = new Int32Array(k);
  // The time of each instrument's next bar (read once per bar), Infinity once it has none left: raw
  // doubles, where an array of numbers and nulls would box a number per bar.
  const next = new Float64Array(k);
  // A time that is not a number (NaN here) would never be the earliest: named instead of its bars skipped.
  const badTime = (j: number) => checkBar(readers[j]!.key, readers[j]!.at(cursor[j]!));
  for (let j = 0; j < k; j++) {
    next[j] = readers[j]!.n > 0 ? readers[j]!.time(0) : Infinity;
    if (next[j] !== next[j]) badTime(j);
  }
  const due = new Int32Array(k);
  const bars = new Array<Bar>(k);
  let last = -Infinity;
  for (;;) {
    let time = Infinity;
    for (let j = 0; j < k; j++) {
      const t = next[j]!;
      if (t < time) time = t;
    }
    if (time === Infinity) return;
    if (time < last) {
      const j = next.indexOf(time);
      throw new Error(`batch backtest: the bars of ${readers[j]!.key} are not in time order at bar ${cursor[j]}: sort them by time`);
    }
    last = time;
    let count = 0;
    for (let j = 0; j < k; j++) {
      if (next[j] !== time) continue;
      const r = readers[j]!;
      const bar = r.at(cursor[j]!);
      run.onBar(r.key, bar);
      due[count] = j;
      bars[count++] = bar;
    }
    for (let c = 0; c < count; c++) {
      const j = due[c]!;
      const i = cursor[j]!;
      const r = readers[j]!;
      cursor[j] = i + 1;
      next[j] = i + 1 < r.n ? r.time(i + 1) : Infinity;
      // Read back as the typed array's double: a NaN test of the value read (maybe a hole) would box it.
      if (next[j] !== next[j]) badTime(j);
      act(part[j]!, i, bars[c]!);
    }
  }
}
