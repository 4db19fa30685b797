/**
 * Batch inputs as columns. A batch of a million bars is read once, field by field, into a Float64Array
 * by a loop that only checks types; the strategy code then runs over plain doubles. Checking and
 * labelling each bar separately (a label string per bar, a call per check) cost more than the
 * indicator itself. Acceptance is exactly that of the per-value readers in ./source (barValue,
 * barFields, propertyValue): on the first value the fast check refuses, the column reader hands that
 * one value to the per-value reader, whose error names the bar index and field, so a batch fails
 * with the same text as before, at the same bar.
 *
 * A batch comes as an array of bars or as columns ({time: [...], close: [...], ...}: lib/bar-columns);
 * every reader here takes both, and columns are checked value by value the same way, the error naming
 * e.g. "msg.payload.close[17]".
 */
import { requireColumn, type BarBatch, type BarColumns } from '../messages/bar-columns';
import { barFields, barValue, numberProblem, type BarField, type OhlcvField } from '../messages/source';

/**
 * Stands for "no value at this bar" in a column of nullable numbers: null (a streaming warm-up) or NaN
 * (a batch warm-up: indicators write NaN there, as pandas and TA-Lib do, so their arrays stay raw doubles).
 */
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
export function barColumn(bars: BarBatch, field: BarField): ArrayLike<number> {
  if (!Array.isArray(bars)) return columnsPrice(bars as BarColumns, field);
  const n = bars.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = barValueAt(bars, i, field);
  return out;
}

/** barValue(bars[i], field, "msg.payload[i]") without building the label unless the bar is refused. */
export function barValueAt(bars: BarBatch, i: number, field: BarField): number {
  if (!Array.isArray(bars)) return columnsPriceAt(bars as BarColumns, i, field);
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
export function ohlcvColumns(bars: BarBatch, fields: readonly OhlcvField[], indicator: string): Partial<Record<OhlcvField, ArrayLike<number>>> {
  if (!Array.isArray(bars)) return checkedColumns(bars as BarColumns, fields, indicator);
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
 * An array of numbers, nulls or NaNs (e.g. another indicator's batch output) as a column, null and NaN
 * as MISSING. `refuse(i)` is called for the first element that is none of these; it must throw an
 * error naming it.
 */
export function nullableColumn(values: ArrayLike<unknown>, refuse: (index: number) => never): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (finite(value)) out[i] = value;
    else if (value === null || value !== value) out[i] = MISSING;
    else refuse(i);
  }
  return out;
}

// Columns ------------------------------------------------------------------------------------------

const COLUMN_FIX = 'each column must hold one finite number per bar; fix the data source';

function columnError(field: string, i: number, value: unknown): Error {
  return new Error(`msg.payload.${field}[${i}] ${numberProblem(value)}: ${COLUMN_FIX}`);
}

/**
 * The OHLCV columns `fields`, checked: every value a finite number. They are handed on as they are,
 * not copied (a million-bar column is 8 MB). On a bad value, the error names the lowest bar index
 * refused over all fields (and at that bar the first field in `fields`), as streaming the bars would.
 */
function checkedColumns(columns: BarColumns, fields: readonly OhlcvField[], reader: string): Partial<Record<OhlcvField, ArrayLike<number>>> {
  const sources = fields.map((field) => requireColumn(columns, field, reader));
  const n = columns.time.length;
  let firstRefused = n;
  for (const source of sources) {
    for (let i = 0; i < firstRefused; i++) {
      if (!finite(source[i])) {
        firstRefused = i;
        break;
      }
    }
  }
  if (firstRefused < n) {
    for (let f = 0; f < fields.length; f++) {
      const value = sources[f]![firstRefused];
      if (!finite(value)) throw columnError(fields[f]!, firstRefused, value);
    }
  }
  const out: Partial<Record<OhlcvField, ArrayLike<number>>> = {};
  for (let f = 0; f < fields.length; f++) out[fields[f]!] = sources[f]!;
  return out;
}

/** The OHLCV fields a price is read from: the field itself, or those a derived price is made of. */
function priceInputs(field: BarField): OhlcvField[] {
  switch (field) {
    case 'median':
      return ['high', 'low'];
    case 'typical':
    case 'weighted':
      return ['high', 'low', 'close'];
    case 'ohlc4':
      return ['open', 'high', 'low', 'close'];
    default:
      return [field];
  }
}

/** barValue's arithmetic for a derived price, in the same order, so the values are identical to the bit. */
function derivedPrice(field: BarField, open: number, high: number, low: number, close: number): number {
  if (field === 'median') return (high + low) / 2;
  if (field === 'typical') return (high + low + close) / 3;
  if (field === 'weighted') return (high + low + 2 * close) / 4;
  return (open + high + low + close) / 4;
}

/** One price per bar from columns: a checked column as it is, or a derived price computed into a new one. */
function columnsPrice(columns: BarColumns, field: BarField): ArrayLike<number> {
  const inputs = priceInputs(field);
  const read = checkedColumns(columns, inputs, `the ${field} price`);
  if (inputs[0] === field) return read[field as OhlcvField]!;
  const { open, high, low, close } = read;
  const n = columns.time.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = derivedPrice(field, open ? open[i]! : NaN, high![i]!, low![i]!, close ? close[i]! : NaN);
  return out;
}

/** One price of bar i from columns, checked like columnsPrice. */
function columnsPriceAt(columns: BarColumns, i: number, field: BarField): number {
  const inputs = priceInputs(field);
  const bar: Record<OhlcvField, number> = { open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };
  for (const name of inputs) {
    const value = requireColumn(columns, name, `the ${field} price`)[i];
    if (!finite(value)) throw columnError(name, i, value);
    bar[name] = value;
  }
  return inputs[0] === field ? bar[field as OhlcvField] : derivedPrice(field, bar.open, bar.high, bar.low, bar.close);
}
