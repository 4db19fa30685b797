/**
 * How an order error quotes the value it was given: a string in quotes, NaN as NaN, nothing for a
 * missing field, anything else as JSON. A file of its own because the quantity checks (quantity.ts)
 * and the order checks (validate.ts) both quote values and validate.ts stands on quantity.ts.
 */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
