/** The JSON lines ib-flow prints, and their order in a sweep. */
import type { PublishedResult } from '../nodes/results-bus';
import type { ParamValue } from './flow-edit';

export type ResultLine = Record<string, unknown> & { report: string; params: Record<string, unknown> };

/** Metrics where less is better sort ascending. */
const LOWER_IS_BETTER = new Set(['maxDrawdownPct', 'maxDrawdown', 'maxDrawdownBars', 'maxDrawdownDurationMs', 'annualVolatility', 'commissions', 'losingTrades', 'exposurePct']);

export function resultLine(published: PublishedResult, params: readonly ParamValue[], trades: boolean, extra: Record<string, unknown> = {}): ResultLine {
  const { tradeList, ...metrics } = published.result;
  return {
    ...extra,
    report: published.name,
    params: Object.fromEntries(params.map((p) => [p.target, p.value])),
    ...metrics,
    ...(trades ? { tradeList } : {}),
  };
}

export function metricOf(line: Record<string, unknown>, metric: string): number | null {
  const value = line[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Best first by `metric`; lines without the metric (or failed) last. */
export function sortLines<T extends Record<string, unknown>>(lines: T[], metric: string): T[] {
  const sign = LOWER_IS_BETTER.has(metric) ? 1 : -1;
  return [...lines].sort((a, b) => {
    const x = metricOf(a, metric);
    const y = metricOf(b, metric);
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return sign * (x - y);
  });
}
