/**
 * CSV bars read through the shortcut (plain rows read in place) and from a file's bytes must be what the
 * general reader makes of the decoded text: the same bars or columns, the same error texts with the
 * same row and line numbers, whichever path a row took.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barsFromObjects, parseBarsCsv, parseBarsText } from '../../lib/data/bar-file';
import { parseBarColumnsText } from '../../lib/data/bar-columns-file';

/** The outcome of a read: the result, or the error's text. */
function outcome(read: () => unknown): unknown {
  try {
    return read();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** The same text read as a string and as its UTF-8 bytes, as bar objects and as columns: all alike. */
function assertBytesReadAsText(text: string, source = 'bars.csv'): void {
  const bytes = Buffer.from(text, 'utf8');
  assert.deepEqual(outcome(() => parseBarsText(bytes, source)), outcome(() => parseBarsText(text, source)), `bar objects: ${JSON.stringify(text.slice(0, 80))}`);
  assert.deepEqual(outcome(() => parseBarColumnsText(new Uint8Array(bytes), source)), outcome(() => parseBarColumnsText(text, source)), `columns: ${JSON.stringify(text.slice(0, 80))}`);
}

test('bytes read as the decoded text: BOM, CRLF, non-ASCII header and cells, quotes, empty optional cells, extra cells', () => {
  const text = '\uFEFFdate,Kürzel,open,high,low,close,volume,wap\r\n2024-01-02,Zürich,10,11,9,10.5,,\r\n"2024-01-03",€,"10.5",12,10,11,200,"10.9",extra\r\n20240104,naïve,11,12,10.5,11.5,"",\r\n';
  const bars = parseBarsText(Buffer.from(text, 'utf8'), 'bars.csv');
  assert.deepEqual(bars, [
    { time: Date.UTC(2024, 0, 2), open: 10, high: 11, low: 9, close: 10.5, volume: 0 },
    { time: Date.UTC(2024, 0, 3), open: 10.5, high: 12, low: 10, close: 11, volume: 200, wap: 10.9 },
    { time: Date.UTC(2024, 0, 4), open: 11, high: 12, low: 10.5, close: 11.5, volume: 0 },
  ]);
  assertBytesReadAsText(text);
  assertBytesReadAsText('  \n\n\uFEFFdate;open;high;low;close\n2024-01-02;1;2;0,5;1\n');
  assertBytesReadAsText('\u00a0date,open,high,low,close\n2024-01-02,1,2,1,1\n');
  assertBytesReadAsText('[{"time":"2024-01-02","open":1,"high":2,"low":1,"close":1}]');
  assertBytesReadAsText('');
  assertBytesReadAsText(' \n ');
  assertBytesReadAsText('date,open,high,low,close');
  assertBytesReadAsText('date,open,high,low,close\n');
  assertBytesReadAsText('dátum,open,high,low,close\n2024-01-02,1,2,1,1\n');
});

test('errors from bytes name the same row, line, column and value as from the text', () => {
  const text = 'date;open;high;low;close;volume\n2024-01-02;10;11;9;10.5;100\n\n2024-01-03;10;11;9;1,5€;100\n';
  assert.throws(() => parseBarsText(Buffer.from(text, 'utf8'), 'prices.csv'), { name: 'BarDataError', message: 'prices.csv row 2 (line 4): close is "1,5€", not a number' });
  assertBytesReadAsText(text, 'prices.csv');
  assertBytesReadAsText('date,open,high,low,close\n2024-01-02,1,1,2,1\n');
  assertBytesReadAsText('date,open,high,low,close\n 2024-02-30 ,1,1,1,1\n2024-02-30,1,1,1,1\n');
  assertBytesReadAsText('date,open,high,low,close\r\n2024-01-02,1,1,1,1\r\r\n');
});

test('a long file read in pieces: bars, and errors with their row and line, as from the text', () => {
  const rows: string[] = ['date,open,high,low,close,volume'];
  for (let i = 0; i < 5000; i++) {
    const day = new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    rows.push(`${day},${100 + (i % 7)},${101 + (i % 7)}.25,${99 + (i % 7)},${100 + (i % 5)}.5,${1000 + i}`);
    if (i === 1234) rows.push('');
  }
  const good = `${rows.join('\n')}\n`;
  const columns = parseBarColumnsText(Buffer.from(good, 'utf8'), 'long.csv');
  assert.equal(columns.time.length, 5000);
  assert.equal(columns.time[4999], Date.UTC(2000, 0, 1) + 4999 * 86_400_000);
  assert.equal(columns.high[4321], 101 + (4321 % 7) + 0.25);
  assertBytesReadAsText(good, 'long.csv');
  const bad = good.replace('\n2011-10-30,', '\n2011-10-30 x,');
  assert.throws(() => parseBarColumnsText(Buffer.from(bad, 'utf8'), 'long.csv'), { message: /^long\.csv row 4321 \(line 4323\): date "2011-10-30 x" is not a time/ });
  assertBytesReadAsText(bad, 'long.csv');
});

/** A CSV cell as the general reader reads it: trimmed, one double quote off each end. */
function unquote(cell: string): string {
  let text = cell.trim();
  if (text.startsWith('"')) text = text.slice(1);
  if (text.endsWith('"')) text = text.slice(0, -1);
  return text;
}

/** mulberry32: a small seeded generator, so a failure is found again with the same seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('seeded sweep: a CSV row reads as the same cells given as a bar object (the general checks), value or error', () => {
  const next = random(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const times = ['2024-01-02', '20240102', '20240102 09:30:00', '2024-01-02T14:30:00.000Z', '2024-01-02 14:30', '1704205800', '"2024-01-02"', ' 2024-01-02', '2024-02-30', '20241301', '', 'x', '"'];
  const numbers = ['10', '10.5', '-0', '.5', '7.', '"8.25"', '', '""', ' 9', '1e2', '+3', 'abc', '1234567890123456', '12.5"', '"'];
  const header = ['date', 'open', 'high', 'low', 'close', 'volume', 'wap', 'count'];
  let read = 0;
  let refused = 0;
  for (let i = 0; i < 20_000; i++) {
    const cells = [pick(times), ...Array.from({ length: 7 }, () => (next() < 0.7 ? String(Math.floor(next() * 2000) / 100) : pick(numbers)))];
    const width = next() < 0.1 ? 1 + Math.floor(next() * 7) : 8;
    const row = cells.slice(0, width);
    // A blank line is no row in a CSV file (and no bar object to compare with).
    if (row.join(',').trim() === '') continue;
    const csv = outcome(() => parseBarsCsv(`${header.join(',')}\n${row.join(',')}\n`, 'x'));
    const given = Object.fromEntries(header.map((name, k) => [name, k < width ? unquote(cells[k]!) : undefined]));
    const object = outcome(() => barsFromObjects([given], 'x'));
    // The places are worded differently ("row 1 (line 2)" against "bar 1 (index 0)"); what is wrong is the same.
    const what = (result: unknown) => (typeof result === 'string' ? result.replace(/^BarDataError: x (row 1 \(line 2\)|bar 1 \(index 0\)): /, '') : result);
    assert.deepEqual(what(csv), what(object), `row ${JSON.stringify(row.join(','))}`);
    if (typeof csv === 'string') refused++;
    else read++;
  }
  // Both kinds of row come up often: the sweep compares values and error texts, not only one of them.
  assert.ok(read > 1000 && refused > 1000, `${read} rows read, ${refused} refused`);
});
