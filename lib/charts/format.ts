/**
 * Numbers as the package's dashboard widgets write them, as a trader reads them (en-US): money with
 * thousands separators and two decimals, a sign where it is P&L, percentages to two decimals, ratios to
 * three; '-' for what is not a number (a metric the run has not got).
 */
const moneyFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const quantityFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });

export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const money = (v: unknown): string => (isNumber(v) ? moneyFormat.format(v) : '-');
export const signedMoney = (v: unknown): string => (isNumber(v) ? `${v > 0 ? '+' : ''}${moneyFormat.format(v)}` : '-');
export const count = (v: unknown): string => (isNumber(v) ? countFormat.format(v) : '-');
export const quantity = (v: unknown): string => (isNumber(v) ? quantityFormat.format(v) : '-');
export const ratio = (v: unknown): string => (isNumber(v) ? v.toFixed(3) : '-');

/**
 * A percentage to two decimals, of a percent (`scale` 1) or a fraction (`scale` 100); with a sign where
 * `signed`, and none on 0.00 (no "-0.00 %").
 */
export function percent(v: unknown, scale: 1 | 100 = 1, signed = true): string {
  if (!isNumber(v)) return '-';
  const r = Math.round(v * scale * 100) / 100 || 0;
  return `${signed && r > 0 ? '+' : ''}${r.toFixed(2)} %`;
}

/** A string as it is, a number as its digits, anything else as nothing. */
export const text = (v: unknown): string => (typeof v === 'string' ? v : isNumber(v) ? String(v) : '');
