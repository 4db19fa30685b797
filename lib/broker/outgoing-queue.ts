/**
 * The queue of messages to TWS: at most `perSecond` in any second (TWS allows 50 messages/s and
 * disconnects clients that go over), in order, never dropped; held while the connection is not ready
 * for orders and resumed once it is.
 */
/** A place or cancel waiting for its turn to go to TWS. */
export type OrderRequest =
  | { kind: 'place'; orderId: number }
  | { kind: 'cancel'; orderId: number }
  /** reqGlobalCancel: every working order of the account, whoever placed it (no order id: 0). */
  | { kind: 'globalCancel'; orderId: 0 };

export class OutgoingQueue {
  private readonly items: OrderRequest[] = [];
  private readonly sentAt: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private open = false;

  constructor(
    private readonly send: (item: OrderRequest) => void,
    private readonly perSecond: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(perSecond > 0)) throw new Error(`messages per second must be positive, got ${perSecond}`);
  }

  push(item: OrderRequest): void {
    this.items.push(item);
    this.drain();
  }

  /** Puts `item` first (a resend after reconnect goes before anything newer). */
  pushFront(item: OrderRequest): void {
    this.items.unshift(item);
    this.drain();
  }

  /** Removes queued items matching `predicate`; returns how many were removed. */
  remove(predicate: (item: OrderRequest) => boolean): number {
    let removed = 0;
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (predicate(this.items[i])) {
        this.items.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  has(predicate: (item: OrderRequest) => boolean): boolean {
    return this.items.some(predicate);
  }

  /** Counts a message that went out by another path (reconcile requests) against the rate. */
  noteSent(): void {
    this.sentAt.push(this.clock());
  }

  pause(): void {
    this.open = false;
    this.clearTimer();
  }

  resume(): void {
    this.open = true;
    this.drain();
  }

  size(): number {
    return this.items.length;
  }

  dispose(): void {
    this.pause();
    this.items.length = 0;
  }

  private drain(): void {
    if (!this.open || this.timer) return;
    while (this.items.length > 0 && this.open) {
      const now = this.clock();
      // A send leaves the window only when more than a full second has passed (1 ms of margin): a clock
      // read a moment apart from the send itself, on either side, still sees at most perSecond in a second.
      while (this.sentAt.length > 0 && this.sentAt[0] < now - 1000) this.sentAt.shift();
      if (this.sentAt.length >= this.perSecond) {
        const wait = Math.max(1, this.sentAt[0] + 1001 - now + 1);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.drain();
        }, wait);
        return;
      }
      const item = this.items.shift() as OrderRequest;
      this.sentAt.push(now);
      this.send(item);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
