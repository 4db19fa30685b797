/**
 * A queue that holds historical-data requests until IB's pacing rules allow them, so TWS never answers
 * with a pacing violation (error 162): at most 50 open requests; no identical request within 15 s; at
 * most 5 requests for the same contract, exchange and data type within 2 s; at most 60 requests in any
 * 10 minutes for bars of 30 s or less. Requests that are blocked by a per-contract rule do not hold up
 * requests for other contracts. One queue per TWS session (see pacingQueueFor).
 */

export interface PacingRules {
  maxOpen: number;
  identicalGapMs: number;
  sameContractWindowMs: number;
  sameContractMax: number;
  smallBarWindowMs: number;
  smallBarMax: number;
}

/**
 * IB's published limits, with a margin on every window: the client's own send throttle can delay a
 * request a little after the queue released it, and TWS measures on arrival.
 */
export const IB_HISTORICAL_PACING: PacingRules = {
  maxOpen: 50,
  identicalGapMs: 15_000 + 500,
  sameContractWindowMs: 2_000 + 300,
  sameContractMax: 5,
  smallBarWindowMs: 600_000 + 1_000,
  smallBarMax: 60,
};

/** What the rules look at in a request. */
export interface PacedRequest {
  /** Everything that makes two requests identical (contract, end, duration, bar size, type, RTH). */
  identity: string;
  /** Contract + exchange + data type. */
  contractKey: string;
  /** Bars of 30 s or less. */
  smallBars: boolean;
}

export interface PacingClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: PacingClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Start {
  time: number;
  request: PacedRequest;
}

interface Waiting {
  request: PacedRequest;
  start: () => void;
}

export class PacingAbortedError extends Error {
  override name = 'PacingAbortedError';
}

export class PacingQueue {
  private readonly waiting: Waiting[] = [];
  private readonly starts: Start[] = [];
  private openCount = 0;
  private timer: unknown = null;
  private timerAt = Infinity;

  constructor(
    private readonly rules: PacingRules = IB_HISTORICAL_PACING,
    private readonly clock: PacingClock = systemClock,
  ) {}

  /** Requests waiting for their turn. */
  pending(): number {
    return this.waiting.length;
  }

  /** Requests started and not yet finished. */
  open(): number {
    return this.openCount;
  }

  /**
   * Runs `task` once the rules allow `request`, and counts it open until its promise settles. Rejects
   * with PacingAbortedError if `signal` aborts while it still waits.
   */
  run<T>(request: PacedRequest, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new PacingAbortedError('request cancelled before it was sent'));
        return;
      }
      const entry: Waiting = {
        request,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.openCount++;
          let result: Promise<T>;
          try {
            result = task();
          } catch (err) {
            result = Promise.reject(err);
          }
          result.then(
            (value) => this.finish(() => resolve(value)),
            (err) => this.finish(() => reject(err)),
          );
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) {
          this.waiting.splice(index, 1);
          reject(new PacingAbortedError('request cancelled before it was sent'));
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.pump();
    });
  }

  private finish(settle: () => void): void {
    this.openCount--;
    settle();
    this.pump();
  }

  /** Starts every waiting request the rules allow now, and sets a timer for the next one. */
  private pump(): void {
    const now = this.clock.now();
    this.prune(now);
    let earliest = Infinity;
    for (let i = 0; i < this.waiting.length && this.openCount < this.rules.maxOpen; ) {
      const entry = this.waiting[i];
      const readyAt = this.readyAt(entry.request, now);
      if (readyAt <= now) {
        this.waiting.splice(i, 1);
        this.starts.push({ time: now, request: entry.request });
        entry.start();
      } else {
        earliest = Math.min(earliest, readyAt);
        i++;
      }
    }
    // When the open limit blocks, finish() pumps again; otherwise wake at the earliest allowed time.
    if (earliest < Infinity && this.openCount < this.rules.maxOpen) this.wakeAt(earliest, now);
  }

  private wakeAt(at: number, now: number): void {
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(1, at - now));
  }

  /** The earliest time `request` may start given the requests started so far. */
  private readyAt(request: PacedRequest, now: number): number {
    let at = now;
    const sameContract: number[] = [];
    const small: number[] = [];
    for (const s of this.starts) {
      if (s.request.identity === request.identity) at = Math.max(at, s.time + this.rules.identicalGapMs);
      if (s.request.contractKey === request.contractKey && s.time > now - this.rules.sameContractWindowMs) sameContract.push(s.time);
      if (request.smallBars && s.request.smallBars && s.time > now - this.rules.smallBarWindowMs) small.push(s.time);
    }
    // With n allowed per window, the next may start once the n-th most recent start leaves the window.
    if (sameContract.length >= this.rules.sameContractMax) {
      at = Math.max(at, sameContract[sameContract.length - this.rules.sameContractMax] + this.rules.sameContractWindowMs);
    }
    if (small.length >= this.rules.smallBarMax) {
      at = Math.max(at, small[small.length - this.rules.smallBarMax] + this.rules.smallBarWindowMs);
    }
    return at;
  }

  private prune(now: number): void {
    const keep = Math.max(this.rules.identicalGapMs, this.rules.sameContractWindowMs, this.rules.smallBarWindowMs);
    let drop = 0;
    while (drop < this.starts.length && this.starts[drop].time <= now - keep) drop++;
    if (drop) this.starts.splice(0, drop);
  }

  /** Stops the wake-up timer (waiting requests stay queued; they start on the next run or finish). */
  close(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }
}

const queues = new WeakMap<object, PacingQueue>();

/** The one pacing queue of a TWS session (all historical-bars nodes on a connection share it). */
export function pacingQueueFor(session: object): PacingQueue {
  let queue = queues.get(session);
  if (!queue) {
    queue = new PacingQueue();
    queues.set(session, queue);
  }
  return queue;
}
