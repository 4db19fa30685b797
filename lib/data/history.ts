/**
 * Historical bars from TWS: one range fetched as paced chunks (lib/ib/pacing), optionally served from
 * and saved to the on-disk cache, bars merged oldest first without duplicates. Also the keep-up-to-date
 * stream (history, then each bar as it forms). Uses the raw IBApi with routed request ids, so each
 * request's errors reach exactly this request.
 */
import { EventName, type Contract, type IBApi } from '@stoqey/ib';
import type { Bar, InstrumentKey } from '../messages';
import type { IbRequestError, IbSession } from '../ib/connection';
import { PacingAbortedError, pacingQueueFor, type MarkSent, type PacedRequest } from '../ib/pacing';
import { chunkMsFor, durationStart, durationText, isSmallBar, parseDuration, type BarSize, type Duration } from './bar-size';
import { formatIbUtc, parseTime } from './dates';
import type { HistoryCache } from './history-cache';
import { planChunks, type HistoryChunk } from './history-plan';
import { routerFor } from '../ib/ib-router';

export interface HistoryRequest {
  key: InstrumentKey;
  /** A qualified contract (with conId). */
  contract: Contract;
  /** End of the range, epoch ms; null = now. */
  endMs: number | null;
  duration: Duration;
  barSize: BarSize;
  whatToShow: string;
  useRTH: boolean;
}

export interface HistoryProgress {
  chunksDone: number;
  chunksTotal: number;
  bars: number;
  fromCache: number;
}

export interface FetchOptions {
  cache?: HistoryCache | null;
  onProgress?: (progress: HistoryProgress) => void;
  signal?: AbortSignal;
  now?: number;
  /** Per-request time limit once sent (TWS can take a while for big chunks). */
  timeoutMs?: number;
}

export class HistoryError extends Error {
  override name = 'HistoryError';
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

const MAX_PACING_RETRIES = 4;

/** Bars of the whole range, oldest first. */
export async function fetchHistory(session: IbSession, request: HistoryRequest, options: FetchOptions = {}): Promise<Bar[]> {
  const now = options.now ?? Date.now();
  const endMs = request.endMs ?? now;
  const startMs = durationStart(request.duration, endMs);
  const single = endMs - startMs <= chunkMsFor(request.barSize);
  // A range that fits one request is asked exactly as given (IB's own duration semantics); longer ones
  // go in grid-aligned chunks.
  const chunks: HistoryChunk[] = single
    ? [{ endMs: request.endMs, duration: request.duration.text, complete: request.endMs !== null && request.endMs <= now - request.barSize.ms }]
    : planChunks(startMs, endMs, request.barSize, now, request.endMs === null);
  const progress: HistoryProgress = { chunksDone: 0, chunksTotal: chunks.length, bars: 0, fromCache: 0 };
  options.onProgress?.({ ...progress });
  const results = await Promise.all(
    chunks.map(async (chunk) => {
      const identity = requestIdentity(request, chunk);
      let bars = chunk.complete && options.cache ? await options.cache.get(identity) : null;
      if (bars) progress.fromCache++;
      else {
        bars = await fetchChunk(session, request, chunk, identity, options);
        if (chunk.complete && options.cache) await options.cache.put(identity, bars).catch(() => undefined);
      }
      progress.chunksDone++;
      progress.bars += bars.length;
      options.onProgress?.({ ...progress });
      return bars;
    }),
  );
  return mergeBars(results, single ? -Infinity : startMs, endMs);
}

/** Oldest first, one bar per time (a later chunk's bar wins), within [startMs, endMs]. */
export function mergeBars(lists: Bar[][], startMs: number, endMs: number): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const list of lists) for (const bar of list) if (bar.time >= startMs && bar.time <= endMs) byTime.set(bar.time, bar);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

export function requestIdentity(request: HistoryRequest, chunk: HistoryChunk): string {
  const c = request.contract;
  return [c.conId ?? '', request.key, c.exchange ?? '', chunk.endMs ?? 'now', chunk.duration, request.barSize.setting, request.whatToShow, request.useRTH ? 1 : 0].join('|');
}

function pacedRequest(request: HistoryRequest, identity: string): PacedRequest {
  const c = request.contract;
  return { identity, contractKey: `${c.conId ?? request.key}|${c.exchange ?? ''}|${request.whatToShow}`, smallBars: isSmallBar(request.barSize) };
}

async function fetchChunk(session: IbSession, request: HistoryRequest, chunk: HistoryChunk, identity: string, options: FetchOptions): Promise<Bar[]> {
  const queue = pacingQueueFor(session);
  for (let attempt = 0; ; attempt++) {
    try {
      return await queue.run(pacedRequest(request, identity), (sent) => requestBars(session, request, chunk, options, sent), options.signal);
    } catch (err) {
      if (err instanceof PacingAbortedError) throw new HistoryError(`history request for ${request.key} cancelled`);
      // TWS still said "pacing violation" (another program on the same TWS, say): wait as long as the
      // strictest rule needs, then queue it again.
      if (err instanceof HistoryError && err.code === 162 && /pacing/i.test(err.message) && attempt < MAX_PACING_RETRIES) {
        await delay(15_500, options.signal);
        continue;
      }
      throw err;
    }
  }
}

/** REQ_HISTORICAL_DATA's message id (@stoqey/ib does not export its OUT_MSG_ID). */
const REQ_HISTORICAL_DATA = 20;
/** From this server version on REQ_HISTORICAL_DATA carries no version field: the request id comes first. */
const SYNT_REALTIME_BARS = 124;

/** Per IBApi, who waits for the write of which REQ_HISTORICAL_DATA (one 'sent' listener per socket). */
const sentWaiters = new WeakMap<IBApi, Map<number, MarkSent>>();

/**
 * Calls `sent` when the REQ_HISTORICAL_DATA of `reqId` has been written to the socket: @stoqey/ib
 * queues its writes behind its own rate limit, and TWS paces by arrival. Returns the unregistration.
 */
function whenRequestSent(api: IBApi, reqId: number, sent: MarkSent): () => void {
  let waiters = sentWaiters.get(api);
  if (!waiters) {
    const created = new Map<number, MarkSent>();
    waiters = created;
    sentWaiters.set(api, created);
    api.on(EventName.sent, (tokens: unknown[]) => {
      if (created.size === 0 || Number(tokens[0]) !== REQ_HISTORICAL_DATA) return;
      const id = Number(tokens[api.serverVersion >= SYNT_REALTIME_BARS ? 1 : 2]);
      const waiter = created.get(id);
      if (!waiter) return;
      created.delete(id);
      waiter();
    });
  }
  const own = waiters;
  own.set(reqId, sent);
  return () => {
    if (own.get(reqId) === sent) own.delete(reqId);
  };
}

function requestBars(session: IbSession, request: HistoryRequest, chunk: HistoryChunk, options: FetchOptions, sent: MarkSent): Promise<Bar[]> {
  return new Promise<Bar[]>((resolve, reject) => {
    const bars: Bar[] = [];
    const router = routerFor(session.api);
    const timeoutMs = options.timeoutMs ?? 120_000;
    let reqId = -1;
    let settled = false;
    let forgetSent = () => {};
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      forgetSent();
      router.unroute(reqId);
      session.releaseReqId(reqId);
      if (err) reject(err);
      else resolve(bars);
    };
    const onAbort = () => {
      session.api.cancelHistoricalData(reqId);
      finish(new HistoryError(`history request for ${request.key} cancelled`));
    };
    const timer = setTimeout(() => finish(new HistoryError(`no historical data for ${request.key} from TWS within ${timeoutMs / 1000} s (is the connection up?)`)), timeoutMs);
    reqId = session.allocateReqId({
      onRequestError: (error: IbRequestError) => {
        // 162 "HMDS query returned no data": an empty range (a weekend, a holiday) is not an error.
        if (error.code === 162 && /no data/i.test(error.message)) finish(null);
        else finish(new HistoryError(`historical data for ${request.key} failed: ${error.message} (${error.code})`, error.code));
      },
    });
    router.route(reqId, {
      historicalBar: (time, open, high, low, close, volume, count, wap) => {
        const bar = ibBar(time, open, high, low, close, volume, count, wap);
        if (bar) bars.push(bar);
      },
      historicalEnd: () => finish(null),
    });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const end = chunk.endMs === null ? '' : formatIbUtc(chunk.endMs);
    forgetSent = whenRequestSent(session.api, reqId, sent);
    session.api.reqHistoricalData(reqId, request.contract, end, chunk.duration, request.barSize.setting as never, request.whatToShow as never, request.useRTH ? 1 : 0, 2, false);
  });
}

/** A bar from TWS's fields; null when its time cannot be read. Negative volume (MIDPOINT bars) is 0. */
export function ibBar(time: string, open: number, high: number, low: number, close: number, volume: number, count: number | undefined, wap: number): Bar | null {
  const ms = parseTime(time);
  if (Number.isNaN(ms)) return null;
  const bar: Bar = { time: ms, open, high, low, close, volume: Number.isFinite(volume) && volume > 0 ? Number(volume) : 0 };
  if (Number.isFinite(wap) && wap > 0) bar.wap = Number(wap);
  if (count !== undefined && Number.isFinite(count) && count >= 0) bar.count = count;
  return bar;
}

/** A duration covering `ms` in IB's spelling (seconds below a day, days above). */
function secondsDuration(ms: number): Duration {
  return parseDuration(durationText(ms));
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new HistoryError('cancelled'));
      },
      { once: true },
    );
  });
}

export interface LiveHistoryHandlers {
  /** The history up to now (once): closed bars only; the bar forming now comes as the first update. */
  onHistory(bars: Bar[]): void;
  /** A bar as it forms; `closed` is the previous bar, final, when this one starts a new bar. */
  onUpdate(bar: Bar, closed: Bar | null): void;
  onError(err: Error): void;
}

/**
 * Keep-up-to-date: the history (older part chunked and paced like fetchHistory, the last part from the
 * streaming request itself), then every update of the forming bar. Returns a function that cancels it.
 */
export function streamHistory(session: IbSession, request: HistoryRequest, handlers: LiveHistoryHandlers, options: FetchOptions = {}): () => void {
  const router = routerFor(session.api);
  const now = options.now ?? Date.now();
  const chunkMs = chunkMsFor(request.barSize);
  const startMs = durationStart(request.duration, now);
  const older = now - startMs > chunkMs;
  let reqId = -1;
  let stopped = false;
  let releaseSlot: (() => void) | null = null;
  let forgetSent = () => {};
  /** The time of the history's newest closed bar: updates of it or older are late revisions. */
  let closedThrough = -Infinity;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    forgetSent();
    if (reqId >= 0) {
      try {
        session.api.cancelHistoricalData(reqId);
      } catch {
        // Not connected: the stream is gone anyway.
      }
      router.unroute(reqId);
      session.releaseReqId(reqId);
    }
    releaseSlot?.();
  };
  const run = async () => {
    const olderBars = older
      ? await fetchHistory(session, { ...request, endMs: now - chunkMs, duration: secondsDuration(now - chunkMs - startMs) }, options)
      : [];
    if (stopped) return;
    const recent: Bar[] = [];
    let last: Bar | null = null;
    let historyDone = false;
    const liveDuration = older ? durationText(chunkMs) : request.duration.text;
    // IB counts a keep-up-to-date request as open for as long as it streams: it holds its pacing slot
    // until stopped, and the history part resolves `historyReady`.
    let historyReady!: () => void;
    let historyFailed!: (err: Error) => void;
    const history = new Promise<void>((resolve, reject) => {
      historyReady = resolve;
      historyFailed = reject;
    });
    pacingQueueFor(session)
      .run(
        pacedRequest(request, [request.contract.conId ?? request.key, 'live', liveDuration, request.barSize.setting, request.whatToShow, request.useRTH ? 1 : 0].join('|')),
        (sent) =>
          new Promise<void>((release) => {
            releaseSlot = release;
            if (stopped) return release();
            reqId = session.allocateReqId({
              onRequestError: (error) => {
                const err = new HistoryError(`keep-up-to-date history for ${request.key} failed: ${error.message} (${error.code})`, error.code);
                if (!historyDone) historyFailed(err);
                else handlers.onError(err);
                stop();
              },
            });
            router.route(reqId, {
              historicalBar: (time, open, high, low, close, volume, count, wap) => {
                const bar = ibBar(time, open, high, low, close, volume, count, wap);
                if (bar) recent.push(bar);
              },
              historicalEnd: () => {
                historyDone = true;
                const all = mergeBars([olderBars, recent], -Infinity, Infinity);
                last = all.length ? all[all.length - 1] : null;
                // The history's last bar is the one forming now (the updates revise it): it leaves as the
                // first update, not in the history, so the history holds closed bars only and the
                // indicators count the forming bar once, when it closes.
                const forming = last !== null && last.time + request.barSize.ms > Date.now() ? last : null;
                const history = forming ? all.slice(0, -1) : all;
                // A bar the history sent closed is never sent again: TWS may still revise it (its clock
                // is not ours; a bar can end by our clock while TWS's is still filling it), and a
                // revision, or the closed copy the next bar would send, would count it twice.
                closedThrough = history.length ? history[history.length - 1]!.time : -Infinity;
                last = forming;
                handlers.onHistory(history);
                historyReady();
                if (forming && !stopped) handlers.onUpdate(forming, null);
              },
              historicalUpdate: (time, open, high, low, close, volume, count, wap) => {
                const bar = ibBar(time, open, high, low, close, volume, count, wap);
                if (!bar || stopped) return;
                if (bar.time <= closedThrough || (last && bar.time < last.time)) return;
                const closed = last && bar.time > last.time ? last : null;
                last = bar;
                handlers.onUpdate(bar, closed);
              },
            });
            forgetSent = whenRequestSent(session.api, reqId, sent);
            session.api.reqHistoricalData(reqId, request.contract, '', liveDuration, request.barSize.setting as never, request.whatToShow as never, request.useRTH ? 1 : 0, 2, true);
          }),
        options.signal,
      )
      .catch((err: Error) => historyFailed(err));
    await history;
  };
  run().catch((err: Error) => {
    if (!stopped) handlers.onError(err);
  });
  return stop;
}
