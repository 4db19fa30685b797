/**
 * An instrument's size rules, the one reading of them for the sizer and the connections: what TWS's
 * contract details, a backtest's contracts table or msg.contract say a quantity may be.
 */
/**
 * How much of an instrument one may trade, as TWS's contract details say: quantities are whole
 * multiples of `increment` (1 share or contract, 0.0001 BTC on PAXOS) and at least `minSize`.
 */
export interface SizeRules {
  increment: number;
  minSize: number;
}

/**
 * The size rules in contract details (sizeIncrement, minSize; a backtest's contracts table spells them
 * the same), or null when they say nothing usable. An increment above 1 is a lot rule of its own
 * (IB lists 1 for stocks and IDEALPRO's pairs), kept as given.
 */
export function sizeRulesOf(details: { sizeIncrement?: unknown; minSize?: unknown } | null | undefined): SizeRules | null {
  if (!details) return null;
  const number = (v: unknown) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) && n > 0 && n < 1e300 ? n : null;
  };
  const increment = number(details.sizeIncrement);
  const minSize = number(details.minSize);
  if (increment === null && minSize === null) return null;
  return { increment: increment ?? minSize ?? 1, minSize: minSize ?? increment ?? 1 };
}
