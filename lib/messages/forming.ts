/**
 * Forming bars are not new bars. A live stream (historical-bars keeping up to date, the bars node asked
 * for its forming bar) sends the bar that is still forming again and again, marked `msg.forming = true`,
 * and then the same bar once more, closed (`forming` false or absent). The computing nodes (sma,
 * indicator, crossover) must count that bar once: each forming message revises the last value, and only
 * the closed bar (or, when a stream never sends one, the next bar's arrival) counts it as a sample.
 *
 * This file answers, per instrument, the one question those nodes share: what is this message to the
 * series I already saw? Each node keeps its own state (an indicator, a cross detector) and acts on the
 * answer.
 */

/** True when the message carries a bar that is still forming. */
export function isForming(msg: { forming?: unknown }): boolean {
  return msg.forming === true;
}

/** The payload's bar time (epoch ms) when it is a bar object with one, else null (a number payload). */
export function barTimeOf(payload: unknown): number | null {
  if (payload === null || typeof payload !== 'object') return null;
  const time = (payload as { time?: unknown }).time;
  return typeof time === 'number' && Number.isFinite(time) ? time : null;
}

/**
 * - 'closed': a sample to count (a closed bar, or the closed copy of the forming bar);
 * - 'forming': the forming bar (its first message or a revision): compute from the counted samples plus
 *   this one, count nothing.
 * A message not marked forming is always a sample, whatever its time: streams without marks (a replay,
 * bars built by hand with one time, quotes in the same millisecond) count every message, as before.
 */
export type BarStep = 'closed' | 'forming';

export interface BarStepResult {
  step: BarStep;
  /**
   * The forming bar seen before this message is over (this message is of another bar) and was never
   * sent closed: the caller counts its last revision now, before it handles this message.
   */
  closePending: boolean;
}

/** One instrument's position in its bar stream. */
export class BarSequence {
  private pending = false;
  private pendingTime: number | null = null;

  /** The step for a message of bar `time` (null: no time), `forming` as isForming says. */
  next(time: number | null, forming: boolean): BarStepResult {
    let closePending = false;
    const sameAsPending = this.pending && time === this.pendingTime;
    if (this.pending && !sameAsPending) {
      closePending = true;
      this.pending = false;
    }
    if (forming) {
      this.pending = true;
      this.pendingTime = time;
      return { step: 'forming', closePending };
    }
    this.pending = false;
    return { step: 'closed', closePending };
  }

}
