/**
 * Bar times in every spelling a bar file or TWS uses, read into epoch ms UTC: ISO 8601, epoch seconds or
 * milliseconds, and IB's "yyyyMMdd", "yyyyMMdd HH:mm:ss", "yyyyMMdd-HH:mm:ss" (UTC) and
 * "yyyyMMdd HH:mm:ss Zone/Name". A time without a zone is read as UTC, never as this machine's zone,
 * so the same file gives the same bars everywhere.
 */

import { ianaZone, isKnownZone, zonedToEpoch, zoneOffsetMinutes } from '../messages/time-zones';
import { commonTime, NOT_COMMON } from './common-times';
import { isGiven } from '../messages/setting';

const IB_DATE = /^(\d{4})(\d{2})(\d{2})(?:[ -]+(\d{2}):(\d{2})(?::(\d{2}))?(?:\s+([A-Za-z_]+(?:\/[A-Za-z_+-]+)*))?)?$/;
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Epoch ms of `value`, or NaN when it is not a time this module can read. */
export function parseTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? epochNumber(value) : NaN;
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return NaN;
  // The spellings nearly every file uses, without a regex; any other text takes the general path below.
  const common = commonTime(value, 0, value.length);
  if (common !== NOT_COMMON) return common;
  const text = value.trim();
  if (text === '') return NaN;
  if (/^\d{9,13}$/.test(text) && !/^\d{8}$/.test(text)) return epochNumber(Number(text));
  const ib = IB_DATE.exec(text);
  if (ib) return ibDate(ib);
  if (ISO_DATE.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (ISO_NO_ZONE.test(text)) return Date.parse(`${text.replace(' ', 'T')}Z`);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) return Date.parse(text);
  return NaN;
}

/** Seconds below 1e11 (until year 5138), milliseconds above. */
function epochNumber(n: number): number {
  return Math.abs(n) < 1e11 ? n * 1000 : n;
}

function ibDate(m: RegExpExecArray): number {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (!m[7]) return asUtc;
  // IB's zone names mean what they mean at IB ("EST" is New York's clock, daylight saving included).
  const zone = ianaZone(m[7]);
  if (zone === 'UTC') return asUtc;
  if (!isKnownZone(zone)) return NaN;
  return zonedToEpoch(zone, year, month, day, hour, minute, second);
}

/** IB's UTC form for a request's end time: "yyyyMMdd-HH:mm:ss". */
export function formatIbUtc(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Reads an end time given by a user (node config or msg): empty means now; otherwise any form
 * parseTime reads. Throws naming the value.
 */
export function parseEndTime(value: unknown, now: number): number {
  if (!isGiven(value) || value === 'now') return now;
  const ms = parseTime(value);
  if (Number.isNaN(ms)) {
    throw new Error(`end time "${String(value)}" is not a time: use ISO (2024-03-01T16:00:00Z), IB's "20240301 16:00:00 US/Eastern", epoch ms, or leave it empty for now`);
  }
  return ms;
}

/** Offset of a zone (IB's names read as lib/messages/time-zones.ts reads them) from UTC at `atMs`, in ms; NaN for an unknown zone. */
export function zoneOffsetMs(zone: string, atMs: number): number {
  const iana = ianaZone(zone);
  if (iana === 'UTC') return 0;
  return isKnownZone(iana) ? zoneOffsetMinutes(atMs, iana) * 60_000 : NaN;
}
