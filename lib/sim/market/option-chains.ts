/**
 * The simulator's option chains: equity options on the stocks and SPX options (weekly Fridays for six
 * weeks, then three monthly third Fridays), and options on each E-mini future (FOP, the monthly expiries
 * up to the future's own). Strikes are evenly spaced around the underlying's level. Option contracts
 * are made when a request names them (a chain has hundreds), each with a conId that encodes its place
 * in the chain, so the same contract always has the same conId and a conId alone finds it again.
 */
import { formatInZone, zonedToEpoch } from '../../messages/time-zones';
import type { ContractQuery, Instrument, OptionChain } from './instrument';

import { optionValue, RISK_FREE_RATE, surfaceVolatility, yearsTo, type OptionRight } from './option-model';

/** Option conIds start here, clear of the listed instruments' (and the made-up stocks' 900,000,001 on). */
const FIRST_CONID = 1_100_000_000;
const MAX_EXPIRIES = 16;
const MAX_STRIKES = 64;
const STRIKES_EACH_SIDE = 20;

const EQUITY_OPTION_ORDER_TYPES =
  'ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,DIS,GAT,GTC,GTD,GTT,HID,ICE,IOC,LIT,LMT,MIT,MKT,MTL,NGCOMB,NONALGO,OCA,OPENCLOSE,PEGMIDVOL,PEGMKTVOL,PEGPRMVOL,PEGSRFVOL,POSTONLY,PRICECHK,REL,REL2MID,RELPCTOFS,SCALE,SCALERST,SIZECHK,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,VOLAT,WHATIF';
const FOP_ORDER_TYPES = 'ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,ICE,IOC,LIT,LMT,MIT,MKT,NGCOMB,NONALGO,OCA,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,VOLAT,WHATIF';
const EQUITY_OPTION_EXCHANGES = 'SMART,AMEX,CBOE,PHLX,PSE,ISE,BOX,BATS,NASDAQOM,CBOE2,NASDAQBX,MIAX,GEMINI,EDGX,MERCURY,PEARL,EMERALD,MEMX,IBUSOPT';

/** Strike spacing by the underlying's level and kind, as listed on the US exchanges. */
function strikeStep(underlying: Instrument, level: number): number {
  if (underlying.secType === 'FUT' || underlying.secType === 'IND') return 25;
  if (underlying.symbol === 'SPY' || level < 150) return 1;
  return level < 300 ? 2.5 : 5;
}

function ymd(p: { year: number; month: number; day: number }): string {
  return `${p.year}${String(p.month).padStart(2, '0')}${String(p.day).padStart(2, '0')}`;
}

function thirdFriday(year: number, month: number): { year: number; month: number; day: number } {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return { year, month, day: 1 + ((5 - first + 7) % 7) + 14 };
}

/** Expiry dates of equity and index options from `now`: six weekly Fridays, then three monthlies. */
function equityExpiries(now: number, zone: string): string[] {
  const today = formatInZone(now, zone);
  const dates = new Set<string>();
  const start = Date.UTC(today.year, today.month - 1, today.day);
  const toFriday = (5 - new Date(start).getUTCDay() + 7) % 7;
  for (let week = 0; week < 6; week++) {
    const d = new Date(start + (toFriday + 7 * week) * 86_400_000);
    dates.add(ymd({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }));
  }
  const last = [...dates].sort().at(-1)!;
  let year = today.year;
  let month = today.month;
  let monthlies = 0;
  while (monthlies < 3) {
    const date = ymd(thirdFriday(year, month));
    if (date > last) {
      dates.add(date);
      monthlies++;
    }
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return [...dates].sort();
}

/** Monthly expiries (third Fridays) of options on a future: up to three months ending with its own. */
function futureOptionExpiries(now: number, future: Instrument): string[] {
  const today = ymd(formatInZone(now, future.zone));
  const year = Number(future.contractMonth.slice(0, 4));
  const month = Number(future.contractMonth.slice(4, 6));
  const dates: string[] = [];
  for (let back = 2; back >= 0; back--) {
    let m = month - back;
    let y = year;
    if (m < 1) {
      m += 12;
      y--;
    }
    const date = ymd(thirdFriday(y, m));
    if (date >= today) dates.push(date);
  }
  return dates;
}

function expirationInstant(date: string, underlying: Instrument): number {
  const end = underlying.rth.end >= 24 * 60 ? 16 * 60 : underlying.rth.end;
  return zonedToEpoch(underlying.zone, Number(date.slice(0, 4)), Number(date.slice(4, 6)), Number(date.slice(6, 8)), Math.floor(end / 60), end % 60);
}

function strikesAround(underlying: Instrument, level: number): number[] {
  const step = strikeStep(underlying, level);
  const center = Math.round(level / step) * step;
  const strikes: number[] = [];
  for (let i = -STRIKES_EACH_SIDE; i <= STRIKES_EACH_SIDE; i++) {
    const strike = Number((center + i * step).toFixed(2));
    if (strike > 0) strikes.push(strike);
  }
  return strikes;
}

/** The OCC option symbol: root padded to 6, yyMMdd, C or P, strike x 1000 in 8 digits. */
function occSymbol(root: string, expiry: string, right: OptionRight, strike: number): string {
  return `${root.padEnd(6)}${expiry.slice(2)}${right}${String(Math.round(strike * 1000)).padStart(8, '0')}`;
}

export class OptionChains {
  readonly chains: OptionChain[] = [];
  private readonly made = new Map<number, Instrument>();

  constructor(
    underlyings: readonly Instrument[],
    private readonly now: number,
    levelOf: (underlying: Instrument) => number,
    private readonly onMade: (option: Instrument) => void,
  ) {
    for (const underlying of underlyings) {
      const level = levelOf(underlying);
      if (underlying.secType === 'STK' && underlying.currency === 'USD') this.add(underlying, 'OPT', 'SMART', EQUITY_OPTION_EXCHANGES, underlying.symbol, 0.01, '32', equityExpiries(now, underlying.zone), level);
      else if (underlying.secType === 'IND') this.add(underlying, 'OPT', 'SMART', 'SMART,CBOE', `${underlying.symbol}W`, 0.05, '110', equityExpiries(now, 'America/New_York'), level);
      else if (underlying.secType === 'FUT') this.add(underlying, 'FOP', underlying.exchange, underlying.exchange, underlying.tradingClass, 0.25, '67', futureOptionExpiries(now, underlying), level);
    }
  }

  private add(underlying: Instrument, secType: 'OPT' | 'FOP', exchange: string, validExchanges: string, tradingClass: string, minTick: number, marketRuleIds: string, expiries: string[], level: number): void {
    // An expiry whose close has passed today is no longer listed.
    const dates = expiries.filter((d) => expirationInstant(d, underlying) > this.now).slice(0, MAX_EXPIRIES);
    if (dates.length === 0) return;
    this.chains.push({
      index: this.chains.length,
      underlying,
      secType,
      exchange,
      validExchanges,
      tradingClass,
      multiplier: secType === 'FOP' ? underlying.multiplier : 100,
      minTick,
      marketRuleIds,
      expiries: dates,
      expiresAt: dates.map((d) => expirationInstant(d, underlying)),
      strikes: strikesAround(underlying, level).slice(0, MAX_STRIKES),
      level,
      baseVolatility: underlying.dailyVolatility * Math.sqrt(252),
    });
  }

  /** The chains on an underlying (by conId, or symbol and type). */
  chainsOf(underlying: Instrument): OptionChain[] {
    return this.chains.filter((chain) => chain.underlying.conId === underlying.conId);
  }

  /** The option a conId of the chains' range names, or undefined. */
  byConId(conId: number): Instrument | undefined {
    const offset = conId - FIRST_CONID;
    if (offset < 0) return undefined;
    const right: OptionRight = offset % 2 === 0 ? 'C' : 'P';
    const s = Math.floor(offset / 2) % MAX_STRIKES;
    const e = Math.floor(offset / 2 / MAX_STRIKES) % MAX_EXPIRIES;
    const chain = this.chains[Math.floor(offset / 2 / MAX_STRIKES / MAX_EXPIRIES)];
    if (!chain || e >= chain.expiries.length || s >= chain.strikes.length) return undefined;
    return this.option(chain, e, s, right);
  }

  /** Every option of the chains the query can mean (TWS answers contract details with all of them). */
  resolve(q: ContractQuery): Instrument[] {
    const wantedRight = rightOf(q.right);
    if (wantedRight === null) return [];
    const occ = q.localSymbol ? parseOcc(q.localSymbol) : null;
    const symbol = q.symbol?.toUpperCase();
    const result: Instrument[] = [];
    for (const chain of this.chains) {
      if (q.secType && q.secType.toUpperCase() !== chain.secType) continue;
      if (symbol && symbol !== chain.underlying.symbol) continue;
      if (!symbol && !q.localSymbol) continue;
      if (occ && occ.root !== chain.tradingClass) continue;
      if (q.tradingClass && q.tradingClass.toUpperCase() !== chain.tradingClass) continue;
      if (q.currency && q.currency.toUpperCase() !== chain.underlying.currency) continue;
      if (q.exchange && !chain.validExchanges.split(',').includes(q.exchange.toUpperCase()) && !(q.exchange.toUpperCase() === 'GLOBEX' && chain.exchange === 'CME')) continue;
      if (q.multiplier && Number(q.multiplier) !== chain.multiplier) continue;
      const expiry = occ ? `20${occ.expiry}` : q.lastTradeDateOrContractMonth;
      const strike = occ ? occ.strike : q.strike;
      const right = occ ? occ.right : wantedRight;
      chain.expiries.forEach((date, e) => {
        if (expiry && !date.startsWith(expiry)) return;
        chain.strikes.forEach((k, s) => {
          if (strike && Math.abs(k - strike) > 1e-9) return;
          for (const r of right ? [right] : (['C', 'P'] as const)) {
            const option = this.option(chain, e, s, r);
            if (q.localSymbol && !occ && q.localSymbol.toUpperCase() !== option.localSymbol.toUpperCase()) continue;
            result.push(option);
          }
        });
      });
    }
    return result;
  }

  private option(chain: OptionChain, e: number, s: number, right: OptionRight): Instrument {
    const conId = FIRST_CONID + ((chain.index * MAX_EXPIRIES + e) * MAX_STRIKES + s) * 2 + (right === 'P' ? 1 : 0);
    const existing = this.made.get(conId);
    if (existing) return existing;
    const u = chain.underlying;
    const expiry = chain.expiries[e]!;
    const strike = chain.strikes[s]!;
    const expiresAt = chain.expiresAt[e]!;
    const carry = chain.secType === 'FOP' ? 0 : RISK_FREE_RATE;
    const localSymbol = chain.secType === 'FOP' ? `${u.localSymbol} ${right}${strike}` : occSymbol(chain.tradingClass, expiry, right, strike);
    // The level its own (history) walk reverts to: the model's value with the underlying at its level.
    const level = optionValue(right, chain.level, strike, yearsTo(expiresAt, this.now) || 1 / 365, surfaceVolatility(chain.baseVolatility, chain.level, strike), carry).price;
    const option: Instrument = {
      key: `${u.symbol}:${chain.secType}:${chain.exchange}:${u.currency}:${expiry}:${strike}${right}`,
      conId,
      symbol: u.symbol,
      secType: chain.secType,
      exchange: chain.exchange,
      primaryExch: '',
      currency: u.currency,
      localSymbol,
      tradingClass: chain.tradingClass,
      lastTradeDateOrContractMonth: expiry,
      contractMonth: expiry.slice(0, 6),
      multiplier: chain.multiplier,
      minTick: chain.minTick,
      minSize: 1,
      sizeIncrement: 1,
      suggestedSizeIncrement: 1,
      longName: u.longName,
      marketName: chain.tradingClass,
      industry: u.industry,
      category: u.category,
      subcategory: u.subcategory,
      timeZoneId: u.timeZoneId,
      zone: u.zone,
      orderTypes: chain.secType === 'FOP' ? FOP_ORDER_TYPES : EQUITY_OPTION_ORDER_TYPES,
      validExchanges: chain.validExchanges,
      marketRuleIds: chain.validExchanges
        .split(',')
        .map(() => chain.marketRuleIds)
        .join(','),
      stockType: '',
      rth: u.secType === 'STK' || u.secType === 'IND' ? { start: 9 * 60 + 30, end: 16 * 60, weekdaysOnly: true } : u.rth,
      basePrice: Math.max(chain.minTick, level),
      dailyVolatility: 0.05,
      dailyVolume: 20_000,
      hasTrades: true,
      lotSize: 1,
      strike,
      right,
      tradable: true,
      secIds: [],
      option: { chain, expiresAt, carry },
    };
    this.made.set(conId, option);
    this.onMade(option);
    return option;
  }
}

/** 'C' or 'P' for a right as requests spell it, '' for none, null for something else. */
function rightOf(right: string | undefined): OptionRight | '' | null {
  const r = (right ?? '').toUpperCase();
  if (r === '' || r === '0' || r === '?') return '';
  if (r === 'C' || r === 'CALL') return 'C';
  if (r === 'P' || r === 'PUT') return 'P';
  return null;
}

function parseOcc(text: string): { root: string; expiry: string; right: OptionRight; strike: number } | null {
  const match = /^([A-Z]{1,6})\s*(\d{6})([CP])(\d{8})$/i.exec(text.trim());
  if (!match) return null;
  return { root: match[1]!.toUpperCase(), expiry: match[2]!, right: match[3]!.toUpperCase() as OptionRight, strike: Number(match[4]) / 1000 };
}
