/**
 * The replay clock of a tws or simulator connection: history replayed there (to warm indicators up
 * before live data takes over) is paced by the flow like a backtest's, but fills nothing and marks no
 * account. It keeps the run's bookkeeping (sources, bars) and emits the same events, so a replaying
 * source runs the same loop on every connection.
 */
import type { Bar, InstrumentKey } from '../messages';
import { TypedEventEmitter } from '../messages/events';
import type { BacktestEvents, BacktestOptions, BacktestSummary } from '../backtest/types';
import type { ReplayClock } from './types';
import { TimeMerge } from '../backtest/time-merge';
import { BatchSources } from '../backtest/batch-sources';

/** What a batch backtest starts from when its connection has no backtest settings of its own. */
export const DEFAULT_BACKTEST_OPTIONS: Readonly<BacktestOptions> = Object.freeze({ startingCash: 100_000, commission: 'none', fillAt: 'next-open' });

export class PacingClock implements ReplayClock {
  readonly fillsOrders = false;
  readonly options: BacktestOptions = { ...DEFAULT_BACKTEST_OPTIONS };
  readonly batchSources = new BatchSources();
  private readonly events = new TypedEventEmitter<BacktestEvents>();
  private readonly sources = new Set<string>();
  /** History replayed by several sources here is one time-ordered stream too. */
  private readonly clock = new TimeMerge((key, bar) => this.onBar(key, bar));
  private barsFed = 0;
  private totalBars: number | null = 0;
  private barListeners = 0;

  constructor(private readonly modeName: string) {}

  begin(sourceId: string, key: InstrumentKey, totalBars: number | null): void {
    if (this.sources.size === 0) {
      this.barsFed = 0;
      this.totalBars = 0;
    }
    this.sources.add(sourceId);
    this.clock.join(sourceId);
    this.totalBars = this.totalBars === null || totalBars === null ? null : this.totalBars + totalBars;
    this.events.emit('start', { sourceId, key, totalBars });
  }

  hold(sourceId: string): void {
    this.clock.join(sourceId);
  }

  offer(sourceId: string, key: InstrumentKey, bar: Bar, deliver: () => Promise<void>): Promise<void> {
    return this.clock.offer(sourceId, key, bar, deliver);
  }

  onBar(key: InstrumentKey, bar: Bar): void {
    this.barsFed++;
    // No account is marked on a replay here: equity is NaN.
    if (this.barListeners > 0) this.events.emit('bar', key, bar, Number.NaN);
  }

  end(sourceId: string): void {
    this.clock.leave(sourceId);
    if (!this.sources.delete(sourceId) || this.sources.size > 0) return;
    this.events.emit('end');
  }

  running(): boolean {
    return this.sources.size > 0;
  }

  barsDone(): number {
    return this.barsFed;
  }

  expectedBars(): number | null {
    return this.totalBars;
  }

  summary(): BacktestSummary {
    throw new Error(`a ${this.modeName} connection replays history without fills: there is no backtest to sum up; use a backtest connection to backtest`);
  }

  on<E extends keyof BacktestEvents>(event: E, listener: BacktestEvents[E]): this {
    this.events.on(event, listener);
    this.barListeners = this.events.listenerCount('bar');
    return this;
  }

  off<E extends keyof BacktestEvents>(event: E, listener: BacktestEvents[E]): this {
    this.events.off(event, listener);
    this.barListeners = this.events.listenerCount('bar');
    return this;
  }
}
