/**
 * The order journal: an append-only file of JSON lines, one per order decision (its inputs, the limit
 * checks, the order sent or the refusal), order event, fill and commission. Lines are written
 * synchronously before the order leaves, so a crash can lose an order's outcome but never the record
 * that it was sent. Lines are only ever appended; nothing rewrites the file.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tolerant } from '../messages/json-text';

export type JournalEntryType =
  | 'decision'
  | 'cancel'
  | 'order'
  | 'execution'
  | 'halt'
  | 'flatten'
  | 'resume'
  | 'daily-loss'
  | 'reconcile';

export interface JournalEntry {
  /** Epoch ms UTC. */
  time: number;
  type: JournalEntryType;
  [field: string]: unknown;
}

/** The default journal file: in the Node-RED user directory. */
export function defaultJournalPath(userDir: string | undefined): string {
  return join(userDir || process.cwd(), 'ib-algo-journal.jsonl');
}

export class Journal {
  private fd: number | null = null;
  private readonly pending: string[] = [];
  private flushScheduled = false;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Opens the file now (creating its directory), so the first order does not pay for it: on the order
   * path every system call counts, and creating a directory and opening a file take several. Throws
   * when the file cannot be opened; append() tries again and refuses the order if it still cannot.
   */
  prepare(): void {
    this.open();
  }

  /**
   * Appends one line. Throws when the file cannot be written: callers that are about to send an order
   * must not send it unrecorded.
   */
  append(type: JournalEntryType, fields: Record<string, unknown>): JournalEntry {
    const entry: JournalEntry = { time: this.clock(), type, ...fields };
    const line = `${toJsonLine(entry)}\n`;
    // Lines queued by appendSoon() were written first in time: keep the file in that order.
    const pending = this.takePending();
    writeSync(this.open(), pending + line);
    return entry;
  }

  /**
   * The line append() would write for these fields now, not written: the order path's dry run
   * (Broker.keepWarm) makes it so that the writing of a decision is not the first in a while.
   */
  lineOf(type: JournalEntryType, fields: Record<string, unknown>): string {
    return `${toJsonLine({ time: this.clock(), type, ...fields })}\n`;
  }

  /**
   * Appends one line within the current turn of the event loop, batched with its neighbours into one
   * write: for events after the fact (order status, fills), which must not slow the order path.
   * Failures are swallowed (the event already happened; the decision lines are the ones that block).
   */
  appendSoon(type: JournalEntryType, fields: Record<string, unknown>): void {
    if (this.closed) return;
    this.pending.push(`${toJsonLine({ time: this.clock(), type, ...fields })}\n`);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes lines queued by appendSoon() now. */
  flush(): void {
    this.flushScheduled = false;
    const pending = this.takePending();
    if (!pending) return;
    try {
      writeSync(this.open(), pending);
    } catch {
      // See appendSoon(): an event line lost to a full disk must not break the order flow.
    }
  }

  private takePending(): string {
    if (this.pending.length === 0) return '';
    const text = this.pending.join('');
    this.pending.length = 0;
    return text;
  }

  close(): void {
    this.flush();
    this.closed = true;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed: nothing to release.
      }
      this.fd = null;
    }
  }

  private open(): number {
    if (this.fd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    }
    return this.fd;
  }
}

/**
 * Reads the last `maxBytes` of a journal (whole lines only; a torn last line from a crash is skipped).
 * Returns [] when the file does not exist.
 */
export function readJournal(path: string, maxBytes = 16 * 1024 * 1024): JournalEntry[] {
  if (!existsSync(path)) return [];
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // began mid-line
    const entries: JournalEntry[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as JournalEntry;
        if (entry && typeof entry === 'object' && typeof entry.type === 'string') entries.push(entry);
      } catch {
        // A torn line (crash mid-write): skip it, the rest is intact.
      }
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/**
 * What a restart needs from past entries: orders already sent per dedup key, the highest order id, and
 * the locks still on (a kill switch not yet resumed, the daily-loss lock of a session day).
 */
export interface JournalMemory {
  sentByDedupKey: Map<string, number>;
  maxOrderId: number;
  /** The kill switch pulled and not yet resumed: its reason and when. */
  halt?: { reason: string; time: number } | null;
  /** The daily-loss lock not yet reset: its session day (YYYY-MM-DD in the exchange's zone) and reason. */
  dailyLossLock?: { session: string; reason: string; time: number } | null;
}

export function emptyMemory(): JournalMemory {
  return { sentByDedupKey: new Map(), maxOrderId: 0, halt: null, dailyLossLock: null };
}

export function rememberFromJournal(entries: JournalEntry[]): JournalMemory {
  const memory = emptyMemory();
  for (const entry of entries) {
    const orderId = typeof entry.orderId === 'number' ? entry.orderId : null;
    if (orderId !== null && orderId > memory.maxOrderId) memory.maxOrderId = orderId;
    if (entry.type === 'decision' && entry.result === 'sent' && typeof entry.dedupKey === 'string' && orderId !== null) {
      memory.sentByDedupKey.set(entry.dedupKey, orderId);
    } else if (entry.type === 'halt') {
      memory.halt = { reason: typeof entry.reason === 'string' && entry.reason ? entry.reason : 'kill switch', time: entry.time };
    } else if (entry.type === 'daily-loss') {
      const session = (entry.state as { session?: unknown } | undefined)?.session;
      if (typeof session === 'string' && typeof entry.reason === 'string') memory.dailyLossLock = { session, reason: entry.reason, time: entry.time };
    } else if (entry.type === 'resume') {
      // msg.resume lifts both (see GuardedBroker.resume).
      memory.halt = null;
      memory.dailyLossLock = null;
    }
  }
  return memory;
}

/**
 * One entry as JSON, NaN and Infinity written as strings. A replacer takes JSON.stringify off its
 * native fast path (a call back into JavaScript per field, on an order path too cold to be optimized),
 * so it is used only when the plain text has a null, the only place a non-finite number can show:
 * without one, both texts are the same.
 */
function toJsonLine(entry: Record<string, unknown>): string {
  let plain: string;
  try {
    plain = JSON.stringify(entry);
  } catch {
    // A BigInt or a loop in a message's fields must not stop the line (nor the order it records).
    return JSON.stringify(entry, tolerant(jsonSafe));
  }
  return plain.includes('null') ? JSON.stringify(entry, jsonSafe) : plain;
}

/** NaN and Infinity are not JSON: keep them visible as strings rather than silently null. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
