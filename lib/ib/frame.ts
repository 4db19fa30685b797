/**
 * The bytes of one API message as TWS reads it (protocol v100+): a 4-byte big-endian length, the
 * fields joined by NUL, a closing NUL. The same bytes @stoqey/ib's socket writes (test/wire/frame.test.ts
 * compares them for every order shape), made with one string join and one buffer: its own send spreads
 * the message into a JavaScript array of numbers three times over (UTF-8 bytes, then length prefix and
 * bytes, then a Uint8Array), a few hundred microseconds for a placeOrder on a path too cold to be
 * optimised.
 */

/**
 * The fields of an encoded message as they go on the wire: nested arrays (the encoder's groups) laid
 * flat, booleans (also boxed ones) as 1 and 0, as @stoqey/ib writes them.
 */
export function wireFields(tokens: readonly unknown[], out: unknown[] = []): unknown[] {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (Array.isArray(t)) wireFields(t, out);
    else out.push(t === true || t === false || t instanceof Boolean ? (t.valueOf() ? 1 : 0) : t);
  }
  return out;
}

/**
 * A framed message of flat fields (no nested arrays, booleans already 1/0): undefined and null are
 * written as empty fields, numbers as String(n) writes them (Array.prototype.join's rules).
 */
export function frameMessage(fields: readonly unknown[]): { bytes: Buffer; text: string } {
  const text = fields.join('\u0000');
  const length = Buffer.byteLength(text, 'utf8');
  const bytes = Buffer.allocUnsafe(length + 5);
  bytes.writeUInt32BE(length + 1, 0);
  bytes.write(text, 4, length, 'utf8');
  bytes[length + 4] = 0;
  return { bytes, text };
}
