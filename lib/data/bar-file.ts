/**
 * Bars from text (CSV with a header, or JSON) and from plain data (msg.payload: bar objects or columns),
 * validated row by row: a bad value ends in an error that names the row, the column and what was found,
 * because a silent NaN in a backtest is a wrong result nobody notices.
 *
 * One reader serves both output shapes: rows are validated here and handed to a BarSink, which builds
 * bar objects (this file) or columns (bar-columns-file.ts). So the checks, the error texts, the sorting
 * and the duplicate rule are the same whichever shape the caller asked for.
 */
import type { Bar, BarColumns } from '../messages';
import { isBarColumns } from '../bar-columns';
import { parseTime } from './dates';
import { NOT_PLAIN, PlainCsvRow } from './plain-csv-row';

const TIME_COLUMNS = ['date', 'time', 'timestamp', 'datetime'];
const REQUIRED = ['open', 'high', 'low', 'close'] as const;

export class BarDataError extends Error {
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

/**
 * Where validated bars go, in source order. The reader reuses the values object it passes to `add`:
 * a sink copies what it keeps.
 */
export interface BarSink<T> {
  add(values: Readonly<BarValues>): void;
  /** Bars added so far. */
  readonly length: number;
  /** The time of the i-th bar added. */
  timeAt(i: number): number;
  /** Everything added, oldest first: in `order` (indices of bars as added), or as added when null. */
  finish(order: ArrayLike<number> | null): T;
}

/** Makes a sink with room for `capacity` bars (an upper bound the reader knows; fewer may come). */
export type BarSinkFactory<T> = (capacity: number) => BarSink<T>;

/** Parses CSV (header `date,open,high,low,close,volume`, optional `wap,count`) or JSON text by its first character. */
export function parseBarsText(text: string, source = 'data'): Bar[] {
  return readBarsText(text, source, barListSink);
}

export function parseBarsCsv(text: string, source = 'CSV'): Bar[] {
  return readBarsCsv(text, source, barListSink);
}

export function parseBarsJson(text: string, source = 'JSON'): Bar[] {
  return readBarsJson(text, source, barListSink);
}

/**
 * Bars from already-parsed data: an array of bar objects (time or date in any form parseTime reads), an
 * object with a `bars` array, or columns `{time: [...], open: [...], ...}`. Used for JSON files and
 * msg.payload.
 */
export function barsFromObjects(data: unknown, source = 'msg.payload'): Bar[] {
  return readBarData(data, source, barListSink);
}

/** CSV or JSON text (by its first character) into whatever `into` builds. */
export function readBarsText<T>(text: string, source: string, into: BarSinkFactory<T>): T {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('[') || body.startsWith('{')) return readBarsJson(body, source, into);
  return readBarsCsv(body, source, into);
}

export function readBarsJson<T>(text: string, source: string, into: BarSinkFactory<T>): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BarDataError(`${source} is not valid JSON (${(err as Error).message}): expected an array of {date, open, high, low, close, volume}`);
  }
  return readBarData(data, source, into);
}

/**
 * CSV text into whatever `into` builds. Lines are found by scanning the text, never split into an array
 * of lines: a million-row file is then held once (the text), not twice. Lines end at "\n" or "\r\n";
 * line numbers in errors count from the first line of `text`.
 */
export function readBarsCsv<T>(csv: string, source: string, into: BarSinkFactory<T>): T {
  const text = csv.replace(/^\uFEFF/, '');
  const lines = new LineScanner(text);
  let header: string | null = null;
  while (header === null && lines.next()) {
    if (lines.line.trim() !== '') header = lines.line;
  }
  if (header === null) throw new BarDataError(`${source} is empty: expected a header line "date,open,high,low,close,volume" and one bar per line`);
  const delimiter = header.includes(';') && !header.includes(',') ? ';' : header.includes('\t') && !header.includes(',') ? '\t' : ',';
  const names = header.split(delimiter).map((h) => unquote(h).toLowerCase());
  const timeCol = names.findIndex((h) => TIME_COLUMNS.includes(h));
  const missing = [...(timeCol < 0 ? ['date'] : []), ...REQUIRED.filter((c) => !names.includes(c))];
  if (missing.length) {
    throw new BarDataError(`${source}: header "${header.trim()}" lacks ${missing.join(', ')}: the first line must name the columns, e.g. date,open,high,low,close,volume`);
  }
  const col = {
    open: names.indexOf('open'),
    high: names.indexOf('high'),
    low: names.indexOf('low'),
    close: names.indexOf('close'),
    volume: names.indexOf('volume'),
    wap: names.indexOf('wap'),
    count: names.indexOf('count'),
  };
  const sink = into(lines.remaining());
  const plain = new PlainCsvRow(text, delimiter, names.length, [timeCol, col.open, col.high, col.low, col.close, col.volume, col.wap, col.count]);
  const raw = emptyRaw();
  const values = emptyValues();
  let row = 0;
  try {
    while (!lines.done) {
      // Nearly every row is plain; any other line (blank, or a row the shortcut leaves alone) is read
      // the general way, which gives the same values for a row the shortcut could have read too, and
      // the error texts for a bad one.
      const lineEnd = plain.read(lines.nextStart, values);
      if (lineEnd !== NOT_PLAIN) {
        lines.take(lineEnd);
        row++;
        sink.add(values);
        continue;
      }
      lines.next();
      const line = lines.line;
      if (line.trim() === '') continue;
      row++;
      const cells = line.split(delimiter);
      const cell = (index: number) => (index >= 0 && index < cells.length ? unquote(cells[index]!) : undefined);
      raw.time = cell(timeCol);
      raw.open = cell(col.open);
      raw.high = cell(col.high);
      raw.low = cell(col.low);
      raw.close = cell(col.close);
      raw.volume = cell(col.volume);
      raw.wap = cell(col.wap);
      raw.count = cell(col.count);
      readRow(raw, values);
      sink.add(values);
    }
  } catch (err) {
    if (err instanceof RowProblem) throw new BarDataError(`${source} row ${row} (line ${lines.number}): ${err.message}`);
    throw err;
  }
  return sink.finish(barOrder(sink, source));
}

/** Bar objects, `{bars: [...]}` or columns into whatever `into` builds. */
export function readBarData<T>(data: unknown, source: string, into: BarSinkFactory<T>): T {
  if (isBarColumns(data)) return readBarColumnsData(data, source, into);
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { bars?: unknown }).bars) ? (data as { bars: unknown[] }).bars : null;
  if (!list) {
    throw new BarDataError(`${source} must be an array of bars {time, open, high, low, close, volume} (or {bars: [...]}, or columns {time: [...], open: [...], high: [...], low: [...], close: [...], volume: [...]})`);
  }
  const sink = into(list.length);
  const raw = emptyRaw();
  const values = emptyValues();
  let index = 0;
  try {
    for (; index < list.length; index++) {
      const item: unknown = list[index];
      if (!item || typeof item !== 'object') {
        throw new BarDataError(`${objectPlace(source, index)} is ${JSON.stringify(item)}, not an object with time, open, high, low, close, volume`);
      }
      const o = item as Record<string, unknown>;
      raw.time = o.time ?? o.date ?? o.timestamp ?? o.datetime;
      raw.open = o.open;
      raw.high = o.high;
      raw.low = o.low;
      raw.close = o.close;
      raw.volume = o.volume;
      raw.wap = o.wap;
      raw.count = o.count;
      readRow(raw, values);
      sink.add(values);
    }
  } catch (err) {
    if (err instanceof RowProblem) throw new BarDataError(`${objectPlace(source, index)}: ${err.message}`);
    throw err;
  }
  return sink.finish(barOrder(sink, source));
}

/** Columns given as data: every column as long as `time`; entry i of each read as bar i's value. */
function readBarColumnsData<T>(columns: BarColumns, source: string, into: BarSinkFactory<T>): T {
  const given = columns as unknown as Record<string, unknown>;
  const n = columns.time.length;
  const column = (name: string, required: boolean): ArrayLike<unknown> | null => {
    const value = given[name];
    if (value === undefined || value === null) {
      if (!required) return null;
      throw new BarDataError(`${source}: column ${name} is missing: send columns as {time: [...], open: [...], high: [...], low: [...], close: [...], volume: [...]}, one entry per bar`);
    }
    if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      throw new BarDataError(`${source}: column ${name} is ${typeof value}, not an array of one entry per bar`);
    }
    const list = value as ArrayLike<unknown>;
    if (list.length !== n) throw new BarDataError(`${source}: column ${name} has ${list.length} entries but column time has ${n}: every column needs one entry per bar`);
    return list;
  };
  const time = column('time', true)!;
  const open = column('open', true)!;
  const high = column('high', true)!;
  const low = column('low', true)!;
  const close = column('close', true)!;
  const volume = column('volume', false);
  const wap = column('wap', false);
  const count = column('count', false);
  const sink = into(n);
  const raw = emptyRaw();
  const values = emptyValues();
  let index = 0;
  try {
    for (; index < n; index++) {
      raw.time = time[index];
      raw.open = open[index];
      raw.high = high[index];
      raw.low = low[index];
      raw.close = close[index];
      raw.volume = volume ? volume[index] : undefined;
      raw.wap = wap ? wap[index] : undefined;
      raw.count = count ? count[index] : undefined;
      readRow(raw, values);
      sink.add(values);
    }
  } catch (err) {
    if (err instanceof RowProblem) throw new BarDataError(`${objectPlace(source, index)}: ${err.message}`);
    throw err;
  }
  return sink.finish(barOrder(sink, source));
}

function objectPlace(source: string, index: number): string {
  return `${source} bar ${index + 1} (index ${index})`;
}

/** Bar objects, the shape parseBarsText and barsFromObjects return. */
export const barListSink: BarSinkFactory<Bar[]> = () => {
  const bars: Bar[] = [];
  return {
    add(v) {
      const bar: Bar = { time: v.time, open: v.open, high: v.high, low: v.low, close: v.close, volume: v.volume };
      if (v.wap !== null) bar.wap = v.wap;
      if (v.count !== null) bar.count = v.count;
      bars.push(bar);
    },
    get length() {
      return bars.length;
    },
    timeAt: (i) => bars[i]!.time,
    finish: (order) => (order ? Array.from(order, (i) => bars[i]!) : bars),
  };
};

/** A row's values as the source has them (strings from CSV, anything from objects). */
interface RawBar {
  time: unknown;
  open: unknown;
  high: unknown;
  low: unknown;
  close: unknown;
  volume: unknown;
  wap: unknown;
  count: unknown;
}

function emptyRaw(): RawBar {
  return { time: undefined, open: undefined, high: undefined, low: undefined, close: undefined, volume: undefined, wap: undefined, count: undefined };
}

function emptyValues(): BarValues {
  return { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, wap: null, count: null };
}

/** What is wrong with one row; the reader adds where the row is. */
class RowProblem extends Error {}

/** Validates `raw` into `out`, or throws a RowProblem naming the column and the value. */
function readRow(raw: RawBar, out: BarValues): void {
  const time = parseTime(raw.time);
  if (Number.isNaN(time)) {
    throw new RowProblem(`date ${JSON.stringify(raw.time ?? null)} is not a time (use ISO 2024-01-02T14:30:00Z, 20240102, "20240102 09:30:00 US/Eastern" or epoch seconds/ms)`);
  }
  out.time = time;
  out.open = requiredNumber('open', raw.open);
  out.high = requiredNumber('high', raw.high);
  out.low = requiredNumber('low', raw.low);
  out.close = requiredNumber('close', raw.close);
  out.volume = optionalNumber('volume', raw.volume) ?? 0;
  out.wap = optionalNumber('wap', raw.wap);
  out.count = optionalNumber('count', raw.count);
  if (out.high < out.low) throw new RowProblem(`high ${out.high} is below low ${out.low}`);
}

function requiredNumber(column: string, value: unknown): number {
  const n = optionalNumber(column, value);
  if (n === null) throw new RowProblem(`${column} is missing`);
  return n;
}

function optionalNumber(column: string, value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new RowProblem(`${column} is ${typeof value === 'number' ? String(value) : JSON.stringify(value)}, not a number`);
  return n;
}

/**
 * Oldest first: null when the bars came in ascending order, else the indices in time order (files
 * newest-first are turned round). Two bars at the same time are an error naming both.
 */
function barOrder(bars: BarSink<unknown>, source: string): Uint32Array | null {
  const n = bars.length;
  let ascending = true;
  for (let i = 1; i < n; i++) {
    if (bars.timeAt(i) <= bars.timeAt(i - 1)) {
      ascending = false;
      break;
    }
  }
  if (ascending) return null;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Ties keep source order, so the error names the first two bars at that time as they appear.
  order.sort((a, b) => bars.timeAt(a) - bars.timeAt(b) || a - b);
  for (let i = 1; i < n; i++) {
    const time = bars.timeAt(order[i]!);
    if (time === bars.timeAt(order[i - 1]!)) {
      throw new BarDataError(`${source}: bars ${order[i - 1]! + 1} and ${order[i]! + 1} have the same time ${new Date(time).toISOString()}`);
    }
  }
  return order;
}

/** A CSV cell as written, without surrounding spaces and one pair of double quotes. */
function unquote(cell: string): string {
  let text = cell.trim();
  if (text.charCodeAt(0) === 34) text = text.slice(1);
  if (text.charCodeAt(text.length - 1) === 34) text = text.slice(0, -1);
  return text;
}

/**
 * The lines of a text one at a time (as split(/\r?\n/) would give them), by index into the text: the
 * current line is text[start, end), made a string only when asked for.
 */
class LineScanner {
  /** Where the current line starts in the text. */
  start = 0;
  /** Where the current line ends, before its line end. */
  end = 0;
  /** 1-based number of the current line. */
  number = 0;
  /** Where the next line starts. */
  nextStart = 0;
  /** No line is left. */
  done = false;

  constructor(private readonly text: string) {}

  /** The current line, without its line end. */
  get line(): string {
    return this.text.slice(this.start, this.end);
  }

  next(): boolean {
    if (this.done) return false;
    const newline = this.text.indexOf('\n', this.nextStart);
    this.take(newline < 0 ? this.text.length : newline);
    return true;
  }

  /** Moves to the next line, known to end at `lineEnd` (the index of its "\n", or the text's length). */
  take(lineEnd: number): void {
    const start = this.nextStart;
    this.start = start;
    this.end = lineEnd > start && this.text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    this.number++;
    if (lineEnd >= this.text.length) this.done = true;
    else this.nextStart = lineEnd + 1;
  }

  /** At most how many lines are left (every one could be a bar). */
  remaining(): number {
    if (this.done) return 0;
    let lines = 1;
    for (let i = this.text.indexOf('\n', this.nextStart); i >= 0; i = this.text.indexOf('\n', i + 1)) lines++;
    return lines;
  }
}

/** CSV text of bars with ISO UTC dates, readable back by parseBarsCsv. */
export function barsToCsv(bars: readonly Bar[]): string {
  const lines = ['date,open,high,low,close,volume,wap,count'];
  for (const b of bars) lines.push(`${new Date(b.time).toISOString()},${b.open},${b.high},${b.low},${b.close},${b.volume},${b.wap ?? ''},${b.count ?? ''}`);
  return `${lines.join('\n')}\n`;
}
