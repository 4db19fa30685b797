/**
 * Wall-clock time in a named zone and back, with the platform's Intl data (no dependency): the one
 * reading of zone names for bar files, IB's time strings and the simulator alike. IB's names (US/Eastern,
 * EST, MET ...) are read as IB means them (ianaZone): "EST" is New York's clock with daylight saving,
 * not the fixed UTC-5 that Intl's own "EST" is. Offsets are cached per zone and hour, since sessions
 * and bars ask for the same ones again and again.
 */

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Zone offset from UTC at that instant, in minutes (e.g. -300 for EST). */
  offsetMinutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();
const HOUR_MS = 3_600_000;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC (minutes) at an instant. Zones change offset on whole hours here. */
export function zoneOffsetMinutes(epochMs: number, zone: string): number {
  if (zone === 'UTC' || zone === 'GMT') return 0;
  const hour = Math.floor(epochMs / HOUR_MS);
  const key = `${zone}|${hour}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const parts = formatter(zone).formatToParts(new Date(hour * HOUR_MS));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = Math.round((asUtc - hour * HOUR_MS) / 60_000);
  if (offsetCache.size > 200_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

export function formatInZone(epochMs: number, zone: string): ZonedParts {
  const offsetMinutes = zoneOffsetMinutes(epochMs, zone);
  const d = new Date(epochMs + offsetMinutes * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
    offsetMinutes,
  };
}

/** The instant at which the zone's wall clock shows the given time (the later one in a DST overlap is not needed here). */
export function zonedToEpoch(zone: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  let guess = wall - zoneOffsetMinutes(wall, zone) * 60_000;
  // One correction covers the hour around a DST change.
  const corrected = wall - zoneOffsetMinutes(guess, zone) * 60_000;
  if (corrected !== guess) guess = corrected;
  return guess;
}

/** Maps IB's zone names (US/Eastern, EST, MET, ...) to IANA ids; unknown names are returned as given. */
export function ianaZone(name: string): string {
  const aliases: Record<string, string> = {
    'US/Eastern': 'America/New_York',
    EST: 'America/New_York',
    EDT: 'America/New_York',
    EST5EDT: 'America/New_York',
    'US/Central': 'America/Chicago',
    CST: 'America/Chicago',
    CDT: 'America/Chicago',
    CST6CDT: 'America/Chicago',
    'US/Pacific': 'America/Los_Angeles',
    PST: 'America/Los_Angeles',
    'US/Mountain': 'America/Denver',
    MET: 'Europe/Berlin',
    CET: 'Europe/Berlin',
    GMT: 'UTC',
    UTC: 'UTC',
    'Europe/London': 'Europe/London',
    JST: 'Asia/Tokyo',
    'Japan': 'Asia/Tokyo',
    'Hongkong': 'Asia/Hong_Kong',
  };
  return aliases[name] ?? name;
}

const IB_DATE_TIME = /^(\d{4})(\d{2})(\d{2})([ -])(\d{2}):(\d{2}):(\d{2})(?: (\S+))?$/;

/**
 * An instant IB's way: "yyyyMMdd HH:mm:ss" in `defaultZone` or in the zone named after it (IB's names
 * or IANA ids), or "yyyyMMdd-HH:mm:ss" in UTC. NaN when the text is not one of those or names an
 * unknown zone.
 */
export function parseIbDateTime(text: string, defaultZone: string): number {
  const m = IB_DATE_TIME.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, sep, h, mi, s, zoneName] = m;
  if (sep === '-' && zoneName) return NaN;
  const zone = sep === '-' ? 'UTC' : zoneName ? ianaZone(zoneName) : defaultZone;
  if (!isKnownZone(zone)) return NaN;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
  return zonedToEpoch(zone, Number(y), month, day, hour, minute, second);
}

/** True when the platform knows the zone. */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}
