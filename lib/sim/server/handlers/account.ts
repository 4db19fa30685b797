/**
 * Positions (REQ_POSITIONS), account summary (REQ_ACCOUNT_SUMMARY), account updates (REQ_ACCOUNT_DATA:
 * values and portfolio) and PnL (REQ_PNL, REQ_PNL_SINGLE) of the fill engine's account. Subscriptions
 * are answered at once, again when a fill changes a position, and PnL once a second as TWS does.
 */
import type { SimContext } from '../context';
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import type { ClientSession, Field } from '../session';
import { maxDouble, num } from '../fields';
import { multiplierText } from '../contract-codec';
import { accountNumbers, ledgerTags, positionLines, summaryTags, type PositionLine } from '../account-values';
import { orderDesk } from './orders';
import { pad, TWS_TIME_ZONE } from '../tws-time';
import { formatInZone } from '../../../messages/time-zones';

const PNL_PERIOD_MS = 1000;
const ACCOUNT_REFRESH_MS = 60_000;

/** Per-session subscriptions of this file, stopped together when the connection closes. */
function subscriptions(session: ClientSession): Map<string, () => void> {
  let map = session.state.get('account') as Map<string, () => void> | undefined;
  if (!map) {
    const created = new Map<string, () => void>();
    map = created;
    session.state.set('account', created);
    session.onClose(() => {
      for (const stop of created.values()) stop();
      created.clear();
    });
  }
  return map;
}

function stopSubscription(session: ClientSession, key: string): boolean {
  const map = subscriptions(session);
  const stop = map.get(key);
  if (!stop) return false;
  stop();
  map.delete(key);
  return true;
}

/** Calls `send` now, after every position change, and every `periodMs`; returns the stopper. */
function follow(context: SimContext, send: () => void, periodMs: number): () => void {
  send();
  const desk = orderDesk(context);
  desk.accountListeners.add(send);
  const timer = setInterval(send, periodMs);
  timer.unref();
  return () => {
    desk.accountListeners.delete(send);
    clearInterval(timer);
  };
}

function positionFields(account: string, line: PositionLine): Field[] {
  const { instrument, position } = line;
  // The engine reports avgCost as TWS does: per contract (price x multiplier), commissions included.
  return [
    Outgoing.POSITION,
    3,
    account,
    instrument.conId,
    instrument.symbol,
    instrument.secType,
    instrument.lastTradeDateOrContractMonth,
    num(instrument.strike),
    instrument.right,
    multiplierText(instrument),
    instrument.primaryExch || instrument.exchange,
    instrument.currency,
    instrument.localSymbol,
    instrument.tradingClass,
    num(position.quantity),
    num(position.avgCost),
  ];
}

function portfolioFields(account: string, line: PositionLine): Field[] {
  const { instrument, position } = line;
  return [
    Outgoing.PORTFOLIO_VALUE,
    8,
    instrument.conId,
    instrument.symbol,
    instrument.secType,
    instrument.lastTradeDateOrContractMonth,
    num(instrument.strike),
    instrument.right,
    multiplierText(instrument),
    instrument.primaryExch,
    instrument.currency,
    instrument.localSymbol,
    instrument.tradingClass,
    num(position.quantity),
    num(position.marketPrice ?? 0),
    num(position.marketValue ?? 0),
    num(position.avgCost),
    num(position.unrealizedPnl ?? 0),
    num(position.realizedPnl),
    account,
  ];
}

export function registerAccountHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_POSITIONS, 'REQ_POSITIONS', (session, reader, context) => {
    reader.int('version');
    stopSubscription(session, 'positions');
    let first = true;
    const stop = follow(
      context,
      () => {
        for (const line of positionLines(context.engine, context.market)) session.send(positionFields(context.engine.account, line));
        if (first) session.send([Outgoing.POSITION_END, 1]);
        first = false;
      },
      ACCOUNT_REFRESH_MS,
    );
    subscriptions(session).set('positions', stop);
  });

  register(registry, Incoming.CANCEL_POSITIONS, 'CANCEL_POSITIONS', (session, reader) => {
    reader.int('version');
    stopSubscription(session, 'positions');
  });

  register(registry, Incoming.REQ_ACCOUNT_SUMMARY, 'REQ_ACCOUNT_SUMMARY', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const group = reader.str('group');
    const tagText = reader.str('tags');
    if (group !== 'All' && group !== '' && !context.options.accounts.includes(group)) {
      session.error(reqId, 321, `Error validating request.-'bE' : cause - Unknown account group "${group}": use "All"`);
      return;
    }
    const wanted = new Set(tagText.split(',').map((t) => t.trim()).filter(Boolean));
    let first = true;
    const stop = follow(
      context,
      () => {
        const numbers = accountNumbers(context.engine, context.market);
        const account = context.engine.account;
        // Money is kept in USD; the summary speaks the account's base currency.
        const { baseCurrency: base, exchangeRates: rates } = context.options;
        const usd = rates.USD ?? 1;
        const inBase = (value: string) => (usd === 1 ? value : (Number(value) * usd).toFixed(2));
        for (const [tag, value] of summaryTags(numbers)) {
          if (!wanted.has(tag)) continue;
          const plain = tag === 'AccountType' || tag === 'Cushion' || tag === 'Leverage' || tag === 'DayTradesRemaining' || tag === 'HighestSeverity' || tag === 'LookAheadNextChange';
          session.send([Outgoing.ACCOUNT_SUMMARY, 1, reqId, account, tag, plain ? value : inBase(value), plain ? '' : base]);
        }
        const ledger = ['$LEDGER', '$LEDGER:USD', '$LEDGER:ALL'].filter((t) => wanted.has(t));
        if (ledger.length > 0) {
          for (const [tag, value] of ledgerTags(numbers)) {
            session.send([Outgoing.ACCOUNT_SUMMARY, 1, reqId, account, tag, tag === 'ExchangeRate' && usd !== 1 ? String(usd) : value, 'USD']);
            if (wanted.has('$LEDGER:ALL')) session.send([Outgoing.ACCOUNT_SUMMARY, 1, reqId, account, tag, tag === 'ExchangeRate' ? '1.00' : inBase(value), 'BASE']);
          }
          // The other currencies TWS knows a rate for (none held here).
          if (wanted.has('$LEDGER:ALL')) {
            for (const [code, rate] of Object.entries(rates)) {
              if (code !== 'USD') session.send([Outgoing.ACCOUNT_SUMMARY, 1, reqId, account, 'ExchangeRate', String(rate), code]);
            }
          }
        }
        if (first) session.send([Outgoing.ACCOUNT_SUMMARY_END, 1, reqId]);
        first = false;
      },
      ACCOUNT_REFRESH_MS * 3,
    );
    stopSubscription(session, `summary:${reqId}`);
    subscriptions(session).set(`summary:${reqId}`, stop);
  });

  register(registry, Incoming.CANCEL_ACCOUNT_SUMMARY, 'CANCEL_ACCOUNT_SUMMARY', (session, reader) => {
    reader.int('version');
    stopSubscription(session, `summary:${reader.int('reqId')}`);
  });

  register(registry, Incoming.REQ_ACCOUNT_DATA, 'REQ_ACCOUNT_DATA', (session, reader, context) => {
    reader.int('version');
    const subscribe = reader.bool('subscribe');
    const requested = reader.remaining > 0 ? reader.str('acctCode') : '';
    stopSubscription(session, 'updates');
    if (!subscribe) return;
    const account = context.engine.account;
    if (requested && requested !== account) {
      session.error(-1, 321, `Error validating request.-'bA' : cause - account updates are served for ${account} only, not "${requested}"`);
      return;
    }
    let first = true;
    const stop = follow(
      context,
      () => {
        const numbers = accountNumbers(context.engine, context.market);
        for (const [tag, value] of summaryTags(numbers)) session.send([Outgoing.ACCT_VALUE, 2, tag, value, tag === 'AccountType' ? '' : 'USD', account]);
        for (const [tag, value] of ledgerTags(numbers)) {
          session.send([Outgoing.ACCT_VALUE, 2, tag, value, 'USD', account]);
          session.send([Outgoing.ACCT_VALUE, 2, tag, value, 'BASE', account]);
        }
        for (const line of positionLines(context.engine, context.market)) session.send(portfolioFields(account, line));
        const p = formatInZone(context.now(), TWS_TIME_ZONE);
        session.send([Outgoing.ACCT_UPDATE_TIME, 1, `${pad(p.hour)}:${pad(p.minute)}`]);
        if (first) session.send([Outgoing.ACCT_DOWNLOAD_END, 1, account]);
        first = false;
      },
      ACCOUNT_REFRESH_MS,
    );
    subscriptions(session).set('updates', stop);
  });

  register(registry, Incoming.REQ_PNL, 'REQ_PNL', (session, reader, context) => {
    const reqId = reader.int('reqId');
    reader.str('account');
    reader.str('modelCode');
    stopSubscription(session, `pnl:${reqId}`);
    const send = () => {
      const n = accountNumbers(context.engine, context.market);
      session.send([Outgoing.PNL, reqId, num(n.unrealizedPnl + n.realizedPnl), num(n.unrealizedPnl), num(n.realizedPnl)]);
    };
    subscriptions(session).set(`pnl:${reqId}`, follow(context, send, PNL_PERIOD_MS));
  });

  register(registry, Incoming.CANCEL_PNL, 'CANCEL_PNL', (session, reader) => {
    stopSubscription(session, `pnl:${reader.int('reqId')}`);
  });

  register(registry, Incoming.REQ_PNL_SINGLE, 'REQ_PNL_SINGLE', (session, reader, context) => {
    const reqId = reader.int('reqId');
    reader.str('account');
    reader.str('modelCode');
    const conId = reader.int('conId');
    const instrument = context.market.universe.get(conId);
    if (!instrument) {
      session.error(reqId, 200, 'No security definition has been found for the request');
      return;
    }
    stopSubscription(session, `pnl:${reqId}`);
    const send = () => {
      const position = context.engine.position(instrument.key);
      const unrealized = position?.unrealizedPnl ?? 0;
      const realized = position?.realizedPnl ?? 0;
      session.send([
        Outgoing.PNL_SINGLE,
        reqId,
        num(position?.quantity ?? 0),
        num(unrealized + realized),
        position ? num(unrealized) : maxDouble(undefined),
        num(realized),
        num(position?.marketValue ?? 0),
      ]);
    };
    subscriptions(session).set(`pnl:${reqId}`, follow(context, send, PNL_PERIOD_MS));
  });

  register(registry, Incoming.CANCEL_PNL_SINGLE, 'CANCEL_PNL_SINGLE', (session, reader) => {
    stopSubscription(session, `pnl:${reader.int('reqId')}`);
  });
}
