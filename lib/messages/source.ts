/**
 * Where a computing node's input comes from: a field of the bar in msg.payload (or a number payload),
 * or any message property (e.g. another indicator's output). Every check names the property that
 * was wrong and says how to fix it, because the text ends up in done(err) and a Catch node.
 */
import { messageProperty, parsePath, type MessageValue } from './path';

/** Bar fields and the usual derived prices. */
export type BarField = 'open' | 'high' | 'low' | 'close' | 'volume' | 'median' | 'typical' | 'weighted' | 'ohlc4';

export const SOURCE_FIELDS: readonly BarField[] = ['open', 'high', 'low', 'close', 'volume', 'median', 'typical', 'weighted', 'ohlc4'];

export type ValueSource = { kind: 'bar'; field: BarField } | { kind: 'property'; value: MessageValue };

/** The OHLCV fields an indicator reads from whole bars. */
export type OhlcvField = 'open' | 'high' | 'low' | 'close' | 'volume';

export interface OhlcvBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const BAR_HINT = 'send bars as {time, open, high, low, close, volume} in msg.payload';

/** Describes a value that is not a usable number, or returns null when it is one. */
export function numberProblem(value: unknown): string | null {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'is NaN';
    if (!Number.isFinite(value)) return `is ${value}`;
    return null;
  }
  if (value === undefined) return 'is missing';
  if (value === null) return 'is null';
  if (typeof value === 'string') return `is the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}, not a number`;
  return `is ${Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not a number`;
}

/** Returns `value` when it is a finite number; throws an error naming `label` otherwise. */
export function requireNumber(value: unknown, label: string, fix: string): number {
  const problem = numberProblem(value);
  if (problem === null) return value as number;
  throw new Error(`${label} ${problem}: ${fix}`);
}

function barNumber(bar: Record<string, unknown>, field: OhlcvField, label: string): number {
  return requireNumber(bar[field], `${label}.${field}`, problemFix(bar[field]));
}

function problemFix(value: unknown): string {
  if (typeof value === 'string') return 'convert it with Number() before this node (e.g. in a function node) or fix the data source';
  return BAR_HINT;
}

/** Reads one price from a bar object (or a number payload) at `label` (e.g. "msg.payload[3]"). */
export function barValue(payload: unknown, field: BarField, label: string): number {
  if (typeof payload === 'number') return requireNumber(payload, label, 'send a finite number or a bar');
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new Error(`${label} ${numberProblem(payload) === 'is missing' ? 'is missing' : `is ${payload === null ? 'null' : typeof payload}`}: ${BAR_HINT}, or a number`);
  }
  const bar = payload as Record<string, unknown>;
  switch (field) {
    case 'median':
      return (barNumber(bar, 'high', label) + barNumber(bar, 'low', label)) / 2;
    case 'typical':
      return (barNumber(bar, 'high', label) + barNumber(bar, 'low', label) + barNumber(bar, 'close', label)) / 3;
    case 'weighted':
      return (barNumber(bar, 'high', label) + barNumber(bar, 'low', label) + 2 * barNumber(bar, 'close', label)) / 4;
    case 'ohlc4':
      return (barNumber(bar, 'open', label) + barNumber(bar, 'high', label) + barNumber(bar, 'low', label) + barNumber(bar, 'close', label)) / 4;
    default:
      return barNumber(bar, field, label);
  }
}

/** Reads the OHLCV fields an indicator needs from a bar; the others are left at NaN and never read. */
export function barFields(payload: unknown, fields: readonly OhlcvField[], label: string, indicator: string): OhlcvBar {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    const what = typeof payload === 'number' ? 'a number' : payload === undefined ? 'missing' : payload === null ? 'null' : `a ${typeof payload}`;
    throw new Error(`${label} is ${what}: ${indicator} needs whole bars with ${fields.join(', ')}; ${BAR_HINT}`);
  }
  const bar = payload as Record<string, unknown>;
  const out: OhlcvBar = { open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };
  for (const field of fields) out[field] = barNumber(bar, field, label);
  return out;
}

/**
 * A value read from a message property: a finite number, or null when the property is null (an
 * upstream indicator still warming up). Missing or non-numeric values throw.
 */
export function propertyValue(value: unknown, label: string): number | null {
  if (value === null) return null;
  return requireNumber(value, label, 'point the node at a property that holds a number (or null while warming up)');
}

/**
 * The editor's source fields: a bar field name, or "property" with the property path (or the value a
 * node reads for it from elsewhere, e.g. flow context).
 */
export function readValueSource(source: unknown, property: unknown): ValueSource {
  const field = typeof source === 'string' && source ? source : 'close';
  if (field === 'property') {
    if (property && typeof property === 'object') return { kind: 'property', value: property as MessageValue };
    const path = typeof property === 'string' ? property.trim() : '';
    if (!path) throw new Error('the source is "property" but no property is set: enter one, e.g. "indicators.rsi14"');
    return { kind: 'property', value: messageProperty(parsePath(path, 'source property')) };
  }
  if (!(SOURCE_FIELDS as readonly string[]).includes(field)) throw new Error(`source "${field}" is unknown: use one of ${SOURCE_FIELDS.join(', ')} or "property"`);
  return { kind: 'bar', field: field as BarField };
}
