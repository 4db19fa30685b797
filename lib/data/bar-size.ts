/**
 * Bar sizes and durations as IB spells them ("5 mins", "30 D"), parsed and validated so a typo ends in
 * an error that lists what is allowed instead of a TWS error 321 later.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface BarSize {
  /** IB's own spelling, e.g. "5 mins": what reqHistoricalData takes. */
  readonly setting: string;
  /** Nominal length of one bar (a month counts 30 days). */
  readonly ms: number;
}

/** Every bar size IB accepts, in its spelling, with its length. */
export const BAR_SIZES: readonly BarSize[] = [
  { setting: '1 secs', ms: SECOND },
  { setting: '5 secs', ms: 5 * SECOND },
  { setting: '10 secs', ms: 10 * SECOND },
  { setting: '15 secs', ms: 15 * SECOND },
  { setting: '30 secs', ms: 30 * SECOND },
  { setting: '1 min', ms: MINUTE },
  { setting: '2 mins', ms: 2 * MINUTE },
  { setting: '3 mins', ms: 3 * MINUTE },
  { setting: '5 mins', ms: 5 * MINUTE },
  { setting: '10 mins', ms: 10 * MINUTE },
  { setting: '15 mins', ms: 15 * MINUTE },
  { setting: '20 mins', ms: 20 * MINUTE },
  { setting: '30 mins', ms: 30 * MINUTE },
  { setting: '1 hour', ms: HOUR },
  { setting: '2 hours', ms: 2 * HOUR },
  { setting: '3 hours', ms: 3 * HOUR },
  { setting: '4 hours', ms: 4 * HOUR },
  { setting: '8 hours', ms: 8 * HOUR },
  { setting: '1 day', ms: DAY },
  { setting: '1 week', ms: 7 * DAY },
  { setting: '1 month', ms: 30 * DAY },
];

const UNIT_MS: Record<string, number> = {
  s: SECOND, sec: SECOND, secs: SECOND, second: SECOND, seconds: SECOND,
  m: MINUTE, min: MINUTE, mins: MINUTE, minute: MINUTE, minutes: MINUTE,
  h: HOUR, hour: HOUR, hours: HOUR,
  d: DAY, day: DAY, days: DAY,
  w: 7 * DAY, week: 7 * DAY, weeks: 7 * DAY,
  mo: 30 * DAY, month: 30 * DAY, months: 30 * DAY,
};

/**
 * Parses a bar size: IB's spelling ("1 min", "5 mins", "1 hour", "1 day") or a short form ("5m", "1h",
 * "1d", "30s"). Throws naming the input and listing the valid sizes.
 */
export function parseBarSize(input: unknown): BarSize {
  const text = String(input ?? '').trim().toLowerCase();
  const match = /^(\d+)\s*([a-z]+)$/.exec(text);
  const unitMs = match ? UNIT_MS[match[2]] : undefined;
  const ms = match && unitMs ? Number(match[1]) * unitMs : NaN;
  const found = BAR_SIZES.find((size) => size.ms === ms);
  if (!found) {
    throw new Error(`bar size "${String(input ?? '')}" is not one IB offers: use one of ${BAR_SIZES.map((s) => s.setting).join(', ')}`);
  }
  return found;
}

export type DurationUnit = 'S' | 'D' | 'W' | 'M' | 'Y';

export interface Duration {
  readonly amount: number;
  readonly unit: DurationUnit;
  /** IB's spelling, e.g. "30 D". */
  readonly text: string;
}

/** Parses an IB duration: an integer and S, D, W, M or Y ("3600 S", "30 D", "1 Y"). */
export function parseDuration(input: unknown): Duration {
  const text = String(input ?? '').trim().toUpperCase();
  const match = /^(\d+)\s*([SDWMY])$/.exec(text);
  const amount = match ? Number(match[1]) : 0;
  if (!match || amount <= 0) {
    throw new Error(`duration "${String(input ?? '')}" is not valid: use a whole number and a unit S, D, W, M or Y, e.g. "3600 S", "30 D", "1 Y"`);
  }
  const unit = match[2] as DurationUnit;
  return { amount, unit, text: `${amount} ${unit}` };
}

/** The start of the range `duration` reaches back from `endMs` (calendar months and years). */
export function durationStart(duration: Duration, endMs: number): number {
  const date = new Date(endMs);
  switch (duration.unit) {
    case 'S':
      return endMs - duration.amount * SECOND;
    case 'D':
      return endMs - duration.amount * DAY;
    case 'W':
      return endMs - duration.amount * 7 * DAY;
    case 'M':
      date.setUTCMonth(date.getUTCMonth() - duration.amount);
      return date.getTime();
    case 'Y':
      date.setUTCFullYear(date.getUTCFullYear() - duration.amount);
      return date.getTime();
  }
}

/**
 * How much history one request fetches for a bar size: kept well inside IB's per-request limits so a
 * chunk is never refused as too large. Longer ranges are split into chunks of this length.
 */
export function chunkMsFor(barSize: BarSize): number {
  if (barSize.ms <= SECOND) return 30 * MINUTE;
  if (barSize.ms <= 5 * SECOND) return HOUR;
  if (barSize.ms <= 15 * SECOND) return 4 * HOUR;
  if (barSize.ms <= 30 * SECOND) return 8 * HOUR;
  if (barSize.ms <= 2 * MINUTE) return DAY;
  if (barSize.ms <= 30 * MINUTE) return 7 * DAY;
  if (barSize.ms < DAY) return 30 * DAY;
  return 360 * DAY;
}

/** IB's "small bars" pacing rule (60 requests per 10 minutes) applies to bars of 30 seconds or less. */
export function isSmallBar(barSize: BarSize): boolean {
  return barSize.ms <= 30 * SECOND;
}

/** A chunk's length as an IB duration string: seconds below a day, days otherwise. */
export function durationText(ms: number): string {
  if (ms < DAY) return `${Math.ceil(ms / SECOND)} S`;
  return `${Math.ceil(ms / DAY)} D`;
}

export const MS = { SECOND, MINUTE, HOUR, DAY } as const;
