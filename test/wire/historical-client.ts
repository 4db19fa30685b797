/** Fetches historical bars with the real IBApi, as a promise of the decoded bars (or the error). */
import { EventName, type IBApi, type Contract, type BarSizeSetting, type WhatToShow } from '@stoqey/ib';

export interface DecodedBar {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  count: number | undefined;
  wap: number;
}

export interface BarQuery {
  contract: Contract;
  end?: string;
  duration: string;
  barSize: string;
  whatToShow?: string;
  useRth?: boolean;
  formatDate?: number;
  keepUpToDate?: boolean;
}

export class HistoricalError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export function fetchBars(api: IBApi, reqId: number, query: BarQuery, timeoutMs = 10_000): Promise<DecodedBar[]> {
  return new Promise((resolve, reject) => {
    const bars: DecodedBar[] = [];
    const cleanup = () => {
      clearTimeout(timer);
      api.off(EventName.historicalData, onBar);
      api.off(EventName.error, onError);
    };
    const onBar = (id: number, time: string, open: number, high: number, low: number, close: number, volume: number, count: number | undefined, wap: number) => {
      if (id !== reqId) return;
      if (time.startsWith('finished')) {
        cleanup();
        resolve(bars);
        return;
      }
      bars.push({ time, open, high, low, close, volume, count, wap });
    };
    const onError = (error: Error, code: number, id: number) => {
      if (id !== reqId) return;
      cleanup();
      reject(new HistoricalError(error.message, code));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no answer to historical request ${reqId} within ${timeoutMs} ms`));
    }, timeoutMs);
    api.on(EventName.historicalData, onBar);
    api.on(EventName.error, onError);
    api.reqHistoricalData(
      reqId,
      query.contract,
      query.end ?? '',
      query.duration,
      query.barSize as BarSizeSetting,
      (query.whatToShow ?? 'TRADES') as WhatToShow,
      query.useRth ? 1 : 0,
      query.formatDate ?? 1,
      query.keepUpToDate ?? false,
    );
  });
}
