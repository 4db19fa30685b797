/**
 * What the sma and indicator nodes do with a message, without Node-RED: read the input (a bar field,
 * a number payload or a message property), feed the instrument's indicator, write the value to the
 * output property. A batch (msg.payload an array of bars) is read once into columns (./column: one
 * pass, whose error names the first bad bar) and computed from scratch into an index-aligned array
 * by the very same indicator code, so batch and streaming give identical numbers; afterwards the instrument's state is where the batch ended, so live bars can follow a
 * history batch.
 */
import type { IndicatorValue, StreamingIndicator } from './catalog';
import { isReset, KeyedState, topicKey } from './keyed-state';
import { getPath, pathLabel, setPath } from './path';
import { barColumn, nullableColumn, ohlcvColumns } from './column';
import { barFields, barValue, propertyValue, type OhlcvField, type ValueSource } from './source';

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
}

export type RunResult =
  | { kind: 'reset'; cleared: number }
  | { kind: 'value'; topic: string; value: IndicatorValue }
  | { kind: 'batch'; topic: string; count: number; last: IndicatorValue };

export class IndicatorRunner {
  private readonly states: KeyedState<StreamingIndicator>;
  private readonly source: ValueSource;
  private readonly fields: readonly OhlcvField[];

  constructor(private readonly options: IndicatorRunnerOptions) {
    this.states = new KeyedState(options.create);
    this.source = options.source ?? { kind: 'bar', field: 'close' };
    this.fields = options.fields ?? ['close'];
  }

  run(msg: Record<string, unknown>): RunResult {
    if (isReset(msg)) return { kind: 'reset', cleared: this.states.reset(msg.topic) };
    const topic = topicKey(msg);
    if (Array.isArray(msg.payload)) return this.runBatch(msg, topic, msg.payload);
    const indicator = this.states.get(topic);
    const value = this.feed(indicator, msg, msg.payload, 'msg.payload');
    setPath(msg, this.options.output, value);
    return { kind: 'value', topic, value };
  }

  private runBatch(msg: Record<string, unknown>, topic: string, bars: unknown[]): RunResult {
    const indicator = this.options.create();
    const n = bars.length;
    // Preallocated and filled: growing a million-slot array by push (or leaving `new Array(n)` sparse) costs several times more.
    const values = new Array<IndicatorValue>(n).fill(null);
    if (this.options.input === 'bar') {
      const { open, high, low, close, volume } = ohlcvColumns(bars, this.fields, this.options.name);
      for (let i = 0; i < n; i++) {
        values[i] = indicator.next({ open: open ? open[i] : NaN, high: high ? high[i] : NaN, low: low ? low[i] : NaN, close: close ? close[i] : NaN, volume: volume ? volume[i] : NaN });
      }
    } else {
      const column = this.source.kind === 'bar' ? barColumn(bars, this.source.field) : this.propertyColumn(msg, this.source.path, n);
      if (indicator.nextColumn) indicator.nextColumn(column, values);
      else for (let i = 0; i < n; i++) if (column[i] === column[i]) values[i] = indicator.next(column[i]);
    }
    this.states.set(topic, indicator);
    setPath(msg, this.options.output, values);
    return { kind: 'batch', topic, count: n, last: n ? values[n - 1] : null };
  }

  /** The source property as a column (null, an upstream warm-up, as MISSING); it must be an array as long as the batch. */
  private propertyColumn(msg: Record<string, unknown>, path: readonly string[], length: number): Float64Array {
    const raw = getPath(msg, path);
    if (!Array.isArray(raw) || raw.length !== length) {
      throw new Error(
        `${pathLabel(path)} must be an array of ${length} values (one per bar) when msg.payload is an array of bars; it is ${Array.isArray(raw) ? `an array of ${raw.length}` : raw === undefined ? 'missing' : typeof raw}`,
      );
    }
    return nullableColumn(raw, (i) => {
      propertyValue(raw[i], `${pathLabel(path)}[${i}]`); // throws: only numbers and null get past the column's check
      throw new Error(`${pathLabel(path)}[${i}] is not a number`);
    });
  }

  /** Validates one input and feeds it; a null property value (upstream warm-up) gives null and leaves the state alone. */
  private feed(indicator: StreamingIndicator, msg: Record<string, unknown>, bar: unknown, label: string): IndicatorValue {
    if (this.options.input === 'bar') return indicator.next(barFields(bar, this.fields, label, this.options.name));
    if (this.source.kind === 'bar') return indicator.next(barValue(bar, this.source.field, label));
    const value = propertyValue(getPath(msg, this.source.path), pathLabel(this.source.path));
    return value === null ? null : indicator.next(value);
  }
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
