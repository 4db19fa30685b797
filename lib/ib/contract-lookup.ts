/**
 * Looking contracts up: every contract a description matches (reqContractDetails), symbol search
 * (reqMatchingSymbols), the option chains on an underlying (reqSecDefOptParams), an option's quote with
 * its greeks (a market data snapshot with tick option computation), and picking one option of a chain
 * by days to expiry and delta ("the 30-delta call 30 days out") or strike. Every failure is a
 * LookupError that names what was asked and says what to change.
 */
import type { Contract, ContractDetails, ContractDescription } from '@stoqey/ib';
import type { IbRequestError, IbSession } from './connection';
import { routerFor, type RoutedHandlers } from './ib-router';
import type { QualifiedContract } from './contracts';
import { describeContract, instrumentKey } from '../messages/instrument';
import type { InstrumentKey } from '../messages';

export class LookupError extends Error {
  override name = 'LookupError';
}

const TIMEOUT_MS = 12_000;

/**
 * One routed request: `start(reqId)` sends it, `handlers(finish)` collect the answer and call finish
 * when it is complete. Error 200 (no security definition) resolves with `onUnknown` when given.
 */
async function request<T>(session: IbSession, what: string, start: (reqId: number) => void, handlers: (finish: (value: T) => void) => RoutedHandlers, onUnknown?: () => T, timeoutMs = TIMEOUT_MS): Promise<T> {
  await session.whenConnected(timeoutMs).catch((err: Error) => {
    throw new LookupError(`cannot look up ${what}: not connected to TWS (${err.message})`);
  });
  return new Promise<T>((resolve, reject) => {
    const router = routerFor(session.api);
    let reqId = -1;
    let done = false;
    const end = (err: Error | null, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      router.unroute(reqId);
      session.releaseReqId(reqId);
      if (err) reject(err);
      else resolve(value as T);
    };
    const timer = setTimeout(() => end(new LookupError(`no answer from TWS about ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
    reqId = session.allocateReqId({
      onRequestError: (error: IbRequestError) => {
        if (error.code === 200 && onUnknown) end(null, onUnknown());
        else end(new LookupError(`${what}: TWS answered ${error.message} (${error.code})`));
      },
    });
    router.route(reqId, handlers((value) => end(null, value)));
    start(reqId);
  });
}

/** Every contract the description matches ([] when TWS knows none). */
export function findContracts(session: IbSession, contract: Contract): Promise<ContractDetails[]> {
  const list: ContractDetails[] = [];
  return request<ContractDetails[]>(
    session,
    describeContract(contract),
    (reqId) => session.api.reqContractDetails(reqId, contract),
    (finish) => ({ contractDetails: (d) => list.push(d), contractDetailsEnd: () => finish(list) }),
    () => [],
  );
}

export interface SymbolMatch {
  conId: number;
  symbol: string;
  secType: string;
  primaryExch: string;
  currency: string;
  description: string;
  /** The derivative types listed on it (OPT, FOP, WAR ...). */
  derivativeSecTypes: string[];
}

/** Symbol search: the instruments whose symbol or name starts with (or contains) `pattern`. */
export function searchSymbols(session: IbSession, pattern: string): Promise<SymbolMatch[]> {
  return request<SymbolMatch[]>(
    session,
    `symbols matching "${pattern}"`,
    (reqId) => session.api.reqMatchingSymbols(reqId, pattern),
    (finish) => ({
      symbolSamples: (descriptions: ContractDescription[]) =>
        finish(
          descriptions.map((d) => ({
            conId: d.contract?.conId ?? 0,
            symbol: d.contract?.symbol ?? '',
            secType: String(d.contract?.secType ?? ''),
            primaryExch: d.contract?.primaryExch ?? '',
            currency: d.contract?.currency ?? '',
            description: (d.contract as { description?: string } | undefined)?.description ?? '',
            derivativeSecTypes: (d.derivativeSecTypes ?? []).map(String),
          })),
        ),
    }),
  );
}

export interface OptionChainParams {
  exchange: string;
  underlyingConId: number;
  tradingClass: string;
  multiplier: number;
  /** yyyyMMdd, ascending. */
  expirations: string[];
  strikes: number[];
}

/** The option chains on a qualified underlying (one per exchange and trading class). */
export function optionChains(session: IbSession, underlying: QualifiedContract): Promise<OptionChainParams[]> {
  const c = underlying.contract;
  const list: OptionChainParams[] = [];
  // Options on futures are asked for with the future's exchange; equity and index options with "".
  const fopExchange = c.secType === 'FUT' ? c.exchange ?? '' : '';
  return request<OptionChainParams[]>(
    session,
    `the option chain of ${describeContract(c)}`,
    (reqId) => session.api.reqSecDefOptParams(reqId, c.symbol ?? '', fopExchange, c.secType as never, c.conId ?? 0),
    (finish) => ({
      optionParameters: (exchange, underlyingConId, tradingClass, multiplier, expirations, strikes) =>
        list.push({ exchange, underlyingConId, tradingClass, multiplier: Number(multiplier), expirations: [...expirations].sort(), strikes: [...strikes].sort((a, b) => a - b) }),
      optionParametersEnd: () => finish(list),
    }),
    () => [],
  );
}

export interface OptionQuote {
  bid: number | null;
  ask: number | null;
  last: number | null;
  /** The model's (TWS's) implied volatility, annualised (0.25 = 25%), and greeks. */
  impliedVolatility: number | null;
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
  modelPrice: number | null;
  underlyingPrice: number | null;
}

/** Tick types: bid, ask, last, close, and their delayed ids; the model's option computation (13, 83). */
const BID = new Set([1, 66]);
const ASK = new Set([2, 67]);
const LAST = new Set([4, 68]);
const CLOSE = new Set([9, 75]);
const MODEL = new Set([13, 83]);

const known = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) || v === Number.MAX_VALUE ? null : v);

/** One snapshot of a contract's quote; for an option with the model's volatility and greeks. */
export function quoteSnapshot(session: IbSession, contract: Contract): Promise<OptionQuote & { close: number | null }> {
  const quote: OptionQuote & { close: number | null } = { bid: null, ask: null, last: null, close: null, impliedVolatility: null, delta: null, gamma: null, vega: null, theta: null, modelPrice: null, underlyingPrice: null };
  return request(
    session,
    `a quote of ${describeContract(contract)}`,
    (reqId) => session.api.reqMktData(reqId, contract, '', true, false),
    (finish) => ({
      tickPrice: (type, value) => {
        const v = value > 0 ? value : null;
        if (BID.has(type)) quote.bid = v;
        else if (ASK.has(type)) quote.ask = v;
        else if (LAST.has(type)) quote.last = v;
        else if (CLOSE.has(type)) quote.close = v;
      },
      optionComputation: (type, iv, delta, price, gamma, vega, theta, underlying) => {
        if (!MODEL.has(type)) return;
        quote.impliedVolatility = known(iv);
        quote.delta = known(delta);
        quote.gamma = known(gamma);
        quote.vega = known(vega);
        quote.theta = known(theta);
        quote.modelPrice = known(price);
        quote.underlyingPrice = known(underlying);
      },
      tickSnapshotEnd: () => finish(quote),
    }),
  );
}

/** What to pick: a right, days to expiry, and a delta (absolute, e.g. 0.3) or a strike. */
export interface OptionPick {
  right: 'C' | 'P';
  days: number;
  delta?: number;
  strike?: number;
}

export interface PickedOption {
  key: InstrumentKey;
  contract: Contract;
  details: ContractDetails;
  expiry: string;
  /** Calendar days from `now` to the expiry date. */
  days: number;
  quote: OptionQuote;
}

/** Options priced at once when searching by delta: enough strikes around the money, few enough for TWS's snapshot limits. */
const DELTA_CANDIDATES = 16;

function daysUntil(expiry: string, now: number): number {
  const at = Date.UTC(Number(expiry.slice(0, 4)), Number(expiry.slice(4, 6)) - 1, Number(expiry.slice(6, 8)));
  const today = new Date(now);
  return Math.round((at - Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())) / 86_400_000);
}

function midOf(q: { bid: number | null; ask: number | null; last: number | null; close?: number | null }): number | null {
  if (q.bid !== null && q.ask !== null) return (q.bid + q.ask) / 2;
  return q.last ?? q.close ?? null;
}

/**
 * One option of an underlying's chain: the expiry closest to `pick.days`, then the strike closest to
 * `pick.strike`, or the one whose model delta is closest to `pick.delta` (a put's delta counts as its
 * absolute value), or else the one nearest the money.
 */
export async function pickOption(session: IbSession, underlying: QualifiedContract, pick: OptionPick, now = Date.now()): Promise<PickedOption> {
  const u = underlying.contract;
  const name = describeContract(u);
  const chains = await optionChains(session, underlying);
  if (chains.length === 0) throw new LookupError(`${name} has no options listed: pick an underlying with an option chain (symbol search lists OPT or FOP among its derivative types)`);
  const secType = u.secType === 'FUT' ? 'FOP' : 'OPT';
  const chain = chains.find((c) => c.exchange === (secType === 'FOP' ? u.exchange : 'SMART') && c.tradingClass === u.symbol) ?? chains.find((c) => c.exchange === 'SMART') ?? chains[0]!;
  const future = chain.expirations.filter((e) => daysUntil(e, now) >= 0);
  if (future.length === 0) throw new LookupError(`every expiry of ${name}'s options has passed`);
  const expiry = future.reduce((best, e) => (Math.abs(daysUntil(e, now) - pick.days) < Math.abs(daysUntil(best, now) - pick.days) ? e : best));
  const series = await findContracts(session, {
    symbol: u.symbol,
    secType: secType as Contract['secType'],
    exchange: chain.exchange,
    currency: u.currency,
    lastTradeDateOrContractMonth: expiry,
    right: pick.right as Contract['right'],
    tradingClass: chain.tradingClass,
    multiplier: chain.multiplier as never,
  });
  if (series.length === 0) throw new LookupError(`TWS lists no ${pick.right === 'C' ? 'calls' : 'puts'} of ${name} expiring ${expiry}`);
  series.sort((a, b) => (a.contract.strike ?? 0) - (b.contract.strike ?? 0));
  const withExchange = (d: ContractDetails): Contract => ({ ...d.contract, exchange: chain.exchange });
  const result = async (d: ContractDetails, quote?: OptionQuote): Promise<PickedOption> => {
    const contract = withExchange(d);
    return { key: instrumentKey(contract), contract, details: d, expiry, days: daysUntil(expiry, now), quote: quote ?? (await quoteSnapshot(session, contract)) };
  };
  if (pick.strike !== undefined) {
    const wanted = pick.strike;
    return result(series.reduce((best, d) => (Math.abs((d.contract.strike ?? 0) - wanted) < Math.abs((best.contract.strike ?? 0) - wanted) ? d : best)));
  }
  const underlyingQuote = await quoteSnapshot(session, u);
  const price = midOf(underlyingQuote);
  if (price === null) throw new LookupError(`no price for ${name} to find its options around: is its market data available?`);
  const byDistance = [...series].sort((a, b) => Math.abs((a.contract.strike ?? 0) - price) - Math.abs((b.contract.strike ?? 0) - price));
  if (pick.delta === undefined) return result(byDistance[0]!);
  const target = Math.abs(pick.delta);
  if (!(target > 0 && target < 1)) throw new LookupError(`delta ${pick.delta} is not between 0 and 1: use e.g. 0.3 for a 30-delta option`);
  // Out-of-the-money strikes for deltas under 0.5, in-the-money ones above: the side the target is on.
  const otm = (d: ContractDetails) => (pick.right === 'C' ? (d.contract.strike ?? 0) >= price : (d.contract.strike ?? 0) <= price);
  const side = byDistance.filter((d) => otm(d) === target <= 0.5);
  const candidates = [byDistance[0]!, ...side].filter((d, i, all) => all.indexOf(d) === i).slice(0, DELTA_CANDIDATES);
  const quotes = await Promise.all(candidates.map((d) => quoteSnapshot(session, withExchange(d))));
  let best = -1;
  for (let i = 0; i < candidates.length; i++) {
    const delta = quotes[i]!.delta;
    if (delta === null) continue;
    if (best < 0 || Math.abs(Math.abs(delta) - target) < Math.abs(Math.abs(quotes[best]!.delta!) - target)) best = i;
  }
  if (best < 0) throw new LookupError(`TWS gave no greeks for ${name}'s options expiring ${expiry}: option market data (or delayed data) is needed to pick by delta; pick by strike instead`);
  return result(candidates[best]!, quotes[best]!);
}
