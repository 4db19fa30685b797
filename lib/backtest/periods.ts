/**
 * Periods per year for annualizing per-bar statistics (the usual convention): 252 for daily bars,
 * 52 weekly, 12 monthly; intraday bars scale 252 by the bars in a regular US session (6.5 hours), so
 * 5-minute bars give 252 * 78.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SESSION_MS = 390 * MINUTE;
export const TRADING_DAYS_PER_YEAR = 252;

const UNIT_MS: Record<string, number> = {
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  min: MINUTE,
  mins: MINUTE,
  minute: MINUTE,
  minutes: MINUTE,
  hour: 60 * MINUTE,
  hours: 60 * MINUTE,
  day: DAY,
  days: DAY,
  week: 7 * DAY,
  weeks: 7 * DAY,
  month: 30 * DAY,
  months: 30 * DAY,
};

/** Milliseconds of an IB bar size setting such as "1 day", "5 mins", "1 hour"; null when unknown. */
export function barSizeMs(barSize: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(barSize);
  if (!match) return null;
  const unit = UNIT_MS[match[2]!.toLowerCase()];
  return unit === undefined ? null : Number(match[1]) * unit;
}

/** Periods per year for bars `ms` apart. */
export function periodsPerYearForBarMs(ms: number): number {
  if (!(ms > 0)) return TRADING_DAYS_PER_YEAR;
  if (ms >= 28 * DAY) return 12;
  if (ms >= 7 * DAY) return 52;
  if (ms >= 20 * 60 * MINUTE) return TRADING_DAYS_PER_YEAR;
  return TRADING_DAYS_PER_YEAR * Math.ceil(SESSION_MS / ms - 1e-9);
}

/** The typical spacing of bar times: the median of the first gaps (weekends and holidays do not move it). */
export function typicalSpacingMs(times: ArrayLike<number>, sample = 2000): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < times.length && gaps.length < sample; i++) {
    const gap = times[i]! - times[i - 1]!;
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return null;
  // A plain sort: mathjs' median costs a typed-function compile on first use, far more than 2000 gaps.
  gaps.sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  return gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/** Periods per year from a bar size setting when given, else from the spacing of the bar times. */
export function periodsPerYear(spec: { barSize?: string | null; times?: ArrayLike<number> }): number {
  const fromSize = spec.barSize ? barSizeMs(spec.barSize) : null;
  if (fromSize) return periodsPerYearForBarMs(fromSize);
  const spacing = spec.times ? typicalSpacingMs(spec.times) : null;
  return spacing ? periodsPerYearForBarMs(spacing) : TRADING_DAYS_PER_YEAR;
}
