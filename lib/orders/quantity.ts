/**
 * What an order quantity may be, whatever limits are configured: finite, positive, a whole number of
 * the instrument's size increment (1 share or contract unless the contract says otherwise), and
 * under a built-in ceiling. No configured limit is needed to stop 1e21 shares or 1e-300 of one: those
 * are never an intent, they are a bug upstream (a division by a tiny stop distance, a unit mix-up).
 */
import { describeValue } from '../messages/describe-value';
import { said, type Said, type TextValue } from '../messages/texts';

/**
 * The most one order may ask for, with no limit configured: 10 million shares, contracts or currency
 * units is beyond any order a flow means to send, yet above IB's own large forex tickets. A
 * connection's max order quantity can only lower it.
 */
export const MAX_ORDER_QUANTITY = 10_000_000;

/** Whether `value` is a whole number of `increment`s (within float noise of the division). */
export function isWholeIncrements(value: number, increment = 1): boolean {
  const steps = value / increment;
  const whole = Math.round(steps);
  // Binary noise of the division (0.07 / 0.01) is allowed; a value that rounds to 0 is not 0.
  return Math.abs(steps - whole) <= 1e-9 * Math.max(1, Math.abs(steps)) && (whole !== 0 || value === 0);
}

/**
 * Why `value` cannot be an order's quantity, naming it (`field` says where it came from), or null
 * when it can.
 */
export function quantityProblem(value: unknown, field: TextValue, increment = 1, minSize = 0): Said | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const named = { field, value: describeValue(value) };
  if (!Number.isFinite(n) || n <= 0) return said('quantity.notPositive', named);
  if (n > MAX_ORDER_QUANTITY) return said('quantity.ceiling', { ...named, max: MAX_ORDER_QUANTITY });
  if (!isWholeIncrements(n, increment)) return increment === 1 ? said('quantity.notWhole', named) : said('quantity.notIncrement', { ...named, increment });
  if (n < minSize * (1 - 1e-9)) return said('quantity.belowMin', { ...named, minSize });
  return null;
}

/**
 * Why `value` cannot be a target position (signed; 0 is flat), or null: finite, whole increments,
 * and no further from flat than one order may go.
 */
export function targetProblem(value: unknown, field: string, increment = 1): Said | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const named = { field, value: describeValue(value) };
  if (!Number.isFinite(n)) return said('quantity.targetNotNumber', named);
  if (Math.abs(n) > MAX_ORDER_QUANTITY) return said('quantity.targetCeiling', { ...named, max: MAX_ORDER_QUANTITY });
  if (!isWholeIncrements(n, increment)) return increment === 1 ? said('quantity.targetNotWhole', named) : said('quantity.notIncrement', { ...named, increment });
  return null;
}
