/**
 * ib-flow's default output: a short summary a person reads at a terminal (dates as ISO days, money to
 * the cent with thousands separators, rates in percent). `--json` prints the result lines instead.
 */
import type { ResultLine } from './lines';

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function num(line: Record<string, unknown>, key: string): number | null {
  const v = line[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function day(ms: number | null): string {
  return ms === null ? '?' : new Date(ms).toISOString().slice(0, 10);
}

function pct(fraction: number | null): string {
  return fraction === null ? '-' : `${(fraction * 100).toFixed(2)}%`;
}

function fixed(value: number | null, digits: number): string {
  return value === null ? '-' : value.toFixed(digits);
}

function cash(value: number | null): string {
  return value === null ? '-' : money.format(value);
}

function paramsText(line: ResultLine): string {
  const entries = Object.entries(line.params ?? {});
  return entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

function label(line: ResultLine): string {
  const parts = [`report "${line.report}"`];
  if (typeof line.instrument === 'string' && line.instrument) parts.push(line.instrument);
  if (line.fold !== undefined) parts.push(`fold ${String(line.fold)} ${String(line.sample ?? '')}`.trim());
  return parts.join(', ');
}

/** One result as a few labelled lines. */
export function summaryBlock(line: ResultLine): string {
  if (typeof line.error === 'string') return `${label(line)}${paramsText(line) ? ` [${paramsText(line)}]` : ''}\n  failed: ${line.error}`;
  const rows = [
    `${label(line)}: ${day(num(line, 'startTime'))} to ${day(num(line, 'endTime'))}, ${num(line, 'bars')?.toLocaleString('en-US') ?? '?'} bars`,
  ];
  if (paramsText(line)) rows.push(`  params        ${paramsText(line)}`);
  rows.push(`  final equity  ${cash(num(line, 'finalEquity'))} (from ${cash(num(line, 'startEquity'))}, return ${pct(num(line, 'cumulativeReturn'))}, CAGR ${pct(num(line, 'cagr'))})`);
  rows.push(`  Sharpe        ${fixed(num(line, 'sharpe'), 3)}   Sortino ${fixed(num(line, 'sortino'), 3)}   max drawdown ${fixed(num(line, 'maxDrawdownPct'), 2)}% over ${num(line, 'maxDrawdownBars') ?? '-'} bars`);
  const trades = num(line, 'trades');
  rows.push(`  trades        ${trades ?? '-'} (won ${num(line, 'winningTrades') ?? '-'}, win rate ${pct(num(line, 'winRate'))}, profit factor ${fixed(num(line, 'profitFactor'), 2)}), commissions ${cash(num(line, 'commissions'))}, exposure ${fixed(num(line, 'exposurePct'), 1)}%`);
  const open = num(line, 'openPosition');
  if (open) rows.push(`  open position ${open}`);
  const rejected = num(line, 'rejectedOrders');
  if (rejected) rows.push(`  rejected      ${rejected} orders the account could not pay for (IB error 201)`);
  const instruments = (line as { instruments?: unknown }).instruments;
  if (Array.isArray(instruments) && instruments.length > 1) {
    for (const r of instruments as Array<Record<string, unknown>>) {
      const n = (field: string) => (typeof r[field] === 'number' ? (r[field] as number) : null);
      rows.push(`  ${String(r.instrument)}  P&L ${cash(n('pnl'))} (${pct(n('return'))}), ${n('trades') ?? '-'} trades, exposure ${fixed(n('exposurePct'), 1)}%`);
    }
  }
  const strategies = (line as { strategies?: unknown }).strategies;
  if (Array.isArray(strategies) && strategies.length > 1) {
    for (const r of strategies as Array<Record<string, unknown>>) {
      const n = (field: string) => (typeof r[field] === 'number' ? (r[field] as number) : null);
      rows.push(`  strategy ${JSON.stringify(String(r.strategy))}  P&L ${cash(n('pnl'))} (${pct(n('return'))}), ${n('trades') ?? '-'} trades, exposure ${fixed(n('exposurePct'), 1)}%`);
    }
  }
  return rows.join('\n');
}

/** Many results (a sweep or a merge), ranked: one row each. */
export function summaryTable(lines: readonly ResultLine[], metric: string): string {
  const header = ['#', 'params', 'final equity', 'return', 'Sharpe', 'max DD', 'trades', metric];
  const rows = lines.map((line, i) => {
    if (typeof line.error === 'string') return [String(i + 1), paramsText(line), `failed: ${line.error}`, '', '', '', '', ''];
    const m = num(line, metric);
    return [
      String(i + 1),
      [line.fold !== undefined ? `fold ${String(line.fold)} ${String(line.sample ?? '')}` : '', paramsText(line)].filter(Boolean).join(' '),
      cash(num(line, 'finalEquity')),
      pct(num(line, 'cumulativeReturn')),
      fixed(num(line, 'sharpe'), 3),
      `${fixed(num(line, 'maxDrawdownPct'), 2)}%`,
      String(num(line, 'trades') ?? '-'),
      m === null ? '-' : String(Number(m.toPrecision(6))),
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  // Text columns left, numbers right.
  const left = new Set([1]);
  return all.map((r) => r.map((cell, c) => (left.has(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}
