/**
 * TWS's V100+ framing, server side. A client first sends `API\0`, a 4-byte big-endian length and the
 * version range `v100..193`; after that every frame, both ways, is a 4-byte big-endian length followed
 * by UTF-8 fields each terminated by `\0` (the length counts the last `\0`).
 */

/** @stoqey/ib refuses frames larger than this; the simulator does the same with clients. */
export const MAX_FRAME_LENGTH = 0xffffff;

const API_PREFIX = Buffer.from('API\0', 'latin1');

/** A problem with what a client sent; the connection cannot continue after one. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export interface VersionRange {
  min: number;
  max: number;
  /** Anything after the range (IB-internal connect options), kept for logging. */
  options: string;
}

/** Parses `v100..193` (or a single `v176`) as sent in the handshake. */
export function parseVersionRange(text: string): VersionRange {
  const match = /^v(\d+)(?:\.\.(\d+))?(?:\s+(.*))?$/s.exec(text);
  if (!match) throw new FrameError(`handshake: expected a version range like "v100..193", got ${JSON.stringify(text.slice(0, 40))}`);
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (min > max) throw new FrameError(`handshake: version range ${text} is empty`);
  return { min, max, options: match[3] ?? '' };
}

/** Encodes one frame: the fields joined by `\0`, a trailing `\0`, and the length prefix. */
export function encodeFrame(fields: ReadonlyArray<string | number>): Buffer {
  let text = '';
  for (const field of fields) text += `${field}\0`;
  const length = Buffer.byteLength(text, 'utf8');
  const frame = Buffer.allocUnsafe(4 + length);
  frame.writeUInt32BE(length, 0);
  frame.write(text, 4, 'utf8');
  return frame;
}

export type FrameEvent =
  | { kind: 'handshake'; range: VersionRange }
  | { kind: 'message'; fields: string[] }
  /** The stream broke the protocol here; nothing after it is read. */
  | { kind: 'error'; error: FrameError };

/**
 * Splits the byte stream of one client into the handshake and then messages. Throws FrameError on
 * anything that is not the protocol; the caller closes the connection then.
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private handshakeDone = false;

  private broken = false;

  /**
   * Feeds bytes; returns every complete event they finish, in order. A protocol violation ends the list
   * with an 'error' event (the events before it are still good) and the reader reads nothing more.
   */
  push(chunk: Buffer): FrameEvent[] {
    if (this.broken) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: FrameEvent[] = [];
    try {
      this.drain(events);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.broken = true;
      this.buffer = Buffer.alloc(0);
      events.push({ kind: 'error', error });
    }
    return events;
  }

  private drain(events: FrameEvent[]): void {
    for (;;) {
      if (!this.handshakeDone) {
        if (this.buffer.length < API_PREFIX.length) {
          this.checkPrefixSoFar();
          return;
        }
        this.checkPrefixSoFar();
        const body = this.takeFrame(API_PREFIX.length);
        if (!body) return;
        this.handshakeDone = true;
        events.push({ kind: 'handshake', range: parseVersionRange(body.toString('utf8')) });
        continue;
      }
      const body = this.takeFrame(0);
      if (!body) return;
      events.push({ kind: 'message', fields: splitFields(body) });
    }
  }

  private checkPrefixSoFar(): void {
    const n = Math.min(this.buffer.length, API_PREFIX.length);
    if (!this.buffer.subarray(0, n).equals(API_PREFIX.subarray(0, n))) {
      throw new FrameError(`handshake: expected "API\\0" first, got bytes ${this.buffer.subarray(0, n).toString('hex')}`);
    }
  }

  /** Takes the length-prefixed frame starting at `offset`, or null when not all of it has arrived. */
  private takeFrame(offset: number): Buffer | null {
    if (this.buffer.length < offset + 4) return null;
    const length = this.buffer.readUInt32BE(offset);
    if (length === 0) throw new FrameError('empty frame (length 0)');
    if (length > MAX_FRAME_LENGTH) throw new FrameError(`frame length ${length} exceeds the maximum ${MAX_FRAME_LENGTH}`);
    const end = offset + 4 + length;
    if (this.buffer.length < end) return null;
    const body = this.buffer.subarray(offset + 4, end);
    this.buffer = this.buffer.subarray(end);
    return body;
  }
}

/** Splits a message body into fields; the body must end with `\0`. */
function splitFields(body: Buffer): string[] {
  if (body[body.length - 1] !== 0) {
    throw new FrameError(`frame does not end with a \\0 field terminator (${body.length} bytes)`);
  }
  const text = body.toString('utf8', 0, body.length - 1);
  return text.split('\0');
}
