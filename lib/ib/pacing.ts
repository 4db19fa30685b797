/**
 * A queue that holds historical-data requests until IB's pacing rules allow them, so TWS never answers
 * with a pacing violation (error 162): at most 50 open requests; no identical request within 15 s; at
 * most 5 requests for the same contract, exchange and data type within 2 s; at most 60 requests in any
 * 10 minutes for bars of 30 s or less. Requests that are blocked by a per-contract rule do not hold up
 * requests for other contracts. One queue per TWS session (see pacingQueueFor).
 *
 * TWS times a request when it arrives, not when this queue lets it go: @stoqey/ib throttles its own
 * writes (a FIFO drained by timers, 40 messages/s by default), so a released request can sit in the
 * client for a second or more on a busy machine. Every window is therefore measured from when the
 * request reached the socket (the task reports it through `sent`), and a request released but not yet
 * sent counts as arriving at any moment from now on: it fills its windows and nothing that would need
 * it to be older may start until it has left.
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
 * IB's published limits, with a margin on every window for what lies between our socket write and
 * TWS's clock: the network, and TWS (or the simulator) reading its socket late when it is busy.
 */
export const IB_HISTORICAL_PACING: PacingRules = {
  maxOpen: 50,
  identicalGapMs: 15_000 + 1_000,
  sameContractWindowMs: 2_000 + 1_000,
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
  request: PacedRequest;
  /** When the request reached the socket; Infinity while it has not (it may arrive any time later). */
  time: number;
}

interface Waiting {
  request: PacedRequest;
  start: (record: Start) => void;
}

/**
 * What a paced task calls once its request has been written to the socket (IBApi's 'sent' event). A
 * task that never calls it counts as sent when its promise settles.
 */
export type MarkSent = () => void;

export class PacingAbortedError extends Error {
  override name = 'PacingAbortedError';
}

export class PacingQueue {
  private readonly waiting: Waiting[] = [];
  private readonly starts: Start[] = [];
  private openCount = 0;
  private timer: unknown = null;
  private timerAt = Infinity;
  private pumping = false;
  private pumpAgain = false;

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
   * Runs `task` once the rules allow `request`, and counts it open until its promise settles. The task
   * calls `sent` when its request has left through the socket; the rules' windows count from then.
   * Rejects with PacingAbortedError if `signal` aborts while it still waits.
   */
  run<T>(request: PacedRequest, task: (sent: MarkSent) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new PacingAbortedError('request cancelled before it was sent'));
        return;
      }
      const entry: Waiting = {
        request,
        start: (record) => {
          signal?.removeEventListener('abort', onAbort);
          this.openCount++;
          const sent = () => this.markSent(record);
          let result: Promise<T>;
          try {
            result = task(sent);
          } catch (err) {
            result = Promise.reject(err);
          }
          result.then(
            (value) => this.finish(record, () => resolve(value)),
            (err) => this.finish(record, () => reject(err)),
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

  /** The request left through the socket now: its windows start, and what waited for it may go. */
  private markSent(record: Start): void {
    if (record.time !== Infinity) return;
    record.time = this.clock.now();
    this.pump();
  }

  private finish(record: Start, settle: () => void): void {
    this.openCount--;
    // Answered or failed without a word about its write: it went out at the latest now.
    if (record.time === Infinity) record.time = this.clock.now();
    settle();
    this.pump();
  }

  /** Starts every waiting request the rules allow now, and sets a timer for the next one. */
  private pump(): void {
    // A task may report its write synchronously, from inside the loop below: go round once more then.
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    const now = this.clock.now();
    this.prune(now);
    let earliest = Infinity;
    for (let i = 0; i < this.waiting.length && this.openCount < this.rules.maxOpen; ) {
      const entry = this.waiting[i];
      const readyAt = this.readyAt(entry.request, now);
      if (readyAt <= now) {
        this.waiting.splice(i, 1);
        const record: Start = { request: entry.request, time: Infinity };
        this.starts.push(record);
        entry.start(record);
      } else {
        earliest = Math.min(earliest, readyAt);
        i++;
      }
    }
    // When the open limit blocks, finish() pumps again; when a request not yet sent blocks (readyAt
    // Infinity), its write pumps again; otherwise wake at the earliest allowed time.
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

  /**
   * The earliest time `request` may start given the requests started so far (sent ones at their write
   * time, the others at Infinity); Infinity when it must wait for a write.
   */
  private readyAt(request: PacedRequest, now: number): number {
    let at = now;
    const sameContract: number[] = [];
    const small: number[] = [];
    for (const s of this.starts) {
      if (s.request.identity === request.identity) at = Math.max(at, s.time + this.rules.identicalGapMs);
      if (s.request.contractKey === request.contractKey && s.time > now - this.rules.sameContractWindowMs) sameContract.push(s.time);
      if (request.smallBars && s.request.smallBars && s.time > now - this.rules.smallBarWindowMs) small.push(s.time);
    }
    // With n allowed per window, the next may start once the n-th most recent write leaves the window.
    // Writes need not come in the order of release (another client's throttle, a retry), so sort.
    if (sameContract.length >= this.rules.sameContractMax) {
      sameContract.sort((a, b) => a - b);
      at = Math.max(at, sameContract[sameContract.length - this.rules.sameContractMax] + this.rules.sameContractWindowMs);
    }
    if (small.length >= this.rules.smallBarMax) {
      small.sort((a, b) => a - b);
      at = Math.max(at, small[small.length - this.rules.smallBarMax] + this.rules.smallBarWindowMs);
    }
    return at;
  }

  /** Forgets writes older than every window (requests not yet written stay). */
  private prune(now: number): void {
    const keep = Math.max(this.rules.identicalGapMs, this.rules.sameContractWindowMs, this.rules.smallBarWindowMs);
    let kept = 0;
    for (const s of this.starts) if (s.time > now - keep) this.starts[kept++] = s;
    this.starts.length = kept;
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
