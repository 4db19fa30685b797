/**
 * The trade list's ISO dates are spelled without a Date per call (report.ts isoDate): the same text as
 * Date's toISOString, over five centuries of random instants, whole days and the ends of the range.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isoDate } from '../../lib/backtest/report';

describe('isoDate', () => {
  it('spells what toISOString spells', () => {
    let state = 12345;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
    const from = Date.UTC(1700, 0, 1);
    const to = Date.UTC(2200, 0, 1);
    const times = [
      0,
      -1,
      1,
      Date.UTC(2000, 1, 29),
      Date.UTC(1900, 1, 28, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1),
      -62_167_219_200_000,
      253_402_300_799_999,
    ];
    for (let i = 0; i < 20_000; i++) times.push(Math.floor(from + random() * (to - from)));
    for (let i = 0; i < 2000; i++) times.push(Date.UTC(1970, 0, 1) + Math.floor(random() * 200_000) * 86_400_000);
    for (const t of times) assert.equal(isoDate(t), new Date(t).toISOString(), String(t));
    assert.equal(isoDate(Number.NaN), 'NaN');
    assert.equal(isoDate(1.5), new Date(1.5).toISOString());
  });
});
