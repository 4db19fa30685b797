/**
 * A batch of bars as columns: `msg.payload = {time: [...], open: [...], high, low, close, volume}`,
 * index i of every column being bar i. The same bars as an array of bar objects, in a shape that costs
 * 8 bytes a value: V8 keeps an array of plain numbers as raw doubles, but boxes every number field of
 * an object, so a million bars take about 48 MB as columns and 160 MB as objects. Columns are plain
 * JSON (arrays of numbers); typed arrays (Float64Array) are read too.
 *
 * Every batch-aware node takes either shape; these helpers are what they share.
 */
import type { Bar, BarColumns } from '.';
import { said, TextError } from './texts';

export type { BarColumns } from '.';

/** The column names a columnar batch may carry (time and close are required). */
export const COLUMN_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
export type ColumnField = (typeof COLUMN_FIELDS)[number];

const COLUMNS_HINT = said('bars.columnsHint');

/** An array, or a typed array (Float64Array...): what a batch property (a column of values) may be. */
export function isColumn(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** A columnar batch? (An object, not an array, whose `time` and `close` are arrays.) */
export function isBarColumns(payload: unknown): payload is BarColumns {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return false;
  const { time, close } = payload as Record<string, unknown>;
  return isColumn(time) && isColumn(close);
}

/** A batch of bars in either shape: an array (of bar objects or numbers), or columns. */
export type BarBatch = readonly unknown[] | BarColumns;

/** Is msg.payload a batch (an array, or columns)? */
export function isBarBatch(payload: unknown): payload is BarBatch {
  return Array.isArray(payload) || isBarColumns(payload);
}

/**
 * The number of bars in a batch. For columns, every column present must be as long as `time`; the
 * error names the column that is not.
 */
export function batchLength(batch: BarBatch): number {
  if (Array.isArray(batch)) return batch.length;
  const columns = batch as BarColumns;
  const n = columns.time.length;
  for (const field of COLUMN_FIELDS) {
    const column = (columns as unknown as Record<string, unknown>)[field];
    if (column === undefined) continue;
    if (!isColumn(column)) throw new TextError(said('bars.columnNotArray', { field, type: column === null ? 'null' : typeof column, hint: COLUMNS_HINT }));
    if (column.length !== n) throw new TextError(said('bars.columnLength', { field, length: column.length, count: n, hint: COLUMNS_HINT }));
  }
  return n;
}

/** A column of the batch, or an error naming it when the batch has none. */
export function requireColumn(columns: BarColumns, field: ColumnField, reader: string): ArrayLike<number> {
  const column = (columns as unknown as Record<string, unknown>)[field];
  if (isColumn(column)) return column;
  throw new TextError(said('bars.columnAbsent', { field, reader, hint: COLUMNS_HINT }));
}

/**
 * Bar i of a columnar batch as a bar object. A missing price column reads as NaN, never as another
 * price (a reader that needs it checks with requireColumn first); a missing volume column reads as 0.
 */
export function columnsBarAt(columns: BarColumns, i: number): Bar {
  const { time, open, high, low, close, volume } = columns;
  return {
    time: time[i]!,
    open: open ? open[i]! : NaN,
    high: high ? high[i]! : NaN,
    low: low ? low[i]! : NaN,
    close: close[i]!,
    volume: volume ? volume[i]! : 0,
  };
}

/** Bar i of a batch in either shape (an array's element as it is). */
export function batchBarAt(batch: BarBatch, i: number): unknown {
  return Array.isArray(batch) ? batch[i] : columnsBarAt(batch as BarColumns, i);
}

/** The time of bar i, or NaN when it has none (number payloads). */
export function batchTimeAt(batch: BarBatch, i: number): number {
  if (!Array.isArray(batch)) return (batch as BarColumns).time[i]!;
  const bar = batch[i];
  if (bar !== null && typeof bar === 'object') {
    const time = (bar as { time?: unknown }).time;
    if (typeof time === 'number') return time;
  }
  return NaN;
}

/** Bar objects as columns (plain arrays of numbers, so the result is JSON as it is). */
export function barsToColumns(bars: readonly Bar[]): BarColumns {
  const n = bars.length;
  // Filled with numbers up front: V8 then keeps each array as raw doubles (8 bytes a value).
  const time = new Array<number>(n).fill(0);
  const open = new Array<number>(n).fill(0);
  const high = new Array<number>(n).fill(0);
  const low = new Array<number>(n).fill(0);
  const close = new Array<number>(n).fill(0);
  const volume = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const bar = bars[i]!;
    time[i] = bar.time;
    open[i] = bar.open;
    high[i] = bar.high;
    low[i] = bar.low;
    close[i] = bar.close;
    volume[i] = bar.volume;
  }
  return { time, open, high, low, close, volume };
}
