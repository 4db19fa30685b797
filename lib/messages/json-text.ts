/**
 * JSON.stringify for messages that quote a user's value (errors, journal lines): the same text for
 * anything JSON can write, and never a throw for what it cannot (a BigInt is written as "10n", a loop
 * as "[circular]"), so a malformed msg gets an error that says what was wrong with it.
 */
export function jsonText(value: unknown): string {
  try {
    return String(JSON.stringify(value));
  } catch {
    return String(JSON.stringify(value, tolerant()));
  }
}

/**
 * A replacer that writes BigInts and cuts loops (each object is checked against its ancestors), after
 * `transform` if given (which may return a copy, e.g. with sorted keys).
 */
export function tolerant(transform?: (key: string, value: unknown) => unknown): (this: unknown, key: string, value: unknown) => unknown {
  // The chain from the root to the object being written: each as given and as written.
  const chain: Array<{ given: unknown; written: unknown }> = [];
  return function (this: unknown, key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return `${value}n`;
    if (!value || typeof value !== 'object') return transform ? transform(key, value) : value;
    while (chain.length > 0 && chain[chain.length - 1].written !== this) chain.pop();
    if (chain.some((link) => link.given === value)) return '[circular]';
    const written = transform ? transform(key, value) : value;
    chain.push({ given: value, written });
    return written;
  };
}
