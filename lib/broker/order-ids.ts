/**
 * Order ids: TWS says in NEXT_VALID_ID the lowest id it will accept from this client. Ids handed out
 * here only ever grow: a reconnect's nextValidId below ids already used (orders lost in flight never
 * advanced TWS's counter) does not bring an id back, and a floor from the journal of a previous run
 * keeps a restart from reusing one either.
 */
export class OrderIdAllocator {
  private next = 0;
  private known = false;

  constructor(floor = 0) {
    if (floor > 0) this.next = floor;
  }

  /** TWS's nextValidId (on connect or after reqIds). */
  observe(nextValidId: number): void {
    if (!Number.isFinite(nextValidId)) return;
    this.known = true;
    if (nextValidId > this.next) this.next = nextValidId;
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
}
