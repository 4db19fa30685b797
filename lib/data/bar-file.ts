/**
 * Bars from text (CSV with a header, or JSON) and from plain objects (msg.payload), validated row by row:
 * a bad value ends in an error that names the row, the column and what was found, because a silent NaN
 * in a backtest is a wrong result nobody notices.
 */
import type { Bar } from '../messages';
import { parseTime } from './dates';

const TIME_COLUMNS = ['date', 'time', 'timestamp', 'datetime'];
const REQUIRED = ['open', 'high', 'low', 'close'] as const;

export class BarDataError extends Error {
  override name = 'BarDataError';
}

/** Parses CSV (header `date,open,high,low,close,volume`, optional `wap,count`) or JSON text by its first character. */
export function parseBarsText(text: string, source = 'data'): Bar[] {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('[') || body.startsWith('{')) return parseBarsJson(body, source);
  return parseBarsCsv(body, source);
}

export function parseBarsCsv(text: string, source = 'CSV'): Bar[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new BarDataError(`${source} is empty: expected a header line "date,open,high,low,close,volume" and one bar per line`);
  const delimiter = lines[headerIndex].includes(';') && !lines[headerIndex].includes(',') ? ';' : lines[headerIndex].includes('\t') && !lines[headerIndex].includes(',') ? '\t' : ',';
  const header = lines[headerIndex].split(delimiter).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const timeCol = header.findIndex((h) => TIME_COLUMNS.includes(h));
  const missing = [...(timeCol < 0 ? ['date'] : []), ...REQUIRED.filter((c) => !header.includes(c))];
  if (missing.length) {
    throw new BarDataError(`${source}: header "${lines[headerIndex].trim()}" lacks ${missing.join(', ')}: the first line must name the columns, e.g. date,open,high,low,close,volume`);
  }
  const col = (name: string) => header.indexOf(name);
  const columns = { open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume'), wap: col('wap'), count: col('count') };
  const bars: Bar[] = [];
  let row = 0;
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    row++;
    const cells = line.split(delimiter).map((c) => c.trim().replace(/^"|"$/g, ''));
    const where = `${source} row ${row} (line ${i + 1})`;
    const cell = (index: number) => (index >= 0 ? cells[index] : undefined);
    bars.push(
      makeBar(where, {
        time: cell(timeCol),
        open: cell(columns.open),
        high: cell(columns.high),
        low: cell(columns.low),
        close: cell(columns.close),
        volume: cell(columns.volume),
        wap: cell(columns.wap),
        count: cell(columns.count),
      }),
    );
  }
  return orderBars(bars, source);
}

export function parseBarsJson(text: string, source = 'JSON'): Bar[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BarDataError(`${source} is not valid JSON (${(err as Error).message}): expected an array of {date, open, high, low, close, volume}`);
  }
  return barsFromObjects(data, source);
}

/**
 * Bars from already-parsed data: an array of bar objects (time or date in any form parseTime reads), or
 * an object with a `bars` array. Used for JSON files and msg.payload.
 */
export function barsFromObjects(data: unknown, source = 'msg.payload'): Bar[] {
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { bars?: unknown }).bars) ? (data as { bars: unknown[] }).bars : null;
  if (!list) throw new BarDataError(`${source} must be an array of bars {time, open, high, low, close, volume} (or {bars: [...]})`);
  const bars = list.map((item, index) => {
    const where = `${source} bar ${index + 1} (index ${index})`;
    if (!item || typeof item !== 'object') throw new BarDataError(`${where} is ${JSON.stringify(item)}, not an object with time, open, high, low, close, volume`);
    const o = item as Record<string, unknown>;
    return makeBar(where, {
      time: o.time ?? o.date ?? o.timestamp ?? o.datetime,
      open: o.open,
      high: o.high,
      low: o.low,
      close: o.close,
      volume: o.volume,
      wap: o.wap,
      count: o.count,
    });
  });
  return orderBars(bars, source);
}

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

function makeBar(where: string, raw: RawBar): Bar {
  const time = parseTime(raw.time);
  if (Number.isNaN(time)) {
    throw new BarDataError(`${where}: date ${JSON.stringify(raw.time ?? null)} is not a time (use ISO 2024-01-02T14:30:00Z, 20240102, "20240102 09:30:00 US/Eastern" or epoch seconds/ms)`);
  }
  const bar: Bar = {
    time,
    open: number(where, 'open', raw.open, true),
    high: number(where, 'high', raw.high, true),
    low: number(where, 'low', raw.low, true),
    close: number(where, 'close', raw.close, true),
    volume: number(where, 'volume', raw.volume, false) ?? 0,
  };
  const wap = number(where, 'wap', raw.wap, false);
  if (wap !== null) bar.wap = wap;
  const count = number(where, 'count', raw.count, false);
  if (count !== null) bar.count = count;
  if (bar.high < bar.low) throw new BarDataError(`${where}: high ${bar.high} is below low ${bar.low}`);
  return bar;
}

function number(where: string, column: string, value: unknown, required: true): number;
function number(where: string, column: string, value: unknown, required: false): number | null;
function number(where: string, column: string, value: unknown, required: boolean): number | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new BarDataError(`${where}: ${column} is missing`);
    return null;
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new BarDataError(`${where}: ${column} is ${typeof value === 'number' ? String(value) : JSON.stringify(value)}, not a number`);
  return n;
}

/** Oldest first (files newest-first are turned round); two bars at the same time are an error. */
function orderBars(bars: Bar[], source: string): Bar[] {
  let ascending = true;
  for (let i = 1; i < bars.length; i++) {
    if (bars[i].time <= bars[i - 1].time) {
      ascending = false;
      break;
    }
  }
  if (ascending) return bars;
  const sorted = bars.map((bar, index) => ({ bar, index })).sort((a, b) => a.bar.time - b.bar.time);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].bar.time === sorted[i - 1].bar.time) {
      throw new BarDataError(`${source}: bars ${sorted[i - 1].index + 1} and ${sorted[i].index + 1} have the same time ${new Date(sorted[i].bar.time).toISOString()}`);
    }
  }
  return sorted.map((s) => s.bar);
}

/** CSV text of bars with ISO UTC dates, readable back by parseBarsCsv. */
export function barsToCsv(bars: readonly Bar[]): string {
  const lines = ['date,open,high,low,close,volume,wap,count'];
  for (const b of bars) lines.push(`${new Date(b.time).toISOString()},${b.open},${b.high},${b.low},${b.close},${b.volume},${b.wap ?? ''},${b.count ?? ''}`);
  return `${lines.join('\n')}\n`;
}
