/**
 * parseTime's shortcut for the common spellings (common-times.ts) must read every text exactly as the
 * general path does. A table of edge cases (results as parseTime gave them before the shortcut existed),
 * and a seeded random sweep of the common spellings, valid, out of range and mangled, against a plain
 * reference written out below.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTime } from '../../lib/data/dates';
import { commonTime, NOT_COMMON } from '../../lib/data/common-times';

/** [text, the instant parseTime reads (ISO), or null for "not a time"]. */
const EDGE_CASES: Array<[string, string | null]> = [
  ['2024-01-02', '2024-01-02T00:00:00.000Z'],
  ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  // Date.parse rolls a day past the month's end (up to 31) over into the next month.
  ['2023-02-29', '2023-03-01T00:00:00.000Z'],
  ['2024-02-30', '2024-03-01T00:00:00.000Z'],
  ['2024-04-31', '2024-05-01T00:00:00.000Z'],
  ['1900-02-29', '1900-03-01T00:00:00.000Z'],
  ['2000-02-29', '2000-02-29T00:00:00.000Z'],
  ['0000-01-01', '0000-01-01T00:00:00.000Z'],
  ['0099-12-31', '0099-12-31T00:00:00.000Z'],
  ['1969-12-31', '1969-12-31T00:00:00.000Z'],
  ['2024-00-10', null],
  ['2024-13-01', null],
  ['2024-01-00', null],
  ['2024-01-32', null],
  ['20240102', '2024-01-02T00:00:00.000Z'],
  ['20240229', '2024-02-29T00:00:00.000Z'],
  // IB days go through Date.UTC: day 31 of a short month rolls over, years 0-99 are 1900-1999.
  ['20230229', '2023-03-01T00:00:00.000Z'],
  ['20240231', '2024-03-02T00:00:00.000Z'],
  ['20240431', '2024-05-01T00:00:00.000Z'],
  ['00500101', '1950-01-01T00:00:00.000Z'],
  ['00000101', '1900-01-01T00:00:00.000Z'],
  ['20240132', null],
  ['20241301', null],
  ['20240001', null],
  ['20240102 14:30:00', '2024-01-02T14:30:00.000Z'],
  ['20240102-14:30:00', '2024-01-02T14:30:00.000Z'],
  ['20240102 14:30', '2024-01-02T14:30:00.000Z'],
  ['20240102  14:30:00', '2024-01-02T14:30:00.000Z'],
  ['20240102 24:00:00', null],
  ['20240102 23:60:00', null],
  ['20240102 23:59:60', null],
  ['20240102 09:30:00 US/Eastern', '2024-01-02T14:30:00.000Z'],
  ['2024-01-02T14:30:00Z', '2024-01-02T14:30:00.000Z'],
  ['2024-01-02T14:30:00.123Z', '2024-01-02T14:30:00.123Z'],
  ['2024-01-02T14:30:00.1Z', '2024-01-02T14:30:00.100Z'],
  ['2024-01-02T14:30:00.1234Z', '2024-01-02T14:30:00.123Z'],
  ['2024-01-02T14:30Z', '2024-01-02T14:30:00.000Z'],
  ['2024-01-02T24:00:00Z', '2024-01-03T00:00:00.000Z'],
  ['2024-01-02T23:59:60Z', null],
  ['2024-02-30T10:00:00Z', '2024-03-01T10:00:00.000Z'],
  ['2024-01-02 14:30:00', '2024-01-02T14:30:00.000Z'],
  ['2024-01-02T14:30:00', '2024-01-02T14:30:00.000Z'],
  ['2024-01-02 14:30', '2024-01-02T14:30:00.000Z'],
  ['2024-01-02 14:30:00Z', null],
  ['2024-01-02T14:30:00.5', '2024-01-02T14:30:00.500Z'],
  ['2024-01-02T09:30:00-05:00', '2024-01-02T14:30:00.000Z'],
  ['1704205800', '2024-01-02T14:30:00.000Z'],
  ['1704205800000', '2024-01-02T14:30:00.000Z'],
  ['123456789', '1973-11-29T21:33:09.000Z'],
  ['99999999999', '5138-11-16T09:46:39.000Z'],
  ['100000000000', '1973-03-03T09:46:40.000Z'],
  ['1234567890123', '2009-02-13T23:31:30.123Z'],
  ['0000000000', '1970-01-01T00:00:00.000Z'],
  ['12345678901234', null],
  ['1234567', null],
  [' 2024-01-02', '2024-01-02T00:00:00.000Z'],
  ['2024-01-02 ', '2024-01-02T00:00:00.000Z'],
  ['\t20240102\n', '2024-01-02T00:00:00.000Z'],
  ['\u00a02024-01-02', '2024-01-02T00:00:00.000Z'],
  ['2024-1-2', null],
  ['2024/01/02', null],
  ['2024-01-02Z', null],
  ['2024-01-02T', null],
  ['', null],
  ['   ', null],
  ['yesterday', null],
  ['+2024-01-02', null],
  ['-1704205800', null],
  ['1704205800.5', null],
];

test('parseTime: edge cases read as before the shortcut, valid or not', () => {
  for (const [text, expected] of EDGE_CASES) {
    const ms = parseTime(text);
    assert.equal(Number.isNaN(ms) ? null : new Date(ms).toISOString(), expected, JSON.stringify(text));
  }
});

test('the shortcut answers for the common spellings and leaves the rest to the general path', () => {
  assert.equal(commonTime('2024-01-02', 0, 10), Date.UTC(2024, 0, 2));
  assert.equal(commonTime('x,20240102 14:30:00,', 2, 19), Date.UTC(2024, 0, 2, 14, 30), 'read in place, from start to end');
  assert.equal(commonTime('2024-01-02T14:30:00.250Z', 0, 24), Date.UTC(2024, 0, 2, 14, 30, 0, 250));
  assert.equal(commonTime('1704205800', 0, 10), Date.UTC(2024, 0, 2, 14, 30));
  for (const text of [' 2024-01-02', '2024-02-30', '20240102 09:30:00 US/Eastern', '2024-01-02T24:00:00Z', '2024-01-02T09:30:00-05:00', '12345678901234']) {
    assert.equal(commonTime(text, 0, text.length), NOT_COMMON, JSON.stringify(text));
  }
});

/** The general reading of the spellings the sweep makes (zones aside), written out plainly. */
function reference(value: string): number {
  const text = value.trim();
  if (/^\d{9,13}$/.test(text)) {
    const n = Number(text);
    return n < 1e11 ? n * 1000 : n;
  }
  const ib = /^(\d{4})(\d{2})(\d{2})(?:[ -]+(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (ib) {
    const [year, month, day, hour, minute, second] = ib.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
    return Date.UTC(year, month - 1, day, hour, minute, second);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) return Date.parse(`${text.replace(' ', 'T')}Z`);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) return Date.parse(text);
  return NaN;
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

test('parseTime equals the plain reference on a seeded sweep of common spellings, valid, out of range and mangled', () => {
  const next = random(20240102);
  const int = (n: number) => Math.floor(next() * n);
  const two = (max: number) => String(int(max)).padStart(2, '0');
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  // How many texts the shortcut answered: the sweep must exercise it, not only the general path.
  let common = 0;
  for (let i = 0; i < 200_000; i++) {
    const y = next() < 0.9 ? String(1900 + int(200)) : String(int(10_000)).padStart(4, '0');
    const [mo, d, h, mi, s] = [two(14), two(33), two(26), two(62), two(62)];
    const ms = String(int(1000)).padStart(3, '0');
    const spellings = [
      `${y}-${mo}-${d}`,
      `${y}${mo}${d}`,
      `${y}${mo}${d} ${h}:${mi}:${s}`,
      `${y}${mo}${d}-${h}:${mi}`,
      `${y}-${mo}-${d}T${h}:${mi}:${s}Z`,
      `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`,
      `${y}-${mo}-${d} ${h}:${mi}:${s}`,
      `${y}-${mo}-${d}T${h}:${mi}`,
      String(int(2e9)),
      String(int(2e12)),
    ];
    let text = pick(spellings);
    const mangle = next();
    if (mangle < 0.05) text = ` ${text}`;
    else if (mangle < 0.1) text = `${text}\t`;
    else if (mangle < 0.15) {
      const at = int(text.length);
      text = text.slice(0, at) + pick(['x', ' ', '-', ':', '0', 'T', 'Z', '.']) + text.slice(at + 1);
    } else if (mangle < 0.2) {
      const at = int(text.length);
      text = text.slice(0, at) + text.slice(at + 1);
    }
    const expected = reference(text);
    const got = parseTime(text);
    if (!Object.is(got, expected)) assert.fail(`parseTime(${JSON.stringify(text)}) is ${got}, the reference reads ${expected}`);
    if (commonTime(text, 0, text.length) !== NOT_COMMON) common++;
  }
  assert.ok(common > 60_000, `the shortcut answered ${common} of 200000`);
});
