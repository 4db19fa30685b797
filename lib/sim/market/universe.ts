/**
 * The simulator's instruments: a few US stocks on SMART, EUR.USD on IDEALPRO and the next two E-mini
 * S&P 500 futures on CME, with the contract facts TWS reports for them and the parameters of their
 * random walk. Requests name contracts loosely (symbol only, conId only, localSymbol...);
 * `resolveContract` finds what they mean as TWS would.
 */
import { formatInZone, zonedToEpoch } from '../../messages/time-zones';

export type SecType = 'STK' | 'CASH' | 'FUT';

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
  /** Regular trading hours, minutes from midnight in `zone`; `weekdaysOnly` false = every day. */
  rth: { start: number; end: number; weekdaysOnly: boolean };
  /** Random-walk parameters: level the price reverts to, daily log volatility, shares per day. */
  basePrice: number;
  dailyVolatility: number;
  dailyVolume: number;
  /** Whether the instrument trades (has a last price and TRADES history); forex only quotes. */
  hasTrades: boolean;
  /** Quantity unit of quote sizes and trades (a round lot of stocks, 1 future, 10k of a currency). */
  lotSize: number;
}

const STOCK_ORDER_TYPES =
  'ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,BENCHPX,COND,CONDORDER,DARKONLY,DARKPOLL,DAY,DEACT,DEACTDIS,DEACTEOD,DIS,GAT,GTC,GTD,GTT,HID,IBKRATS,ICE,IMB,IOC,LIT,LMT,LOC,MIDPX,MIT,MKT,MOC,MTL,NGCOMB,NODARK,NONALGO,OCA,OPG,OPGREROUT,PEGBENCH,PEGMID,POSTATS,POSTONLY,PREOPGRTH,PRICECHK,REL,REL2MID,RELPCTOFS,RPI,RTH,SCALE,SCALEODD,SCALERST,SIZECHK,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,SWEEP,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF';
const FX_ORDER_TYPES = 'ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,IOC,LIT,LMT,MIT,MKT,NONALGO,OCA,REL,RELPCTOFS,SCALE,SCALERST,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF';
const FUT_ORDER_TYPES = 'ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,ICE,IOC,LIT,LMT,LTH,MIT,MKT,MTL,NGCOMB,NONALGO,OCA,SCALE,SCALERST,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF';

const US_STOCK_RTH = { start: 9 * 60 + 30, end: 16 * 60, weekdaysOnly: true };

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
}

const STOCKS: StockSpec[] = [
  { symbol: 'AAPL', conId: 265598, primaryExch: 'NASDAQ', longName: 'APPLE INC', industry: 'Technology', category: 'Computers', subcategory: 'Computers', basePrice: 190, dailyVolatility: 0.016, dailyVolume: 55_000_000 },
  { symbol: 'MSFT', conId: 272093, primaryExch: 'NASDAQ', longName: 'MICROSOFT CORP', industry: 'Technology', category: 'Software', subcategory: 'Software', basePrice: 410, dailyVolatility: 0.014, dailyVolume: 22_000_000 },
  { symbol: 'SPY', conId: 756733, primaryExch: 'ARCA', longName: 'SPDR S&P 500 ETF TRUST', industry: 'Funds', category: 'Equity Fund', subcategory: 'Growth&Income-Large Cap', basePrice: 520, dailyVolatility: 0.009, dailyVolume: 70_000_000, stockType: 'ETF' },
  { symbol: 'TSLA', conId: 76792991, primaryExch: 'NASDAQ', longName: 'TESLA INC', industry: 'Consumer, Cyclical', category: 'Auto Manufacturers', subcategory: 'Auto-Cars/Light Trucks', basePrice: 240, dailyVolatility: 0.032, dailyVolume: 95_000_000 },
  { symbol: 'NVDA', conId: 4815747, primaryExch: 'NASDAQ', longName: 'NVIDIA CORP', industry: 'Technology', category: 'Semiconductors', subcategory: 'Electronic Compo-Semicon', basePrice: 120, dailyVolatility: 0.028, dailyVolume: 250_000_000 },
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
  return {
    key: spec.symbol,
    conId: spec.conId,
    symbol: spec.symbol,
    secType: 'STK',
    exchange: 'SMART',
    primaryExch: spec.primaryExch,
    currency: 'USD',
    localSymbol: spec.symbol,
    tradingClass: spec.primaryExch === 'ARCA' ? spec.symbol : 'NMS',
    lastTradeDateOrContractMonth: '',
    contractMonth: '',
    multiplier: 0,
    minTick: 0.01,
    minSize: 1,
    sizeIncrement: 1,
    suggestedSizeIncrement: 100,
    longName: spec.longName,
    marketName: spec.primaryExch === 'ARCA' ? spec.symbol : 'NMS',
    industry: spec.industry,
    category: spec.category,
    subcategory: spec.subcategory,
    timeZoneId: 'US/Eastern',
    zone: 'America/New_York',
    orderTypes: STOCK_ORDER_TYPES,
    validExchanges: `SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,NASDAQ,DRCTEDGE,BEX,BATS,EDGEA,BYX,IEX,EDGX,FOXRIVER,PEARL,NYSENAT,LTSE,MEMX,IBEOS,OVERNIGHT,TPLUS0,PSX`,
    marketRuleIds: '26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26',
    stockType: spec.stockType ?? 'COMMON',
    rth: US_STOCK_RTH,
    basePrice: spec.basePrice,
    dailyVolatility: spec.dailyVolatility,
    dailyVolume: spec.dailyVolume,
    hasTrades: true,
    lotSize: 100,
  };
}

const EUR_USD: Instrument = {
  key: 'EUR:CASH:IDEALPRO:USD',
  conId: 12087792,
  symbol: 'EUR',
  secType: 'CASH',
  exchange: 'IDEALPRO',
  primaryExch: '',
  currency: 'USD',
  localSymbol: 'EUR.USD',
  tradingClass: 'EUR.USD',
  lastTradeDateOrContractMonth: '',
  contractMonth: '',
  multiplier: 0,
  minTick: 0.00005,
  minSize: 1,
  sizeIncrement: 1,
  suggestedSizeIncrement: 25_000,
  longName: 'European Monetary Union Euro',
  marketName: 'EUR.USD',
  industry: '',
  category: '',
  subcategory: '',
  timeZoneId: 'US/Eastern',
  zone: 'America/New_York',
  orderTypes: FX_ORDER_TYPES,
  validExchanges: 'IDEALPRO',
  marketRuleIds: '239',
  stockType: '',
  rth: { start: 0, end: 24 * 60, weekdaysOnly: true },
  basePrice: 1.085,
  dailyVolatility: 0.005,
  dailyVolume: 0,
  hasTrades: false,
  lotSize: 10_000,
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
}

export class Universe {
  readonly instruments: Instrument[];
  private readonly byConId = new Map<number, Instrument>();
  private readonly byKey = new Map<string, Instrument>();

  /** `extraStocks`: that many made-up US stocks (SYM01, SYM02, ...) beside the real ones. */
  constructor(now: number, extraStocks = 0) {
    this.instruments = [...STOCKS.map(stock), ...syntheticStocks(extraStocks).map(stock), EUR_USD, ...esFutures(now)];
    for (const instrument of this.instruments) {
      this.byConId.set(instrument.conId, instrument);
      this.byKey.set(instrument.key, instrument);
    }
  }

  get(conId: number): Instrument | undefined {
    return this.byConId.get(conId);
  }

  byInstrumentKey(key: string): Instrument | undefined {
    return this.byKey.get(key);
  }

  /** Every instrument the query can mean (TWS answers contract details with all of them). */
  resolveContract(query: ContractQuery): Instrument[] {
    if (query.conId) {
      const instrument = this.byConId.get(query.conId);
      return instrument && matchesDetails(instrument, query, true) ? [instrument] : [];
    }
    return this.instruments.filter((instrument) => matchesDetails(instrument, query, false));
  }
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
  if (q.strike && q.strike !== 0) return false;
  if (q.right && q.right !== '0' && q.right !== '?') return false;
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
