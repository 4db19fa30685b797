/**
 * The time spellings bar files nearly always use, read from character codes without a regex or a
 * substring: ISO day "YYYY-MM-DD", ISO "YYYY-MM-DD[T ]HH:mm[:ss]" (UTC), ISO "YYYY-MM-DDTHH:mm:ss[.sss]Z",
 * IB "yyyyMMdd" and "yyyyMMdd[ -]HH:mm[:ss]", and epoch seconds or ms (9 to 13 digits).
 *
 * This is only a shortcut for parseTime (dates.ts): it answers for a spelling it fully recognises and
 * whose result it knows is the one parseTime's general path gives; for anything else (a space around
 * the text, a zone name, an offset, a day past the month's end, an hour 24, ...) it answers NOT_COMMON
 * and the general path decides, so every input reads exactly as it would without the shortcut.
 */

/** The answer for text the shortcut leaves to the general path (parseTime never gives Infinity). */
export const NOT_COMMON = Infinity;

const MS_PER_DAY = 86_400_000;

/** Epoch ms of text[start, end) in one of the common spellings, or NOT_COMMON. */
export function commonTime(text: string, start: number, end: number): number {
  const length = end - start;
  if (length < 8 || !isDigit(text.charCodeAt(start))) return NOT_COMMON;
  if (text.charCodeAt(start + 4) === 45) return isoTime(text, start, length);
  const digits = digitRun(text, start, end);
  if (digits === length) {
    if (length === 8) return ibTime(text, start, 0, 0, 0);
    // 9 to 13 digits are epoch seconds (below 1e11) or ms, as dates.ts's epochNumber reads them.
    if (length > 13) return NOT_COMMON;
    const n = digitsValue(text, start, end);
    return n < 1e11 ? n * 1000 : n;
  }
  // "yyyyMMdd HH:mm" or "yyyyMMdd HH:mm:ss", with one space or dash between day and time.
  if (digits !== 8 || (length !== 14 && length !== 17)) return NOT_COMMON;
  const separator = text.charCodeAt(start + 8);
  if (separator !== 32 && separator !== 45) return NOT_COMMON;
  const clock = clockAt(text, start + 9, length === 17);
  return clock < 0 ? NOT_COMMON : ibTime(text, start, hoursOf(clock), minutesOf(clock), secondsOf(clock));
}

/** "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:mm[:ss]" or "YYYY-MM-DDTHH:mm:ss[.sss]Z" (length counts from start). */
function isoTime(text: string, start: number, length: number): number {
  if (text.charCodeAt(start + 7) !== 45) return NOT_COMMON;
  const year = fourDigits(text, start);
  const month = twoDigits(text, start + 5);
  const day = twoDigits(text, start + 8);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NOT_COMMON;
  const dayMs = daysFromCivil(year, month, day) * MS_PER_DAY;
  if (length === 10) return dayMs;
  const separator = text.charCodeAt(start + 10);
  if (separator !== 84 && separator !== 32) return NOT_COMMON;
  // Zone-less: "HH:mm" or "HH:mm:ss", read as UTC. With Z: "HH:mm:ss" or "HH:mm:ss.sss", and only after a T.
  let clock: number;
  let millis = 0;
  if (length === 16 || length === 19) {
    clock = clockAt(text, start + 11, length === 19);
  } else if ((length === 20 || length === 24) && separator === 84 && text.charCodeAt(start + length - 1) === 90) {
    clock = clockAt(text, start + 11, true);
    if (length === 24) {
      if (text.charCodeAt(start + 19) !== 46) return NOT_COMMON;
      millis = threeDigits(text, start + 20);
      if (millis < 0) return NOT_COMMON;
    }
  } else {
    return NOT_COMMON;
  }
  if (clock < 0) return NOT_COMMON;
  return dayMs + hoursOf(clock) * 3_600_000 + minutesOf(clock) * 60_000 + secondsOf(clock) * 1000 + millis;
}

/** IB's day (8 digits at start) at a wall-clock time, as dates.ts's ibDate reads it without a zone. */
function ibTime(text: string, start: number, hour: number, minute: number, second: number): number {
  const year = fourDigits(text, start);
  const month = twoDigits(text, start + 4);
  const day = twoDigits(text, start + 6);
  if (month < 1 || month > 12 || day < 1 || day > 31) return NOT_COMMON;
  // Date.UTC itself, as the general path calls it: years 0-99 mean 1900-1999 and day 31 of a short month rolls over.
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * "HH:mm" or (withSeconds) "HH:mm:ss" at `at`, packed as hour * 3600 + minute * 60 + second, or -1
 * when it is not one (or is out of range: hour 24 and leap seconds are left to the general path).
 */
function clockAt(text: string, at: number, withSeconds: boolean): number {
  if (text.charCodeAt(at + 2) !== 58) return -1;
  const hour = twoDigits(text, at);
  const minute = twoDigits(text, at + 3);
  let second = 0;
  if (withSeconds) {
    if (text.charCodeAt(at + 5) !== 58) return -1;
    second = twoDigits(text, at + 6);
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  return hour * 3600 + minute * 60 + second;
}

function hoursOf(clock: number): number {
  return Math.floor(clock / 3600);
}

function minutesOf(clock: number): number {
  return Math.floor(clock / 60) % 60;
}

function secondsOf(clock: number): number {
  return clock % 60;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** How many digits text has from start on (stopping at end). */
function digitRun(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  return i - start;
}

/** The value of a run of at most 15 digits (exact). */
function digitsValue(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/** Two digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function threeDigits(text: string, at: number): number {
  const high = twoDigits(text, at);
  const c = text.charCodeAt(at + 2) - 48;
  return high >= 0 && c >= 0 && c <= 9 ? high * 10 + c : -1;
}

function fourDigits(text: string, at: number): number {
  const high = twoDigits(text, at);
  const low = twoDigits(text, at + 2);
  return high >= 0 && low >= 0 ? high * 100 + low : -1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
