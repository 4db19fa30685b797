/**
 * The daily-loss lock: measures the loss since the trading session began and, once it reaches the
 * limit, locks until the next session or an explicit reset. The session is the calendar day in the
 * exchange's time zone (America/New_York by default), on an injectable clock so a backtest can run it
 * on replay time.
 */

export interface DailyLossOptions {
  maxDailyLoss: number | null;
  timeZone?: string;
  clock?: () => number;
}

export interface DailyLossState {
  session: string;
  /** Equity when the session began (first known), or null. */
  startEquity: number | null;
  /** Realized P&L of this session's executions (used while equity is unknown). */
  realized: number;
  loss: number;
  locked: string | null;
}

export class DailyLossLock {
  private session = '';
  private startEquity: number | null = null;
  private realized = 0;
  private lastLoss = 0;
  private lockedReason: string | null = null;
  private checkedAt = -Infinity;
  private readonly dayOf: (time: number) => string;
  private readonly clock: () => number;

  constructor(private readonly options: DailyLossOptions) {
    this.clock = options.clock ?? Date.now;
    const format = new Intl.DateTimeFormat('en-CA', { timeZone: options.timeZone ?? 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
    this.dayOf = (time) => format.format(new Date(time));
  }

  /** Adds the realized P&L of an execution. */
  addRealized(pnl: number): void {
    // Without a limit nothing can lock: the session is looked up only when state() asks (a batch
    // backtest places thousands of orders, each a day apart on its clock).
    if (this.options.maxDailyLoss) this.rollSession();
    if (Number.isFinite(pnl)) this.realized += pnl;
  }

  /**
   * Updates the loss with the current equity (null when unknown) and returns the reason of a new lock,
   * or null when nothing changed. Equity, when known, includes open positions' losses.
   */
  update(equity: number | null): string | null {
    this.rollSession();
    if (equity !== null && Number.isFinite(equity) && this.startEquity === null) this.startEquity = equity;
    const byEquity = equity !== null && this.startEquity !== null ? this.startEquity - equity : null;
    this.lastLoss = byEquity ?? -this.realized;
    const max = this.options.maxDailyLoss;
    if (!max || this.lockedReason || this.lastLoss < max) return null;
    this.lockedReason = `max daily loss: the loss since the session began is ${Math.round(this.lastLoss * 100) / 100}, at or over the limit of ${max}; working orders were cancelled and new orders are refused until the next session or a reset (msg.resume = true)`;
    return this.lockedReason;
  }

  /**
   * Puts back a lock a previous run journaled (a restart or redeploy must not unlock): it holds only if
   * `session` is still today's session day, else the day it was for is over. Returns whether it holds.
   */
  restore(session: string, reason: string): boolean {
    this.rollSession();
    if (session !== this.session) return false;
    this.lockedReason = reason;
    return true;
  }

  locked(): string | null {
    if (!this.options.maxDailyLoss) return null;
    this.rollSession();
    return this.lockedReason;
  }

  /** Unlocks and starts measuring again from `equity` (the reset by msg). */
  reset(equity: number | null): void {
    this.lockedReason = null;
    this.startEquity = equity !== null && Number.isFinite(equity) ? equity : null;
    this.realized = 0;
    this.lastLoss = 0;
  }

  state(): DailyLossState {
    this.rollSession();
    return { session: this.session, startEquity: this.startEquity, realized: this.realized, loss: this.lastLoss, locked: this.lockedReason };
  }

  private rollSession(): void {
    // Formatting a date in a time zone costs microseconds: look again at most once a minute of clock.
    const now = this.clock();
    if (now >= this.checkedAt && now < this.checkedAt + 60_000) return;
    this.checkedAt = now;
    const today = this.dayOf(now);
    if (today === this.session) return;
    this.session = today;
    this.startEquity = null;
    this.realized = 0;
    this.lastLoss = 0;
    this.lockedReason = null;
  }
}
