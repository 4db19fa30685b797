/**
 * Money in several currencies on one account, as IB keeps it: cash is held per currency (a buy of a
 * stock quoted in EUR debits EUR cash, which may go negative: a EUR loan, as at IB), and the account's
 * equity, margins and buying power are in its base currency, each local amount times the rate of the
 * time. A rate is the base currency's units per unit of the other currency (EUR 1.08 in a USD account).
 *
 * Where a rate comes from, first found wins:
 * - an FX instrument's bars in the same backtest: the close of EUR.USD (`EUR:CASH:IDEALPRO:USD`) is the
 *   EUR rate of a USD account, the inverse of USD.JPY's close the JPY rate;
 * - a fixed table the caller gives (the backtest connection's FX rates: {"EUR": 1.08, "JPY": 0.0067});
 * - none: an order for the instrument is refused, naming what to add (refusal below).
 * Cross rates (EUR in a JPY account from EUR.USD and USD.JPY) are not derived: give the direct pair or a
 * fixed rate.
 */
/** What a rate is read from: an instrument's book (book.ts), by its last price and its key. */
interface Quoted {
  readonly symbol: string;
  mark: number;
}

/** One currency other than the base: its cash, and where its rate is read. */
export class CurrencyCash {
  /** Cash in this currency (negative: borrowed). */
  cash = 0;
  /** The FX instrument whose close is this currency's rate (inverted when it is quoted in this currency). */
  pair: Quoted | null = null;
  inverse = false;

  constructor(
    readonly currency: string,
    /** The fixed rate of the table, NaN when it has none. */
    private readonly fixed: number,
  ) {}

  /** Base units per unit of this currency now; NaN when no source knows it yet. */
  rate(): number {
    const pair = this.pair;
    if (pair !== null) {
      const mark = pair.mark;
      if (mark > 0) return this.inverse ? 1 / mark : mark;
    }
    return this.fixed;
  }
}

export class Currencies {
  private readonly slots = new Map<string, CurrencyCash>();
  /** The currencies other than the base, in the order met (summed in this order: replay and batch alike). */
  readonly list: CurrencyCash[] = [];

  constructor(
    readonly base: string,
    private readonly table: Readonly<Record<string, number>>,
  ) {}

  /** The cash slot of `currency`; null for the base currency. */
  slotFor(currency: string): CurrencyCash | null {
    const code = currency.toUpperCase();
    if (code === this.base) return null;
    let slot = this.slots.get(code);
    if (slot === undefined) {
      const fixed = this.table[code];
      slot = new CurrencyCash(code, typeof fixed === 'number' && fixed > 0 ? fixed : Number.NaN);
      this.slots.set(code, slot);
      this.list.push(slot);
    }
    return slot;
  }

  /** Base units per unit of `currency` now: 1 for the base, NaN while unknown (nothing is created). */
  rateOf(currency: string): number {
    const code = currency.toUpperCase();
    if (code === this.base) return 1;
    const slot = this.slots.get(code);
    if (slot !== undefined) return slot.rate();
    const fixed = this.table[code];
    return typeof fixed === 'number' && fixed > 0 ? fixed : Number.NaN;
  }

  /** An FX instrument (`symbol`.`quoted`) the engine met: its close is a rate when one side is the base. */
  pairMet(book: Quoted, symbol: string, quoted: string): void {
    const a = symbol.toUpperCase();
    const b = quoted.toUpperCase();
    if (b === this.base && a !== this.base) this.usePair(this.slotFor(a)!, book, false);
    else if (a === this.base && b !== this.base) this.usePair(this.slotFor(b)!, book, true);
  }

  /** Base-currency value of every currency's cash, at the rates now. */
  foreignCash(): number {
    let value = 0;
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const slot = list[i]!;
      if (slot.cash !== 0) value += slot.cash * slot.rate();
    }
    return value;
  }

  /**
   * Why `book` (quoted in a currency with no rate yet) cannot trade now, or null: the refusal names the
   * two ways to give a rate.
   */
  refusal(book: Quoted, slot: CurrencyCash): string | null {
    if (slot.rate() > 0) return null;
    const c = slot.currency;
    const base = this.base;
    return `${book.symbol} is quoted in ${c} and the account's base currency is ${base}, but there is no ${c} rate: replay ${c}.${base} bars in the same backtest (historical-bars of ${c}:CASH:IDEALPRO:${base}, with their first bar before this order), or set a fixed rate in the backtest connection's FX rates, e.g. {"${c}": 1.1}.`;
  }

  private usePair(slot: CurrencyCash, book: Quoted, inverse: boolean): void {
    // The first pair met stays: a second listing of the same rate does not switch sources mid-run.
    if (slot.pair !== null) return;
    slot.pair = book;
    slot.inverse = inverse;
  }
}

/** Checks a table of fixed rates (a backtest setting); returns what is wrong, or null. */
export function ratesTableProblem(table: unknown): string | null {
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    return 'the FX rates must be an object of base-currency units per unit of each currency, e.g. {"EUR": 1.08, "JPY": 0.0067}';
  }
  for (const [code, rate] of Object.entries(table as Record<string, unknown>)) {
    if (!/^[A-Za-z]{3}$/.test(code)) return `FX rates: "${code}" is not a 3-letter currency code such as "EUR"`;
    if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate))
      return `FX rates: ${code} must be a positive number (base-currency units per ${code}), got ${JSON.stringify(rate)}`;
  }
  return null;
}

/** Whether `code` is a 3-letter currency code. */
export function isCurrencyCode(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Za-z]{3}$/.test(code);
}

/** A rates table with its codes in upper case. */
export function upperCaseRates(table: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (table !== undefined) for (const [code, rate] of Object.entries(table)) out[code.toUpperCase()] = rate;
  return out;
}
