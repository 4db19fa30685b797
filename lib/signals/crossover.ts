/**
 * The crossover node's logic without Node-RED: compare two message properties (fast vs slow), a
 * property against a level, or a property against a band (lower/upper, e.g. RSI 30/70), per
 * instrument, and produce msg.signal. Batch messages (msg.payload an array of bars, the properties
 * index-aligned arrays) go through the same detector from scratch into an index-aligned array.
 *
 * Signals come from closed bars. A forming bar (msg.forming = true, lib/messages/forming) is compared on a
 * copy of the state, so it never moves the remembered relation and the bar is counted once, closed. By
 * default it gives no signal: a cross that shows while a bar forms can be gone by its close, and a
 * strategy tested on closed bars would act on a different series live. With `formingSignals` a forming
 * bar that crosses gives a signal marked `forming: true`, at most once per bar and side; the closed bar
 * gives its own signal as always.
 *
 * A level (level mode's, band mode's lower and upper) is a number, or a value read from each message
 * (a message property, flow or global context, an environment variable: the node's typedInput), so a
 * strategy can move it as it runs; a batch reads it once, for all its bars.
 */
import type { Side, Signal } from '../messages';
import { batchLength, batchTimeAt, isBarBatch, isColumn, type BarBatch } from '../messages/bar-columns';
import { isReset, KeyedState, topicKey } from '../messages/keyed-state';
import { asMessageValue, type MessageValue } from '../messages/path';
import { numberProblem } from '../messages/source';
import { BarSequence, barTimeOf, isForming } from '../messages/forming';
import { CrossDetector, type Relation } from './cross-detector';

export type CrossoverMode = 'series' | 'level' | 'band';
/** cross: send only messages with a cross; every: send every message, msg.signal null without a cross; regime: every message carries the current regime. */
export type EmitMode = 'cross' | 'every' | 'regime';

export interface CrossoverOptions {
  mode: CrossoverMode;
  /** The compared value (the fast one in series mode): a message property path, or any value read from each message. */
  fast: readonly string[] | MessageValue;
  /** series mode: the slow value. */
  slow?: readonly string[] | MessageValue;
  /** level mode. */
  level?: number | MessageValue;
  /** band mode: a cross up through `lower` is a BUY, a cross down through `upper` a SELL. */
  lower?: number | MessageValue;
  upper?: number | MessageValue;
  emit: EmitMode;
  /** Swap BUY and SELL (e.g. sell when RSI crosses above 70 in level mode). */
  invert?: boolean;
  /** Signals on forming bars too (marked forming: true); default: closed bars only. */
  formingSignals?: boolean;
}

interface CrossState {
  primary: CrossDetector;
  /** band mode: the detector against `upper` (primary is against `lower`). */
  secondary: CrossDetector;
  /** band mode regime: the side of the last signal. */
  lastSide: Side | null;
  sequence: BarSequence;
  /** The forming bar's latest operands and levels (null: none forming). */
  forming: { fast: number | null; slow: number | null; levels: Levels } | null;
  /** The side a forming-bar signal was given for the bar forming now (formingSignals). */
  formingSide: Side | null;
}

export type CrossoverResult =
  | { kind: 'reset'; cleared: number }
  | { kind: 'bar'; topic: string; signal: Signal | null; send: boolean }
  | { kind: 'batch'; topic: string; count: number; signals: number; last: Signal | null };

function newState(): CrossState {
  return { primary: new CrossDetector(), secondary: new CrossDetector(), lastSide: null, sequence: new BarSequence(), forming: null, formingSide: null };
}

/** The state to compare a forming bar on: its detectors copied, the rest shared (never written through it). */
function forkState(state: CrossState): CrossState {
  return { ...state, primary: state.primary.fork(), secondary: state.secondary.fork() };
}

/** The levels a bar is compared against (the ones its mode uses; the others 0). */
interface Levels {
  level: number;
  lower: number;
  upper: number;
}

const isReadLevel = (level: CrossoverOptions['level']): level is MessageValue => typeof level === 'object' && level !== null;

/** Levels given as numbers are checked here; levels read from each message, on each message (levelsOf). */
export function validateCrossoverOptions(options: CrossoverOptions): void {
  if (options.mode === 'series' && !options.slow) throw new Error('crossover in "series" mode needs a slow property, e.g. "indicators.sma50"');
  const given = (level: CrossoverOptions['level']) => (isReadLevel(level) ? null : level);
  checkLevels(options.mode, given(options.level), given(options.lower), given(options.upper));
}

/**
 * Throws when a level the mode uses is not a number, or band's lower is not below its upper; null: not
 * known yet (read from each message). `sources` names where a read level came from (" (flow.rsiLevel)").
 */
function checkLevels(mode: CrossoverMode, level: unknown, lower: unknown, upper: unknown, sources = { level: '', lower: '', upper: '' }): void {
  const finite = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
  if (mode === 'level' && !finite(level)) throw new Error(`crossover level${sources.level} is ${String(level)}: enter a number, e.g. 50`);
  if (mode === 'band') {
    if (!finite(lower) || !finite(upper)) throw new Error(`crossover band needs numeric lower and upper levels, e.g. 30 and 70 (got ${String(lower)}${sources.lower} and ${String(upper)}${sources.upper})`);
    if (lower !== null && upper !== null && (lower as number) >= (upper as number)) throw new Error(`crossover band lower level (${String(lower)}) must be below the upper level (${String(upper)})`);
  }
}

/** A level read from a message: a number, or a number written as text (an environment variable is always text). */
function levelValue(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

export class Crossover {
  private readonly states = new KeyedState<CrossState>(newState);
  private readonly fastName: string;
  /** Per direction: the side and reason of a cross, and the reason of the standing regime (built once; signals share them). */
  private readonly up: Direction;
  private readonly down: Direction;
  private readonly bandRegimeReason: string;

  private readonly options: CrossoverOptions & { fast: MessageValue; slow?: MessageValue };
  /** The levels when all are numbers (one object for every bar); null when one is read from each message. */
  private readonly fixedLevels: Levels | null;

  constructor(options: CrossoverOptions) {
    validateCrossoverOptions(options);
    this.options = { ...options, fast: asMessageValue(options.fast), slow: options.slow === undefined ? undefined : asMessageValue(options.slow) };
    this.fastName = lastName(this.options.fast.label);
    const read = [options.level, options.lower, options.upper].some(isReadLevel);
    this.fixedLevels = read ? null : { level: Number(options.level ?? 0), lower: Number(options.lower ?? 0), upper: Number(options.upper ?? 0) };
    const levels = this.fixedLevels ?? { level: Number.NaN, lower: Number.NaN, upper: Number.NaN };
    this.up = this.direction(1, levels);
    this.down = this.direction(-1, levels);
    this.bandRegimeReason = `regime after ${this.fastName} band signal`;
  }

  /** The side and reasons of a cross up (+1) or down (-1) against `levels`. */
  private direction(cross: 1 | -1, levels: Levels): Direction {
    const slowName = this.options.slow ? lastName(this.options.slow.label) : '';
    const against = this.options.mode === 'series' ? slowName : String(levels.level);
    // Band mode: an up cross is through the lower level, a down cross through the upper one.
    const through = this.options.mode === 'band' ? String(cross === 1 ? levels.lower : levels.upper) : against;
    const way = cross === 1 ? 'above' : 'below';
    return { side: this.sideOf(cross), reason: `${this.fastName} crossed ${way} ${through}`, regimeReason: `${this.fastName} ${way} ${against}` };
  }

  /** The levels for `msg`: the fixed ones, or each read from the message and checked, naming where it came from. */
  private levelsOf(msg: unknown): Levels {
    if (this.fixedLevels) return this.fixedLevels;
    const { mode, level, lower, upper } = this.options;
    const value = (given: CrossoverOptions['level'], used: boolean) => (!used ? 0 : isReadLevel(given) ? levelValue(given.read(msg)) : given);
    const source = (given: CrossoverOptions['level']) => (isReadLevel(given) ? ` (${given.label})` : '');
    const levels = { level: value(level, mode === 'level'), lower: value(lower, mode === 'band'), upper: value(upper, mode === 'band') };
    // checkLevels passes null as "read later"; a level read as null is no level, and named as what it is.
    const read = (v: unknown) => (v === null ? 'null' : v);
    checkLevels(mode, read(levels.level), read(levels.lower), read(levels.upper), { level: source(level), lower: source(lower), upper: source(upper) });
    return levels as Levels;
  }

  run(msg: Record<string, unknown>): CrossoverResult {
    if (isReset(msg)) return { kind: 'reset', cleared: this.states.reset(msg.topic) };
    const topic = topicKey(msg);
    if (isBarBatch(msg.payload)) return this.runBatch(msg, topic, msg.payload);
    const state = this.states.get(topic);
    const fast = readOperand(this.options.fast.read(msg), this.options.fast.label);
    const slow = this.options.mode === 'series' ? readOperand(this.options.slow!.read(msg), this.options.slow!.label) : 0;
    const levels = this.levelsOf(msg);
    const time = barTime(msg.payload);
    const { step, closePending } = state.sequence.next(barTimeOf(msg.payload), isForming(msg));
    // The forming bar before this one never came closed: its last revision is its close, and a cross there is a closed bar's signal.
    let signal: Signal | null = null;
    if (closePending && state.forming) signal = this.compare(state, state.forming.fast, state.forming.slow, state.forming.levels, time);
    if (closePending || step === 'closed') state.forming = null;
    if (closePending) state.formingSide = null;
    let regimeState = state;
    if (step === 'closed') signal = this.compare(state, fast, slow, levels, time) ?? signal;
    else if (step === 'forming') {
      state.forming = { fast, slow, levels };
      const preview = forkState(state);
      const formingSignal = this.compare(preview, fast, slow, levels, time);
      if (this.options.formingSignals) {
        regimeState = preview;
        if (formingSignal && formingSignal.side !== state.formingSide) {
          state.formingSide = formingSignal.side;
          signal = { ...formingSignal, forming: true };
        }
      }
    }
    const emitted = this.options.emit === 'regime' ? this.regimeSignal(regimeState, levels, time) : signal;
    msg.signal = emitted;
    return { kind: 'bar', topic, signal: emitted, send: this.options.emit !== 'cross' || signal !== null };
  }

  /** One bar's operands against `state`: the signal of a cross (null operands: missing data, no comparison). */
  private compare(state: CrossState, fast: number | null, slow: number | null, levels: Levels, time: number): Signal | null {
    if (fast === null || slow === null) return null;
    const cross = this.detect(state, fast, slow, levels);
    return cross === 0 ? null : this.signal(state, cross, levels, time);
  }

  /**
   * One tight pass: each bar's operands are checked where they are read (so the error names the
   * first bad bar, fast before slow, as streaming would), null (warm-up) is carried as NaN, and
   * objects are made only for signals (and their bar time read only then).
   */
  private runBatch(msg: Record<string, unknown>, topic: string, bars: BarBatch): CrossoverResult {
    const n = batchLength(bars);
    const fastPath = this.options.fast;
    const slowPath = this.options.mode === 'series' ? this.options.slow! : null;
    const fastValues = column(msg, fastPath, n);
    const slowValues = slowPath ? column(msg, slowPath, n) : null;
    const levels = this.levelsOf(msg);
    const regime = this.options.emit === 'regime';
    const state = newState();
    // Preallocated and filled: growing a million-slot array by push (or leaving `new Array(n)` sparse) costs several times more.
    const out = new Array<Signal | null>(n).fill(null);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const fast = operandAt(fastValues, i, fastPath);
      const slow = slowValues ? operandAt(slowValues, i, slowPath!) : 0;
      // NaN (a null operand) is never equal to itself: no comparison on this bar.
      const cross = fast === fast && slow === slow ? this.detect(state, fast, slow, levels) : 0;
      if (cross === 0 && !regime) continue;
      const barTimeAt = batchTimeAt(bars, i);
      const time = Number.isFinite(barTimeAt) ? barTimeAt : Date.now();
      const signal = cross === 0 ? null : this.signal(state, cross, levels, time);
      if (signal) count++;
      out[i] = regime ? this.regimeSignal(state, levels, time) : signal;
    }
    this.states.set(topic, state);
    msg.signal = out;
    return { kind: 'batch', topic, count: n, signals: count, last: count ? lastSignal(out) : null };
  }

  /** One bar with both operands present: +1 on an up cross, -1 on a down cross, 0 otherwise. */
  private detect(state: CrossState, fast: number, slow: number, levels: Levels): Relation {
    const { mode } = this.options;
    if (mode === 'series') return state.primary.next(fast, slow);
    if (mode === 'level') return state.primary.next(fast, levels.level);
    const fromBelow = state.primary.next(fast, levels.lower);
    const fromAbove = state.secondary.next(fast, levels.upper);
    if (fromBelow === 1) return 1;
    if (fromAbove === -1) return -1;
    return 0;
  }

  private signal(state: CrossState, cross: 1 | -1, levels: Levels, time: number): Signal {
    const direction = this.directionAt(cross, levels);
    state.lastSide = direction.side;
    return { side: direction.side, reason: direction.reason, time };
  }

  private sideOf(relation: 1 | -1): Side {
    const up = relation === 1 ? !this.options.invert : !!this.options.invert;
    return up ? 'BUY' : 'SELL';
  }

  /** The side and reasons of a cross: built once for fixed levels, for the levels of the message otherwise. */
  private directionAt(cross: 1 | -1, levels: Levels): Direction {
    if (this.fixedLevels) return cross === 1 ? this.up : this.down;
    return this.direction(cross, levels);
  }

  /** The standing regime: the last non-equal relation (series/level) or the last signal (band). */
  private regimeSignal(state: CrossState, levels: Levels, time: number): Signal | null {
    if (this.options.mode === 'band') return state.lastSide ? { side: state.lastSide, reason: this.bandRegimeReason, time } : null;
    const relation = state.primary.regime;
    if (relation === 0) return null;
    const direction = this.directionAt(relation, levels);
    return { side: direction.side, reason: direction.regimeReason, time };
  }
}

interface Direction {
  side: Side;
  reason: string;
  regimeReason: string;
}

/** A compared value: a number, or null for missing data (null, e.g. warm-up). Anything else is an error. */
function readOperand(value: unknown, label: string): number | null {
  if (value === null) return null;
  if (numberProblem(value) === null) return value as number;
  throw operandError(value, label);
}

/** values[i] as a number, NaN for null or NaN (missing data: a warm-up); anything else throws readOperand's error naming `path[i]`. */
function operandAt(values: ArrayLike<unknown>, i: number, source: MessageValue): number {
  const value = values[i];
  // The unary plus (a no-op on a number) returns a double: the read itself, from an array with holes
  // (an indicator's column), may be undefined and would be returned boxed, an allocation per bar.
  if (typeof value === 'number' && value - value === 0) return +value;
  if (value === null || value !== value) return NaN;
  throw operandError(value, `${source.label}[${i}]`);
}

function operandError(value: unknown, label: string): Error {
  const fix =
    value === undefined
      ? 'wire an indicator before this node that writes it, or change the property in the crossover node'
      : 'it must hold a number (or null while warming up)';
  return new Error(`${label} ${numberProblem(value)}: ${fix}`);
}

function column(msg: unknown, source: MessageValue, length: number): ArrayLike<unknown> {
  const raw = source.read(msg);
  if (!isColumn(raw) || raw.length !== length) {
    throw new Error(
      `${source.label} must be an array of ${length} values (one per bar) when msg.payload is a batch of bars; it is ${Array.isArray(raw) ? `an array of ${raw.length}` : raw === undefined ? 'missing' : typeof raw}: put the indicator nodes before this one`,
    );
  }
  return raw;
}

/** The bar's time when there is one, else now (number payloads carry no time). */
export function barTime(payload: unknown): number {
  if (payload !== null && typeof payload === 'object') {
    const time = (payload as { time?: unknown }).time;
    if (typeof time === 'number' && Number.isFinite(time)) return time;
  }
  return Date.now();
}

function lastSignal(signals: Array<Signal | null>): Signal | null {
  for (let i = signals.length - 1; i >= 0; i--) if (signals[i]) return signals[i];
  return null;
}

/** The last part of a value's name ("sma20" of msg.indicators.sma20): what a signal's reason calls it. */
function lastName(label: string): string {
  return label.slice(label.lastIndexOf('.') + 1);
}
