/**
 * Bars read straight into columns (lib/data/bar-columns-file.ts) are exactly the bars read as objects
 * (lib/data/bar-file.ts) put into columns: for CSV in its variants, JSON, msg data (bar objects or
 * columns), newest-first input; and every bad input fails with the very same error text in both shapes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { barsToColumns } from '../../lib/messages/bar-columns';
import { barsFromObjects, parseBarsCsv, parseBarsText } from '../../lib/data/bar-file';
import { barColumnsFromData, parseBarColumnsCsv, parseBarColumnsText } from '../../lib/data/bar-columns-file';
import { fixturesDir } from '../helpers/paths';

/** The error text `read` throws (failing the test when it throws none). */
function errorOf(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`no error from ${read.toString()}`);
}

const CSV_VARIANTS: Record<string, string> = {
  plain: 'date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n',
  'BOM, CRLF, blank lines, leading blank lines': '\uFEFF\r\n\r\nDate,Open,High,Low,Close,Volume\r\n\r\n20240102,10,11,9,10.5,100\r\n  \r\n20240103,10.5,12,10,11,200\r\n',
  'semicolons and quotes, newest first': '"Date";"Open";"High";"Low";"Close";"Volume"\n"2024-01-04";3;3;3;3;3\n"2024-01-03";2;2;2;2;2\n"2024-01-02";1;1;1;1;1\n',
  'tabs, no volume, no final newline': 'time\topen\thigh\tlow\tclose\n2024-01-02T14:30:00Z\t1\t2\t0.5\t1.5\n2024-01-02T14:31:00Z\t1.5\t2\t1\t1.8',
  'wap and count (not carried as columns)': 'date,open,high,low,close,volume,wap,count\n2024-01-02,1,2,0.5,1.5,10,1.2,3\n2024-01-03,1,2,0.5,1.5,10,,\n',
  'IB times with zones, shuffled': 'date,open,high,low,close,volume\n20240102 09:31:00 US/Eastern,2,2,2,2,1\n20240102 09:30:00 US/Eastern,1,1,1,1,1\n20240102 09:32:00 US/Eastern,3,3,3,3,1\n',
};

test('CSV into columns equals the CSV read as bars, put into columns (every CSV variant)', () => {
  for (const [name, csv] of Object.entries(CSV_VARIANTS)) {
    const columns = parseBarColumnsText(csv, 'bars.csv');
    assert.deepEqual(columns, barsToColumns(parseBarsText(csv, 'bars.csv')), name);
    assert.deepEqual(parseBarColumnsCsv(csv), barsToColumns(parseBarsCsv(csv)), name);
    assert.ok(columns.time.every((t, i) => i === 0 || t > columns.time[i - 1]!), `${name}: oldest first`);
  }
  assert.deepEqual(parseBarColumnsText(CSV_VARIANTS['semicolons and quotes, newest first']!).close, [1, 2, 3]);
  assert.deepEqual(parseBarColumnsText(CSV_VARIANTS['tabs, no volume, no final newline']!).volume, [0, 0]);
});

test('columns are plain JSON: six arrays of numbers, one entry per bar, no more', () => {
  const columns = parseBarColumnsText(CSV_VARIANTS['BOM, CRLF, blank lines, leading blank lines']!);
  assert.deepEqual(Object.keys(columns), ['time', 'open', 'high', 'low', 'close', 'volume']);
  for (const column of Object.values(columns)) {
    assert.ok(Array.isArray(column));
    assert.equal(column.length, 2, 'cut to the bars read, though room was made for every line');
  }
  assert.deepEqual(JSON.parse(JSON.stringify(columns)), columns);
  assert.deepEqual(columns, { time: [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)], open: [10, 10.5], high: [11, 12], low: [9, 10], close: [10.5, 11], volume: [100, 200] });
});

test('JSON text and msg data into columns equal them read as bars: objects, {bars}, columns given as data', () => {
  const objects = [
    { time: '2024-01-03', open: 2, high: 2, low: 2, close: 2 },
    { date: 20240102, open: 1, high: 1.5, low: 0.5, close: 1, volume: 5 },
    { timestamp: 1704326400, open: 3, high: 3, low: 3, close: 3, volume: 1, wap: 3 },
  ];
  const expected = barsToColumns(barsFromObjects(objects));
  assert.deepEqual(barColumnsFromData(objects), expected);
  assert.deepEqual(barColumnsFromData({ bars: objects }), expected);
  assert.deepEqual(parseBarColumnsText(JSON.stringify(objects)), expected);
  assert.deepEqual(parseBarColumnsText(JSON.stringify({ bars: objects })), expected);
  // Columns given as data (strings for times, typed arrays, newest first) are validated and ordered too.
  const given = { time: ['2024-01-04', '2024-01-03'], open: new Float64Array([3, 2]), high: [3, 2], low: [3, 2], close: [3, 2], volume: [7, 8] };
  const fromColumns = barColumnsFromData(given);
  assert.deepEqual(fromColumns, { time: [Date.UTC(2024, 0, 3), Date.UTC(2024, 0, 4)], open: [2, 3], high: [2, 3], low: [2, 3], close: [2, 3], volume: [8, 7] });
  assert.deepEqual(barsToColumns(barsFromObjects(given)), fromColumns, 'bar objects from the same columns agree');
  assert.deepEqual(parseBarColumnsText(JSON.stringify(fromColumns)), fromColumns, 'a JSON file of columns reads back');
  assert.deepEqual(given.time, ['2024-01-04', '2024-01-03'], 'the input is left as it was');
});

test('every bad input: the same error text from the columns reader as from the bar reader', () => {
  const texts: Record<string, [string, RegExp]> = {
    'NaN close': ['date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,NaN,200\n', /^bad.csv row 2 \(line 3\): close is "NaN", not a number$/],
    'missing high after blank and CRLF lines': ['date,open,high,low,close\r\n\r\n2024-01-02,1,1,1,1\r\n2024-01-03,1,,1,1\r\n', /^bad.csv row 2 \(line 4\): high is missing$/],
    'short row': ['date,open,high,low,close\n2024-01-02,1,1,1\n', /row 1 \(line 2\): close is missing/],
    'bad date': ['date,open,high,low,close\nnot-a-date,1,1,1,1\n', /row 1 \(line 2\): date "not-a-date" is not a time/],
    'high below low': ['date,open,high,low,close\n2024-01-02,1,1,2,1\n', /row 1 \(line 2\): high 1 is below low 2$/],
    'bad volume': ['date,open,high,low,close,volume\n2024-01-02,1,1,1,1,lots\n', /row 1 \(line 2\): volume is "lots", not a number/],
    'bad wap': ['date,open,high,low,close,wap\n2024-01-02,1,1,1,1,x\n', /row 1 \(line 2\): wap is "x", not a number/],
    'duplicate time, newest first': ['date,open,high,low,close\n2024-01-03,1,1,1,1\n2024-01-02,1,1,1,1\n2024-01-03,2,2,2,2\n', /^bad.csv: bars 1 and 3 have the same time 2024-01-03T00:00:00.000Z$/],
    'duplicate time, in order': ['date,open,high,low,close\n2024-01-02,1,1,1,1\n2024-01-02,1,1,1,1\n', /bars 1 and 2 have the same time/],
    'header lacks columns': ['when,open,high,close\n', /^bad.csv: header "when,open,high,close" lacks date, low: the first line/],
    empty: ['\n  \n', /^bad.csv is empty/],
    'invalid JSON': ['[oops', /^bad.csv is not valid JSON/],
    'JSON not bars': ['{"nope": 1}', /^bad.csv must be an array of bars/],
    'JSON item not an object': ['[1]', /^bad.csv bar 1 \(index 0\) is 1, not an object/],
    'JSON bar NaN': ['[{"time": 1, "open": 1, "high": 1, "low": 1, "close": "x"}]', /^bad.csv bar 1 \(index 0\): close is "x", not a number$/],
    'JSON columns of different lengths': ['{"time": [1, 2], "open": [1, 1], "high": [1], "low": [1, 1], "close": [1, 1]}', /^bad.csv: column high has 1 entries but column time has 2/],
    'JSON columns without open': ['{"time": [1], "high": [1], "low": [1], "close": [1]}', /^bad.csv: column open is missing/],
  };
  for (const [name, [text, expected]] of Object.entries(texts)) {
    const asBars = errorOf(() => parseBarsText(text, 'bad.csv'));
    assert.match(asBars, expected, name);
    assert.equal(errorOf(() => parseBarColumnsText(text, 'bad.csv')), asBars, name);
  }
  const data: Record<string, [unknown, RegExp]> = {
    'not bars': [{ not: 'bars' }, /^msg.payload must be an array of bars/],
    'NaN number': [[{ time: 1, open: 1, high: 1, low: 1, close: Number.NaN }], /^msg.payload bar 1 \(index 0\): close is NaN, not a number$/],
    'column bar 2 bad': [{ time: [1, 2], open: [1, 1], high: [1, 1], low: [1, 2], close: [1, 1] }, /^msg.payload bar 2 \(index 1\): high 1 is below low 2$/],
    'column not an array': [{ time: [1], open: 'x', high: [1], low: [1], close: [1] }, /^msg.payload: column open is string, not an array/],
  };
  for (const [name, [payload, expected]] of Object.entries(data)) {
    const asBars = errorOf(() => barsFromObjects(payload));
    assert.match(asBars, expected, name);
    assert.equal(errorOf(() => barColumnsFromData(payload)), asBars, name);
  }
});

test('line numbers in errors count lines as split(/\\r?\\n/) does, whatever the blank lines and line ends', () => {
  // A deterministic mix of good rows, blank lines, whitespace lines, CRLF and LF, with one bad row.
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let round = 0; round < 40; round++) {
    const parts = ['date,open,high,low,close'];
    const rows = 5 + Math.floor(random() * 20);
    const bad = 1 + Math.floor(random() * rows);
    for (let row = 1; row <= rows; row++) {
      while (random() < 0.3) parts.push(random() < 0.5 ? '' : ' \t ');
      parts.push(row === bad ? `2024-01-01T00:${String(row).padStart(2, '0')}:00Z,1,oops,1,1` : `2024-01-01T00:${String(row).padStart(2, '0')}:00Z,1,1,1,1`);
    }
    let text = '';
    for (const part of parts) text += part + (random() < 0.5 ? '\r\n' : '\n');
    const line = text.split(/\r?\n/).findIndex((l) => l.includes('oops')) + 1;
    const expected = `r.csv row ${bad} (line ${line}): high is "oops", not a number`;
    assert.equal(errorOf(() => parseBarsCsv(text, 'r.csv')), expected);
    assert.equal(errorOf(() => parseBarColumnsCsv(text, 'r.csv')), expected);
  }
});

test('the shared 10k fixture, and a newest-first copy of it, read the same as columns and as bars', () => {
  const fixture = readFileSync(join(fixturesDir, 'sma-cross-10k', 'bars.csv'), 'utf8');
  const bars = parseBarsText(fixture, 'bars.csv');
  const columns = parseBarColumnsText(fixture, 'bars.csv');
  assert.ok(columns.time.length >= 10_000);
  assert.deepEqual(columns, barsToColumns(bars));
  const [header, ...rows] = fixture.trimEnd().split('\n');
  const newestFirst = [header, ...rows.reverse()].join('\n');
  assert.deepEqual(parseBarColumnsText(newestFirst, 'bars.csv'), columns);
  assert.deepEqual(parseBarsText(newestFirst, 'bars.csv'), bars);
});

test('columns that need no reading are taken as they are: the same arrays, no copy; any other goes through the checks', () => {
  const day = Date.UTC(2024, 0, 2);
  const ready = { time: [day, day + 86_400_000], open: [1, 2], high: [1.5, 2.5], low: [0.5, 1.5], close: [1.2, 2.2], volume: [10, 20], other: 'dropped' };
  const taken = barColumnsFromData(ready);
  assert.deepEqual(taken, { time: ready.time, open: ready.open, high: ready.high, low: ready.low, close: ready.close, volume: ready.volume });
  for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) assert.equal(taken[field], ready[field], `${field} is not copied`);
  // Seconds, newest first, and a bad row each take the reading path: converted, ordered, or refused as before.
  assert.deepEqual(barColumnsFromData({ ...ready, time: [day / 1000, day / 1000 + 86_400] }).time, ready.time);
  assert.deepEqual(barColumnsFromData({ ...ready, time: [...ready.time].reverse() }).close, [2.2, 1.2]);
  assert.match(errorOf(() => barColumnsFromData({ ...ready, high: [1.5, 1] })), /high 1 is below low 1\.5/);
  assert.match(errorOf(() => barColumnsFromData({ ...ready, close: [1.2, Number.NaN] })), /close is NaN, not a number/);
});
