/**
 * An instrument's size rules, the one reading of them for the sizer, the order paths and the
 * connections: what TWS's contract details, a backtest's contracts table or msg.contract say a
 * quantity may be.
 */
import type { Contract } from '@stoqey/ib';

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

/** Whole units: what an instrument takes when nothing says otherwise (a share, a contract). */
export const WHOLE_UNITS: SizeRules = Object.freeze({ increment: 1, minSize: 1 });

/**
 * The size rules an order quantity is checked against, the one rule of every order path: the
 * instrument's own (TWS's contract details, a backtest's contracts table: `instrument`), else what
 * msg.contract says (sizeIncrement, minSize), else whole units.
 */
export function orderSizeRules(instrument: SizeRules | null, contract: unknown): SizeRules {
  return instrument ?? sizeRulesOf(contract && typeof contract === 'object' ? (contract as { sizeIncrement?: unknown; minSize?: unknown }) : null) ?? WHOLE_UNITS;
}

/**
 * An instrument's size rules as a connection answers them, asked once per instrument key: the answer
 * once it came (at once, without waiting), else the pending look-up. A look-up that fails answers
 * null (the caller falls back on msg.contract's) and is asked again the next time; `onUnknown` hears
 * why.
 */
export class InstrumentSizeRules {
  private readonly settled = new Map<string, SizeRules | null>();
  private readonly pending = new Map<string, Promise<SizeRules | null>>();

  constructor(
    private readonly lookup: (contract: Contract) => Promise<SizeRules | null>,
    private readonly onUnknown?: (key: string, err: Error) => void,
  ) {}

  of(key: string, contract: Contract): SizeRules | null | Promise<SizeRules | null> {
    const known = this.settled.get(key);
    if (known !== undefined || this.settled.has(key)) return known ?? null;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.lookup(contract).then(
        (rules) => {
          this.pending.delete(key);
          this.settled.set(key, rules);
          return rules;
        },
        (err: Error) => {
          this.pending.delete(key);
          this.onUnknown?.(key, err);
          return null;
        },
      );
      this.pending.set(key, pending);
    }
    return pending;
  }
}
