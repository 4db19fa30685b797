/**
 * Reading and writing message properties by path ("payload.close", "indicators.sma20", "a.b.0"),
 * the way the strategy nodes name their inputs and outputs. Plain objects only: lib never sees
 * Node-RED, and these paths are validated when a node is configured.
 */

const SEGMENT = /^(?:[A-Za-z_$][\w$-]*|\d+)$/;

/** Splits and validates a property path; throws a message that says what is wrong with it. */
export function parsePath(path: string, what: string): string[] {
  const trimmed = String(path ?? '').trim().replace(/^msg\./, '');
  const segments = trimmed.split('.');
  if (!trimmed || segments.some((s) => !SEGMENT.test(s))) {
    throw new Error(`${what} "${path}" is not a message property path: use dots between names, e.g. "indicators.sma20"`);
  }
  return segments;
}

export function getPath(msg: unknown, segments: readonly string[]): unknown {
  let value: unknown = msg;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Sets a property, creating plain objects on the way (never overwriting a non-object silently). */
export function setPath(msg: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let target: Record<string, unknown> = msg;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = target[segments[i]];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      target[segments[i]] = created;
      target = created;
    } else if (typeof next === 'object') {
      target = next as Record<string, unknown>;
    } else {
      throw new Error(`cannot write msg.${segments.join('.')}: msg.${segments.slice(0, i + 1).join('.')} is a ${typeof next}, not an object; choose another output property`);
    }
  }
  target[segments[segments.length - 1]] = value;
}

export function pathLabel(segments: readonly string[]): string {
  return `msg.${segments.join('.')}`;
}

/**
 * A value a node reads from each message, and what to call it in an error: a message property, or
 * anything else the node can evaluate per message (a node's editor may point a setting at flow or
 * global context or an environment variable; lib only sees the reader).
 */
export interface MessageValue {
  /** The name errors use, e.g. "msg.indicators.sma20" or "flow.level". */
  readonly label: string;
  read(msg: unknown): unknown;
}

/** The message property at `segments`, as a MessageValue. */
export function messageProperty(segments: readonly string[]): MessageValue {
  return { label: pathLabel(segments), read: (msg) => getPath(msg, segments) };
}

/** A message property path (as most callers name one) or any MessageValue, as a MessageValue. */
export function asMessageValue(value: readonly string[] | MessageValue): MessageValue {
  return isPath(value) ? messageProperty(value) : value;
}

function isPath(value: readonly string[] | MessageValue): value is readonly string[] {
  return Array.isArray(value);
}
