/**
 * One clock for several replaying sources (historical-bars nodes, one per instrument): their bars leave
 * as one time-ordered stream. Each source offers its next bar and waits; once every source that has
 * begun has a bar on offer (or has ended), the bars of the earliest time are released together: each is
 * fed (to the backtest engine: fills, marks) in instrument-key order, then each is delivered
 * (sent into the flow, paced: the next delivery starts when the last one's messages are all handled).
 * So every bar of a timestamp is in before any strategy sees one of them, and no bar of the next
 * timestamp leaves before the flow is done with this one. A source with no bar at a time (a holiday, a
 * halt) simply offers a later one and waits; the others go on.
 *
 * The batch backtest (batch.ts) steps through the same order without waiting: its figures equal a
 * replay's to the cent.
 */
import type { Bar, InstrumentKey } from '../messages';

interface Offer {
  key: InstrumentKey;
  bar: Bar;
  deliver: () => Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The order bars of one time go in, in a replay and a batch alike: by instrument key, currency pairs
 * after the rest. A pair's close is a rate of the account's other currencies (lib/fills/currency.ts):
 * fed last, the fills at this time's opens are valued at the rate known before it, never at the close
 * of the bar they fill in.
 */
export function compareKeys(a: InstrumentKey, b: InstrumentKey): number {
  const pairA = a.includes(':CASH:');
  if (pairA !== b.includes(':CASH:')) return pairA ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class TimeMerge {
  /** Sources in the order they began; the value is the bar each has on offer, or null. */
  private readonly sources = new Map<string, Offer | null>();
  private offered = 0;
  private releasing = false;

  constructor(
    /** Takes one released bar in (the run feeds its engine); a throw rejects that source's offer. */
    private readonly feed: (key: InstrumentKey, bar: Bar) => void,
  ) {}

  /** A source begins: from now on no bar is released before it has offered one (or ended). */
  join(sourceId: string): void {
    if (!this.sources.has(sourceId)) this.sources.set(sourceId, null);
  }

  /**
   * Offers the source's next bar; resolves after the bar was fed and `deliver` finished (rejects with
   * the feed's or the delivery's error). A source offers one bar at a time.
   */
  offer(sourceId: string, key: InstrumentKey, bar: Bar, deliver: () => Promise<void>): Promise<void> {
    if (!this.sources.has(sourceId)) this.join(sourceId);
    if (this.sources.get(sourceId)) return Promise.reject(new Error(`replay source ${sourceId} offered a bar while its last one is still waiting`));
    // One source alone (the common replay): nothing to merge, no promise of our own per bar.
    if (this.sources.size === 1 && !this.releasing) {
      try {
        this.feed(key, bar);
      } catch (err) {
        return Promise.reject(err);
      }
      return deliver();
    }
    return new Promise<void>((resolve, reject) => {
      this.sources.set(sourceId, { key, bar, deliver, resolve, reject });
      this.offered++;
      this.releaseWhenReady();
    });
  }

  /** A source is done (or stopped): a bar it still had on offer is dropped, and the others no longer wait for it. */
  leave(sourceId: string): void {
    const offer = this.sources.get(sourceId);
    if (offer === undefined) return;
    this.sources.delete(sourceId);
    if (offer) {
      this.offered--;
      offer.resolve();
    }
    this.releaseWhenReady();
  }

  /** Sources that have begun and not ended. */
  size(): number {
    return this.sources.size;
  }

  private releaseWhenReady(): void {
    if (this.releasing || this.offered === 0 || this.offered < this.sources.size) return;
    this.releasing = true;
    void this.release().finally(() => {
      this.releasing = false;
      this.releaseWhenReady();
    });
  }

  /** Feeds, then delivers one after the other, every bar on offer at the earliest time. */
  private async release(): Promise<void> {
    let time = Infinity;
    for (const offer of this.sources.values()) {
      const t = offer?.bar.time;
      if (typeof t === 'number' && t < time) time = t;
    }
    const due: Offer[] = [];
    for (const [sourceId, offer] of this.sources) {
      const t = offer?.bar.time;
      // A time that is not a number goes out at once, so the feed says what is wrong with the bar.
      if (!offer || (typeof t === 'number' && t > time)) continue;
      this.sources.set(sourceId, null);
      this.offered--;
      due.push(offer);
    }
    // Bars of one time in instrument-key order, not the order the sources happened to begin in (their
    // files load in either order): the executions, and so the trade list, come out the same every run
    // and the same as the batch backtest's.
    due.sort((a, b) => compareKeys(a.key, b.key));
    const fed: Offer[] = [];
    for (const offer of due) {
      try {
        this.feed(offer.key, offer.bar);
        fed.push(offer);
      } catch (err) {
        offer.reject(err as Error);
      }
    }
    for (const offer of fed) {
      try {
        await offer.deliver();
        offer.resolve();
      } catch (err) {
        offer.reject(err as Error);
      }
    }
  }
}
