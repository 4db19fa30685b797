/**
 * Positions (REQ_POSITIONS), account summary (REQ_ACCOUNT_SUMMARY), account updates (REQ_ACCOUNT_DATA:
 * values and portfolio) and PnL (REQ_PNL, REQ_PNL_SINGLE) of each managed account (each its own fill
 * engine), at TWS's cadence: every subscription is answered at once; then the P&L streams every
 * second, the summary and the account updates when a fill changes a position and every 3 minutes of
 * the market's clock (TWS's refresh of its Account window), each sending only what changed, and the
 * positions when one changes.
 *
 * Every stream sends on one beat (AccountBeat), from the same engine state in one turn, the P&L first:
 * whenever NetLiquidation goes out, TotalCashValue + the portfolio's market values and every P&L
 * stream sent in that turn agree with it, at the same prices. Between two refreshes the summary's
 * NetLiquidation is older than the P&L, as at TWS; a client marks it with the P&L since (see
 * lib/data/equity-mark.ts).
 */
import type { SimContext } from '../context';
import { engineOf, service } from '../context';
import type { HandlerRegistry } from '../handler';
import type { FillEngineApi } from '../../../fills/types';
import { register } from '../handler';
import { Incoming, Outgoing } from '../message-ids';
import type { ClientSession, Field } from '../session';
import { maxDouble, num } from '../fields';
import { multiplierText } from '../contract-codec';
import { accountNumbers, baseBalance, ledgerTags, positionLines, summaryTags, type PositionLine } from '../account-values';
import { orderDesk } from './orders';
import { pad, TWS_TIME_ZONE } from '../tws-time';
import { formatInZone } from '../../../messages/time-zones';

/** TWS sends the P&L streams once a second (wall clock). */
const PNL_PERIOD_MS = 1000;
/** TWS refreshes its Account window every 3 minutes (here on the market's clock, which a test may speed up). */
const ACCOUNT_REFRESH_MS = 180_000;

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

/** The streams in the order one beat sends them: the P&L first, the account updates' time last. */
const STREAM_ORDER = { pnl: 0, summary: 1, positions: 2, updates: 3 } as const;
type AccountStream = keyof typeof STREAM_ORDER;

interface Follower {
  stream: AccountStream;
  send: () => void;
}

/** The one beat every account stream of a simulator sends on (see the file's comment). */
class AccountBeat {
  private readonly followers: Follower[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The market time of the last refresh of the summary, updates and positions. */
  private refreshedAt: number;
  /** The market time of the timer's last beat. */
  private lastBeatAt: number;

  constructor(private readonly context: SimContext) {
    this.refreshedAt = context.now();
    this.lastBeatAt = this.refreshedAt;
    orderDesk(context).accountListeners.add(() => this.send('change'));
    context.onStop(() => this.stopTimer());
  }

  /** Calls `send` now, then on the beats of its stream; returns the stopper. */
  follow(stream: AccountStream, send: () => void): () => void {
    send();
    const follower = { stream, send };
    this.followers.push(follower);
    this.followers.sort((a, b) => STREAM_ORDER[a.stream] - STREAM_ORDER[b.stream]);
    if (!this.timer) {
      this.lastBeatAt = this.context.now();
      this.timer = setInterval(() => this.beat(), PNL_PERIOD_MS);
      this.timer.unref();
    }
    return () => {
      const at = this.followers.indexOf(follower);
      if (at >= 0) this.followers.splice(at, 1);
      if (this.followers.length === 0) this.stopTimer();
    };
  }

  /**
   * The timer's beat: a refresh at the beat nearest to 3 minutes of market time after the last, else the
   * P&L alone. Nearest, not the first at or past it: a beat spans a second of wall time, 60 s of market
   * time at 60x, and one that comes a millisecond early (timers do) would otherwise put the refresh a
   * whole beat late, 4 minutes instead of 3.
   */
  private beat(): void {
    const now = this.context.now();
    const span = now - this.lastBeatAt;
    this.lastBeatAt = now;
    this.send(now - this.refreshedAt + span / 2 >= ACCOUNT_REFRESH_MS ? 'refresh' : 'pnl');
  }

  /**
   * One beat: the P&L streams; on a refresh the summary and the account updates too; on a change
   * (a fill moved a position) the positions as well, which TWS sends only when they change.
   */
  private send(beat: 'pnl' | 'refresh' | 'change'): void {
    if (beat !== 'pnl') this.refreshedAt = this.context.now();
    for (const follower of [...this.followers]) {
      if (follower.stream !== 'pnl' && beat === 'pnl') continue;
      if (follower.stream === 'positions' && beat !== 'change') continue;
      try {
        follower.send();
      } catch (error) {
        this.context.log(`account stream failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function follow(context: SimContext, stream: AccountStream, send: () => void): () => void {
  return service(context, 'account-beat', () => new AccountBeat(context)).follow(stream, send);
}

/** Remembers what a subscription last sent under each key: true when `value` is new for it. */
function changedSince(sent: Map<string, string>, key: string, value: string): boolean {
  if (sent.get(key) === value) return false;
  sent.set(key, value);
  return true;
}

/** The engine of the account a P&L request names, or error 321 naming the accounts there are. */
function accountEngine(session: ClientSession, reqId: number, account: string, context: SimContext): FillEngineApi | undefined {
  const engine = engineOf(context, account);
  if (!engine) session.error(reqId, 321, `Error validating request.-'cc' : cause - account "${account}" is not one of this login's accounts (${context.options.accounts.join(', ')})`);
  return engine;
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
    const stop = follow(context, 'positions', () => {
      for (const [account, engine] of context.engines) for (const line of positionLines(engine, context.market)) session.send(positionFields(account, line));
      if (first) session.send([Outgoing.POSITION_END, 1]);
      first = false;
    });
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
    // "All": every account of the login, one after the other; an account id: that one.
    const accounts = group === 'All' || group === '' ? context.options.accounts : [group];
    let first = true;
    const sent = new Map<string, string>();
    const stop = follow(context, 'summary', () => {
      for (const account of accounts) {
        const numbers = accountNumbers(context.engines.get(account)!, context.market, context.now());
        const send = (tag: string, value: string, currency: string) => {
          if (changedSince(sent, `${account}\u0000${tag}\u0000${currency}`, value)) session.send([Outgoing.ACCOUNT_SUMMARY, 1, reqId, account, tag, value, currency]);
        };
        // Money is kept in USD; the summary speaks the account's base currency.
        const { baseCurrency: base, exchangeRates: rates } = context.options;
        const usd = rates.USD ?? 1;
        const inBase = (value: string) => (usd === 1 ? value : (Number(value) * usd).toFixed(2));
        for (const [tag, value] of summaryTags(numbers)) {
          if (!wanted.has(tag)) continue;
          const plain = tag === 'AccountType' || tag === 'Cushion' || tag === 'Leverage' || tag === 'DayTradesRemaining' || tag === 'HighestSeverity' || tag === 'LookAheadNextChange';
          send(tag, plain ? value : inBase(value), plain ? '' : base);
        }
        const ledger = ['$LEDGER', '$LEDGER:USD', '$LEDGER:ALL'].filter((t) => wanted.has(t));
        if (ledger.length > 0) {
          const all = wanted.has('$LEDGER:ALL');
          // Each currency held in its own amounts (USD only, unless all are asked for), its rate in the base currency.
          for (const balance of numbers.currencies) {
            if (balance.currency !== 'USD' && !all) continue;
            for (const [tag, value] of ledgerTags(balance, balance.rate * usd)) send(tag, value, balance.currency);
          }
          if (all) {
            for (const [tag, value] of ledgerTags(baseBalance(numbers), 1)) send(tag, tag === 'ExchangeRate' ? value : inBase(value), 'BASE');
            // The other currencies TWS knows a rate for, not held.
            for (const [code, rate] of Object.entries(rates)) {
              if (code !== 'USD' && !numbers.currencies.some((b) => b.currency === code)) send('ExchangeRate', String(rate), code);
            }
          }
        }
      }
      if (first) session.send([Outgoing.ACCOUNT_SUMMARY_END, 1, reqId]);
      first = false;
    });
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
    const engine = engineOf(context, requested);
    if (!engine) {
      session.error(-1, 321, `Error validating request.-'bA' : cause - account "${requested}" is not one of this login's accounts (${context.options.accounts.join(', ')})`);
      return;
    }
    const account = engine.account;
    let first = true;
    const sent = new Map<string, string>();
    const stop = follow(context, 'updates', () => {
      const numbers = accountNumbers(engine, context.market, context.now());
      let changed = first;
      const send = (tag: string, value: string, currency: string) => {
        if (!changedSince(sent, `${tag}\u0000${currency}`, value)) return;
        session.send([Outgoing.ACCT_VALUE, 2, tag, value, currency, account]);
        changed = true;
      };
      for (const [tag, value] of summaryTags(numbers)) send(tag, value, tag === 'AccountType' ? '' : 'USD');
      // Each currency held in its own amounts with its rate, then every currency together (BASE).
      for (const balance of numbers.currencies) for (const [tag, value] of ledgerTags(balance, balance.rate)) send(tag, value, balance.currency);
      for (const [tag, value] of ledgerTags(baseBalance(numbers), 1)) send(tag, value, 'BASE');
      for (const line of positionLines(engine, context.market)) {
        const fields = portfolioFields(account, line);
        if (!changedSince(sent, `portfolio\u0000${line.instrument.conId}`, fields.join('\u0000'))) continue;
        session.send(fields);
        changed = true;
      }
      // The update time closes a batch of changes, as at TWS.
      if (changed) {
        const p = formatInZone(context.now(), TWS_TIME_ZONE);
        session.send([Outgoing.ACCT_UPDATE_TIME, 1, `${pad(p.hour)}:${pad(p.minute)}`]);
      }
      if (first) session.send([Outgoing.ACCT_DOWNLOAD_END, 1, account]);
      first = false;
    });
    subscriptions(session).set('updates', stop);
  });

  register(registry, Incoming.REQ_PNL, 'REQ_PNL', (session, reader, context) => {
    const reqId = reader.int('reqId');
    const engine = accountEngine(session, reqId, reader.str('account'), context);
    reader.str('modelCode');
    if (!engine) return;
    stopSubscription(session, `pnl:${reqId}`);
    const send = () => {
      const n = accountNumbers(engine, context.market, context.now());
      session.send([Outgoing.PNL, reqId, num(n.unrealizedPnl + n.realizedPnl), num(n.unrealizedPnl), num(n.realizedPnl)]);
    };
    subscriptions(session).set(`pnl:${reqId}`, follow(context, 'pnl', send));
  });

  register(registry, Incoming.CANCEL_PNL, 'CANCEL_PNL', (session, reader) => {
    stopSubscription(session, `pnl:${reader.int('reqId')}`);
  });

  register(registry, Incoming.REQ_PNL_SINGLE, 'REQ_PNL_SINGLE', (session, reader, context) => {
    const reqId = reader.int('reqId');
    const engine = accountEngine(session, reqId, reader.str('account'), context);
    reader.str('modelCode');
    const conId = reader.int('conId');
    if (!engine) return;
    const instrument = context.market.universe.get(conId);
    if (!instrument) {
      session.error(reqId, 200, 'No security definition has been found for the request');
      return;
    }
    stopSubscription(session, `pnl:${reqId}`);
    const send = () => {
      const position = engine.position(instrument.key);
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
    subscriptions(session).set(`pnl:${reqId}`, follow(context, 'pnl', send));
  });

  register(registry, Incoming.CANCEL_PNL_SINGLE, 'CANCEL_PNL_SINGLE', (session, reader) => {
    stopSubscription(session, `pnl:${reader.int('reqId')}`);
  });
}
