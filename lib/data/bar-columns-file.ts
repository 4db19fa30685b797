/**
 * Bars from text (CSV or JSON) and from plain data straight into columns (lib/bar-columns.ts): each
 * validated row goes into six arrays of numbers, no bar object is built on the way. A million CSV rows
 * then cost the text plus 48 MB of columns instead of the text plus 160 MB of bar objects. Reading and
 * validation are bar-file.ts's (the same checks, error texts, sorting and duplicate rule); this file is
 * only the sink that fills columns.
 */
import type { BarColumns } from '../messages';
import { readBarData, readBarsCsv, readBarsText, type BarSink, type BarSinkFactory } from './bar-file';

/** The columns a columnar batch carries, as every reader here fills them. */
export interface FullBarColumns extends BarColumns {
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/** CSV or JSON text (by its first character) into columns, oldest first; as a string or a file's bytes (UTF-8). */
export function parseBarColumnsText(text: string | Uint8Array, source = 'data'): FullBarColumns {
  return readBarsText(text, source, barColumnsSink);
}

export function parseBarColumnsCsv(text: string, source = 'CSV'): FullBarColumns {
  return readBarsCsv(text, source, barColumnsSink);
}

/**
 * Bar objects, `{bars: [...]}` or columns (e.g. msg.payload) into validated columns, oldest first.
 * Columns that already are what the readers make (six arrays of finite numbers, times in epoch ms,
 * strictly ascending, high never below low) are taken as they are, without a copy: checking a million
 * bars costs a pass over their numbers, copying them a row at a time through the checks several times that.
 */
export function barColumnsFromData(data: unknown, source = 'msg.payload'): FullBarColumns {
  const ready = readyColumns(data);
  if (ready !== null) return ready;
  return readBarData(data, source, barColumnsSink);
}

/** The six arrays of `data` when they need no reading (see barColumnsFromData), else null. */
function readyColumns(data: unknown): FullBarColumns | null {
  if (typeof data !== 'object' || data === null) return null;
  const { time, open, high, low, close, volume, wap, count } = data as Record<string, unknown>;
  // wap and count are not carried in columns: a batch with them takes the reading path, which drops them.
  if (wap !== undefined || count !== undefined) return null;
  if (!Array.isArray(time) || !Array.isArray(open) || !Array.isArray(high) || !Array.isArray(low) || !Array.isArray(close) || !Array.isArray(volume)) return null;
  const n = time.length;
  if (open.length !== n || high.length !== n || low.length !== n || close.length !== n || volume.length !== n) return null;
  if (!cleanColumns(time, open, high, low, close, volume, n)) return null;
  return { time, open, high, low, close, volume } as FullBarColumns;
}

/**
 * Whether the six columns are finite numbers with epoch-ms times ascending and each high over its low.
 * The loop is a function of its own, returning a boolean: in readyColumns, the object made after it
 * had no type feedback when the loop was compiled on the stack, so every call fell back to the
 * interpreter there and the next one began the loop unoptimized again.
 */
function cleanColumns(time: unknown[], open: unknown[], high: unknown[], low: unknown[], close: unknown[], volume: unknown[], n: number): boolean {
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    // Seconds (below 1e11) are read as seconds by the reading path; here only milliseconds pass.
    // x - x === 0 is Number.isFinite(x) for a number: on a read from an array with holes (new
    // Array(n).fill, or lengthened), Number.isFinite and x !== x box the double, one allocation a value.
    if (typeof t !== 'number' || !(t > previous) || !(Math.abs(t) >= 1e11) || t - t !== 0) return false;
    previous = t;
    const o = open[i];
    const h = high[i];
    const l = low[i];
    const c = close[i];
    const v = volume[i];
    if (typeof o !== 'number' || typeof h !== 'number' || typeof l !== 'number' || typeof c !== 'number' || typeof v !== 'number') return false;
    if (o - o !== 0 || c - c !== 0 || v - v !== 0 || h - l - (h - l) !== 0 || !(h >= l)) return false;
  }
  return true;
}

/**
 * A column of `capacity` numbers that V8 keeps as raw doubles (8 bytes a value), made in one allocation:
 * an array that already holds a double, lengthened, stays a double array with holes to fill. (new
 * Array(n).fill(NaN) makes a pointer array first and then a double array: twice the memory touched,
 * about 60 ms a million-entry column on a slow machine instead of 30.)
 */
function doubles(capacity: number): number[] {
  const column = [NaN];
  column.length = capacity;
  return column;
}

const FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Fills six columns; `finish` cuts them to the bars added and puts them in time order. Readers give an
 * upper bound as capacity; a bar past it is appended (the arrays grow as arrays do).
 */
export const barColumnsSink: BarSinkFactory<FullBarColumns> = (capacity) => {
  const columns: FullBarColumns = {
    time: doubles(capacity),
    open: doubles(capacity),
    high: doubles(capacity),
    low: doubles(capacity),
    close: doubles(capacity),
    volume: doubles(capacity),
  };
  const { time, open, high, low, close, volume } = columns;
  let n = 0;
  const sink: BarSink<FullBarColumns> = {
    add(v) {
      time[n] = v.time;
      open[n] = v.open;
      high[n] = v.high;
      low[n] = v.low;
      close[n] = v.close;
      volume[n] = v.volume;
      n++;
    },
    get length() {
      return n;
    },
    timeAt: (i) => time[i]!,
    finish(order) {
      for (const field of FIELDS) columns[field].length = n;
      // Reordered one column at a time, each replacing its original: the extra memory in hand is one
      // column (8 bytes a bar), not all six.
      if (order) for (const field of FIELDS) columns[field] = permuted(columns[field], order);
      return columns;
    },
  };
  return sink;
};

function permuted(column: number[], order: ArrayLike<number>): number[] {
  const out = doubles(order.length);
  for (let i = 0; i < order.length; i++) out[i] = column[order[i]!]!;
  return out;
}
