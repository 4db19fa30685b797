/**
 * Per-instrument send throttle: at most one message per `intervalMs` per key, and never a lost last
 * word: the newest value waiting when the interval ends is sent then (trailing edge). With an interval
 * of 0 every value passes straight through, synchronously.
 */

export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface KeyState<T> {
  lastSent: number;
  pending: T | undefined;
  hasPending: boolean;
  timer: unknown;
}

export class KeyedThrottle<T> {
  private readonly keys = new Map<string, KeyState<T>>();
  /** Values replaced by a newer one before they could be sent. */
  coalesced = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (key: string, value: T) => void,
    private readonly clock: ThrottleClock = systemClock,
  ) {}

  push(key: string, value: T): void {
    if (this.intervalMs <= 0) {
      this.emit(key, value);
      return;
    }
    let state = this.keys.get(key);
    if (!state) {
      state = { lastSent: -Infinity, pending: undefined, hasPending: false, timer: null };
      this.keys.set(key, state);
    }
    const now = this.clock.now();
    if (state.timer === null && now - state.lastSent >= this.intervalMs) {
      state.lastSent = now;
      this.emit(key, value);
      return;
    }
    if (state.hasPending) this.coalesced++;
    state.pending = value;
    state.hasPending = true;
    if (state.timer === null) {
      const wait = Math.max(0, state.lastSent + this.intervalMs - now);
      const s = state;
      s.timer = this.clock.setTimeout(() => this.flushKey(key, s), wait);
    }
  }

  private flushKey(key: string, state: KeyState<T>): void {
    state.timer = null;
    if (!state.hasPending) return;
    const value = state.pending as T;
    state.pending = undefined;
    state.hasPending = false;
    state.lastSent = this.clock.now();
    this.emit(key, value);
  }

  /** Forgets a key (its pending value is dropped): for an instrument that was unsubscribed. */
  forget(key: string): void {
    const state = this.keys.get(key);
    if (state && state.timer !== null) this.clock.clearTimeout(state.timer);
    this.keys.delete(key);
  }

  /** Stops every timer; pending values are dropped. */
  close(): void {
    for (const key of [...this.keys.keys()]) this.forget(key);
  }
}
