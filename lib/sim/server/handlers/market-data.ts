/**
 * REQ_MKT_DATA / CANCEL_MKT_DATA / REQ_MARKET_DATA_TYPE: top-of-book ticks from the walk. A stream
 * starts with MARKET_DATA_TYPE and the full set of values, then sends what changed at each clock tick.
 * A snapshot sends the full set once and TICK_SNAPSHOT_END. Delayed types (3, 4) use the delayed tick
 * ids and prices from 15 minutes ago, as TWS does without a live subscription.
 */
import type { SimContext } from '../context';
import { service } from '../context';
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import { readContract, resolveOne } from '../contract-codec';
import type { ClientSession } from '../session';
import { num } from '../fields';
import { marketClock } from '../market-clock';
import type { Instrument } from '../../market/universe';
import { DayStats } from '../../market/day-stats';
import { optionValue, type OptionValue } from '../../market/option-model';

export const TickType = {
  BID_SIZE: 0,
  BID: 1,
  ASK: 2,
  ASK_SIZE: 3,
  LAST: 4,
  LAST_SIZE: 5,
  HIGH: 6,
  LOW: 7,
  VOLUME: 8,
  CLOSE: 9,
  OPEN: 14,
} as const;

/** Live tick id -> delayed tick id. */
const DELAYED: Record<number, number> = { 0: 69, 1: 66, 2: 67, 3: 70, 4: 68, 5: 71, 6: 72, 7: 73, 8: 74, 9: 75, 14: 76 };
const DELAY_MS = 15 * 60_000;

interface Values {
  bid: number;
  ask: number;
  last: number;
  bidSize: number;
  askSize: number;
  lastSize: number;
  volume: number;
  high: number;
  low: number;
  open: number;
  close: number;
}

interface Subscription {
  reqId: number;
  instrument: Instrument;
  delayed: boolean;
  previous: Values | null;
  stop: () => void;
}

interface SessionMarketData {
  /** Market data type requested with REQ_MARKET_DATA_TYPE (1 live by default). */
  type: number;
  subscriptions: Map<number, Subscription>;
}

function sessionState(session: ClientSession): SessionMarketData {
  let state = session.state.get('market-data') as SessionMarketData | undefined;
  if (!state) {
    state = { type: 1, subscriptions: new Map() };
    session.state.set('market-data', state);
    session.onClose(() => {
      for (const subscription of state!.subscriptions.values()) subscription.stop();
    });
  }
  return state;
}

function dayStats(context: SimContext, instrument: Instrument, delayed: boolean): DayStats {
  const all = service(context, 'day-stats', () => new Map<string, DayStats>());
  const key = `${instrument.conId}:${delayed ? 'd' : 'l'}`;
  let stats = all.get(key);
  if (!stats) {
    stats = new DayStats(context.market.path(instrument));
    all.set(key, stats);
  }
  return stats;
}

function valuesAt(context: SimContext, instrument: Instrument, time: number, delayed: boolean): Values {
  const at = delayed ? time - DELAY_MS : time;
  const quote = context.market.quote(instrument, at);
  const stats = dayStats(context, instrument, delayed).at(at);
  if (instrument.option) {
    // An option's day follows its underlying: yesterday's close is the model's value at today's start;
    // the day's range is not kept (no HIGH, LOW, OPEN ticks).
    const path = context.market.path(instrument.option.chain.underlying);
    const close = context.market.optionModel(instrument, path.dayStart(path.dayOf(at)) - 1).price;
    const tick = instrument.minTick;
    return { ...quoteValues(quote), volume: stats.volume, high: NaN, low: NaN, open: NaN, close: Number((Math.round(close / tick) * tick).toFixed(2)) };
  }
  return {
    bid: quote.bid,
    ask: quote.ask,
    last: quote.last,
    bidSize: quote.bidSize,
    askSize: quote.askSize,
    lastSize: quote.lastSize,
    volume: instrument.hasTrades && instrument.secType !== 'IND' ? stats.volume : NaN,
    high: stats.high,
    low: stats.low,
    open: stats.open,
    close: stats.previousClose,
  };
}

function quoteValues(quote: { bid: number; ask: number; last: number; bidSize: number; askSize: number; lastSize: number }) {
  return { bid: quote.bid, ask: quote.ask, last: quote.last, bidSize: quote.bidSize, askSize: quote.askSize, lastSize: quote.lastSize };
}

function sendPrice(session: ClientSession, reqId: number, delayed: boolean, tickType: number, price: number, size: number | '', mask: number): void {
  session.send([Outgoing.TICK_PRICE, 6, reqId, delayed ? DELAYED[tickType] : tickType, num(price), size === '' ? '' : num(size), mask]);
}

function sendSize(session: ClientSession, reqId: number, delayed: boolean, tickType: number, size: number): void {
  session.send([Outgoing.TICK_SIZE, 6, reqId, delayed ? DELAYED[tickType] : tickType, num(size)]);
}

/** Sends the values that differ from `previous` (all of them when it is null). */
function sendChanges(session: ClientSession, reqId: number, delayed: boolean, v: Values, previous: Values | null): void {
  const changed = (key: keyof Values) => !Number.isNaN(v[key]) && (previous === null || previous[key] !== v[key]);
  // A price tick carries its size; the client derives the size event from it.
  if (changed('bid')) sendPrice(session, reqId, delayed, TickType.BID, v.bid, v.bidSize, 1);
  else if (changed('bidSize')) sendSize(session, reqId, delayed, TickType.BID_SIZE, v.bidSize);
  if (changed('ask')) sendPrice(session, reqId, delayed, TickType.ASK, v.ask, v.askSize, 1);
  else if (changed('askSize')) sendSize(session, reqId, delayed, TickType.ASK_SIZE, v.askSize);
  if (changed('last') || (previous !== null && !Number.isNaN(v.last) && changed('lastSize'))) {
    sendPrice(session, reqId, delayed, TickType.LAST, v.last, Number.isNaN(v.lastSize) ? '' : v.lastSize, 0);
  }
  if (previous === null) {
    // TWS repeats the sizes as TICK_SIZE on the first update.
    if (!Number.isNaN(v.bidSize)) sendSize(session, reqId, delayed, TickType.BID_SIZE, v.bidSize);
    if (!Number.isNaN(v.askSize)) sendSize(session, reqId, delayed, TickType.ASK_SIZE, v.askSize);
    if (!Number.isNaN(v.last) && !Number.isNaN(v.lastSize)) sendSize(session, reqId, delayed, TickType.LAST_SIZE, v.lastSize);
  }
  if (changed('volume')) sendSize(session, reqId, delayed, TickType.VOLUME, v.volume);
  if (changed('high')) sendPrice(session, reqId, delayed, TickType.HIGH, v.high, 0, 0);
  if (changed('low')) sendPrice(session, reqId, delayed, TickType.LOW, v.low, 0, 0);
  if (changed('close')) sendPrice(session, reqId, delayed, TickType.CLOSE, v.close, 0, 0);
  if (changed('open')) sendPrice(session, reqId, delayed, TickType.OPEN, v.open, 0, 0);
}

/** Tick types of the option computations: on the bid, the ask, the last price and the model's. */
const OPTION_TICKS = { bid: 10, ask: 11, last: 12, model: 13 } as const;
const DELAYED_OPTION_TICK: Record<number, number> = { 10: 80, 11: 81, 12: 82, 13: 83 };

/**
 * TICK_OPTION_COMPUTATION for an option's bid, ask and last (the volatility each implies and the
 * greeks at it) and for the model (the surface's volatility and price), whichever changed.
 */
function sendOptionComputations(session: ClientSession, context: SimContext, reqId: number, instrument: Instrument, time: number, delayed: boolean, v: Values, previous: Values | null): void {
  const at = delayed ? time - DELAY_MS : time;
  const market = context.market;
  const model = market.optionModel(instrument, at);
  const right = instrument.right === 'P' ? 'P' : 'C';
  const send = (tickType: number, iv: number, value: OptionValue, price: number) => {
    const known = (x: number, unset: number) => (Number.isFinite(x) ? num(x) : unset);
    session.send([
      Outgoing.TICK_OPTION_COMPUTATION,
      reqId,
      delayed ? DELAYED_OPTION_TICK[tickType]! : tickType,
      1, // tickAttrib: price based
      known(iv, -1),
      known(value.delta, -2),
      known(price, -1),
      0, // pvDividend: the model pays no dividends
      known(value.gamma, -2),
      known(value.vega, -2),
      known(value.theta, -2),
      num(model.underlyingPrice),
    ]);
  };
  const quoted = (tickType: number, price: number) => {
    const iv = market.impliedVolatility(instrument, price, at);
    const value = Number.isFinite(iv) ? optionValue(right, model.underlyingPrice, instrument.strike, model.years, iv, instrument.option!.carry) : { price, delta: NaN, gamma: NaN, vega: NaN, theta: NaN };
    send(tickType, iv, value, price);
  };
  const changed = (key: 'bid' | 'ask' | 'last') => !Number.isNaN(v[key]) && (previous === null || previous[key] !== v[key]);
  if (changed('bid')) quoted(OPTION_TICKS.bid, v.bid);
  if (changed('ask')) quoted(OPTION_TICKS.ask, v.ask);
  if (changed('last')) quoted(OPTION_TICKS.last, v.last);
  if (previous === null || changed('bid') || changed('ask')) send(OPTION_TICKS.model, model.volatility, model, model.price);
}

export function registerMarketDataHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_MARKET_DATA_TYPE, 'REQ_MARKET_DATA_TYPE', (session, reader) => {
    reader.int('version');
    const type = reader.int('marketDataType');
    if (type < 1 || type > 4) {
      session.error(-1, 321, `Error validating request.-'bS' : cause - Invalid market data type ${type}: use 1 live, 2 frozen, 3 delayed or 4 delayed frozen`);
      return;
    }
    sessionState(session).type = type;
  });

  register(registry, Incoming.REQ_MKT_DATA, 'REQ_MKT_DATA', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const query = readContract(reader);
    if ((query.secType ?? '').toUpperCase() === 'BAG') {
      const legs = reader.int('comboLegsCount');
      reader.skip(legs * 4, 'combo leg field');
    }
    if (reader.bool('deltaNeutral')) reader.skip(3, 'delta neutral field');
    reader.str('genericTickList');
    const snapshot = reader.bool('snapshot');
    const regulatorySnapshot = reader.remaining > 0 ? reader.bool('regulatorySnapshot') : false;
    if (reader.remaining > 0) reader.str('mktDataOptions');
    const state = sessionState(session);
    if (state.subscriptions.has(reqId)) {
      session.error(reqId, 322, `Error processing request.-'bL' : cause - Duplicate ticker id ${reqId}`);
      return;
    }
    const instrument = resolveOne(session, context.market, query, reqId);
    if (!instrument) return;
    // Frozen (2) is live while the market trades, and the simulated market always trades.
    const type = state.type;
    const delayed = type === 3 || type === 4;
    session.send([Outgoing.MARKET_DATA_TYPE, 1, reqId, delayed ? type : type === 2 ? 1 : type]);
    const now = context.now();
    if (snapshot || regulatorySnapshot) {
      const values = valuesAt(context, instrument, now, delayed);
      sendChanges(session, reqId, delayed, values, null);
      if (instrument.option) sendOptionComputations(session, context, reqId, instrument, now, delayed, values, null);
      session.send([Outgoing.TICK_SNAPSHOT_END, 1, reqId]);
      return;
    }
    const subscription: Subscription = { reqId, instrument, delayed, previous: null, stop: () => {} };
    const first = valuesAt(context, instrument, now, delayed);
    sendChanges(session, reqId, delayed, first, null);
    if (instrument.option) sendOptionComputations(session, context, reqId, instrument, now, delayed, first, null);
    subscription.previous = first;
    subscription.stop = marketClock(context).subscribe((time) => {
      const values = valuesAt(context, instrument, time, delayed);
      sendChanges(session, reqId, delayed, values, subscription.previous);
      if (instrument.option) sendOptionComputations(session, context, reqId, instrument, time, delayed, values, subscription.previous);
      subscription.previous = values;
    });
    state.subscriptions.set(reqId, subscription);
  });

  register(registry, Incoming.CANCEL_MKT_DATA, 'CANCEL_MKT_DATA', (session, reader) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const state = sessionState(session);
    const subscription = state.subscriptions.get(reqId);
    if (!subscription) {
      session.error(reqId, 300, `Can't find EId with tickerId:${reqId}`);
      return;
    }
    subscription.stop();
    state.subscriptions.delete(reqId);
  });
}
