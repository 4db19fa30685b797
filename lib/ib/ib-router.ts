/**
 * One listener per IBApi event, routing each message to the handler registered for its request id.
 * With many subscriptions on one socket this keeps a tick's cost constant (a Map lookup) instead of
 * calling every subscriber's listener for every tick.
 */
import { EventName, type IBApi } from '@stoqey/ib';
import type { ContractDescription, ContractDetails } from '@stoqey/ib';

export interface RoutedHandlers {
  tickPrice?(tickType: number, value: number): void;
  tickSize?(tickType: number, value: number | undefined): void;
  tickString?(tickType: number, value: string): void;
  tickSnapshotEnd?(): void;
  marketDataType?(type: number): void;
  tickByTickAllLast?(tickType: number, time: number, price: number, size: number, attribs: { pastLimit?: boolean; unreported?: boolean }, exchange: string, specialConditions: string): void;
  tickByTickBidAsk?(time: number, bid: number, ask: number, bidSize: number, askSize: number): void;
  tickByTickMidPoint?(time: number, mid: number): void;
  depth?(position: number, marketMaker: string, operation: number, side: number, price: number, size: number): void;
  historicalBar?(time: string, open: number, high: number, low: number, close: number, volume: number, count: number | undefined, wap: number): void;
  historicalEnd?(): void;
  historicalUpdate?(time: string, open: number, high: number, low: number, close: number, volume: number, count: number, wap: number): void;
  realtimeBar?(time: number, open: number, high: number, low: number, close: number, volume: number, wap: number, count: number): void;
  contractDetails?(details: ContractDetails): void;
  contractDetailsEnd?(): void;
  pnlSingle?(position: number, daily: number, unrealized: number | undefined, realized: number | undefined, value: number): void;
  pnl?(daily: number, unrealized: number | undefined, realized: number | undefined): void;
  accountSummary?(account: string, tag: string, value: string, currency: string): void;
  accountSummaryEnd?(): void;
  /** Tick option computation: volatility and greeks (undefined where TWS has not computed them). */
  optionComputation?(tickType: number, iv: number | undefined, delta: number | undefined, price: number | undefined, gamma: number | undefined, vega: number | undefined, theta: number | undefined, underlying: number | undefined): void;
  optionParameters?(exchange: string, underlyingConId: number, tradingClass: string, multiplier: string, expirations: string[], strikes: number[]): void;
  optionParametersEnd?(): void;
  symbolSamples?(descriptions: ContractDescription[]): void;
}

export class ReqIdRouter {
  private readonly handlers = new Map<number, RoutedHandlers>();

  constructor(api: IBApi) {
    const h = this.handlers;
    api.on(EventName.tickPrice, (reqId: number, field: number, value: number) => h.get(reqId)?.tickPrice?.(field, value));
    api.on(EventName.tickSize, (reqId: number, field?: number, value?: number) => {
      if (field !== undefined) h.get(reqId)?.tickSize?.(field, value);
    });
    api.on(EventName.tickString, (reqId: number, field: number, value: string) => h.get(reqId)?.tickString?.(field, value));
    api.on(EventName.tickSnapshotEnd, (reqId: number) => h.get(reqId)?.tickSnapshotEnd?.());
    api.on(EventName.marketDataType, (reqId: number, type: number) => h.get(reqId)?.marketDataType?.(type));
    api.on(EventName.tickByTickAllLast, (reqId: number, tickType: number, time: string, price: number, size: number, attribs: { pastLimit?: boolean; unreported?: boolean }, exchange: string, special: string) =>
      h.get(reqId)?.tickByTickAllLast?.(tickType, Number(time), price, size, attribs ?? {}, exchange, special),
    );
    api.on(EventName.tickByTickBidAsk, (reqId: number, time: number, bid: number, ask: number, bidSize: number, askSize: number) =>
      h.get(reqId)?.tickByTickBidAsk?.(Number(time), bid, ask, bidSize, askSize),
    );
    api.on(EventName.tickByTickMidPoint, (reqId: number, time: number, mid: number) => h.get(reqId)?.tickByTickMidPoint?.(Number(time), mid));
    api.on(EventName.updateMktDepth, (reqId: number, position: number, operation: number, side: number, price: number, size: number) =>
      h.get(reqId)?.depth?.(position, '', operation, side, price, size),
    );
    api.on(EventName.updateMktDepthL2, (reqId: number, position: number, marketMaker: string, operation: number, side: number, price: number, size: number) =>
      h.get(reqId)?.depth?.(position, marketMaker ?? '', operation, side, price, size),
    );
    api.on(EventName.historicalData, (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number, count: number | undefined, wap: number) => {
      const handler = h.get(reqId);
      if (!handler) return;
      if (typeof time === 'string' && time.startsWith('finished')) handler.historicalEnd?.();
      else handler.historicalBar?.(time, open, high, low, close, volume, count, wap);
    });
    api.on(EventName.historicalDataUpdate, (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number, count: number, wap: number) =>
      h.get(reqId)?.historicalUpdate?.(time, open, high, low, close, volume, count, wap),
    );
    api.on(EventName.realtimeBar, (reqId: number, time: number, open: number, high: number, low: number, close: number, volume: number, wap: number, count: number) =>
      h.get(reqId)?.realtimeBar?.(Number(time), open, high, low, close, volume, wap, count),
    );
    api.on(EventName.contractDetails, (reqId: number, details: ContractDetails) => h.get(reqId)?.contractDetails?.(details));
    (api as unknown as { on(e: string, l: (reqId: number, d: ContractDetails) => void): void }).on(EventName.bondContractDetails, (reqId: number, details: ContractDetails) => h.get(reqId)?.contractDetails?.(details));
    api.on(EventName.contractDetailsEnd, (reqId: number) => h.get(reqId)?.contractDetailsEnd?.());
    api.on(EventName.pnlSingle, (reqId: number, pos: number, daily: number, unrealized: number | undefined, realized: number | undefined, value: number) =>
      h.get(reqId)?.pnlSingle?.(pos, daily, unrealized, realized, value),
    );
    api.on(EventName.pnl, (reqId: number, daily: number, unrealized?: number, realized?: number) => h.get(reqId)?.pnl?.(daily, unrealized, realized));
    api.on(EventName.accountSummary, (reqId: number, account: string, tag: string, value: string, currency: string) =>
      h.get(reqId)?.accountSummary?.(account, tag, value, currency),
    );
    api.on(EventName.accountSummaryEnd, (reqId: number) => h.get(reqId)?.accountSummaryEnd?.());
    api.on(EventName.tickOptionComputation, ((reqId: number, tickType: number, _attrib: number, iv?: number, delta?: number, price?: number, _pv?: number, gamma?: number, vega?: number, theta?: number, underlying?: number) =>
      h.get(reqId)?.optionComputation?.(tickType, iv, delta, price, gamma, vega, theta, underlying)) as never);
    api.on(EventName.securityDefinitionOptionParameter, (reqId: number, exchange: string, underlyingConId: number, tradingClass: string, multiplier: string, expirations: string[], strikes: number[]) =>
      h.get(reqId)?.optionParameters?.(exchange, underlyingConId, tradingClass, String(multiplier), expirations, strikes),
    );
    api.on(EventName.securityDefinitionOptionParameterEnd, (reqId: number) => h.get(reqId)?.optionParametersEnd?.());
    api.on(EventName.symbolSamples, (reqId: number, descriptions: ContractDescription[]) => h.get(reqId)?.symbolSamples?.(descriptions));
  }

  route(reqId: number, handlers: RoutedHandlers): void {
    this.handlers.set(reqId, handlers);
  }

  unroute(reqId: number): void {
    this.handlers.delete(reqId);
  }
}

const routers = new WeakMap<IBApi, ReqIdRouter>();

/** The router of one IBApi (created on first use; lives as long as the IBApi). */
export function routerFor(api: IBApi): ReqIdRouter {
  let router = routers.get(api);
  if (!router) {
    router = new ReqIdRouter(api);
    routers.set(api, router);
  }
  return router;
}
