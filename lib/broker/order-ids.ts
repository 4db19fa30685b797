/**
 * Order ids: TWS says in NEXT_VALID_ID the lowest id it will accept from this client. Ids handed out
 * here only ever grow: a reconnect's nextValidId below ids already used (orders lost in flight never
 * advanced TWS's counter) does not bring an id back, and a floor from the journal of a previous run
 * keeps a restart from reusing one either.
 *
 * An id is reserved first (Broker.nextOrderId) and claimed when its order is placed, so placeOrder can
 * refuse an id that did not come from here: a made-up id could name another client's order at TWS.
 */
export class OrderIdAllocator {
  private next = 0;
  private known = false;
  private readonly reserved = new Set<number>();
  private waiters: Array<() => void> = [];

  constructor(floor = 0) {
    if (floor > 0) this.next = floor;
  }

  /** TWS's nextValidId (on connect or after reqIds); hands ids to whoever waited for the first one. */
  observe(nextValidId: number): void {
    if (!Number.isFinite(nextValidId)) return;
    this.known = true;
    if (nextValidId > this.next) this.next = nextValidId;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** An id was seen in use (an adopted open order): never hand it, or anything below, out again. */
  used(orderId: number): void {
    if (orderId >= this.next) this.next = orderId + 1;
  }

  ready(): boolean {
    return this.known;
  }

  take(): number {
    if (!this.known) throw new Error('no order id yet: TWS has not sent nextValidId');
    return this.next++;
  }

  /**
   * Reserves the next id for an order about to be placed, waiting up to `timeoutMs` for TWS's first
   * nextValidId; `whyNone` words the rejection when it does not come.
   */
  reserve(timeoutMs: number, whyNone: () => string): Promise<number> {
    if (this.known) return Promise.resolve(this.reserveNow());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(whyNone()));
      }, timeoutMs);
      const waiter = () => {
        clearTimeout(timer);
        resolve(this.reserveNow());
      };
      this.waiters.push(waiter);
    });
  }

  /** Takes a reserved id for the order placed under it; false when it was never reserved (or placed already). */
  claim(orderId: number): boolean {
    return this.reserved.delete(orderId);
  }

  private reserveNow(): number {
    const id = this.take();
    this.reserved.add(id);
    return id;
  }
}
