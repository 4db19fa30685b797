/**
 * What the backtest summary widget shows, from backtest-report's first output: while a replay runs,
 * its progress (bars done of all, bars per second, equity and drawdown so far); when it ends, the run's
 * headline figures (final equity, return, CAGR, Sharpe, max drawdown, trades, win rate), every metric
 * as a table, the round-trip trades, and the run per instrument and per strategy. Money as a trader
 * reads it: thousands separators and two decimals, a sign where it is P&L; ratios to three decimals,
 * percentages to two.
 */

import { count, isNumber, money, percent, quantity, ratio, signedMoney, text } from './format';
import type { TableView } from './table';

/** The parts of the summary a node shows (its Show settings). */
export interface SummarySections {
  /** The state line, the progress bar and the headline figures. */
  summary: boolean;
  metrics: boolean;
  trades: boolean;
  parts: boolean;
}

type SummaryTable = TableView;

export interface BacktestSummaryView {
  /** idle (no run yet), running (progress), done (a report), live (a live account's samples). */
  phase: 'idle' | 'running' | 'done' | 'live';
  /** One line: what the run is doing, or what it ended with. */
  state: string;
  /** 0 to 100 while running, 100 when done, null otherwise. */
  percent: number | null;
  /** The headline figures, in the order drawn: label, text, and -1, 0 or 1 for its colour. */
  figures: Array<{ label: string; value: string; sign: number }>;
  sections: SummarySections;
  metrics: SummaryTable;
  /** The newest trades, at most the node's row limit, the newest first. */
  trades: SummaryTable;
  /** What the trades table leaves out, e.g. "the last 50 of 312 trades"; '' when it shows all. */
  tradesNote: string;
  /** The run per instrument and per strategy. */
  parts: SummaryTable;
}

/** -1, 0 or 1: a figure's colour (none for what rounds to 0). */
const sign = (v: unknown) => (isNumber(v) ? Math.sign(Math.round(v * 1e6)) : 0);
/** A report's ISO date as date and minutes (UTC, as the report gives it); an open trade's missing exit as "open". */
const when = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 16).replace('T', ' ') : 'open');

/** The metrics table: label and how each of the report's metrics is written. */
const METRICS: Array<[string, string, (v: unknown) => string]> = [
  ['Start equity', 'startEquity', money],
  ['Final equity', 'finalEquity', money],
  ['Cumulative return', 'cumulativeReturn', (v) => percent(v, 100)],
  ['Buy and hold return', 'buyAndHoldReturn', (v) => percent(v, 100)],
  ['CAGR', 'cagr', (v) => percent(v, 100)],
  ['Annual volatility', 'annualVolatility', (v) => percent(v, 100, false)],
  ['Sharpe', 'sharpe', ratio],
  ['Sortino', 'sortino', ratio],
  ['Calmar', 'calmar', ratio],
  ['Max drawdown', 'maxDrawdownPct', (v) => percent(v, 1, false)],
  ['Max drawdown (money)', 'maxDrawdown', money],
  ['Max drawdown (bars)', 'maxDrawdownBars', count],
  ['Trades', 'trades', count],
  ['Winning trades', 'winningTrades', count],
  ['Win rate', 'winRate', (v) => percent(v, 100, false)],
  ['Average win', 'avgWin', signedMoney],
  ['Average loss', 'avgLoss', signedMoney],
  ['Profit factor', 'profitFactor', ratio],
  ['Expectancy', 'expectancy', signedMoney],
  ['Exposure', 'exposurePct', (v) => percent(v, 1, false)],
  ['Commissions', 'commissions', money],
  ['Rejected orders', 'rejectedOrders', count],
];
const METRIC_COLUMNS = [
  { key: 'metric', numeric: false },
  { key: 'value', numeric: true },
];
const TRADE_COLUMNS = [
  { key: 'symbol', numeric: false },
  { key: 'side', numeric: false },
  { key: 'quantity', numeric: true },
  { key: 'entry', numeric: false },
  { key: 'entry price', numeric: true },
  { key: 'exit', numeric: false },
  { key: 'exit price', numeric: true },
  { key: 'P&L', numeric: true, signed: true },
  { key: 'return', numeric: true, signed: true },
];
const PART_COLUMNS = [
  { key: 'part', numeric: false },
  { key: 'P&L', numeric: true, signed: true },
  { key: 'return', numeric: true, signed: true },
  { key: 'trades', numeric: true },
  { key: 'win rate', numeric: true },
  { key: 'exposure', numeric: true },
  { key: 'max drawdown', numeric: true },
  { key: 'commissions', numeric: true },
];

const ALL_SECTIONS: SummarySections = { summary: true, metrics: true, trades: true, parts: true };
/** How many trades the table shows unless the node says otherwise. */
export const DEFAULT_TRADE_ROWS = 50;

export class BacktestSummaryModel {
  private phase: BacktestSummaryView['phase'] = 'idle';
  private progress: Record<string, unknown> | null = null;
  private report: { payload: Record<string, any>; trades: unknown[]; strategies: unknown[] } | null = null;
  private live: Record<string, unknown> | null = null;

  /** `sections`: the tables the node shows; `tradeRows`: how many of the newest trades its table lists. */
  constructor(
    private readonly sections: SummarySections = ALL_SECTIONS,
    private readonly tradeRows = DEFAULT_TRADE_ROWS,
  ) {}

  /** Takes a backtest-report message (progress, report or live sample); false for anything else. */
  accept(msg: Record<string, any>): boolean {
    const p = msg.payload as Record<string, any> | null;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
    if (msg.progress === true && isNumber(p.bars)) {
      // A new run's first progress clears the last run's report.
      this.phase = 'running';
      this.progress = p;
      this.report = null;
      return true;
    }
    if (msg.complete === true && isNumber(p.finalEquity)) {
      this.phase = 'done';
      this.report = { payload: p, trades: Array.isArray(msg.trades) ? msg.trades : [], strategies: Array.isArray(msg.strategies) ? msg.strategies : [] };
      return true;
    }
    if (msg.live === true && isNumber(p.equity)) {
      this.phase = 'live';
      this.live = p;
      return true;
    }
    return false;
  }

  view(): BacktestSummaryView {
    const empty = (columns: SummaryTable['columns']): SummaryTable => ({ columns, rows: [] });
    const base = {
      sections: { ...this.sections },
      metrics: empty(METRIC_COLUMNS),
      trades: empty(TRADE_COLUMNS),
      tradesNote: '',
      parts: empty(PART_COLUMNS),
    };
    if (this.phase === 'running' && this.progress) {
      const p = this.progress;
      const pct = isNumber(p.percent) ? Math.max(0, Math.min(100, p.percent)) : null;
      const speed = isNumber(p.barsPerSecond) ? `, ${count(p.barsPerSecond)} bars/s` : '';
      return {
        ...base,
        phase: 'running',
        state: `replaying: ${count(p.bars)} of ${count(p.totalBars)} bars (${pct === null ? '-' : pct.toFixed(0)} %)${speed}`,
        percent: pct,
        figures: [
          { label: 'Equity', value: money(p.equity), sign: 0 },
          { label: 'Drawdown', value: percent(p.drawdownPct, 1, false), sign: 0 },
        ],
      };
    }
    if (this.phase === 'done' && this.report) {
      const m = this.report.payload;
      const trades = this.report.trades.filter((t): t is Record<string, any> => typeof t === 'object' && t !== null);
      const shown = trades.slice(-this.tradeRows).reverse();
      return {
        ...base,
        phase: 'done',
        state: `done: ${count(m.trades)} trades, return ${percent(m.cumulativeReturn, 100)}${isNumber(m.rejectedOrders) && m.rejectedOrders > 0 ? `, ${count(m.rejectedOrders)} orders refused` : ''}`,
        percent: 100,
        figures: [
          { label: 'Final equity', value: money(m.finalEquity), sign: 0 },
          { label: 'Return', value: percent(m.cumulativeReturn, 100), sign: sign(m.cumulativeReturn) },
          { label: 'CAGR', value: percent(m.cagr, 100), sign: sign(m.cagr) },
          { label: 'Sharpe', value: ratio(m.sharpe), sign: 0 },
          { label: 'Max drawdown', value: percent(m.maxDrawdownPct, 1, false), sign: 0 },
          { label: 'Trades', value: count(m.trades), sign: 0 },
          { label: 'Win rate', value: percent(m.winRate, 100, false), sign: 0 },
        ],
        metrics: { columns: METRIC_COLUMNS, rows: this.sections.metrics ? METRICS.map(([metric, key, format]) => ({ metric, value: format(m[key]) })) : [] },
        trades: { columns: TRADE_COLUMNS, rows: this.sections.trades ? shown.map(tradeRow) : [] },
        tradesNote: this.sections.trades && shown.length < trades.length ? `the last ${count(shown.length)} of ${count(trades.length)} trades` : '',
        parts: { columns: PART_COLUMNS, rows: this.sections.parts ? partRows(m.instruments, this.report.strategies) : [] },
      };
    }
    if (this.phase === 'live' && this.live) {
      const p = this.live;
      return {
        ...base,
        phase: 'live',
        state: `live: ${count(p.samples)} samples`,
        percent: null,
        figures: [
          { label: 'Equity', value: money(p.equity), sign: 0 },
          { label: 'Return since start', value: percent(p.cumulativeReturn, 100), sign: sign(p.cumulativeReturn) },
          { label: 'Drawdown', value: percent(p.drawdownPct, 1, false), sign: 0 },
          { label: 'Max drawdown', value: percent(p.maxDrawdownPct, 1, false), sign: 0 },
        ],
        parts: { columns: PART_COLUMNS, rows: this.sections.parts ? partRows(p.instruments, p.strategies) : [] },
      };
    }
    return { ...base, phase: 'idle', state: 'waiting for a backtest', percent: null, figures: [] };
  }
}

function tradeRow(t: Record<string, any>): Record<string, string> {
  return {
    symbol: text(t.symbol),
    side: text(t.direction).toUpperCase(),
    quantity: quantity(t.quantity),
    entry: when(t.entryDate),
    'entry price': money(t.entryPrice),
    exit: t.open === true ? 'open' : when(t.exitDate),
    'exit price': t.open === true ? '-' : money(t.exitPrice),
    'P&L': signedMoney(t.pnl),
    // returnPct is in percent already.
    return: percent(t.returnPct, 1),
  };
}

/** One row per instrument, then one per strategy (named "strategy: name"), as the report lists them. */
function partRows(instruments: unknown, strategies: unknown): Array<Record<string, string>> {
  const row = (part: string, p: Record<string, any>) => ({
    part,
    'P&L': signedMoney(p.pnl),
    return: percent(p.return, 100),
    trades: count(p.trades),
    'win rate': isNumber(p.trades) && p.trades > 0 && isNumber(p.winningTrades) ? percent(p.winningTrades / p.trades, 100, false) : '-',
    exposure: percent(p.exposurePct, 1, false),
    'max drawdown': money(p.maxDrawdown),
    commissions: money(p.commissions),
  });
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((p): p is Record<string, any> => typeof p === 'object' && p !== null) : []);
  return [...list(instruments).map((p) => row(text(p.instrument), p)), ...list(strategies).map((p) => row(`strategy: ${text(p.strategy)}`, p))];
}
