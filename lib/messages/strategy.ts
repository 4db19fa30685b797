/**
 * Which strategy an order belongs to, from its orderRef. A strategy's orders carry its name; the
 * protective legs it places carry the name and their role (`sma:stop-loss`, `sma:take-profit`), so a
 * restart can tell them apart, yet they are the strategy's own: their fills move its position.
 */
const ROLE_SUFFIXES = [':stop-loss', ':take-profit'];

/** The strategy of an orderRef ('' for orders without one: manual or other software's). */
export function strategyOfOrderRef(orderRef: string | undefined | null): string {
  const ref = typeof orderRef === 'string' ? orderRef : '';
  // Most orderRefs are a strategy's name alone: no role suffix to look for.
  if (!ref.includes(':')) return ref;
  for (const suffix of ROLE_SUFFIXES) if (ref.endsWith(suffix) && ref.length > suffix.length) return ref.slice(0, -suffix.length);
  return ref;
}
