/**
 * PlainDecimalReader (the CSV reader's number shortcut) must give exactly Number(text) for every plain
 * decimal it accepts, and leave every other spelling alone (NaN, or stop before what is not a number).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlainDecimalReader } from '../../lib/data/plain-decimal';

/** The reader's value for the whole of `text`, or NaN when it would leave the text to Number(). */
function readWhole(text: string): number {
  const reader = new PlainDecimalReader();
  const value = reader.read(text, 0);
  return reader.end === text.length ? value : NaN;
}

test('plain decimals equal Number(), -0 included; other spellings are not read', () => {
  for (const text of ['0', '-0', '00012', '101.44', '-0.5', '.5', '-.5', '7.', '1444', '0.1', '0.3', '123456789012345', '99999999999999.9', '0.00000000000001']) {
    assert.ok(Object.is(readWhole(text), Number(text)), `${text}: ${readWhole(text)} vs ${Number(text)}`);
  }
  // More than 15 digits (leading zeros count), exponents, signs, hex, words, spaces, bare points: NaN
  // here, Number() reads them.
  for (const text of ['1234567890123456', '0.1000000000000001', '0.000000000000001', '9007199254.740993', '1e5', '+1', '0x10', 'Infinity', 'NaN', ' 1', '-', '.', '-.', '', '1.2.3']) {
    assert.ok(Number.isNaN(readWhole(text)), JSON.stringify(text));
  }
});

test('the reader stops at the first character not part of the number and reads in place', () => {
  const reader = new PlainDecimalReader();
  const row = '2024-01-02,101.44,"99.5",-3;x';
  assert.equal(reader.read(row, 11), 101.44);
  assert.equal(reader.end, 17);
  assert.equal(reader.read(row, 19), 99.5);
  assert.equal(row[reader.end], '"');
  assert.equal(reader.read(row, 25), -3);
  assert.equal(row[reader.end], ';');
  assert.ok(Number.isNaN(reader.read(row, 28)), 'x is no number');
  assert.equal(reader.end, 28);
});

test('a seeded sweep of random decimals (up to 15 digits, either side of the point) equals Number()', () => {
  let state = 7;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < 200_000; i++) {
    const digits = 1 + Math.floor(next() * 15);
    let text = '';
    for (let d = 0; d < digits; d++) text += String(Math.floor(next() * 10));
    const point = Math.floor(next() * (digits + 1));
    if (next() < 0.8) text = `${text.slice(0, point)}.${text.slice(point)}`;
    if (next() < 0.3) text = `-${text}`;
    const got = readWhole(text);
    if (!Object.is(got, Number(text))) assert.fail(`${text}: read ${got}, Number() gives ${Number(text)}`);
  }
});
