/**
 * What the account panel widget shows, from the package's own messages and the connection's status:
 * the account node's snapshot (today's P&L, unrealized and realized P&L, net liquidation, cash, and its
 * `live` flag; its positions and working orders as tables), backtest-report's live samples (return and
 * drawdown since the first sample), the order nodes' events, fills and errors (the newest first, as the
 * order log), the connection's state (the light) and why trading is halted (the kill switch, the
 * daily-loss lock). Money as a trader reads it: thousands separators and two decimals, a sign where it
 * is P&L.
 */

import { isNumber, money, percent, quantity, signedMoney, text } from './format';
import type { TableView } from './table';

/** The parts of the panel a node shows (its Show settings). */
export interface PanelSections {
  summary: boolean;
  positions: boolean;
  orders: boolean;
  log: boolean;
}

type PanelTable = TableView;

/** How many order-log rows the panel keeps (the newest). */
export const ORDER_LOG_ROWS = 20;

export interface AccountPanelView {
  /** PAPER or LIVE, as the connection decides it (the account's `live`); '' until known. */
  mode: 'PAPER' | 'LIVE' | '';
  account: string;
  light: 'green' | 'yellow' | 'red' | 'grey';
  connection: string;
  halted: boolean;
  trading: string;
  pnlToday: string;
  /** -1, 0 or 1: the headline's colour. */
  pnlTodaySign: number;
  unrealized: string;
  realized: string;
  netLiquidation: string;
  cash: string;
  returnSinceStart: string;
  drawdown: string;
  sections: PanelSections;
  /** The account's open positions (quantity not 0). */
  positions: PanelTable;
  /** The account's working orders. */
  orders: PanelTable;
  /** Order events, fills and errors of the order nodes wired in, the newest first. */
  log: PanelTable;
}

/** The part of a connection's status the panel shows (ConnectionStatus of lib/ib/connection has it). */
export interface PanelConnectionStatus {
  state: 'connecting' | 'connected' | 'disconnected' | 'error';
  text: string;
  live: boolean;
  error?: string;
}
type Status = PanelConnectionStatus;

const POSITION_COLUMNS = [
  { key: 'symbol', numeric: false },
  { key: 'quantity', numeric: true },
  { key: 'avg cost', numeric: true },
  { key: 'last', numeric: true },
  { key: 'market value', numeric: true },
  { key: 'unrealized P&L', numeric: true, signed: true },
  { key: 'realized P&L', numeric: true, signed: true },
];
const ORDER_COLUMNS = [
  { key: 'order', numeric: true },
  { key: 'symbol', numeric: false },
  { key: 'side', numeric: false },
  { key: 'quantity', numeric: true },
  { key: 'type', numeric: false },
  { key: 'price', numeric: true },
  { key: 'status', numeric: false },
  { key: 'strategy', numeric: false },
];
const LOG_COLUMNS = [
  { key: 'time', numeric: false },
  { key: 'symbol', numeric: false },
  { key: 'event', numeric: false },
  { key: 'detail', numeric: false },
  { key: 'order', numeric: true },
  { key: 'strategy', numeric: false },
];
const SIDES: Record<string, string> = { BOT: 'BUY', SLD: 'SELL' };

/** An order's price as a trader names it: the limit of a limit order, else its stop or trigger (auxPrice). */
function orderPrice(o: Record<string, any>): string {
  if (isNumber(o.lmtPrice) && o.lmtPrice !== 0 && /LMT|LIT|REL|MIDPRICE|PEG/.test(String(o.orderType))) return money(o.lmtPrice);
  if (isNumber(o.auxPrice) && o.auxPrice !== 0) return money(o.auxPrice);
  return isNumber(o.lmtPrice) && o.lmtPrice !== 0 ? money(o.lmtPrice) : '';
}

/**
 * One order-log row: an order node's order event (output 1), its fill (output 2) or an error a catch
 * node passed on; null for anything else (a what-if's preview places nothing and is no event).
 */
function logRow(msg: Record<string, any>, at: string): Record<string, string> | null {
  const p = msg.payload as Record<string, any> | null;
  if (msg.error && typeof msg.error === 'object') {
    return { time: at, symbol: text(msg.topic), event: 'error', detail: text(msg.error.message), order: '', strategy: '' };
  }
  if (typeof p !== 'object' || p === null || p.whatIf === true) return null;
  if (typeof p.execId === 'string' && isNumber(p.orderId)) {
    return { time: at, symbol: text(p.symbol) || text(msg.topic), event: 'fill', detail: `${SIDES[p.side] ?? text(p.side)} ${quantity(p.shares)} @ ${money(p.price)}`, order: String(p.orderId), strategy: text(p.orderRef) };
  }
  if (isNumber(p.orderId) && typeof p.status === 'string') {
    const total = (isNumber(p.filled) ? p.filled : 0) + (isNumber(p.remaining) ? p.remaining : 0);
    const price = isNumber(p.avgFillPrice) && p.avgFillPrice ? ` @ ${money(p.avgFillPrice)}` : '';
    const detail = `${text(p.action)} ${text(p.orderType)} filled ${quantity(p.filled ?? 0)}/${quantity(total)}${price}${p.reason ? ` - ${text(p.reason)}` : ''}`.trim();
    return { time: at, symbol: text(p.symbol) || text(msg.topic), event: p.status, detail, order: String(p.orderId), strategy: text(p.orderRef) };
  }
  return null;
}

/** The wall-clock time of a log row, as hours, minutes and seconds. */
function clockTime(now: number): string {
  return new Date(now).toLocaleTimeString('en-GB', { hour12: false });
}

const SUMMARY_ONLY: PanelSections = { summary: true, positions: false, orders: false, log: false };

export class AccountPanelModel {
  private account: Record<string, any> | null = null;
  private readonly log: Array<Record<string, string>> = [];
  private performance: { cumulativeReturn?: unknown; drawdownPct?: unknown } | null = null;
  private status: Status | null = null;
  private haltReason: string | null = null;

  /** `sections`: what the panel shows (the summary alone unless given, as before it had tables). */
  constructor(private readonly sections: PanelSections = SUMMARY_ONLY) {}

  /**
   * Takes an account snapshot, a live sample, or, when it shows the order log, an order event, fill or
   * caught error; false for anything else (the panel stays as it is). `now`: when it came, the log
   * row's time.
   */
  accept(msg: Record<string, any>, now = Date.now()): boolean {
    const row = this.sections.log ? logRow(msg, clockTime(now)) : null;
    if (row) {
      this.log.unshift(row);
      if (this.log.length > ORDER_LOG_ROWS) this.log.length = ORDER_LOG_ROWS;
      return true;
    }
    const p = msg.payload as Record<string, any> | null;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
    if (typeof p.account === 'string' && typeof p.summary === 'object') {
      this.account = p;
      return true;
    }
    if (msg.live === true && isNumber(p.equity)) {
      this.performance = { cumulativeReturn: p.cumulativeReturn, drawdownPct: p.drawdownPct };
      return true;
    }
    return false;
  }

  /** The connection's status; false when nothing the panel shows changed. */
  setStatus(status: Status): boolean {
    const before = this.status;
    this.status = { state: status.state, text: status.text, live: status.live, error: status.error };
    return !before || before.state !== status.state || before.text !== status.text || before.live !== status.live || before.error !== status.error;
  }

  /** Why trading is halted, or null; false when it did not change. */
  setHalt(reason: string | null): boolean {
    if (reason === this.haltReason) return false;
    this.haltReason = reason;
    return true;
  }

  view(): AccountPanelView {
    const a = this.account ?? {};
    const summary = (a.summary ?? {}) as Record<string, unknown>;
    const pnl = (a.pnl ?? {}) as Record<string, unknown>;
    const s = this.status;
    const connected = s?.state === 'connected';
    const live = typeof a.live === 'boolean' ? a.live : connected ? s!.live : null;
    const daily = pnl.daily;
    return {
      mode: live === true ? 'LIVE' : live === false ? 'PAPER' : '',
      account: typeof a.account === 'string' ? a.account : '',
      light: !s ? 'grey' : connected ? (s.error ? 'red' : 'green') : s.state === 'error' ? 'red' : s.state === 'connecting' ? 'yellow' : 'grey',
      connection: !s ? 'waiting for the connection' : connected && !s.error ? 'connected' : s.text,
      halted: this.haltReason !== null,
      trading: this.haltReason !== null ? `halted: ${this.haltReason}` : s ? 'orders allowed' : '',
      pnlToday: signedMoney(daily),
      pnlTodaySign: isNumber(daily) ? Math.sign(daily) : 0,
      unrealized: signedMoney(pnl.unrealized),
      realized: signedMoney(pnl.realized),
      // Marked with the P&L since TWS sent it, so it moves with the P&L beside it.
      netLiquidation: money(isNumber(a.equity) ? a.equity : summary.NetLiquidation),
      cash: money(summary.TotalCashValue),
      returnSinceStart: percent(this.performance?.cumulativeReturn, 100),
      drawdown: percent(this.performance?.drawdownPct, 1, false),
      sections: { ...this.sections },
      positions: { columns: POSITION_COLUMNS, rows: this.sections.positions ? positionRows(a.positions) : [] },
      orders: { columns: ORDER_COLUMNS, rows: this.sections.orders ? orderRows(a.orders) : [] },
      log: { columns: LOG_COLUMNS, rows: this.sections.log ? [...this.log] : [] },
    };
  }
}

function positionRows(positions: unknown): Array<Record<string, string>> {
  if (!Array.isArray(positions)) return [];
  return positions
    .filter((p) => p && isNumber(p.quantity) && p.quantity !== 0)
    .map((p) => ({
      symbol: text(p.symbol) || text(p.key),
      quantity: quantity(p.quantity),
      'avg cost': money(p.avgCost),
      last: money(p.marketPrice),
      'market value': money(p.marketValue),
      'unrealized P&L': signedMoney(p.unrealizedPnl),
      'realized P&L': signedMoney(p.realizedPnl),
    }));
}

function orderRows(orders: unknown): Array<Record<string, string>> {
  if (!Array.isArray(orders)) return [];
  return orders
    .filter((o) => o && isNumber(o.orderId))
    .map((o) => ({
      order: String(o.orderId),
      symbol: text(o.symbol) || text(o.key),
      side: text(o.action),
      quantity: quantity(o.totalQuantity),
      type: text(o.orderType),
      price: orderPrice(o),
      status: text(o.status),
      strategy: text(o.orderRef),
    }));
}
