/**
 * IB's historical-data pacing rules, enforced per simulator (TWS paces per session, across clients):
 * no identical request within 15 s; not 6 or more requests for the same contract, exchange and data
 * type within 2 s; at most 60 requests in any 10 minutes for bars of 30 s or less; at most 50
 * requests open at once (keepUpToDate subscriptions stay open).
 */

export interface PacedRequest {
  /** Everything that makes two requests identical. */
  identity: string;
  /** Contract, exchange and data type. */
  series: string;
  /** Bars of 30 seconds or less. */
  smallBars: boolean;
}

export const IDENTICAL_WINDOW_MS = 15_000;
export const SERIES_WINDOW_MS = 2_000;
export const SERIES_LIMIT = 6;
export const SMALL_BAR_WINDOW_MS = 600_000;
export const SMALL_BAR_LIMIT = 60;
export const OPEN_LIMIT = 50;

export class HistoricalPacing {
  private history: Array<PacedRequest & { time: number }> = [];
  open = 0;

  /** The rule a request would break now, or null; a request that passes is recorded. */
  admit(request: PacedRequest, now: number): string | null {
    this.history = this.history.filter((r) => now - r.time < SMALL_BAR_WINDOW_MS);
    if (this.open >= OPEN_LIMIT) return `more than ${OPEN_LIMIT} simultaneous historical data requests are open`;
    if (this.history.some((r) => r.identity === request.identity && now - r.time < IDENTICAL_WINDOW_MS)) {
      return 'an identical historical data request was made within the last 15 seconds';
    }
    const series = this.history.filter((r) => r.series === request.series && now - r.time < SERIES_WINDOW_MS).length;
    if (series + 1 >= SERIES_LIMIT) {
      return `${SERIES_LIMIT} or more historical data requests for the same contract, exchange and tick type within 2 seconds`;
    }
    if (request.smallBars && this.history.filter((r) => r.smallBars).length + 1 > SMALL_BAR_LIMIT) {
      return `more than ${SMALL_BAR_LIMIT} historical data requests for bars of 30 seconds or less within 10 minutes`;
    }
    this.history.push({ ...request, time: now });
    return null;
  }
}
