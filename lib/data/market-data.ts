/**
 * One market data subscription over a TWS session: streaming quotes, a snapshot, or tick-by-tick
 * (Last, AllLast, BidAsk, MidPoint). Uses the raw IBApi with a routed request id, so its ticks and
 * errors reach only it. It can be restarted with a fresh request id after a reconnect, and falls back
 * to delayed data when live data is not permitted (354 / 10089 / 10090 / 10168), if asked to.
 * Tick-by-tick can start with history: TWS sends the last N ticks (numberOfTicks, at most 1000) first, in
 * a HISTORICAL_TICKS_LAST / HISTORICAL_TICKS_BID_ASK / HISTORICAL_TICKS message under the request's id.
 * 'bars' is IB's real-time bars (reqRealTimeBars): a closed 5-second bar of TRADES, MIDPOINT, BID or ASK
 * every 5 seconds, each bar once (a restart after a reconnect sends none it sent before).
 */
import { describeValue } from '../messages/describe-value';
import { EventName, type Contract, type HistoricalTick, type HistoricalTickBidAsk, type HistoricalTickLast, type IBApi } from '@stoqey/ib';
import type { Bar, InstrumentKey, Quote } from '../messages';
import type { IbRequestError, IbSession } from '../ib/connection';
import { routerFor, type RoutedHandlers } from '../ib/ib-router';
import { QuoteAssembler } from './quote';
import { isGiven } from '../messages/setting';

export type MarketDataKind = 'quote' | 'snapshot' | 'Last' | 'AllLast' | 'BidAsk' | 'MidPoint' | 'bars';
export const MARKET_DATA_KINDS: readonly MarketDataKind[] = ['quote', 'snapshot', 'Last', 'AllLast', 'BidAsk', 'MidPoint', 'bars'];

/** What IB's real-time bars can show. */
export const REALTIME_BAR_TYPES = ['TRADES', 'MIDPOINT', 'BID', 'ASK'] as const;
export type RealTimeBarType = (typeof REALTIME_BAR_TYPES)[number];

/** A real-time bar type from config or a message (any case); a sentence saying what to use otherwise. */
export function readRealTimeBarType(value: unknown): { whatToShow: RealTimeBarType } | { problem: string } {
  const text = !isGiven(value) ? 'TRADES' : String(value).trim().toUpperCase();
  if ((REALTIME_BAR_TYPES as readonly string[]).includes(text)) return { whatToShow: text as RealTimeBarType };
  return { problem: `5-second bars show TRADES, MIDPOINT, BID or ASK, not ${describeValue(value)}` };
}

/** TWS market data types. */
export const MARKET_DATA_TYPES = { live: 1, frozen: 2, delayed: 3, 'delayed-frozen': 4 } as const;
export type MarketDataTypeName = keyof typeof MARKET_DATA_TYPES;

export type TickByTick =
  | { type: 'Last' | 'AllLast'; time: number; price: number; size: number; exchange: string; specialConditions: string; pastLimit: boolean; unreported: boolean }
  | { type: 'BidAsk'; time: number; bid: number; ask: number; bidSize: number; askSize: number }
  | { type: 'MidPoint'; time: number; mid: number };

/** IB serves at most this many ticks of history with a tick-by-tick request. */
export const MAX_HISTORY_TICKS = 1000;

/**
 * A "history ticks" setting read from config or a message: a whole number 0..1000 (empty means 0).
 * Returns the number, or a sentence saying what is wrong and how to fix it.
 */
export function readHistoryTicks(value: unknown): { ticks: number } | { problem: string } {
  if (!isGiven(value)) return { ticks: 0 };
  const ticks = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(ticks) || ticks < 0 || ticks > MAX_HISTORY_TICKS) {
    return { problem: `history ticks must be a whole number from 0 to ${MAX_HISTORY_TICKS} (IB sends at most ${MAX_HISTORY_TICKS}), not ${describeValue(value)}` };
  }
  return { ticks };
}

export interface MarketDataOptions {
  kind: MarketDataKind;
  marketDataType: MarketDataTypeName;
  /** When live data is not permitted, ask for delayed data instead of failing. */
  fallbackToDelayed: boolean;
  /** Generic tick list for streaming quotes (e.g. "233" for RT volume); empty by default. */
  genericTicks?: string;
  /** Tick-by-tick only: how many recent ticks TWS sends before the live ones (0..1000; default 0). */
  historyTicks?: number;
  /** 5-second bars only: what the bars show (default TRADES) and whether only regular trading hours (default true). */
  whatToShow?: RealTimeBarType;
  useRTH?: boolean;
}

export interface MarketDataHandlers {
  /** The quote changed (streaming). */
  onQuote?(quote: Quote): void;
  /** The snapshot is complete (snapshot kind); the subscription is over. */
  onSnapshot?(quote: Quote): void;
  onTick?(tick: TickByTick): void;
  /** 5-second bars: a closed bar (its time is its start). */
  onBar?(bar: Bar): void;
  /** Tick-by-tick with historyTicks > 0: the recent ticks, oldest first, once, before the live ticks. */
  onHistory?(ticks: TickByTick[]): void;
  /** Something the user should see but that does not end the data (delayed data shown, ...). */
  onNotice?(text: string, code: number): void;
  /** The subscription ended with an error (unknown contract, no permission ...). */
  onError(err: MarketDataError): void;
}

export class MarketDataError extends Error {
  override name = 'MarketDataError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** Codes for "not permitted live": 354 no subscription, 10089/10090/10168 subscription needed. */
const NOT_PERMITTED = new Set([354, 10089, 10168]);
/** Codes that do not end a market data subscription. */
function isNotice(code: number): boolean {
  return code === 10167 || code === 10090 || code === 399 || code === 10197 || (code >= 2100 && code <= 2999);
}

const lastTypeSent = new WeakMap<IBApi, number>();

/** reqMarketDataType applies to the requests that follow it on the socket: send it only on change. */
function ensureMarketDataType(session: IbSession, type: number): void {
  if (lastTypeSent.get(session.api) === type) return;
  session.api.reqMarketDataType(type);
  lastTypeSent.set(session.api, type);
}

/** Forget what was sent on this socket (after a reconnect TWS starts again from live). */
export function resetMarketDataType(session: IbSession): void {
  lastTypeSent.delete(session.api);
}

export class MarketDataSubscription {
  private reqId = -1;
  private readonly quote = new QuoteAssembler();
  private dataType: number;
  private active = false;
  /** History is asked for on the first start only: after a reconnect it would repeat ticks already sent. */
  private historyAsked = false;
  private stopHistory: (() => void) | null = null;
  /** The last 5-second bar sent: after a reconnect TWS may send it again. */
  private lastBarTime = -Infinity;
  /** Ticks received (for status and benchmarks). */
  ticks = 0;
  /** History ticks received. */
  historyTicks = 0;

  constructor(
    private readonly session: IbSession,
    readonly key: InstrumentKey,
    readonly contract: Contract,
    readonly options: MarketDataOptions,
    private readonly handlers: MarketDataHandlers,
    private readonly now: () => number = Date.now,
  ) {
    this.dataType = MARKET_DATA_TYPES[options.marketDataType];
  }

  /** The current data type (3 after a fallback to delayed). */
  marketDataType(): number {
    return this.dataType;
  }

  isActive(): boolean {
    return this.active;
  }

  start(): void {
    if (this.active) this.cancelRequest();
    this.active = true;
    const router = routerFor(this.session.api);
    this.reqId = this.session.allocateReqId({ onRequestError: (error) => this.onRequestError(error) });
    router.route(this.reqId, this.routedHandlers());
    const { kind } = this.options;
    if (kind === 'bars') {
      this.session.api.reqRealTimeBars(this.reqId, this.contract, 5, (this.options.whatToShow ?? 'TRADES') as never, this.options.useRTH !== false);
    } else if (kind === 'quote' || kind === 'snapshot') {
      ensureMarketDataType(this.session, this.dataType);
      this.session.api.reqMktData(this.reqId, this.contract, kind === 'snapshot' ? '' : (this.options.genericTicks ?? ''), kind === 'snapshot', false);
    } else {
      const history = this.historyAsked ? 0 : Math.min(Math.max(0, Math.floor(this.options.historyTicks ?? 0)), MAX_HISTORY_TICKS);
      this.historyAsked = true;
      if (history > 0) this.listenForHistory(this.reqId);
      this.session.api.reqTickByTickData(this.reqId, this.contract, kind as never, history, false);
    }
  }

  /**
   * The history message is not routed by request id (the router knows only streaming events): listen
   * for the one message of this kind until it arrives or the request ends.
   */
  private listenForHistory(reqId: number): void {
    const api = this.session.api;
    const deliver = (ticks: TickByTick[]) => {
      this.stopHistory?.();
      this.historyTicks += ticks.length;
      // TWS sends them oldest first; sort anyway (stable) so a user can rely on time order.
      this.handlers.onHistory?.(ticks.sort((a, b) => a.time - b.time));
    };
    const kind = this.options.kind;
    let stop: () => void;
    if (kind === 'Last' || kind === 'AllLast') {
      const listener = (id: number, ticks: HistoricalTickLast[]) => {
        if (id === reqId) deliver(ticks.map((t) => lastTick(kind, t)));
      };
      api.on(EventName.historicalTicksLast, listener);
      stop = () => api.off(EventName.historicalTicksLast, listener);
    } else if (kind === 'BidAsk') {
      const listener = (id: number, ticks: HistoricalTickBidAsk[]) => {
        if (id === reqId) deliver(ticks.map(bidAskTick));
      };
      api.on(EventName.historicalTicksBidAsk, listener);
      stop = () => api.off(EventName.historicalTicksBidAsk, listener);
    } else {
      const listener = (id: number, ticks: HistoricalTick[]) => {
        if (id === reqId) deliver(ticks.map(midPointTick));
      };
      api.on(EventName.historicalTicks, listener);
      stop = () => api.off(EventName.historicalTicks, listener);
    }
    this.stopHistory = () => {
      stop();
      this.stopHistory = null;
    };
  }

  /** After a reconnect: the old request id means nothing to the new TWS session. */
  restart(): void {
    if (!this.active) return;
    this.releaseRequest();
    this.active = false;
    this.start();
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.cancelRequest();
  }

  private cancelRequest(): void {
    if (this.reqId < 0) return;
    try {
      if (this.options.kind === 'quote') this.session.api.cancelMktData(this.reqId);
      else if (this.options.kind === 'bars') this.session.api.cancelRealTimeBars(this.reqId);
      else if (this.options.kind !== 'snapshot') this.session.api.cancelTickByTickData(this.reqId);
    } catch {
      // Not connected: nothing to cancel on the TWS side.
    }
    this.releaseRequest();
  }

  private releaseRequest(): void {
    this.stopHistory?.();
    if (this.reqId < 0) return;
    routerFor(this.session.api).unroute(this.reqId);
    this.session.releaseReqId(this.reqId);
    this.reqId = -1;
  }

  private routedHandlers(): RoutedHandlers {
    const onQuote = this.handlers.onQuote;
    const streaming = this.options.kind === 'quote';
    const apply = (tickType: number, value: number | undefined) => {
      this.ticks++;
      if (this.quote.apply(tickType, value, this.now()) && streaming) onQuote?.(this.quote.current());
    };
    return {
      tickPrice: apply,
      tickSize: apply,
      optionComputation: (tickType, impliedVolatility, delta, modelPrice, gamma, vega, theta, underlyingPrice) => {
        this.ticks++;
        if (this.quote.applyOption(tickType, { impliedVolatility, delta, modelPrice, gamma, vega, theta, underlyingPrice }, this.now()) && streaming) onQuote?.(this.quote.current());
      },
      tickSnapshotEnd: () => {
        if (this.options.kind !== 'snapshot') return;
        this.active = false;
        this.releaseRequest();
        this.handlers.onSnapshot?.(this.quote.current());
      },
      tickByTickAllLast: (tickType, time, price, size, attribs, exchange, specialConditions) => {
        this.ticks++;
        this.handlers.onTick?.({
          type: tickType === 2 ? 'AllLast' : 'Last',
          time: time * 1000,
          price,
          size,
          exchange: exchange ?? '',
          specialConditions: specialConditions ?? '',
          pastLimit: Boolean(attribs?.pastLimit),
          unreported: Boolean(attribs?.unreported),
        });
      },
      tickByTickBidAsk: (time, bid, ask, bidSize, askSize) => {
        this.ticks++;
        this.handlers.onTick?.({ type: 'BidAsk', time: time * 1000, bid, ask, bidSize, askSize });
      },
      tickByTickMidPoint: (time, mid) => {
        this.ticks++;
        this.handlers.onTick?.({ type: 'MidPoint', time: time * 1000, mid });
      },
      realtimeBar: (time, open, high, low, close, volume, wap, count) => {
        const ms = time * 1000;
        if (!(ms > this.lastBarTime)) return;
        this.lastBarTime = ms;
        this.ticks++;
        // MIDPOINT, BID and ASK bars carry -1 for volume, WAP and count, as TWS sends them: left out.
        const bar: Bar = { time: ms, open, high, low, close, volume: Number(volume) > 0 ? Number(volume) : 0 };
        if (Number(wap) > 0) bar.wap = Number(wap);
        if (count > 0) bar.count = count;
        this.handlers.onBar?.(bar);
      },
    };
  }

  private onRequestError(error: IbRequestError): void {
    const code = error.code;
    if (isNotice(code)) {
      this.handlers.onNotice?.(code === 10167 ? 'delayed, no live permission (10167)' : `${error.message} (${code})`, code);
      return;
    }
    if (NOT_PERMITTED.has(code) && this.options.fallbackToDelayed && this.dataType !== 3 && this.dataType !== 4 && (this.options.kind === 'quote' || this.options.kind === 'snapshot')) {
      this.dataType = this.dataType === 2 ? 4 : 3;
      this.handlers.onNotice?.(`delayed, no live permission (${code})`, code);
      this.releaseRequest();
      this.active = false;
      this.start();
      return;
    }
    this.active = false;
    this.releaseRequest();
    const what = this.options.kind === 'quote' || this.options.kind === 'snapshot' ? 'market data' : this.options.kind === 'bars' ? `5-second ${this.options.whatToShow ?? 'TRADES'} bars` : `tick-by-tick ${this.options.kind}`;
    const hint = NOT_PERMITTED.has(code) ? ': no market data permission for it; tick "fall back to delayed" or subscribe in Account Management' : code === 200 ? ': unknown contract' : '';
    this.handlers.onError(new MarketDataError(`${what} for ${this.key} failed: ${error.message} (${code})${hint}`, code));
  }
}

function lastTick(type: 'Last' | 'AllLast', t: HistoricalTickLast): TickByTick {
  return {
    type,
    time: Number(t.time) * 1000,
    price: t.price ?? NaN,
    size: t.size ?? 0,
    exchange: t.exchange ?? '',
    specialConditions: t.specialConditions ?? '',
    pastLimit: Boolean(t.tickAttribLast?.pastLimit),
    unreported: Boolean(t.tickAttribLast?.unreported),
  };
}

function bidAskTick(t: HistoricalTickBidAsk): TickByTick {
  return { type: 'BidAsk', time: Number(t.time) * 1000, bid: t.priceBid ?? NaN, ask: t.priceAsk ?? NaN, bidSize: t.sizeBid ?? 0, askSize: t.sizeAsk ?? 0 };
}

function midPointTick(t: HistoricalTick): TickByTick {
  return { type: 'MidPoint', time: Number(t.time) * 1000, mid: t.price };
}
