import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chunkMsFor, durationStart, parseBarSize, parseDuration, MS } from '../../lib/data/bar-size';
import { barsFromObjects, barsToCsv, parseBarsCsv, parseBarsText } from '../../lib/data/bar-file';
import { formatIbUtc, parseEndTime, parseTime } from '../../lib/data/dates';
import { formatInZone, ianaZone, zonedToEpoch } from '../../lib/messages/time-zones';
import { planChunks } from '../../lib/data/history-plan';
import { mergeBars, ibBar } from '../../lib/data/history';
import { fixturesDir } from '../helpers/paths';

test('bar sizes: IB spellings and short forms, with a list of valid sizes on error', () => {
  assert.equal(parseBarSize('5 mins').setting, '5 mins');
  assert.equal(parseBarSize('1 min').ms, MS.MINUTE);
  assert.equal(parseBarSize('5m').setting, '5 mins');
  assert.equal(parseBarSize('1h').setting, '1 hour');
  assert.equal(parseBarSize('1D').setting, '1 day');
  assert.equal(parseBarSize('30 secs').ms, 30_000);
  assert.throws(() => parseBarSize('7 mins'), /bar size "7 mins" is not one IB offers: use one of 1 secs, .*1 day/);
  assert.throws(() => parseBarSize(''), /bar size "" is not one IB offers/);
  assert.throws(() => parseBarSize('banana'), /"banana"/);
});

test('durations: whole numbers with S D W M Y, start of range by calendar', () => {
  assert.deepEqual(parseDuration('30 D'), { amount: 30, unit: 'D', text: '30 D' });
  assert.equal(parseDuration('1y').text, '1 Y');
  assert.throws(() => parseDuration('0 D'), /duration "0 D" is not valid/);
  assert.throws(() => parseDuration('2 weeks'), /use a whole number and a unit S, D, W, M or Y/);
  const end = Date.UTC(2024, 2, 31, 16);
  assert.equal(durationStart(parseDuration('1 M'), end), Date.UTC(2024, 2, 2, 16), 'Feb 31 rolls to Mar 2 as Date does');
  assert.equal(durationStart(parseDuration('3600 S'), end), end - MS.HOUR);
  assert.equal(durationStart(parseDuration('1 Y'), end), Date.UTC(2023, 2, 31, 16));
});

test('dates: ISO, epoch, and IB formats, zone-less read as UTC', () => {
  assert.equal(parseTime('2024-01-02'), Date.UTC(2024, 0, 2));
  assert.equal(parseTime('2024-01-02T14:30:00Z'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime('2024-01-02 14:30:00'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime('2024-01-02T09:30:00-05:00'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime('20240102'), Date.UTC(2024, 0, 2));
  assert.equal(parseTime('20240102 14:30:00'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime('20240102  14:30:00'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime('20240102-14:30:00'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime('20240102 09:30:00 US/Eastern'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime('20240702 09:30:00 America/New_York'), Date.UTC(2024, 6, 2, 13, 30), 'daylight saving time');
  assert.equal(parseTime('1704205800'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime(1704205800000), Date.UTC(2024, 0, 2, 14, 30));
  assert.ok(Number.isNaN(parseTime('20241302')));
  assert.ok(Number.isNaN(parseTime('yesterday')));
  assert.ok(Number.isNaN(parseTime('20240102 09:30:00 Mars/Base')));
  assert.equal(formatIbUtc(Date.UTC(2024, 0, 2, 14, 30, 5)), '20240102-14:30:05');
  assert.equal(parseEndTime('', 42), 42);
  assert.throws(() => parseEndTime('soon', 42), /end time "soon" is not a time/);
});

test('CSV bars: header names columns, rows validated with row and line named', () => {
  const bars = parseBarsCsv('date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n20240103,10.5,12,10,11,200\n');
  assert.deepEqual(bars, [
    { time: Date.UTC(2024, 0, 2), open: 10, high: 11, low: 9, close: 10.5, volume: 100 },
    { time: Date.UTC(2024, 0, 3), open: 10.5, high: 12, low: 10, close: 11, volume: 200 },
  ]);
  assert.throws(
    () => parseBarsCsv('date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n\n2024-01-03,10.5,abc,10,11,200\n', 'prices.csv'),
    /prices.csv row 2 \(line 4\): high is "abc", not a number/,
  );
  assert.throws(() => parseBarsCsv('date,open,high,low,close\n2024-01-02,10,11,9,NaN\n'), /row 1 \(line 2\): close is "NaN", not a number/);
  assert.throws(() => parseBarsCsv('when,open,high,low,close\n'), /lacks date/);
  assert.throws(() => parseBarsCsv('date,open,high,low,close\nnot-a-date,1,1,1,1\n'), /row 1 \(line 2\): date "not-a-date" is not a time/);
  assert.throws(() => parseBarsCsv('date,open,high,low,close\n2024-01-02,1,1,2,1\n'), /high 1 is below low 2/);
  // Newest-first files are turned round; duplicates are refused.
  const reversed = parseBarsCsv('Date;Open;High;Low;Close;Volume\n2024-01-03;2;2;2;2;1\n2024-01-02;1;1;1;1;1\n');
  assert.deepEqual(reversed.map((b) => b.close), [1, 2]);
  assert.throws(() => parseBarsCsv('date,open,high,low,close\n2024-01-02,1,1,1,1\n2024-01-02,1,1,1,1\n'), /same time/);
});

test('JSON and msg.payload bars; CSV round trip; the SMA-crossover fixture (test/fixtures/sma-cross-10k) parses', () => {
  const bars = parseBarsText('[{"time":"2024-01-02T14:30:00Z","open":1,"high":2,"low":0.5,"close":1.5,"volume":10,"wap":1.2,"count":3}]');
  assert.deepEqual(bars, [{ time: Date.UTC(2024, 0, 2, 14, 30), open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, wap: 1.2, count: 3 }]);
  assert.deepEqual(parseBarsText(barsToCsv(bars)), bars);
  assert.throws(() => barsFromObjects([{ time: 1, open: 1, high: 1, low: 1, close: Number.NaN }]), /msg.payload bar 1 \(index 0\): close is NaN, not a number/);
  assert.throws(() => barsFromObjects({ nope: 1 }), /msg.payload must be an array of bars/);
  assert.throws(() => parseBarsText('[oops'), /not valid JSON/);
  const fixture = readFileSync(join(fixturesDir, 'sma-cross-10k', 'bars.csv'), 'utf8');
  const fixtureBars = parseBarsText(fixture, 'bars.csv');
  assert.ok(fixtureBars.length >= 10_000);
  assert.ok(fixtureBars.every((b, i) => i === 0 || b.time > fixtureBars[i - 1].time));
});

test('history chunks: grid-aligned, the last one open-ended when the end is now', () => {
  const day = parseBarSize('1 min');
  assert.equal(chunkMsFor(day), MS.DAY);
  const end = Date.UTC(2024, 0, 10, 12);
  const chunks = planChunks(end - 3 * MS.DAY, end, day, end, true);
  assert.equal(chunks.length, 4);
  assert.deepEqual(chunks[0], { endMs: Date.UTC(2024, 0, 8), duration: '1 D', complete: true });
  assert.deepEqual(chunks[3], { endMs: null, duration: '43200 S', complete: false });
  const past = planChunks(end - 3 * MS.DAY, end, day, end + MS.DAY, false);
  assert.ok(past.every((c) => c.complete && c.endMs !== null));
});

test('history merge: oldest first, one bar per time, within range; IB bar fields', () => {
  const bar = (time: number, close: number) => ({ time, open: close, high: close, low: close, close, volume: 1 });
  assert.deepEqual(mergeBars([[bar(2, 2), bar(3, 3)], [bar(1, 1), bar(3, 30)]], 1, 3).map((b) => b.close), [1, 2, 30]);
  assert.deepEqual(ibBar('1704205800', 1, 2, 0.5, 1.5, -1, undefined, -1), { time: Date.UTC(2024, 0, 2, 14, 30), open: 1, high: 2, low: 0.5, close: 1.5, volume: 0 });
  assert.equal(ibBar('garbage', 1, 1, 1, 1, 1, 1, 1), null);
});

test('dates: IB zone names read as the simulator and IB read them ("EST" is New York with daylight saving)', () => {
  // Intl's own "EST" is a fixed UTC-5; IB's is New York's clock. In July the two differ by an hour.
  assert.equal(parseTime('20240702 09:30:00 EST'), Date.UTC(2024, 6, 2, 13, 30));
  assert.equal(parseTime('20240102 09:30:00 EST'), Date.UTC(2024, 0, 2, 14, 30));
  assert.equal(parseTime('20240702 09:30:00 US/Eastern'), parseTime('20240702 09:30:00 EST'));
  const simulatorReading = zonedToEpoch(ianaZone('EST'), 2024, 7, 2, 9, 30);
  assert.equal(parseTime('20240702 09:30:00 EST'), simulatorReading, 'bar files and the simulator agree');
  assert.equal(formatInZone(simulatorReading, ianaZone('EST')).hour, 9);
  assert.equal(parseTime('20240702 09:30:00 MET'), Date.UTC(2024, 6, 2, 7, 30), 'MET: Central European summer time');
  assert.equal(parseTime('20240702 09:30:00 GMT'), Date.UTC(2024, 6, 2, 9, 30));
});
