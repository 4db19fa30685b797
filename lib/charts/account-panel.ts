/**
 * What the account panel widget shows, from the package's own messages and the connection's status:
 * the account node's snapshot (today's P&L, unrealized and realized P&L, net liquidation, cash, and its
 * `live` flag), backtest-report's live samples (return and drawdown since the first sample), the
 * connection's state (the light) and why trading is halted (the kill switch, the daily-loss lock).
 * Money as a trader reads it: thousands separators and two decimals, a sign where it is P&L.
 */

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
}

const moneyFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const money = (v: unknown) => (isNumber(v) ? moneyFormat.format(v) : '-');
const signed = (v: unknown) => (isNumber(v) ? `${v > 0 ? '+' : ''}${moneyFormat.format(v)}` : '-');
/** Percent to two decimals; a sign only where it is not 0.00 (no "-0.00 %"). */
function percent(v: unknown, sign = true): string {
  if (!isNumber(v)) return '-';
  const r = Math.round(v * 100) / 100 || 0;
  return `${sign && r > 0 ? '+' : ''}${r.toFixed(2)} %`;
}

/** The part of a connection's status the panel shows (ConnectionStatus of lib/ib/connection has it). */
export interface PanelConnectionStatus {
  state: 'connecting' | 'connected' | 'disconnected' | 'error';
  text: string;
  live: boolean;
  error?: string;
}
type Status = PanelConnectionStatus;

export class AccountPanelModel {
  private account: Record<string, any> | null = null;
  private performance: { cumulativeReturn?: unknown; drawdownPct?: unknown } | null = null;
  private status: Status | null = null;
  private haltReason: string | null = null;

  /** Takes an account snapshot or a live sample; false for anything else (the panel stays as it is). */
  accept(msg: Record<string, unknown>): boolean {
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
      pnlToday: signed(daily),
      pnlTodaySign: isNumber(daily) ? Math.sign(daily) : 0,
      unrealized: signed(pnl.unrealized),
      realized: signed(pnl.realized),
      netLiquidation: money(summary.NetLiquidation),
      cash: money(summary.TotalCashValue),
      returnSinceStart: percent(isNumber(this.performance?.cumulativeReturn) ? this.performance.cumulativeReturn * 100 : null),
      drawdown: percent(this.performance?.drawdownPct, false),
    };
  }
}
