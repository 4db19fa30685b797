/**
 * The simulator's heartbeat: one timer that produces `ticksPerSecond` evenly spaced instants per
 * second and hands each to the streaming subscriptions (quotes, tick-by-tick, depth) and feeds the fill
 * engine. Above 200 ticks/s a timer turn carries several instants, so high rates do not depend on timer
 * resolution. Idle (no subscriber, nothing to fill) it only feeds the engine.
 */
import type { SimContext } from './context';
import { service } from './context';

export type TickListener = (time: number) => void;

const MIN_INTERVAL_MS = 5;
const ENGINE_FEED_MS = 100;

export class MarketClock {
  private readonly listeners = new Set<TickListener>();
  private timer: NodeJS.Timeout | undefined;
  private started = 0;
  private ticksDone = 0;
  private lastEngineFeed = 0;
  private readonly intervalMs: number;

  constructor(private readonly context: SimContext) {
    this.intervalMs = Math.max(MIN_INTERVAL_MS, 1000 / context.options.ticksPerSecond);
    context.onStop(() => this.stop());
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: TickListener): () => void {
    this.listeners.add(listener);
    this.ensureRunning();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Feeds every instrument's current quote to every account's fill engine (also right after an order arrives). */
  feedEngine(time = this.context.now()): void {
    const { market, engines } = this.context;
    for (const instrument of market.universe.traded()) {
      if (!instrument.tradable) continue;
      const quote = market.quote(instrument, time);
      const tick = { time, bid: quote.bid, ask: quote.ask, last: Number.isNaN(quote.last) ? 0 : quote.last };
      for (const engine of engines.values()) engine.onQuote(instrument.key, tick);
    }
    this.lastEngineFeed = time;
  }

  ensureRunning(): void {
    if (this.timer) return;
    this.started = this.context.now();
    this.ticksDone = 0;
    this.timer = setInterval(() => this.turn(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private turn(): void {
    const now = this.context.now();
    const rate = this.context.options.ticksPerSecond;
    // ticksPerSecond counts wall seconds: a faster market clock spaces the instants further apart.
    const spacing = (1000 * this.context.options.clockSpeed) / rate;
    const due = Math.floor((now - this.started) / spacing);
    let count = due - this.ticksDone;
    // After a stall (debugger, overloaded machine) do not replay a flood of old ticks.
    if (count > rate) {
      this.ticksDone = due - rate;
      count = rate;
    }
    if (count > 0 && this.listeners.size > 0) {
      for (let i = count - 1; i >= 0; i--) {
        // Fractional milliseconds: at high rates several ticks share a millisecond but not an instant.
        const time = now - i * spacing;
        for (const listener of this.listeners) {
          try {
            listener(time);
          } catch (error) {
            this.context.log(`tick listener failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
          }
        }
      }
    }
    this.ticksDone = due;
    if (now - this.lastEngineFeed >= ENGINE_FEED_MS) {
      try {
        this.feedEngine(now);
      } catch (error) {
        this.context.log(`engine feed failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      }
    }
  }
}

export function marketClock(context: SimContext): MarketClock {
  return service(context, 'market-clock', () => new MarketClock(context));
}
