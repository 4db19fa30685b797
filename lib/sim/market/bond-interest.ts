/**
 * A fixed-coupon bond's interest, as US Treasuries pay it: half the annual coupon every six months, on
 * the maturity's month and day and six months either side; interest accrues day by day between two
 * payment dates (actual/actual: the days since the last payment over the days of the period). Dates
 * are calendar days in New York (where Treasuries pay), amounts per bond of `FACE` face value.
 */
import type { BondTerms } from './instrument';
import { formatInZone, zonedToEpoch } from '../../messages/time-zones';

/** One bond's face value (prices are percent of it). */
export const FACE = 1000;
const ZONE = 'America/New_York';
const DAY_MS = 86_400_000;

/** Midnight in New York of yyyy-mm-dd, as a day number (days since the epoch) so spans count calendar days. */
function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The payment date on or before `day` (a day number) and the one after it. */
function period(terms: BondTerms, day: number): { last: number; next: number } {
  const month = Number(terms.maturity.slice(4, 6));
  const date = Number(terms.maturity.slice(6, 8));
  // Payment months: the maturity's and six months off, in every year.
  let year = new Date(day * DAY_MS).getUTCFullYear() + 1;
  let m = month > 6 ? month : month + 6;
  let next = dayNumber(year, m, date);
  let last = next;
  while (last > day) {
    next = last;
    m -= 6;
    if (m < 1) {
      m += 12;
      year--;
    }
    last = dayNumber(year, m, date);
  }
  return { last, next };
}

function dayOf(time: number): number {
  const p = formatInZone(time, ZONE);
  return dayNumber(p.year, p.month, p.day);
}

/** The interest one bond has accrued at `time` since its last payment (what a buyer pays the seller on top of the price). */
export function accruedInterest(terms: BondTerms, time: number): number {
  const day = dayOf(time);
  if (day < dayOf(issueTime(terms))) return 0;
  const { last, next } = period(terms, day);
  return ((FACE * terms.coupon) / 100 / 2) * ((day - last) / (next - last));
}

/** The coupons one bond was paid after `from` up to and including `to` (epoch ms), in money. */
export function couponsPaid(terms: BondTerms, from: number, to: number): number {
  let paid = 0;
  let day = dayOf(from);
  const end = Math.min(dayOf(to), dayOf(maturityTime(terms)));
  for (;;) {
    const { next } = period(terms, day);
    if (next > end) return paid;
    paid += (FACE * terms.coupon) / 100 / 2;
    day = next;
  }
}

function issueTime(terms: BondTerms): number {
  return zonedToEpoch(ZONE, Number(terms.issueDate.slice(0, 4)), Number(terms.issueDate.slice(4, 6)), Number(terms.issueDate.slice(6, 8)));
}

function maturityTime(terms: BondTerms): number {
  return zonedToEpoch(ZONE, Number(terms.maturity.slice(0, 4)), Number(terms.maturity.slice(4, 6)), Number(terms.maturity.slice(6, 8)));
}
