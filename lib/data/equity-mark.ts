/**
 * The account's equity now: TWS's NetLiquidation, marked with the account's P&L since it came.
 *
 * TWS refreshes NetLiquidation (account summary, account updates) on a fill and otherwise every 3
 * minutes, and sends the account's P&L (reqPnL) every second: between two refreshes NetLiquidation
 * is minutes old while prices move. The daily P&L's change since the last NetLiquidation is how much
 * the positions' marks moved since (a fill's commission and realized P&L come with a refresh of
 * NetLiquidation too), so NetLiquidation + that change is the equity at the P&L's time: the daily-loss
 * lock sees a loss within a second instead of minutes, and an equity curve does not fall while the
 * day's P&L rises.
 *
 * Where TWS resets its daily P&L (once a day) the mark is off by the day's P&L until the next
 * NetLiquidation, at most one refresh later.
 */
export class EquityMark {
  private netLiquidation: number | null = null;
  /** The daily P&L when the last NetLiquidation came (the first P&L after it, if none had come). */
  private pnlAtNetLiquidation: number | null = null;
  private pnl: number | null = null;

  onNetLiquidation(value: number): void {
    if (!Number.isFinite(value)) return;
    this.netLiquidation = value;
    this.pnlAtNetLiquidation = this.pnl;
  }

  onDailyPnl(daily: number): void {
    // TWS sends an unset value as Double.MAX_VALUE.
    if (!Number.isFinite(daily) || Math.abs(daily) > 1e300) return;
    this.pnl = daily;
    if (this.netLiquidation !== null && this.pnlAtNetLiquidation === null) this.pnlAtNetLiquidation = daily;
  }

  /** A new connection: the P&L stream starts again, so the last one marks nothing any more. */
  restart(): void {
    this.pnl = null;
    this.pnlAtNetLiquidation = null;
  }

  /** NetLiquidation marked with the P&L since; null until TWS sent one. */
  value(): number | null {
    if (this.netLiquidation === null) return null;
    if (this.pnl === null || this.pnlAtNetLiquidation === null) return this.netLiquidation;
    return this.netLiquidation + (this.pnl - this.pnlAtNetLiquidation);
  }
}
