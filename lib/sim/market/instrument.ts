/**
 * What the simulator knows of an instrument (the contract facts TWS reports and the parameters of its
 * random walk), of an option's chain, and what a request says about a contract.
 */

export type SecType = 'STK' | 'CASH' | 'FUT' | 'OPT' | 'FOP' | 'IND' | 'CRYPTO' | 'BOND';

/** What contract details add for a bond (BOND_CONTRACT_DATA). */
export interface BondTerms {
  cusip: string;
  coupon: number;
  /** yyyyMMdd. */
  maturity: string;
  issueDate: string;
  ratings: string;
  bondType: string;
  couponType: string;
  descAppend: string;
}

export interface Instrument {
  /** The instrument key (msg.topic), e.g. `AAPL`, `EUR:CASH:IDEALPRO:USD`, `ES:FUT:CME:USD:20251219`. */
  key: string;
  conId: number;
  symbol: string;
  secType: SecType;
  /** The exchange contract details report (SMART for stocks, the venue otherwise). */
  exchange: string;
  primaryExch: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
  lastTradeDateOrContractMonth: string;
  contractMonth: string;
  multiplier: number;
  minTick: number;
  minSize: number;
  sizeIncrement: number;
  suggestedSizeIncrement: number;
  longName: string;
  marketName: string;
  industry: string;
  category: string;
  subcategory: string;
  /** IB's zone name (contract details) and the IANA zone the sessions are computed in. */
  timeZoneId: string;
  zone: string;
  orderTypes: string;
  validExchanges: string;
  marketRuleIds: string;
  stockType: string;
  /**
   * Regular trading hours, minutes from midnight in `zone`; `weekdaysOnly` false = every day; `pause`:
   * a midday break within them (Tokyo's lunch), when the market does not trade.
   */
  rth: { start: number; end: number; weekdaysOnly: boolean; pause?: { start: number; end: number } };
  /** Random-walk parameters: level the price reverts to, daily log volatility, shares per day. */
  basePrice: number;
  dailyVolatility: number;
  dailyVolume: number;
  /** Whether the instrument trades (has a last price and TRADES history); forex only quotes. */
  hasTrades: boolean;
  /** Quantity unit of quote sizes and trades (a round lot of stocks, 1 future, 10k of a currency). */
  lotSize: number;
  /** Options: strike and right (0 and '' for everything else). */
  strike: number;
  right: '' | 'C' | 'P';
  /**
   * Currency pairs: IDEALPRO's smallest regular order, in the base currency; TWS routes a smaller one
   * as an odd lot, with a warning (399).
   */
  idealProMinimum?: number;
  /** Whether orders are taken (an index only quotes). */
  tradable: boolean;
  /** Other identifiers (CUSIP, ISIN) as contract details list them. */
  secIds: Array<[string, string]>;
  /** Options: what the model prices them from. */
  option?: OptionTerms;
  bond?: BondTerms;
}

/** What prices one option: its chain, its expiration instant, and the model's inputs. */
export interface OptionTerms {
  chain: OptionChain;
  /** Epoch ms the option expires (the underlying's regular close on the expiry date). */
  expiresAt: number;
  /** Cost of carry of the underlying (the rate for stocks and indices, 0 for futures). */
  carry: number;
}

export interface OptionChain {
  index: number;
  underlying: Instrument;
  secType: 'OPT' | 'FOP';
  /** The exchange contract details report (SMART for equity options, the venue otherwise). */
  exchange: string;
  validExchanges: string;
  tradingClass: string;
  multiplier: number;
  minTick: number;
  marketRuleIds: string;
  /** yyyyMMdd, ascending, and the instants they expire. */
  expiries: string[];
  expiresAt: number[];
  strikes: number[];
  /** Annualised volatility of the underlying the surface is built on. */
  baseVolatility: number;
  /** The underlying's price the strikes are listed around. */
  level: number;
}

/** What a request says about a contract (the C12 block of the wire). */
export interface ContractQuery {
  conId?: number;
  symbol?: string;
  secType?: string;
  lastTradeDateOrContractMonth?: string;
  strike?: number;
  right?: string;
  multiplier?: string;
  exchange?: string;
  primaryExch?: string;
  currency?: string;
  localSymbol?: string;
  tradingClass?: string;
  /** A bond's CUSIP (or an ISIN) as contract details requests give it. */
  secIdType?: string;
  secId?: string;
}
