/**
 * What mainstream clients ask for at start-up and a trading tool looks up now and then, answered as
 * TWS answers a paper account that has none of the extras: completed orders, account updates and
 * positions per account and model (the "multi" requests), family codes, market rules (price
 * increments), user info, the earliest history (head timestamp), news providers, soft-dollar tiers,
 * depth exchanges, SMART components and symbol search. Where the simulator has nothing (news, soft
 * dollars, family codes) the answer is the empty list TWS sends, never silence: a client waiting for it
 * would otherwise wait out its timeout.
 */
import type { SimContext } from '../context';
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import type { ClientSession } from '../session';
import { num } from '../fields';
import { readContract, resolveOne } from '../contract-codec';
import { accountNumbers, baseBalance, ledgerTags, positionLines, summaryTags } from '../account-values';
import { completedOrderFields, contractBlock } from '../orders/order-messages';
import { orderDesk } from './orders';
import { pad, TWS_TIME_ZONE } from '../tws-time';
import { formatInZone, zonedToEpoch } from '../../../messages/time-zones';
import type { Instrument } from '../../market/universe';

/** The first trading day the simulator reports history from (its market model has no listing dates). */
const HISTORY_BEGINS = { year: 1990, month: 1, day: 2 };

/** Per-session "multi" subscriptions, stopped when the connection closes. */
function multiSubscriptions(session: ClientSession): Map<number, () => void> {
  let map = session.state.get('startup') as Map<number, () => void> | undefined;
  if (!map) {
    const created = new Map<number, () => void>();
    map = created;
    session.state.set('startup', created);
    session.onClose(() => {
      for (const stop of created.values()) stop();
      created.clear();
    });
  }
  return map;
}

function stopMulti(session: ClientSession, reqId: number): void {
  const map = multiSubscriptions(session);
  map.get(reqId)?.();
  map.delete(reqId);
}

/** Sends now and after every fill, until stopped. */
function followAccount(context: SimContext, send: () => void): () => void {
  send();
  const desk = orderDesk(context);
  desk.accountListeners.add(send);
  return () => desk.accountListeners.delete(send);
}

/** An account a "multi" request may name: empty (all), "All", or one the simulator manages. */
function knownAccount(context: SimContext, account: string): boolean {
  return account === '' || account === 'All' || context.options.accounts.includes(account);
}

/** The accounts a "multi" request covers: every one for empty or "All", else the one named. */
function coveredAccounts(context: SimContext, account: string): string[] {
  return account === '' || account === 'All' ? context.options.accounts : [account];
}

/** The increments of a market rule: the finest tick among the instruments that carry it. */
function marketRuleIncrement(context: SimContext, ruleId: number): number | null {
  let tick: number | null = null;
  for (const instrument of context.market.universe.instruments) {
    if (!instrument.marketRuleIds.split(',').map(Number).includes(ruleId)) continue;
    tick = tick === null ? instrument.minTick : Math.min(tick, instrument.minTick);
  }
  for (const chain of context.market.universe.options.chains) {
    if (Number(chain.marketRuleIds) === ruleId) tick = tick === null ? chain.minTick : Math.min(tick, chain.minTick);
  }
  return tick;
}

export function registerStartupHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_COMPLETED_ORDERS, 'REQ_COMPLETED_ORDERS', (session, reader, context) => {
    reader.bool('apiOnly'); // every order of the simulator came through the API
    for (const record of orderDesk(context).completedRecords()) session.send(completedOrderFields(record, session.serverVersion));
    session.send([Outgoing.COMPLETED_ORDERS_END]);
  });

  register(registry, Incoming.REQ_ACCOUNT_UPDATES_MULTI, 'REQ_ACCOUNT_UPDATES_MULTI', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const account = reader.str('account');
    const modelCode = reader.str('modelCode');
    const ledgerAndNlv = reader.bool('ledgerAndNLV');
    if (!knownAccount(context, account)) {
      session.error(reqId, 321, `Error validating request.-'cb' : cause - account "${account}" is not managed here: use ${context.options.accounts.join(', ')}`);
      return;
    }
    stopMulti(session, reqId);
    let first = true;
    const stop = followAccount(context, () => {
      for (const name of coveredAccounts(context, account)) {
        const numbers = accountNumbers(context.engines.get(name)!, context.market, context.now());
        const values = ledgerAndNlv ? ledgerTags(baseBalance(numbers), 1).filter(([tag]) => tag === 'NetLiquidationByCurrency' || tag === 'CashBalance' || tag === 'TotalCashBalance') : summaryTags(numbers);
        for (const [tag, value] of ledgerAndNlv ? [...values, ...summaryTags(numbers).filter(([t]) => t === 'NetLiquidation')] : values) {
          session.send([Outgoing.ACCOUNT_UPDATE_MULTI, 1, reqId, name, modelCode, tag, value, tag === 'AccountType' ? '' : 'USD']);
        }
      }
      if (first) session.send([Outgoing.ACCOUNT_UPDATE_MULTI_END, 1, reqId]);
      first = false;
    });
    multiSubscriptions(session).set(reqId, stop);
  });

  register(registry, Incoming.CANCEL_ACCOUNT_UPDATES_MULTI, 'CANCEL_ACCOUNT_UPDATES_MULTI', (session, reader) => {
    reader.int('version');
    stopMulti(session, reader.int('reqId'));
  });

  register(registry, Incoming.REQ_POSITIONS_MULTI, 'REQ_POSITIONS_MULTI', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const account = reader.str('account');
    const modelCode = reader.str('modelCode');
    if (!knownAccount(context, account)) {
      session.error(reqId, 321, `Error validating request.-'ca' : cause - account "${account}" is not managed here: use ${context.options.accounts.join(', ')}`);
      return;
    }
    stopMulti(session, reqId);
    let first = true;
    const stop = followAccount(context, () => {
      for (const name of coveredAccounts(context, account)) {
        for (const { instrument, position } of positionLines(context.engines.get(name)!, context.market)) {
          session.send([Outgoing.POSITION_MULTI, 1, reqId, name, ...contractBlock(instrument, instrument.primaryExch || instrument.exchange), num(position.quantity), num(position.avgCost), modelCode]);
        }
      }
      if (first) session.send([Outgoing.POSITION_MULTI_END, 1, reqId]);
      first = false;
    });
    multiSubscriptions(session).set(reqId, stop);
  });

  register(registry, Incoming.CANCEL_POSITIONS_MULTI, 'CANCEL_POSITIONS_MULTI', (session, reader) => {
    reader.int('version');
    stopMulti(session, reader.int('reqId'));
  });

  register(registry, Incoming.REQ_FAMILY_CODES, 'REQ_FAMILY_CODES', (session, _reader, context) => {
    // One family code entry per account, empty: the simulator's accounts belong to no family.
    const accounts = context.options.accounts;
    session.send([Outgoing.FAMILY_CODES, accounts.length, ...accounts.flatMap((a) => [a, ''])]);
  });

  register(registry, Incoming.REQ_MARKET_RULE, 'REQ_MARKET_RULE', (session, reader, context) => {
    const ruleId = reader.int('marketRuleId');
    const tick = marketRuleIncrement(context, ruleId);
    if (tick === null) {
      session.error(-1, 321, `Error validating request.-'cq' : cause - market rule ${ruleId} is not a rule of any contract here`);
      return;
    }
    session.send([Outgoing.MARKET_RULE, ruleId, 1, 0, num(tick)]);
  });

  register(registry, Incoming.REQ_USER_INFO, 'REQ_USER_INFO', (session, reader) => {
    session.send([Outgoing.USER_INFO, reader.int('reqId'), '']);
  });

  register(registry, Incoming.REQ_HEAD_TIMESTAMP, 'REQ_HEAD_TIMESTAMP', (session, reader, context) => {
    const reqId = reader.int('reqId');
    const query = readContract(reader);
    reader.bool('includeExpired');
    const useRth = reader.bool('useRTH');
    reader.str('whatToShow');
    const formatDate = reader.int('formatDate', 1);
    const instrument = resolveOne(session, context.market, query, reqId);
    if (!instrument) return;
    // The first bar of that day: the regular session's open, or the day's start when any hour counts.
    const minutes = useRth ? instrument.rth.start : 0;
    const first = zonedToEpoch(instrument.zone, HISTORY_BEGINS.year, HISTORY_BEGINS.month, HISTORY_BEGINS.day, Math.floor(minutes / 60), minutes % 60, 0);
    let text: string;
    if (formatDate === 2) text = String(Math.floor(first / 1000));
    else {
      const p = formatInZone(first, TWS_TIME_ZONE);
      text = `${p.year}${pad(p.month)}${pad(p.day)}-${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
    }
    session.send([Outgoing.HEAD_TIMESTAMP, reqId, text]);
  });

  register(registry, Incoming.CANCEL_HEAD_TIMESTAMP, 'CANCEL_HEAD_TIMESTAMP', (_session, reader) => {
    reader.int('reqId'); // answered at once: nothing is left to cancel
  });

  register(registry, Incoming.REQ_NEWS_PROVIDERS, 'REQ_NEWS_PROVIDERS', (session) => {
    session.send([Outgoing.NEWS_PROVIDERS, 0]);
  });

  register(registry, Incoming.REQ_SOFT_DOLLAR_TIERS, 'REQ_SOFT_DOLLAR_TIERS', (session, reader) => {
    session.send([Outgoing.SOFT_DOLLAR_TIERS, reader.int('reqId'), 0]);
  });

  register(registry, Incoming.REQ_MKT_DEPTH_EXCHANGES, 'REQ_MKT_DEPTH_EXCHANGES', (session, _reader, context) => {
    const venues = new Map<string, string>();
    for (const instrument of context.market.universe.instruments) venues.set(`${instrument.exchange}:${instrument.secType}`, instrument.primaryExch);
    const rows = [...venues].map(([key, listing]) => {
      const [exchange, secType] = key.split(':');
      return [exchange!, secType!, listing, 'Deep2', ''];
    });
    session.send([Outgoing.MKT_DEPTH_EXCHANGES, rows.length, ...rows.flat()]);
  });

  register(registry, Incoming.REQ_SMART_COMPONENTS, 'REQ_SMART_COMPONENTS', (session, reader, context) => {
    const reqId = reader.int('reqId');
    reader.str('bboExchange');
    // The venues SMART routes to here: every listing exchange of a SMART-routed contract.
    const venues = [...new Set(context.market.universe.instruments.filter((i) => i.exchange === 'SMART' && i.primaryExch).map((i) => i.primaryExch))];
    session.send([Outgoing.SMART_COMPONENTS, reqId, venues.length, ...venues.flatMap((venue, i) => [i + 1, venue, venue.slice(0, 1)])]);
  });

  register(registry, Incoming.REQ_MATCHING_SYMBOLS, 'REQ_MATCHING_SYMBOLS', (session, reader, context) => {
    const reqId = reader.int('reqId');
    const pattern = reader.str('pattern').trim().toUpperCase();
    const matches = pattern
      ? context.market.universe.instruments.filter((i) => i.symbol.startsWith(pattern) || i.longName.toUpperCase().includes(pattern))
      : [];
    // One description per symbol and type (the futures months are one "FUT" entry of the underlying).
    const seen = new Map<string, Instrument>();
    for (const instrument of matches) if (!seen.has(`${instrument.symbol}:${instrument.secType}`)) seen.set(`${instrument.symbol}:${instrument.secType}`, instrument);
    const universe = context.market.universe;
    const rows = [...seen.values()].slice(0, 16).map((i) => {
      // The derivative types listed on it: options on stocks and indices, options on futures.
      const derivatives = [...new Set(universe.options.chainsOf(i).map((chain) => chain.secType))];
      return [i.conId, i.symbol, i.secType, i.primaryExch || i.exchange, i.currency, derivatives.length, ...derivatives, i.longName, ''];
    });
    session.send([Outgoing.SYMBOL_SAMPLES, reqId, rows.length, ...rows.flat()]);
  });
}
