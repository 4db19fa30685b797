/** Counts events in a sliding time window (orders per minute), on an injectable clock. */
export class SlidingWindowCounter {
  private readonly times: number[] = [];
  private head = 0;

  constructor(
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  record(): void {
    this.times.push(this.clock());
  }

  count(): number {
    const cutoff = this.clock() - this.windowMs;
    while (this.head < this.times.length && this.times[this.head] <= cutoff) this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
}
