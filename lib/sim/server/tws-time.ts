/**
 * Time as TWS writes it. The simulated TWS is logged in from New York (US/Eastern), the zone a US
 * trader's TWS typically reports; every "local" time on the wire is in that zone.
 */
import { formatInZone } from '../../messages/time-zones';

export const TWS_TIME_ZONE = 'America/New_York';
/** IB's name for the zone in date strings. */
export const TWS_TIME_ZONE_LABEL = 'US/Eastern';

/** The connection time of the handshake, e.g. `20240102 10:11:12 EST`. */
export function connectionTime(epochMs: number): string {
  const p = formatInZone(epochMs, TWS_TIME_ZONE);
  const abbreviation = p.offsetMinutes === -240 ? 'EDT' : 'EST';
  return `${p.year}${pad(p.month)}${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${abbreviation}`;
}

/** `yyyyMMdd HH:mm:ss US/Eastern`: how TWS 10.x writes bar and range times with formatDate 1. */
export function twsDateTime(epochMs: number): string {
  const p = formatInZone(epochMs, TWS_TIME_ZONE);
  return `${p.year}${pad(p.month)}${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${TWS_TIME_ZONE_LABEL}`;
}

export function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
