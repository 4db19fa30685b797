/**
 * The crossover's batch path: for every mode, emit mode and invert, with nulls (warm-up and gaps)
 * and equal values, a batch gives exactly the signals streaming gives, leaves the state where
 * streaming would, and fails at the first bad bar (fast before slow) naming the element.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Signal } from '../../lib/messages';
import { Crossover, type CrossoverOptions, type EmitMode } from '../../lib/signals/crossover';

/** Two seeded series that cross often, with nulls at the start and in gaps, and exact ties now and then. */
function series(n: number) {
  let s = 11;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const fast: Array<number | null> = [];
  const slow: Array<number | null> = [];
  for (let i = 0; i < n; i++) {
    const base = 50 + 30 * Math.sin(i / 9);
    const f = base + (rnd() - 0.5) * 12;
    fast.push(i < 5 || i % 23 === 0 ? null : i % 17 === 0 ? 50 : f);
    slow.push(i < 9 || i % 29 === 0 ? null : i % 17 === 0 ? 50 : base);
  }
  return { fast, slow, bars: fast.map((_, i) => ({ time: 1_000 + i, open: 1, high: 1, low: 1, close: 1, volume: 1 })) };
}

const EMITS: EmitMode[] = ['cross', 'every', 'regime'];
const MODES: Array<Omit<CrossoverOptions, 'emit'>> = [
  { mode: 'series', fast: ['indicators', 'fast'], slow: ['indicators', 'slow'] },
  { mode: 'level', fast: ['indicators', 'fast'], level: 50 },
  { mode: 'band', fast: ['indicators', 'fast'], lower: 30, upper: 70 },
];

function streamed(options: CrossoverOptions, data: ReturnType<typeof series>, from = 0, crossover = new Crossover(options)) {
  const out: Array<Signal | null> = [];
  for (let i = from; i < data.bars.length; i++) {
    const msg: Record<string, unknown> = { topic: 'T', payload: data.bars[i], indicators: { fast: data.fast[i], slow: data.slow[i] } };
    crossover.run(msg);
    out.push(msg.signal as Signal | null);
  }
  return out;
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('crossover batch equals streaming', () => {
  const data = series(600);
  for (const base of MODES) {
    for (const emit of EMITS) {
      for (const invert of [false, true]) {
        it(`${base.mode}, emit ${emit}${invert ? ', inverted' : ''}`, () => {
          const options: CrossoverOptions = { ...base, emit, invert };
          const expected = streamed(options, data);
          const crossover = new Crossover(options);
          const head = 400;
          const msg: Record<string, unknown> = { topic: 'T', payload: data.bars.slice(0, head), indicators: { fast: data.fast.slice(0, head), slow: data.slow.slice(0, head) } };
          const result = crossover.run(msg);
          assert.deepEqual(msg.signal, expected.slice(0, head));
          const signals = expected.slice(0, head).filter((s) => s !== null);
          assert.ok(signals.length > 3, 'the data crosses');
          if (result.kind !== 'batch') throw new Error('not a batch');
          assert.equal(result.count, head);
          assert.deepEqual(result.last, signals.at(-1));
          if (emit !== 'regime') assert.equal(result.signals, signals.length);
          // Live bars after the batch continue from its state.
          assert.deepEqual(streamed(options, data, head, crossover), expected.slice(head));
        });
      }
    }
  }
});

describe('crossover batch errors', () => {
  const options: CrossoverOptions = { mode: 'series', fast: ['indicators', 'fast'], slow: ['indicators', 'slow'], emit: 'cross' };
  const run = (fast: unknown[], slow: unknown[]) => () => new Crossover(options).run({ payload: fast.map((_, i) => ({ time: i })), indicators: { fast, slow } });

  it('names the first bad bar, the fast operand before the slow one', () => {
    assert.equal(errorOf(run([1, 2, 3, 4, NaN], [1, 2, 3, 'x', 5])), 'msg.indicators.slow[3] is the string "x", not a number: it must hold a number (or null while warming up)');
    assert.equal(errorOf(run([1, 2, 3, Infinity], [1, 2, 3, 'x'])), 'msg.indicators.fast[3] is Infinity: it must hold a number (or null while warming up)');
    assert.equal(errorOf(run([null, undefined], [null, 1])), 'msg.indicators.fast[1] is missing: wire an indicator before this node that writes it, or change the property in the crossover node');
  });

  it('a column that is not an index-aligned array is refused before any bar', () => {
    assert.match(errorOf(() => new Crossover(options).run({ payload: [{}, {}], indicators: { fast: [1, 2], slow: [1] } })), /^msg\.indicators\.slow must be an array of 2 values \(one per bar\) .* an array of 1/);
  });
});
