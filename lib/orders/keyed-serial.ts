/**
 * Runs jobs one at a time per instrument: an order decision reads the position and working orders, so
 * a second decision for the same instrument must wait until the first has placed (or not placed) its
 * order, or both would act on the same picture and send twice. Instruments do not wait for each other.
 */
import type { InstrumentKey } from '../messages';

export class KeyedSerial {
  private readonly tails = new Map<InstrumentKey, Promise<void>>();

  run<T>(key: InstrumentKey, job: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(job, job);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // Forget an instrument once its queue is empty, so the map holds only instruments with work.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
