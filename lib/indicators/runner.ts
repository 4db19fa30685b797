/**
 * What the sma and indicator nodes do with a message, without Node-RED: read the input (a bar field,
 * a number payload or a message property), feed the instrument's indicator, write the value to the
 * output property. A batch (msg.payload an array of bars, or columns) is read once into columns
 * (./column: one pass, whose error names the first bad bar) and computed from scratch into an
 * index-aligned array by the very same indicator code, so batch and streaming give identical numbers;
 * afterwards the instrument's state is where the batch ended, so live bars can follow a history batch.
 *
 * A forming bar (msg.forming = true, lib/messages/forming) is not a new sample: its value is computed on
 * a copy of the indicator (fork), so each revision replaces the last value, and the bar is counted once,
 * when it arrives closed (or, if it never does, when the next bar starts).
 *
 * A single-number indicator's batch array holds NaN where streaming gives null (warm-up), as pandas and
 * TA-Lib do: V8 then keeps the array as raw doubles, 8 bytes a bar instead of 16 (a boxed number and
 * its slot), which is most of a million-bar batch's memory. JSON writes NaN as null, so the array
 * reads the same once serialized; our readers take both as "no value".
 */
import type { IndicatorValue, StreamingIndicator } from './catalog';
import { BarSequence, barTimeOf, isForming } from '../messages/forming';
import type { OhlcvBar } from '../messages/source';
import { isReset, KeyedState, topicKey } from '../messages/keyed-state';
import { setPath, type MessageValue } from '../messages/path';
import { batchBarAt, batchLength, isBarBatch, isColumn, type BarBatch } from '../messages/bar-columns';
import { barColumn, nullableColumn, ohlcvColumns } from './column';
import { barFields, barValue, propertyValue, type OhlcvField, type ValueSource } from '../messages/source';

export interface IndicatorRunnerOptions {
  /** A fresh indicator (one per instrument). */
  create: () => StreamingIndicator;
  /** 'value': reads `source`; 'bar': reads `fields` of the bars in msg.payload. */
  input: 'value' | 'bar';
  fields?: readonly OhlcvField[];
  source?: ValueSource;
  /** Output property path, e.g. ['indicators', 'sma20']. */
  output: readonly string[];
  /** Indicator name for messages, e.g. "sma20". */
  name: string;
  /** One number per bar (not named lines): a batch's warm-up is then NaN, not null (see above). */
  numeric?: boolean;
  /** A fresh indicator on each trading day: when a bar's `session` differs from the last bar's (session VWAP). */
  perSession?: boolean;
}

export type RunResult =
  | { kind: 'reset'; cleared: number }
  | { kind: 'value'; topic: string; value: IndicatorValue }
  | { kind: 'batch'; topic: string; count: number; last: IndicatorValue };

/** What the indicator is fed: a number, or a bar's fields. */
type Input = number | OhlcvBar;

/** One instrument: the indicator (closed bars only), where its bar stream is, and the forming bar's input. */
interface InstrumentState {
  indicator: StreamingIndicator;
  sequence: BarSequence;
  /** The forming bar's latest input (null: none forming, or its value was a warm-up null). */
  forming: Input | null;
  /** perSession: the trading day of the last bar counted. */
  session?: string;
}

export class IndicatorRunner {
  private readonly states: KeyedState<InstrumentState>;
  private readonly source: ValueSource;
  private readonly fields: readonly OhlcvField[];

  constructor(private readonly options: IndicatorRunnerOptions) {
    this.states = new KeyedState(() => ({ indicator: options.create(), sequence: new BarSequence(), forming: null }));
    this.source = options.source ?? { kind: 'bar', field: 'close' };
    this.fields = options.fields ?? ['close'];
  }

  run(msg: Record<string, unknown>): RunResult {
    if (isReset(msg)) return { kind: 'reset', cleared: this.states.reset(msg.topic) };
    const topic = topicKey(msg);
    if (isBarBatch(msg.payload)) return this.runBatch(msg, topic, msg.payload);
    const state = this.states.get(topic);
    const input = this.read(msg, msg.payload, 'msg.payload');
    const { step, closePending } = state.sequence.next(barTimeOf(msg.payload), isForming(msg));
    if (closePending && state.forming !== null) state.indicator.next(state.forming);
    if (closePending || step === 'closed') state.forming = null;
    if (this.options.perSession) this.startSession(state, sessionOf(msg.payload));
    let value: IndicatorValue;
    if (input === null) value = null;
    else if (step === 'forming') {
      state.forming = input;
      value = state.indicator.fork().next(input);
    } else value = state.indicator.next(input);
    setPath(msg, this.options.output, value);
    return { kind: 'value', topic, value };
  }

  private runBatch(msg: Record<string, unknown>, topic: string, bars: BarBatch): RunResult {
    if (this.options.perSession) return this.runSessionBatch(msg, topic, bars);
    const indicator = this.options.create();
    const n = batchLength(bars);
    const numeric = this.options.numeric === true;
    // Preallocated and filled: growing a million-slot array by push (or leaving `new Array(n)` sparse) costs several times more.
    const values: IndicatorValue[] = numeric ? new Array<number>(n).fill(NaN) : new Array<IndicatorValue>(n).fill(null);
    const missing = numeric ? NaN : null;
    if (this.options.input === 'bar') {
      const { open, high, low, close, volume } = ohlcvColumns(bars, this.fields, this.options.name);
      for (let i = 0; i < n; i++) {
        values[i] = indicator.next({ open: open ? open[i] : NaN, high: high ? high[i] : NaN, low: low ? low[i] : NaN, close: close ? close[i] : NaN, volume: volume ? volume[i] : NaN }) ?? missing;
      }
    } else {
      const column = this.source.kind === 'bar' ? barColumn(bars, this.source.field) : this.propertyColumn(msg, this.source.value, n);
      if (numeric && indicator.nextColumn) indicator.nextColumn(column, values as number[]);
      else for (let i = 0; i < n; i++) if (column[i] === column[i]) values[i] = indicator.next(column[i]) ?? missing;
    }
    const lastValue = n ? values[n - 1]! : null;
    const last = typeof lastValue === 'number' && lastValue !== lastValue ? null : lastValue;
    this.states.set(topic, { indicator, sequence: new BarSequence(), forming: null });
    setPath(msg, this.options.output, values);
    return { kind: 'batch', topic, count: n, last };
  }

  /** A session's first bar: a fresh indicator (the previous session's forming bar, if any, was counted already). */
  private startSession(state: InstrumentState, session: string | undefined): void {
    if (session === undefined || session === state.session) return;
    if (state.session !== undefined) state.indicator = this.options.create();
    state.session = session;
  }

  /** A batch of a per-session indicator: bar by bar through the streaming path, so sessions start where they do live. */
  private runSessionBatch(msg: Record<string, unknown>, topic: string, bars: BarBatch): RunResult {
    const n = batchLength(bars);
    const state: InstrumentState = { indicator: this.options.create(), sequence: new BarSequence(), forming: null };
    const missing = this.options.numeric ? NaN : null;
    const values: IndicatorValue[] = new Array<IndicatorValue>(n).fill(missing);
    for (let i = 0; i < n; i++) {
      const bar = batchBarAt(bars, i);
      this.startSession(state, sessionOf(bar));
      const input = this.read(msg, bar, `msg.payload[${i}]`);
      if (input !== null) values[i] = state.indicator.next(input) ?? missing;
    }
    this.states.set(topic, state);
    setPath(msg, this.options.output, values);
    const lastValue = n ? values[n - 1]! : null;
    return { kind: 'batch', topic, count: n, last: typeof lastValue === 'number' && lastValue !== lastValue ? null : lastValue };
  }

  /** The source property as a column (null or NaN, an upstream warm-up, as MISSING); it must be an array as long as the batch. */
  private propertyColumn(msg: Record<string, unknown>, source: MessageValue, length: number): Float64Array {
    const raw = source.read(msg);
    if (!isColumn(raw) || raw.length !== length) {
      throw new Error(
        `${source.label} must be an array of ${length} values (one per bar) when msg.payload is a batch of bars; it is ${Array.isArray(raw) ? `an array of ${raw.length}` : raw === undefined ? 'missing' : typeof raw}`,
      );
    }
    return nullableColumn(raw, (i) => {
      propertyValue(raw[i], `${source.label}[${i}]`); // throws: only numbers and null get past the column's check
      throw new Error(`${source.label}[${i}] is not a number`);
    });
  }

  /** Validates one input; a null property value (upstream warm-up) is null: it gives null and leaves the state alone. */
  private read(msg: Record<string, unknown>, bar: unknown, label: string): Input | null {
    if (this.options.input === 'bar') return barFields(bar, this.fields, label, this.options.name);
    if (this.source.kind === 'bar') return barValue(bar, this.source.field, label);
    return propertyValue(this.source.value.read(msg), this.source.value.label);
  }
}

function sessionOf(payload: unknown): string | undefined {
  const session = payload !== null && typeof payload === 'object' ? (payload as { session?: unknown }).session : undefined;
  return typeof session === 'string' && session !== '' ? session : undefined;
}

/** Short status text for a value, e.g. "sma20 = 187.32" or "macd = 0.41 / 0.38 / 0.03". */
export function formatValue(name: string, value: IndicatorValue): string {
  if (value === null) return `${name} warming up`;
  if (typeof value === 'number') return `${name} = ${formatNumber(value)}`;
  return `${name} = ${Object.values(value).map((v) => (v === null ? '-' : formatNumber(v))).join(' / ')}`;
}

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 0.01)) return value.toPrecision(4);
  return value.toFixed(2);
}
