/**
 * Batch inputs as columns. A batch of a million bars is read once, field by field, into a Float64Array
 * by a loop that only checks types; the strategy code then runs over plain doubles. Checking and
 * labelling each bar separately (a label string per bar, a call per check) cost more than the
 * indicator itself. Acceptance is exactly that of the per-value readers in ./source (barValue,
 * barFields, propertyValue): on the first value the fast check refuses, the column reader hands that
 * one value to the per-value reader, whose error names the bar index and field, so a batch fails
 * with the same text as before, at the same bar.
 */
import { barFields, barValue, type BarField, type OhlcvField } from './source';

/** Stands for "no value at this bar" (null, e.g. an upstream warm-up) in a column of nullable numbers. */
export const MISSING = NaN;

/** A finite number? (`v - v` is NaN for NaN and the infinities, and for non-numbers it is never 0 with typeof checked.) */
function finite(value: unknown): value is number {
  return typeof value === 'number' && value - value === 0;
}

function isBarObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field of a bar object, or NaN when it is not a finite number (the caller then asks barValue why). */
function priceOf(bar: Record<string, unknown>, field: BarField): number {
  switch (field) {
    case 'close':
    case 'open':
    case 'high':
    case 'low':
    case 'volume': {
      const value = bar[field];
      return finite(value) ? value : NaN;
    }
    default: {
      const { open, high, low, close } = bar;
      // The same arithmetic, in the same order, as barValue, so the values are identical to the bit.
      if (!finite(high) || !finite(low)) return NaN;
      if (field === 'median') return (high + low) / 2;
      if (!finite(close)) return NaN;
      if (field === 'typical') return (high + low + close) / 3;
      if (field === 'weighted') return (high + low + 2 * close) / 4;
      return finite(open) ? (open + high + low + close) / 4 : NaN;
    }
  }
}

/**
 * One price per bar (a field of bar objects, or number payloads as they are), as barValue reads it.
 * Throws barValue's error for the first bar it refuses, e.g. "msg.payload[17].close is NaN: ...".
 */
export function barColumn(bars: readonly unknown[], field: BarField): Float64Array {
  const n = bars.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = barValueAt(bars, i, field);
  return out;
}

/** barValue(bars[i], field, "msg.payload[i]") without building the label unless the bar is refused. */
export function barValueAt(bars: readonly unknown[], i: number, field: BarField): number {
  const bar = bars[i];
  const value = typeof bar === 'number' ? bar : isBarObject(bar) ? priceOf(bar, field) : NaN;
  if (value - value === 0) return value;
  // The slow path: barValue throws the per-bar error (or, for a value the fast check is stricter
  // about, e.g. a median that overflows to Infinity, returns what streaming would have used).
  return barValue(bar, field, `msg.payload[${i}]`);
}

/**
 * The OHLCV fields a bar indicator reads, one column per field read (the others are absent: barFields
 * leaves them NaN). Throws barFields' error for the first bar it refuses (the lowest index over all
 * fields, as streaming the bars in order would).
 */
export function ohlcvColumns(bars: readonly unknown[], fields: readonly OhlcvField[], indicator: string): Partial<Record<OhlcvField, Float64Array>> {
  const n = bars.length;
  const columns: Partial<Record<OhlcvField, Float64Array>> = {};
  let firstRefused = n;
  for (const field of fields) {
    const column = new Float64Array(n);
    columns[field] = column;
    for (let i = 0; i < firstRefused; i++) {
      const bar = bars[i];
      const value = isBarObject(bar) ? bar[field] : undefined;
      if (!finite(value)) {
        firstRefused = i;
        break;
      }
      column[i] = value;
    }
  }
  if (firstRefused < n) {
    barFields(bars[firstRefused], fields, `msg.payload[${firstRefused}]`, indicator); // throws: its checks are the ones above
    throw new Error(`msg.payload[${firstRefused}] is not a bar with ${fields.join(', ')}`);
  }
  return columns;
}

/**
 * An array of numbers or nulls (e.g. another indicator's batch output) as a column, null as MISSING.
 * `refuse(i)` is called for the first element that is neither; it must throw an error naming it.
 */
export function nullableColumn(values: readonly unknown[], refuse: (index: number) => never): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (finite(value)) out[i] = value;
    else if (value === null) out[i] = MISSING;
    else refuse(i);
  }
  return out;
}
