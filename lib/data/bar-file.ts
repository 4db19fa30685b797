/**
 * Bars from text (CSV with a header, or JSON) and from plain data (msg.payload: bar objects or columns),
 * validated row by row: a bad value ends in an error that names the row, the column and what was found,
 * because a silent NaN in a backtest is a wrong result nobody notices.
 *
 * One reader serves both output shapes: rows are validated here and handed to a BarSink, which builds
 * bar objects (this file) or columns (bar-columns-file.ts). So the checks, the error texts, the sorting
 * and the duplicate rule are the same whichever shape the caller asked for.
 */
import { Buffer } from 'node:buffer';
import type { Bar, BarColumns } from '../messages';
import { isBarColumns } from '../messages/bar-columns';
import { BarDataError, emptyRaw, emptyValues, readRow, rowError, RowProblem, type RawBar } from './bar-row';
import { said, type Said } from '../messages/texts';
import { barOrder, type BarSinkFactory } from './bar-sink';
import { readBarsCsv, readBarsCsvBytes, textStart } from './csv-bars';
import { jsonText } from '../messages/json-text';

export type { BarSink, BarSinkFactory } from './bar-sink';
export { readBarsCsv } from './csv-bars';

/**
 * Parses CSV (header `date,open,high,low,close,volume`, optional `wap,count`) or JSON text by its first
 * character; the text as a string, or as a file's bytes (UTF-8).
 */
export function parseBarsText(text: string | Uint8Array, source = 'data'): Bar[] {
  return readBarsText(text, source, barListSink);
}

export function parseBarsCsv(text: string, source = 'CSV'): Bar[] {
  return readBarsCsv(text, source, barListSink);
}

/**
 * Bars from already-parsed data: an array of bar objects (time or date in any form parseTime reads), an
 * object with a `bars` array, or columns `{time: [...], open: [...], ...}`. Used for JSON files and
 * msg.payload.
 */
export function barsFromObjects(data: unknown, source = 'msg.payload'): Bar[] {
  return readBarData(data, source, barListSink);
}

/**
 * CSV or JSON text (by its first character) into whatever `into` builds. Given a file's bytes (UTF-8),
 * CSV is read straight from them, without the whole text as a string (csv-bars.ts); the result and
 * any error text are those of the decoded string.
 */
export function readBarsText<T>(text: string | Uint8Array, source: string, into: BarSinkFactory<T>): T {
  if (typeof text !== 'string') {
    const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
    const start = textStart(bytes);
    const first = bytes[start];
    // CSV starting plainly is read from the bytes; JSON, nothing, or a non-ASCII start (maybe whitespace
    // trimStart knows, like a no-break space) as the decoded string.
    if (first !== undefined && first < 0x80 && first !== 0x5b && first !== 0x7b) return readBarsCsvBytes(bytes, start, source, into);
    return readBarsText(bytes.toString('utf8'), source, into);
  }
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

/** Bar objects, `{bars: [...]}` or columns into whatever `into` builds. */
export function readBarData<T>(data: unknown, source: string, into: BarSinkFactory<T>): T {
  if (isBarColumns(data)) return readBarColumnsData(data, source, into);
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { bars?: unknown }).bars) ? (data as { bars: unknown[] }).bars : null;
  if (!list) {
    throw new BarDataError(`${source} must be an array of bars {time, open, high, low, close, volume} (or {bars: [...]}, or columns {time: [...], open: [...], high: [...], low: [...], close: [...], volume: [...]})`);
  }
  return readRows(list.length, source, into, (raw, index) => {
    const item: unknown = list[index];
    if (!item || typeof item !== 'object') {
      throw new BarDataError(said('bars.notAnObject', { place: objectPlace(source, index), value: jsonText(item) }));
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
  });
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
  return readRows(n, source, into, (raw, index) => {
    raw.time = time[index];
    raw.open = open[index];
    raw.high = high[index];
    raw.low = low[index];
    raw.close = close[index];
    raw.volume = volume ? volume[index] : undefined;
    raw.wap = wap ? wap[index] : undefined;
    raw.count = count ? count[index] : undefined;
  });
}

/**
 * Reads `n` given rows (bar objects, or entries of columns): `fill` puts row `index`'s values as given
 * into `raw`; each row is checked and added to the sink, and a bad one named by its place.
 */
function readRows<T>(n: number, source: string, into: BarSinkFactory<T>, fill: (raw: RawBar, index: number) => void): T {
  const sink = into(n);
  const raw = emptyRaw();
  const values = emptyValues();
  let index = 0;
  try {
    for (; index < n; index++) {
      fill(raw, index);
      readRow(raw, values);
      sink.add(values);
    }
  } catch (err) {
    if (err instanceof RowProblem) throw rowError(objectPlace(source, index), err);
    throw err;
  }
  return sink.finish(barOrder(sink, source));
}

function objectPlace(source: string, index: number): Said {
  return said('bars.place', { source, number: index + 1, index });
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

/** CSV text of bars with ISO UTC dates, readable back by parseBarsCsv. */
export function barsToCsv(bars: readonly Bar[]): string {
  const lines = ['date,open,high,low,close,volume,wap,count'];
  for (const b of bars) lines.push(`${new Date(b.time).toISOString()},${b.open},${b.high},${b.low},${b.close},${b.volume},${b.wap ?? ''},${b.count ?? ''}`);
  return `${lines.join('\n')}\n`;
}
