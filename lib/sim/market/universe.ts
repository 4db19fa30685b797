/**
 * The simulator's instruments: a few US stocks, SAP on Xetra (IBIS) and Toyota in Tokyo (TSEJ), all
 * SMART-routed, the major currency pairs on IDEALPRO, the next two E-mini S&P 500 futures on CME, the
 * S&P 500 index (CBOE), bitcoin and ether on PAXOS and a US Treasury note, with the contract facts TWS reports for them and the parameters of their random walk;
 * and the option chains on them (option-chains.ts), made when asked for. Requests name contracts
 * loosely (symbol only, conId only, localSymbol, a CUSIP...); `resolveContract` finds what they mean
 * as TWS would.
 */
import { formatInZone, zonedToEpoch } from '../../messages/time-zones';
import { OptionChains } from './option-chains';
import type { ContractQuery, Instrument } from './instrument';

export type { ContractQuery, Instrument } from './instrument';

/** The fields only some kinds of instruments have, at their "none" values. */
const PLAIN = { strike: 0, right: '' as const, tradable: true, secIds: [] as Array<[string, string]> };

const STOCK_ORDER_TYPES =
  'ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,BENCHPX,COND,CONDORDER,DARKONLY,DARKPOLL,DAY,DEACT,DEACTDIS,DEACTEOD,DIS,GAT,GTC,GTD,GTT,HID,IBKRATS,ICE,IMB,IOC,LIT,LMT,LOC,MIDPX,MIT,MKT,MOC,MTL,NGCOMB,NODARK,NONALGO,OCA,OPG,OPGREROUT,PEGBENCH,PEGMID,POSTATS,POSTONLY,PREOPGRTH,PRICECHK,REL,REL2MID,RELPCTOFS,RPI,RTH,SCALE,SCALEODD,SCALERST,SIZECHK,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,SWEEP,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF';
const FX_ORDER_TYPES = 'ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,IOC,LIT,LMT,MIT,MKT,NONALGO,OCA,REL,RELPCTOFS,SCALE,SCALERST,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF';
const FUT_ORDER_TYPES = 'ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,ICE,IOC,LIT,LMT,LTH,MIT,MKT,MTL,NGCOMB,NONALGO,OCA,SCALE,SCALERST,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF';

/**
 * Where a stock is listed and what that market's contract details say: the currency, the venues an
 * order may be routed to (SMART or one of them directly), the zone and regular hours, the tick and
 * the market rules, and how the listing names its trading class.
 */
interface Listing {
  currency: string;
  validExchanges: string;
  timeZoneId: string;
  zone: string;
  rth: Instrument['rth'];
  minTick: number;
  /** One market rule per valid exchange, as contract details list them. */
  marketRuleIds: string;
  /** Shares per quote size unit and suggested order size (a round lot). */
  lotSize: number;
  /** The smallest order and its step, where the market trades in units (Tokyo: 100 shares); 1 unless set. */
  tradingUnit?: number;
  tradingClass: (spec: StockSpec) => string;
}

/** US stocks: NASDAQ's own venue is ISLAND at IB (NASDAQ is only the listing, primaryExch). */
const US_EXCHANGES = 'SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,ISLAND,DRCTEDGE,BEX,BATS,EDGEA,BYX,IEX,EDGX,FOXRIVER,PEARL,NYSENAT,LTSE,MEMX,IBEOS,OVERNIGHT,TPLUS0,PSX';
const US_LISTING: Listing = {
  currency: 'USD',
  validExchanges: US_EXCHANGES,
  timeZoneId: 'US/Eastern',
  zone: 'America/New_York',
  rth: { start: 9 * 60 + 30, end: 16 * 60, weekdaysOnly: true },
  minTick: 0.01,
  marketRuleIds: US_EXCHANGES.split(',').map(() => '26').join(','),
  lotSize: 100,
  tradingClass: (spec) => (spec.primaryExch === 'ARCA' ? spec.symbol : 'NMS'),
};

/**
 * Deutsche Börse's Xetra (IB's IBIS), in EUR, 09:00-17:30 Frankfurt time (IB's zone name MET). Its
 * tick is the EU tick-size table's for the most liquid shares at SAP's price (0.02 from 100 to 200
 * EUR); the market rule ids are the simulator's own.
 */
const XETRA_EXCHANGES = 'SMART,IBIS,TGATE,SWB,FWB2';
const XETRA_LISTING: Listing = {
  currency: 'EUR',
  validExchanges: XETRA_EXCHANGES,
  timeZoneId: 'MET',
  zone: 'Europe/Berlin',
  rth: { start: 9 * 60, end: 17 * 60 + 30, weekdaysOnly: true },
  minTick: 0.02,
  marketRuleIds: '1701,1701,1702,1702,1702',
  lotSize: 1,
  tradingClass: () => 'XETRA',
};

/**
 * The Tokyo Stock Exchange (IB's TSEJ), in JPY: 09:00-11:30 and 12:30-15:30 Tokyo time (IB's zone name
 * Japan), traded in units of 100 shares. Its tick is the TOPIX 100 table's for Toyota's price (0.5 yen
 * from 1,000 to 3,000); the market rule ids are the simulator's own.
 */
const TSE_LISTING: Listing = {
  currency: 'JPY',
  validExchanges: 'SMART,TSEJ',
  timeZoneId: 'Japan',
  zone: 'Asia/Tokyo',
  rth: { start: 9 * 60, end: 15 * 60 + 30, weekdaysOnly: true, pause: { start: 11 * 60 + 30, end: 12 * 60 + 30 } },
  minTick: 0.5,
  marketRuleIds: '1703,1703',
  lotSize: 100,
  tradingUnit: 100,
  tradingClass: (spec) => spec.symbol,
};

interface StockSpec {
  symbol: string;
  conId: number;
  primaryExch: string;
  longName: string;
  industry: string;
  category: string;
  subcategory: string;
  basePrice: number;
  dailyVolatility: number;
  dailyVolume: number;
  stockType?: string;
  isin?: string;
  /** Where it is listed: a US stock unless told. */
  listing?: Listing;
}

/** The US stocks' conIds are IB's; SAP's and Toyota's are not checked against IB's. */
const STOCKS: StockSpec[] = [
  { symbol: 'AAPL', conId: 265598, primaryExch: 'NASDAQ', longName: 'APPLE INC', industry: 'Technology', category: 'Computers', subcategory: 'Computers', basePrice: 190, dailyVolatility: 0.016, dailyVolume: 55_000_000, isin: 'US0378331005' },
  { symbol: 'MSFT', conId: 272093, primaryExch: 'NASDAQ', longName: 'MICROSOFT CORP', industry: 'Technology', category: 'Software', subcategory: 'Software', basePrice: 410, dailyVolatility: 0.014, dailyVolume: 22_000_000, isin: 'US5949181045' },
  { symbol: 'SPY', conId: 756733, primaryExch: 'ARCA', longName: 'SPDR S&P 500 ETF TRUST', industry: 'Funds', category: 'Equity Fund', subcategory: 'Growth&Income-Large Cap', basePrice: 520, dailyVolatility: 0.009, dailyVolume: 70_000_000, stockType: 'ETF', isin: 'US78462F1030' },
  { symbol: 'TSLA', conId: 76792991, primaryExch: 'NASDAQ', longName: 'TESLA INC', industry: 'Consumer, Cyclical', category: 'Auto Manufacturers', subcategory: 'Auto-Cars/Light Trucks', basePrice: 240, dailyVolatility: 0.032, dailyVolume: 95_000_000, isin: 'US88160R1014' },
  { symbol: 'NVDA', conId: 4815747, primaryExch: 'NASDAQ', longName: 'NVIDIA CORP', industry: 'Technology', category: 'Semiconductors', subcategory: 'Electronic Compo-Semicon', basePrice: 120, dailyVolatility: 0.028, dailyVolume: 250_000_000, isin: 'US67066G1040' },
  { symbol: 'SAP', conId: 14204, primaryExch: 'IBIS', longName: 'SAP SE', industry: 'Technology', category: 'Software', subcategory: 'Enterprise Software', basePrice: 190, dailyVolatility: 0.015, dailyVolume: 1_800_000, isin: 'DE0007164600', listing: XETRA_LISTING },
  { symbol: '7203', conId: 13_587_091, primaryExch: 'TSEJ', longName: 'TOYOTA MOTOR CORP', industry: 'Consumer, Cyclical', category: 'Auto Manufacturers', subcategory: 'Auto-Cars/Light Trucks', basePrice: 2_800, dailyVolatility: 0.017, dailyVolume: 25_000_000, isin: 'JP3633400001', listing: TSE_LISTING },
];

/**
 * Made-up stocks for benchmarks of many symbols at once (the real five are too few): NASDAQ-listed,
 * prices and volatilities spread over the real ones' range, conIds far from real ones.
 */
function syntheticStocks(count: number): StockSpec[] {
  const specs: StockSpec[] = [];
  for (let i = 1; i <= count; i++) {
    const symbol = `SYM${String(i).padStart(2, '0')}`;
    specs.push({ symbol, conId: 900_000_000 + i, primaryExch: 'NASDAQ', longName: `SYNTHETIC ${i}`, industry: 'Technology', category: 'Synthetic', subcategory: 'Synthetic', basePrice: 20 + ((i * 37) % 480), dailyVolatility: 0.01 + ((i * 7) % 20) / 1000, dailyVolume: 5_000_000 + i * 100_000 });
  }
  return specs;
}

function stock(spec: StockSpec): Instrument {
  const listing = spec.listing ?? US_LISTING;
  const tradingClass = listing.tradingClass(spec);
  return {
    // The short key (the plain symbol) is a US stock's; a listing in another currency has the long one.
    key: listing.currency === 'USD' ? spec.symbol : `${spec.symbol}:STK:SMART:${listing.currency}`,
    conId: spec.conId,
    symbol: spec.symbol,
    secType: 'STK',
    exchange: 'SMART',
    primaryExch: spec.primaryExch,
    currency: listing.currency,
    localSymbol: spec.symbol,
    tradingClass,
    lastTradeDateOrContractMonth: '',
    contractMonth: '',
    multiplier: 0,
    minTick: listing.minTick,
    minSize: listing.tradingUnit ?? 1,
    sizeIncrement: listing.tradingUnit ?? 1,
    suggestedSizeIncrement: listing.lotSize,
    longName: spec.longName,
    marketName: tradingClass,
    industry: spec.industry,
    category: spec.category,
    subcategory: spec.subcategory,
    timeZoneId: listing.timeZoneId,
    zone: listing.zone,
    orderTypes: STOCK_ORDER_TYPES,
    validExchanges: listing.validExchanges,
    marketRuleIds: listing.marketRuleIds,
    stockType: spec.stockType ?? 'COMMON',
    rth: listing.rth,
    basePrice: spec.basePrice,
    dailyVolatility: spec.dailyVolatility,
    dailyVolume: spec.dailyVolume,
    hasTrades: true,
    lotSize: listing.lotSize,
    ...PLAIN,
    secIds: spec.isin ? [['ISIN', spec.isin]] : [],
  };
}

interface CurrencySpec {
  base: string;
  quote: string;
  conId: number;
  longName: string;
  basePrice: number;
  dailyVolatility: number;
}

/** The majors on IDEALPRO (conIds as IB lists them); pairs quoted in yen tick in 0.005. */
const CURRENCY_PAIRS: CurrencySpec[] = [
  { base: 'EUR', quote: 'USD', conId: 12087792, longName: 'European Monetary Union Euro', basePrice: 1.085, dailyVolatility: 0.005 },
  { base: 'GBP', quote: 'USD', conId: 12087797, longName: 'British pound', basePrice: 1.27, dailyVolatility: 0.006 },
  { base: 'USD', quote: 'JPY', conId: 15016059, longName: 'United States dollar', basePrice: 150.5, dailyVolatility: 0.006 },
  { base: 'AUD', quote: 'USD', conId: 14433401, longName: 'Australian dollar', basePrice: 0.66, dailyVolatility: 0.007 },
  { base: 'USD', quote: 'CHF', conId: 12087820, longName: 'United States dollar', basePrice: 0.88, dailyVolatility: 0.005 },
  { base: 'USD', quote: 'CAD', conId: 15016062, longName: 'United States dollar', basePrice: 1.36, dailyVolatility: 0.004 },
  { base: 'NZD', quote: 'USD', conId: 39453441, longName: 'New Zealand dollar', basePrice: 0.61, dailyVolatility: 0.007 },
  { base: 'EUR', quote: 'GBP', conId: 12087807, longName: 'European Monetary Union Euro', basePrice: 0.855, dailyVolatility: 0.004 },
  { base: 'EUR', quote: 'JPY', conId: 14321016, longName: 'European Monetary Union Euro', basePrice: 163, dailyVolatility: 0.006 },
];

/**
 * IDEALPRO's minimum order per base currency (each about USD 25,000), as IB's table of spot currency
 * order sizes lists them; TWS's odd-lot warning names it ("below the EUR 20000 IdealPro minimum").
 */
const IDEALPRO_MINIMUM: Record<string, number> = { USD: 25_000, EUR: 20_000, GBP: 20_000, AUD: 25_000, NZD: 35_000, CHF: 25_000, CAD: 25_000, JPY: 2_500_000 };

function currencyPair(spec: CurrencySpec): Instrument {
  const name = `${spec.base}.${spec.quote}`;
  return {
    key: `${spec.base}:CASH:IDEALPRO:${spec.quote}`,
    conId: spec.conId,
    symbol: spec.base,
    secType: 'CASH',
    exchange: 'IDEALPRO',
    primaryExch: '',
    currency: spec.quote,
    localSymbol: name,
    tradingClass: name,
    lastTradeDateOrContractMonth: '',
    contractMonth: '',
    multiplier: 0,
    minTick: spec.quote === 'JPY' ? 0.005 : 0.00005,
    minSize: 1,
    sizeIncrement: 1,
    // IDEALPRO's smallest regular lot is 25,000 of the base currency; less trades as an odd lot.
    suggestedSizeIncrement: 25_000,
    longName: spec.longName,
    marketName: name,
    industry: '',
    category: '',
    subcategory: '',
    timeZoneId: 'US/Eastern',
    zone: 'America/New_York',
    orderTypes: FX_ORDER_TYPES,
    validExchanges: 'IDEALPRO',
    marketRuleIds: spec.quote === 'JPY' ? '237' : '239',
    stockType: '',
    rth: { start: 0, end: 24 * 60, weekdaysOnly: true },
    basePrice: spec.basePrice,
    dailyVolatility: spec.dailyVolatility,
    dailyVolume: 0,
    hasTrades: false,
    lotSize: 10_000,
    idealProMinimum: IDEALPRO_MINIMUM[spec.base],
    ...PLAIN,
  };
}

const SPX: Instrument = {
  key: 'SPX:IND:CBOE:USD',
  conId: 416904,
  symbol: 'SPX',
  secType: 'IND',
  exchange: 'CBOE',
  primaryExch: '',
  currency: 'USD',
  localSymbol: 'SPX',
  tradingClass: 'SPX',
  lastTradeDateOrContractMonth: '',
  contractMonth: '',
  multiplier: 0,
  minTick: 0.01,
  minSize: 1,
  sizeIncrement: 1,
  suggestedSizeIncrement: 1,
  longName: 'S&P 500 Stock Index',
  marketName: 'SPX',
  industry: 'Indices',
  category: 'Broad Range Equity Index',
  subcategory: '*',
  timeZoneId: 'US/Central',
  zone: 'America/Chicago',
  orderTypes: '',
  validExchanges: 'CBOE',
  marketRuleIds: '110',
  stockType: '',
  rth: { start: 8 * 60 + 30, end: 15 * 60, weekdaysOnly: true },
  basePrice: 5200,
  dailyVolatility: 0.009,
  dailyVolume: 0,
  // An index has a level (LAST) but no bid, ask or volume, and takes no orders.
  hasTrades: true,
  lotSize: 1,
  ...PLAIN,
  tradable: false,
};

const CRYPTO_ORDER_TYPES = 'ALGO,DAY,GTC,IOC,LMT,MKT,STP,STPLMT';

function crypto(symbol: string, conId: number, longName: string, basePrice: number, minTick: number): Instrument {
  return {
    key: `${symbol}:CRYPTO:PAXOS:USD`,
    conId,
    symbol,
    secType: 'CRYPTO',
    exchange: 'PAXOS',
    primaryExch: '',
    currency: 'USD',
    localSymbol: `${symbol}.USD`,
    tradingClass: symbol,
    lastTradeDateOrContractMonth: '',
    contractMonth: '',
    multiplier: 0,
    minTick,
    minSize: 0.0001,
    sizeIncrement: 0.0001,
    suggestedSizeIncrement: 0.0001,
    longName,
    marketName: symbol,
    industry: '',
    category: '',
    subcategory: '',
    timeZoneId: 'US/Eastern',
    zone: 'America/New_York',
    orderTypes: CRYPTO_ORDER_TYPES,
    validExchanges: 'PAXOS',
    marketRuleIds: '3077',
    stockType: '',
    // Crypto trades every day around the clock.
    rth: { start: 0, end: 24 * 60, weekdaysOnly: false },
    basePrice,
    dailyVolatility: 0.03,
    dailyVolume: 20_000,
    hasTrades: true,
    lotSize: 1,
    ...PLAIN,
  };
}

const BOND_ORDER_TYPES = 'ACTIVETIM,AD,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,IOC,LMT,MKT,NONALGO,OCA,STP,STPLMT,WHATIF';

/**
 * A 10-year US Treasury note. Prices are percent of face value; one bond is $1,000 face, so a point of
 * price is $10 per bond (the multiplier the fill engine counts money with).
 */
const TREASURY_NOTE: Instrument = {
  key: '91282CJJ7:BOND:SMART:USD',
  conId: 660936215,
  symbol: '91282CJJ7',
  secType: 'BOND',
  exchange: 'SMART',
  primaryExch: '',
  currency: 'USD',
  localSymbol: '91282CJJ7',
  tradingClass: 'T',
  lastTradeDateOrContractMonth: '20331115',
  contractMonth: '',
  multiplier: 10,
  minTick: 0.001,
  minSize: 1,
  sizeIncrement: 1,
  suggestedSizeIncrement: 1,
  longName: 'United States Treasury',
  marketName: 'T',
  industry: 'Government',
  category: 'Sovereign',
  subcategory: 'US Treasury Note',
  timeZoneId: 'US/Eastern',
  zone: 'America/New_York',
  orderTypes: BOND_ORDER_TYPES,
  validExchanges: 'SMART',
  marketRuleIds: '123',
  stockType: '',
  rth: { start: 8 * 60, end: 17 * 60, weekdaysOnly: true },
  basePrice: 98.5,
  dailyVolatility: 0.004,
  dailyVolume: 0,
  hasTrades: false,
  lotSize: 10,
  ...PLAIN,
  secIds: [['CUSIP', '91282CJJ7'], ['ISIN', 'US91282CJJ71']],
  bond: {
    cusip: '91282CJJ7',
    coupon: 4.5,
    maturity: '20331115',
    issueDate: '20231115',
    ratings: 'AAA',
    bondType: 'US-T',
    couponType: 'FIXED',
    descAppend: 'T 4 1/2 11/15/33',
  },
};

const FUTURE_MONTH_CODES: Record<number, string> = { 3: 'H', 6: 'M', 9: 'U', 12: 'Z' };

/** Third Friday of a month, as yyyyMMdd. */
function thirdFriday(year: number, month: number): string {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const day = 1 + ((5 - first + 7) % 7) + 14;
  return `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
}

/** The next two quarterly E-mini S&P 500 contracts that have not expired at `now`. */
function esFutures(now: number): Instrument[] {
  const today = formatInZone(now, 'America/Chicago');
  const todayText = `${today.year}${String(today.month).padStart(2, '0')}${String(today.day).padStart(2, '0')}`;
  const result: Instrument[] = [];
  let year = today.year;
  let month = Math.ceil(today.month / 3) * 3;
  while (result.length < 2) {
    const expiry = thirdFriday(year, month);
    if (expiry >= todayText) {
      const contractMonth = `${year}${String(month).padStart(2, '0')}`;
      result.push({
        key: `ES:FUT:CME:USD:${expiry}`,
        conId: 700_000_000 + year * 100 + month,
        symbol: 'ES',
        secType: 'FUT',
        exchange: 'CME',
        primaryExch: '',
        currency: 'USD',
        localSymbol: `ES${FUTURE_MONTH_CODES[month]}${year % 10}`,
        tradingClass: 'ES',
        lastTradeDateOrContractMonth: expiry,
        contractMonth,
        multiplier: 50,
        minTick: 0.25,
        minSize: 1,
        sizeIncrement: 1,
        suggestedSizeIncrement: 1,
        longName: 'E-mini S&P 500',
        marketName: 'ES',
        industry: '',
        category: '',
        subcategory: '',
        timeZoneId: 'US/Central',
        zone: 'America/Chicago',
        orderTypes: FUT_ORDER_TYPES,
        validExchanges: 'CME,QBALGO',
        marketRuleIds: '67,67',
        stockType: '',
        rth: { start: 8 * 60 + 30, end: 15 * 60, weekdaysOnly: true },
        basePrice: 5200 + result.length * 45,
        dailyVolatility: 0.009,
        dailyVolume: 1_500_000,
        hasTrades: true,
        lotSize: 1,
        ...PLAIN,
      });
    }
    month += 3;
    if (month > 12) {
      month = 3;
      year++;
    }
  }
  return result;
}

/** The kinds of instrument the option chains price (their quotes come from the model). */
export function isOption(instrument: Instrument): boolean {
  return instrument.option !== undefined;
}

export class Universe {
  /** The listed instruments (options are made on demand: see `options`). */
  readonly instruments: Instrument[];
  readonly options: OptionChains;
  /** Options a data or order request used: the fill engine is fed their quotes too. */
  readonly activeOptions = new Set<Instrument>();
  private readonly byConId = new Map<number, Instrument>();
  private readonly byKey = new Map<string, Instrument>();

  /**
   * `extraStocks`: that many made-up US stocks (SYM01, SYM02, ...) beside the real ones (they list no
   * options). `levelOf`: an underlying's price at `now`, the middle of its option strikes (its base
   * price if not given).
   */
  constructor(now: number, extraStocks = 0, levelOf: (instrument: Instrument) => number = (instrument) => instrument.basePrice) {
    const synthetic = syntheticStocks(extraStocks).map(stock);
    this.instruments = [...STOCKS.map(stock), ...synthetic, ...CURRENCY_PAIRS.map(currencyPair), ...esFutures(now), SPX, crypto('BTC', 479624278, 'Bitcoin', 65_000, 0.25), crypto('ETH', 495759171, 'Ethereum', 3_400, 0.05), TREASURY_NOTE];
    for (const instrument of this.instruments) {
      this.byConId.set(instrument.conId, instrument);
      this.byKey.set(instrument.key, instrument);
    }
    this.options = new OptionChains(this.instruments.filter((i) => !synthetic.includes(i)), now, levelOf, (option) => {
      this.byConId.set(option.conId, option);
      this.byKey.set(option.key, option);
    });
  }

  get(conId: number): Instrument | undefined {
    return this.byConId.get(conId) ?? this.options.byConId(conId);
  }

  byInstrumentKey(key: string): Instrument | undefined {
    return this.byKey.get(key);
  }

  /** The listed and the used option instruments: what the fill engine is fed. */
  traded(): Instrument[] {
    return this.activeOptions.size === 0 ? this.instruments : [...this.instruments, ...this.activeOptions];
  }

  /** Every instrument the query can mean (TWS answers contract details with all of them). */
  resolveContract(query: ContractQuery): Instrument[] {
    if (query.conId) {
      const instrument = this.get(query.conId);
      return instrument && matchesDetails(instrument, query, true) ? [instrument] : [];
    }
    if (query.secId) {
      const type = (query.secIdType ?? '').toUpperCase();
      const id = query.secId.toUpperCase();
      return this.instruments.filter((i) => i.secIds.some(([t, v]) => (!type || t === type) && v.toUpperCase() === id));
    }
    const secType = (query.secType ?? '').toUpperCase();
    if (secType === 'CONTFUT') {
      // The continuous future is the front month (its history is the front month's).
      const front = frontMonth(this.instruments.filter((i) => matchesDetails(i, { ...query, secType: 'FUT', lastTradeDateOrContractMonth: '' }, false)));
      return front ? [front] : [];
    }
    if (secType === 'OPT' || secType === 'FOP' || (!secType && (query.strike || /^[CP]/i.test(query.right ?? '')))) return this.options.resolve(query);
    return this.instruments.filter((instrument) => matchesDetails(instrument, query, false));
  }

  /**
   * The one instrument a data or order request means: the only match, or for a future named without
   * its expiry (or as CONTFUT) the front month, as TWS picks it; undefined when none or several match.
   */
  resolveOne(query: ContractQuery): { instrument?: Instrument; matches: number } {
    const matches = this.resolveContract(query);
    let instrument = matches.length === 1 ? matches[0] : undefined;
    if (matches.length > 1 && !query.lastTradeDateOrContractMonth) instrument = frontMonth(matches);
    if (instrument && isOption(instrument)) this.activeOptions.add(instrument);
    return { instrument, matches: matches.length };
  }
}

/** The earliest of several futures of one symbol (none when they are not all that). */
function frontMonth(matches: Instrument[]): Instrument | undefined {
  if (matches.length === 0 || !matches.every((m) => m.secType === 'FUT' && m.symbol === matches[0]!.symbol)) return undefined;
  return [...matches].sort((a, b) => a.lastTradeDateOrContractMonth.localeCompare(b.lastTradeDateOrContractMonth))[0];
}

function same(a: string | undefined, b: string): boolean {
  return !a || a.toUpperCase() === b.toUpperCase();
}

function matchesDetails(instrument: Instrument, q: ContractQuery, byConId: boolean): boolean {
  if (!byConId && !q.symbol && !q.localSymbol) return false;
  if (q.symbol && q.symbol.toUpperCase() !== instrument.symbol) return false;
  if (q.localSymbol && q.localSymbol.toUpperCase() !== instrument.localSymbol.toUpperCase()) return false;
  if (!same(q.secType, instrument.secType)) return false;
  if (!same(q.currency, instrument.currency)) return false;
  if (q.exchange) {
    const exchange = q.exchange.toUpperCase();
    const valid = instrument.validExchanges.split(',');
    // GLOBEX is the older name of CME's electronic venue and still accepted by TWS.
    if (exchange !== instrument.exchange && !valid.includes(exchange) && !(exchange === 'GLOBEX' && instrument.exchange === 'CME')) return false;
  }
  if (q.primaryExch && instrument.primaryExch && q.primaryExch.toUpperCase() !== instrument.primaryExch) return false;
  if (q.lastTradeDateOrContractMonth) {
    const wanted = q.lastTradeDateOrContractMonth;
    if (!instrument.lastTradeDateOrContractMonth) return false;
    if (!instrument.lastTradeDateOrContractMonth.startsWith(wanted) && instrument.contractMonth !== wanted) return false;
  }
  if (q.strike && Math.abs(q.strike - instrument.strike) > 1e-9) return false;
  if (q.right && q.right !== '0' && q.right !== '?' && q.right.slice(0, 1).toUpperCase() !== instrument.right) return false;
  if (q.multiplier && instrument.multiplier && Number(q.multiplier) !== instrument.multiplier) return false;
  if (q.tradingClass && q.tradingClass.toUpperCase() !== instrument.tradingClass.toUpperCase()) return false;
  return true;
}

/** Sessions of the next `days` calendar days, in IB's `yyyyMMdd:HHmm-yyyyMMdd:HHmm;...` form. */
export function sessionHours(instrument: Instrument, now: number, days: number, regularOnly: boolean): string {
  const parts: string[] = [];
  const today = formatInZone(now, instrument.zone);
  for (let i = 0; i < days; i++) {
    const start = zonedToEpoch(instrument.zone, today.year, today.month, today.day + i);
    const day = formatInZone(start + 3_600_000 * 3, instrument.zone);
    const date = `${day.year}${String(day.month).padStart(2, '0')}${String(day.day).padStart(2, '0')}`;
    const weekend = day.weekday === 0 || day.weekday === 6;
    if (regularOnly) {
      if (weekend && instrument.rth.weekdaysOnly) {
        parts.push(`${date}:CLOSED`);
        continue;
      }
      if (instrument.rth.end >= 24 * 60) {
        const next = formatInZone(zonedToEpoch(instrument.zone, day.year, day.month, day.day + 1) + 3_600_000 * 3, instrument.zone);
        const nextDate = `${next.year}${String(next.month).padStart(2, '0')}${String(next.day).padStart(2, '0')}`;
        parts.push(`${date}:${hhmm(instrument.rth.start)}-${nextDate}:0000`);
      } else if (instrument.rth.pause) {
        // Two sessions around the midday break, as TWS lists Tokyo's.
        const { pause } = instrument.rth;
        parts.push(`${date}:${hhmm(instrument.rth.start)}-${date}:${hhmm(pause.start)}`, `${date}:${hhmm(pause.end)}-${date}:${hhmm(instrument.rth.end)}`);
      } else {
        parts.push(`${date}:${hhmm(instrument.rth.start)}-${date}:${hhmm(instrument.rth.end)}`);
      }
    } else {
      // The simulated market trades around the clock, every day, so demos and tests work at any hour.
      const next = formatInZone(zonedToEpoch(instrument.zone, day.year, day.month, day.day + 1) + 3_600_000 * 3, instrument.zone);
      const nextDate = `${next.year}${String(next.month).padStart(2, '0')}${String(next.day).padStart(2, '0')}`;
      parts.push(`${date}:0000-${nextDate}:0000`);
    }
  }
  return parts.join(';');
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
}
