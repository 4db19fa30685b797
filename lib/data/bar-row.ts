/**
 * One bar row's checks, shared by every bar reader (CSV, JSON, bar objects, columns): a row's values as
 * the source has them are validated into numbers, or a RowProblem says which column is wrong and what it
 * holds; the reader adds where the row is and throws a BarDataError.
 */
import { parseTime } from './dates';
import { jsonText } from '../messages/json-text';
import { said, TextError, type Said } from '../messages/texts';

/** Bar data that cannot be read: the message names the source, the place and what to do. */
export class BarDataError extends TextError {
  override name = 'BarDataError';
}

/** One bar's validated values; wap and count are null when the source has none. */
export interface BarValues {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number | null;
  count: number | null;
}

/** A row's values as the source has them (strings from CSV, anything from objects). */
export interface RawBar {
  time: unknown;
  open: unknown;
  high: unknown;
  low: unknown;
  close: unknown;
  volume: unknown;
  wap: unknown;
  count: unknown;
}

export function emptyRaw(): RawBar {
  return { time: undefined, open: undefined, high: undefined, low: undefined, close: undefined, volume: undefined, wap: undefined, count: undefined };
}

export function emptyValues(): BarValues {
  return { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, wap: null, count: null };
}

/** What is wrong with one row; the reader adds where the row is (rowError). */
export class RowProblem extends TextError {
  constructor(override readonly said: Said) {
    super(said);
  }
}

/** The reader's error for a row: where it is (`place`, one of lib's texts) and what is wrong with it. */
export function rowError(place: Said, problem: RowProblem): BarDataError {
  return new BarDataError(said('bars.rowAt', { place, problem: problem.said }));
}

/** Validates `raw` into `out`, or throws a RowProblem naming the column and the value. */
export function readRow(raw: RawBar, out: BarValues): void {
  const time = parseTime(raw.time);
  if (Number.isNaN(time)) {
    throw new RowProblem(said('bars.badTime', { value: jsonText(raw.time ?? null) }));
  }
  out.time = time;
  out.open = requiredNumber('open', raw.open);
  out.high = requiredNumber('high', raw.high);
  out.low = requiredNumber('low', raw.low);
  out.close = requiredNumber('close', raw.close);
  out.volume = optionalNumber('volume', raw.volume) ?? 0;
  out.wap = optionalNumber('wap', raw.wap);
  out.count = optionalNumber('count', raw.count);
  if (out.high < out.low) throw new RowProblem(said('bars.highBelowLow', { high: out.high, low: out.low }));
}

function requiredNumber(column: string, value: unknown): number {
  const n = optionalNumber(column, value);
  if (n === null) throw new RowProblem(said('bars.columnMissing', { column }));
  return n;
}

function optionalNumber(column: string, value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new RowProblem(said('bars.notANumber', { column, value: typeof value === 'number' ? String(value) : jsonText(value) }));
  return n;
}
