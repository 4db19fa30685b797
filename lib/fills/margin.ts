/**
 * Buying power as IB checks it: an order is accepted when, with the position it would leave, the
 * account's equity with loan value still covers the initial margin of everything it holds. The check
 * runs when an order is placed (at the price the strategy last saw: the signal bar's close or the last
 * quote; a limit or stop order at its own price) and again at each fill (at the fill price, with the
 * fill's commission). An order that only reduces a position (or closes it) always passes, as at IB.
 *
 * Account types:
 * - 'cash': securities and currencies are paid in full (initial margin 100% of their value), so the
 *   buying power is the cash available; a cash account never sells short.
 * - 'reg-t': a Reg T margin account, as an IB paper account is: 50% initial margin on stocks long and
 *   short (buying power 2 x the funds available). IB's intraday 4x (day-trading buying power, 25%) is
 *   not modelled: positions are margined at the overnight rate all the time, which is what a position
 *   held to the next session needs anyway.
 * In both, futures (and futures options) are margined at their initial margin per contract (the
 * contract's, else 5% of the notional, about what exchanges ask of equity-index futures), and options
 * are paid in full. IB opens futures only in margin accounts; a cash backtest lets them trade against
 * their margin too, as backtrader's cash broker does, so a futures backtest needs no extra setting.
 *
 * Money here is in the account's base currency: quantity x price x multiplier, as the portfolio counts
 * it, times the rate of the instrument's currency (currency.ts) when it is quoted in another one; a
 * future's margin per contract is in its own currency, as the exchange sets it.
 */
import type { Side } from '../messages';
import type { Book } from './book';
import type { ContractTerms } from './contract-terms';
import type { AccountType, MarginFigures } from './types';

export type { AccountType, MarginFigures, MarginPreview } from './types';

export const ACCOUNT_TYPES: readonly AccountType[] = ['cash', 'reg-t'];

/** Reg T initial margin on stocks (and other securities): 50% of their value, long or short. */
export const REG_T_INITIAL = 0.5;
/** Reg T maintenance margin on stocks: 25%. */
export const REG_T_MAINTENANCE = 0.25;
/** Futures without a margin of their own: initial and maintenance margin as shares of the notional. */
export const FUTURES_INITIAL = 0.05;
export const FUTURES_MAINTENANCE = 0.04;
/** Spot forex in a margin account: about IB's rate for the major pairs. */
export const FOREX_INITIAL = 0.03;
export const FOREX_MAINTENANCE = 0.02;

/** The text every buying-power rejection starts with (IB's error 201 reason). */
export const NOT_ACCEPTED = 'YOUR ORDER IS NOT ACCEPTED.';

/** IB's error 201 reason when the equity with loan value does not cover the initial margin. */
export function insufficientEquity(equityWithLoan: number, initialMargin: number, currency = 'USD'): string {
  return `${NOT_ACCEPTED} IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [${equityWithLoan.toFixed(2)} ${currency}] MUST EXCEED THE INITIAL MARGIN [${initialMargin.toFixed(2)} ${currency}]`;
}

/** The reason a cash account refuses a sale that would leave it short. */
export function noShortInCash(symbol: string, held: number, selling: number): string {
  return `${NOT_ACCEPTED} A CASH ACCOUNT CANNOT SELL SHORT: it holds ${held} of ${symbol} and the order sells ${selling}. Sell at most what is held, or use a margin account (Reg T).`;
}

/** Whether an order event's reason is a buying-power rejection (the order did not fit the account). */
export function isBuyingPowerRejection(reason: string | undefined): boolean {
  return reason?.startsWith(NOT_ACCEPTED) === true;
}

/** Margined per contract (variation margin), not paid for in full. */
export function isMarginedPerContract(secType: string): boolean {
  return secType === 'FUT' || secType === 'FOP' || secType === 'CONTFUT';
}

function isOption(secType: string): boolean {
  return secType === 'OPT' || secType === 'IOPT' || secType === 'WAR';
}

/** Initial margin of holding `quantity` of an instrument with `terms` at `price`. */
export function initialMargin(type: AccountType, terms: ContractTerms, quantity: number, price: number): number {
  if (quantity === 0) return 0;
  const contracts = Math.abs(quantity);
  const secType = terms.secType;
  if (isMarginedPerContract(secType)) {
    return terms.initialMargin !== undefined ? contracts * terms.initialMargin : contracts * price * terms.multiplier * FUTURES_INITIAL;
  }
  const value = contracts * price * terms.multiplier;
  if (type === 'cash' || isOption(secType)) return value;
  return value * (secType === 'CASH' ? FOREX_INITIAL : REG_T_INITIAL);
}

/** Maintenance margin (for the account values TWS reports). */
export function maintenanceMargin(type: AccountType, terms: ContractTerms, quantity: number, price: number): number {
  if (quantity === 0) return 0;
  const contracts = Math.abs(quantity);
  const secType = terms.secType;
  if (isMarginedPerContract(secType)) {
    return terms.maintenanceMargin !== undefined
      ? contracts * terms.maintenanceMargin
      : terms.initialMargin !== undefined
        ? contracts * terms.initialMargin * (FUTURES_MAINTENANCE / FUTURES_INITIAL)
        : contracts * price * terms.multiplier * FUTURES_MAINTENANCE;
  }
  const value = contracts * price * terms.multiplier;
  if (type === 'cash' || isOption(secType)) return value;
  return value * (secType === 'CASH' ? FOREX_MAINTENANCE : REG_T_MAINTENANCE);
}

/**
 * The account check over the engine's books. `cash` and `books` are the portfolio's; a book's mark is
 * the price its position is valued at.
 */
export class BuyingPower {
  constructor(
    readonly type: AccountType,
    private readonly cash: () => number,
    private readonly books: readonly Book[],
    /** The base currency, as the rejection names it. */
    private readonly currency = 'USD',
  ) {}

  figures(): MarginFigures {
    let equity = this.cash();
    let initial = 0;
    let maintenance = 0;
    for (const b of this.books) {
      if (b.quantity === 0 || b.mark !== b.mark) continue;
      const rate = rateOf(b);
      equity += b.quantity * b.mark * b.multiplier * rate;
      initial += initialMargin(this.type, b.terms, b.quantity, b.mark) * rate;
      maintenance += maintenanceMargin(this.type, b.terms, b.quantity, b.mark) * rate;
    }
    const available = equity - initial;
    return {
      equityWithLoan: equity,
      initialMargin: initial,
      maintenanceMargin: maintenance,
      availableFunds: available,
      excessLiquidity: equity - maintenance,
      buyingPower: Math.max(0, available / (this.type === 'cash' ? 1 : REG_T_INITIAL)),
    };
  }

  /**
   * Why buying (or selling) `quantity` of `book` at `price`, paying `commission`, does not fit the
   * account, or null when it does. The instrument's position is valued at `price` afterwards.
   */
  problem(book: Book, action: Side, quantity: number, price: number, commission: number): string | null {
    const held = book.quantity;
    const after = held + (action === 'BUY' ? quantity : -quantity);
    // Reducing or closing (no new exposure, no flip) always fits.
    if (Math.abs(after) <= Math.abs(held) + 1e-9 && (after === 0 || held === 0 || after > 0 === held > 0)) return null;
    if (this.type === 'cash' && after < -1e-9 && !isMarginedPerContract(book.terms.secType)) {
      return noShortInCash(book.symbol, held, quantity);
    }
    if (!(price > 0)) return null;
    const { equityWithLoan, initialMargin: initial } = this.afterOrder(book, action, quantity, price, commission);
    // Equal is enough: a cash account may spend its last cent.
    if (initial <= equityWithLoan + 1e-6) return null;
    return insufficientEquity(equityWithLoan, initial, this.currency);
  }

  /**
   * The account's equity with loan value and margins if `quantity` of `book` were bought (or sold) at
   * `price`, paying `commission` (both in the instrument's currency), with that position valued at
   * `price`: what a what-if order previews and what the check above compares.
   */
  afterOrder(book: Book, action: Side, quantity: number, price: number, commission: number): Pick<MarginFigures, 'equityWithLoan' | 'initialMargin' | 'maintenanceMargin'> {
    const held = book.quantity;
    const after = held + (action === 'BUY' ? quantity : -quantity);
    const multiplier = book.multiplier;
    const rate = rateOf(book);
    let equity = this.cash() - (after - held) * price * multiplier * rate - commission * rate;
    let initial = 0;
    let maintenance = 0;
    for (const b of this.books) {
      if (b === book) continue;
      if (b.quantity === 0 || b.mark !== b.mark) continue;
      const r = rateOf(b);
      equity += b.quantity * b.mark * b.multiplier * r;
      initial += initialMargin(this.type, b.terms, b.quantity, b.mark) * r;
      maintenance += maintenanceMargin(this.type, b.terms, b.quantity, b.mark) * r;
    }
    equity += after * price * multiplier * rate;
    initial += initialMargin(this.type, book.terms, after, price) * rate;
    maintenance += maintenanceMargin(this.type, book.terms, after, price) * rate;
    return { equityWithLoan: equity, initialMargin: initial, maintenanceMargin: maintenance };
  }
}

/** Base-currency units per unit of the currency `book` is quoted in (1 for the base currency). */
function rateOf(book: Book): number {
  return book.fx === null ? 1 : book.fx.rate();
}
