/**
 * What backtest-report sends, built from a summary: the result (metrics and trade list, JSON-safe) and
 * the chart messages for ui-chart. Kept out of the node so ib-flow and tests read the same shapes.
 */
import type { InstrumentKey } from '../messages';
import { chartSeries, type XY } from './charts';
import type { BacktestMetrics } from './metrics';
import type { Trade } from './trades';
import type { BacktestSummary } from './types';
import type { InstrumentResult, StrategyResult } from './breakdown';

export interface TradeRow extends Trade {
  /** ISO dates of entryTime / exitTime, for reading. */
  entryDate: string;
  exitDate: string | null;
}

export interface ReportResult extends BacktestMetrics {
  /** The instrument(s) replayed. */
  instrument: string;
  /** The same run per instrument: return, P&L, trades, exposure (the totals above are the account's). */
  instruments: InstrumentResult[];
}

export interface ChartMessage {
  topic: string;
  payload: XY[];
  /** On the first series of a chart: ui-chart drops the previous run's points. */
  action?: 'replace';
}

export interface ReportMessages {
  result: ReportResult;
  trades: TradeRow[];
  /**
   * The same run per strategy (the orders' orderRef). Beside the result, not in it: a batch names its
   * orders after backtest-report, a replay after each place-order, so the two results stay comparable.
   */
  strategies: StrategyResult[];
  /** Output 2 (equity vs buy and hold), 3 (drawdown %), 4 (price with entries and exits). */
  equityChart: ChartMessage[];
  drawdownChart: ChartMessage[];
  priceChart: ChartMessage[];
}

const MS_PER_DAY = 86_400_000;
/** 0000-01-01 and 9999-12-31T23:59:59.999Z, the years a 4-digit ISO date spells. */
const FIRST_ISO = -62_167_219_200_000;
const LAST_ISO = 253_402_300_799_999;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * new Date(time).toISOString(), without a Date per call: a batch's trade list spells two per trade, and
 * toISOString was most of the report's time. The civil date from the day number (Howard Hinnant's
 * days-to-civil algorithm).
 */
export function isoDate(time: number): string {
  if (!Number.isFinite(time)) return String(time);
  if (time < FIRST_ISO || time > LAST_ISO || !Number.isInteger(time)) return new Date(time).toISOString();
  const days = Math.floor(time / MS_PER_DAY);
  let ms = time - days * MS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(ms / 3_600_000);
  ms -= hours * 3_600_000;
  const minutes = Math.floor(ms / 60_000);
  ms -= minutes * 60_000;
  const seconds = Math.floor(ms / 1000);
  ms -= seconds * 1000;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(ms, 3)}Z`;
}

/**
 * The trade list with dates. Each row is written out field by field, in the trade's own order: a spread
 * with two fields added costs twice as much, and a million-bar run has tens of thousands of trades.
 */
export function tradeRows(trades: readonly Trade[]): TradeRow[] {
  const rows = new Array<TradeRow>(trades.length);
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i]!;
    // Every field of a trade (the check fails to compile when Trade gains one this list lacks).
    const fields = {
      symbol: t.symbol,
      direction: t.direction,
      quantity: t.quantity,
      entryTime: t.entryTime,
      entryPrice: t.entryPrice,
      exitTime: t.exitTime,
      exitPrice: t.exitPrice,
      pnl: t.pnl,
      commission: t.commission,
      returnPct: t.returnPct,
      open: t.open,
    } satisfies Required<Omit<Trade, 'multiplier' | 'currency'>>;
    const row = fields as TradeRow;
    if (t.multiplier !== undefined) row.multiplier = t.multiplier;
    if (t.currency !== undefined) row.currency = t.currency;
    row.entryDate = isoDate(t.entryTime);
    row.exitDate = t.exitTime === null ? null : isoDate(t.exitTime);
    rows[i] = row;
  }
  return rows;
}

export function reportMessages(summary: BacktestSummary, instrument: InstrumentKey, maxPoints: number): ReportMessages {
  const series = chartSeries(summary.curve, summary.trades, summary.metrics.startEquity, maxPoints);
  return {
    result: { instrument, ...summary.metrics, instruments: summary.instruments },
    strategies: summary.strategies,
    trades: tradeRows(summary.trades),
    equityChart: [
      { topic: 'equity', payload: series.equity, action: 'replace' },
      { topic: 'buy & hold', payload: series.buyAndHold },
    ],
    drawdownChart: [{ topic: 'drawdown %', payload: series.drawdownPct, action: 'replace' }],
    priceChart: [
      { topic: instrument, payload: series.price, action: 'replace' },
      { topic: 'entries', payload: series.entries },
      { topic: 'exits', payload: series.exits },
    ],
  };
}

/** Short status text of a finished run. */
export function resultStatus(m: BacktestMetrics): string {
  const pct = (m.cumulativeReturn * 100).toFixed(1);
  const sharpe = m.sharpe === null ? '-' : m.sharpe.toFixed(2);
  return `${m.cumulativeReturn >= 0 ? '+' : ''}${pct}% sharpe ${sharpe} dd ${m.maxDrawdownPct.toFixed(1)}% ${m.trades} trades`;
}
