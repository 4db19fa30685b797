/**
 * Several instruments' batches on one connection make one portfolio backtest, as several replays make
 * one clock, with no join node between. A source that sends all its bars in one message (historical-bars
 * with "all bars" or "columns" output) announces itself here when it starts loading, names the
 * instrument when its message leaves, or says why it failed. A report collecting the batches that reach
 * it (each instrument's arrays, annotated on their way by indicators and a sizer) asks `settle` whether
 * what it holds is the whole portfolio: once every announced source has sent and each sent instrument is
 * in hand, the round is complete and closes; a later announcement opens the next one.
 *
 * A batch no announced source made (bars built by a function node, or a report without a connection) is
 * a portfolio of its own: with no round open it runs as it comes. A source that failed fails the whole
 * round (a portfolio missing an instrument is not the portfolio asked for), once every part the others
 * sent has arrived, so none of them starts a round of its own afterwards.
 */
import type { InstrumentKey } from '../messages';

type SourceState = { state: 'loading' } | { state: 'sent'; key: InstrumentKey } | { state: 'failed'; message: string };

/** What the parts a report holds make of the round. */
export type BatchVerdict =
  /** Run them: the round is whole (or none is open). The round is closed. */
  | { kind: 'complete' }
  /** Keep them and wait: `text` says for what ("1 of 3 instruments in, waiting for BBB, CCC"). */
  | { kind: 'waiting'; text: string }
  /** A source of the round failed: drop the parts; `message` says which and why. The round is closed. */
  | { kind: 'failed'; message: string };

export class BatchSources {
  /** The open round's sources, in the order they announced. */
  private readonly sources = new Map<string, SourceState>();
  private readonly listeners = new Set<() => void>();

  /** A source starts loading its bars (again: its earlier batch, if any, is replaced). */
  announce(sourceId: string): void {
    this.sources.set(sourceId, { state: 'loading' });
  }

  /** The source's batch leaves, of instrument `key` (the message's topic). */
  sent(sourceId: string, key: InstrumentKey): void {
    if (!this.sources.has(sourceId)) return;
    this.sources.set(sourceId, { state: 'sent', key });
    this.changed();
  }

  /** The source could not make its batch; `message` says why. */
  failed(sourceId: string, message: string): void {
    if (!this.sources.has(sourceId)) return;
    this.sources.set(sourceId, { state: 'failed', message });
    this.changed();
  }

  /** A source is gone (its node closed): the round no longer waits for it. */
  withdraw(sourceId: string): void {
    if (this.sources.delete(sourceId)) this.changed();
  }

  /** Whether a round is open (some source announced and the round has not closed). */
  open(): boolean {
    return this.sources.size > 0;
  }

  /**
   * What the instruments in hand make of the open round. Complete and failed close the round (a later
   * announcement opens the next); with no round open, whatever is in hand is complete.
   */
  settle(inHand: ReadonlySet<InstrumentKey>): BatchVerdict {
    const missing: string[] = [];
    let loading = 0;
    let arrived = 0;
    let failure: string | null = null;
    for (const s of this.sources.values()) {
      if (s.state === 'loading') loading++;
      else if (s.state === 'failed') failure ??= s.message;
      else if (inHand.has(s.key)) arrived++;
      else missing.push(s.key);
    }
    if (loading > 0 || missing.length > 0) {
      const waitingFor = loading > 0 ? [...missing, `${loading} still loading`] : missing;
      return { kind: 'waiting', text: `${arrived} of ${this.sources.size} instruments in, waiting for ${waitingFor.join(', ')}` };
    }
    this.sources.clear();
    return failure === null ? { kind: 'complete' } : { kind: 'failed', message: failure };
  }

  /** Calls `listener` when a source sent, failed or withdrew (a report may then settle); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** What a report does with the parts it was handed: run these, wait, or drop them for a failure. */
export type GatheredBatch<T> = { kind: 'complete'; parts: T[] } | { kind: 'waiting'; text: string } | { kind: 'failed'; message: string };

/**
 * The instruments one report holds toward the round of its connection's batch sources: each message's
 * parts go in (an instrument sent again replaces its earlier part), and come out together once the
 * round is whole. Without sources (no connection), or with no round open and nothing held, a message's
 * parts are a portfolio of their own, as they come.
 */
export class BatchGathering<T extends { key: InstrumentKey }> {
  private readonly parts = new Map<InstrumentKey, T>();

  constructor(
    private readonly sources: BatchSources | null,
    /** A part as one of several messages' (its error texts then name its message); as it is by default. */
    private readonly gathered: (part: T) => T = (part) => part,
  ) {}

  /** Adds one message's parts and says what to do. */
  add(parts: readonly T[]): GatheredBatch<T> {
    if (this.sources === null || (!this.sources.open() && this.parts.size === 0)) return { kind: 'complete', parts: [...parts] };
    for (const part of parts) this.parts.set(part.key, this.gathered(part));
    return this.settle();
  }

  /**
   * What the parts held make of the round now (after a source sent, failed or withdrew). A report that
   * holds nothing leaves the round alone: the batches may be on their way to another report.
   */
  settle(): GatheredBatch<T> {
    if (this.sources === null || this.parts.size === 0) return { kind: 'waiting', text: 'nothing held' };
    const verdict = this.sources.settle(new Set(this.parts.keys()));
    if (verdict.kind === 'waiting') return verdict;
    const parts = [...this.parts.values()];
    this.parts.clear();
    return verdict.kind === 'complete' ? { kind: 'complete', parts } : verdict;
  }

  /** Instruments held, waiting for the round. */
  size(): number {
    return this.parts.size;
  }

  /** Drops what is held (the node closed). */
  clear(): void {
    this.parts.clear();
  }
}
