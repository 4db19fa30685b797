/**
 * What an order quantity may be, whatever limits are configured: finite, positive, a whole number of
 * the instrument's size increment (1 share or contract unless the contract says otherwise), and
 * under a built-in ceiling. No configured limit is needed to stop 1e21 shares or 1e-300 of one: those
 * are never an intent, they are a bug upstream (a division by a tiny stop distance, a unit mix-up).
 */
import { describeValue } from '../messages/describe-value';

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
export function quantityProblem(value: unknown, field: string, increment = 1, minSize = 0): string | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return `${field} must be a positive number of shares, got ${describeValue(value)}`;
  if (n > MAX_ORDER_QUANTITY) return `${field} ${describeValue(value)} is over the built-in ceiling of ${MAX_ORDER_QUANTITY} per order: no order that size is sent, with or without limits on ib-connect`;
  if (!isWholeIncrements(n, increment)) {
    return increment === 1
      ? `${field} ${describeValue(value)} is not a whole number of shares (or contracts): orders are for whole units`
      : `${field} ${describeValue(value)} is not a whole number of the instrument's size increment ${increment}`;
  }
  if (n < minSize * (1 - 1e-9)) return `${field} ${describeValue(value)} is below the instrument's minimum size ${minSize}`;
  return null;
}

/**
 * Why `value` cannot be a target position (signed; 0 is flat), or null: finite, whole increments,
 * and no further from flat than one order may go.
 */
export function targetProblem(value: unknown, field: string, increment = 1): string | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return `${field} must be a number of shares (negative for short), got ${describeValue(value)}`;
  if (Math.abs(n) > MAX_ORDER_QUANTITY) return `${field} ${describeValue(value)} is further from flat than the built-in ceiling of ${MAX_ORDER_QUANTITY} per order: no such target is traded`;
  if (!isWholeIncrements(n, increment)) {
    return increment === 1
      ? `${field} ${describeValue(value)} is not a whole number of shares (or contracts)`
      : `${field} ${describeValue(value)} is not a whole number of the instrument's size increment ${increment}`;
  }
  return null;
}
