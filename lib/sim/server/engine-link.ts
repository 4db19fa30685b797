/**
 * The fill engines behind the simulator's accounts: one FillEngine per managed account, fed
 * with the market's quotes, its minimum ticks and trading days in TWS's zone, checking buying power
 * for the account type (Reg T margin unless told).
 *
 * The engines keep their money in dollars with cash per currency: an instrument quoted in another
 * currency (SAP in EUR, Toyota in JPY, USD.JPY) moves that currency's cash, and its margin and buying
 * power count at the rate of the dollar pair the engine is fed (EUR.USD, USD.JPY: every currency the
 * market lists has one), as TWS values a non-USD position in the account's currency. An account of
 * another base currency is reported in it from these dollars (handlers/account.ts).
 */
import { FillEngine } from '../../fills/fill-engine';
import { ibTiered } from '../../fills/commission';
import type { FillEngineApi } from '../../fills/types';
import type { Market } from '../market/market';
import type { ResolvedOptions } from './context';
import { TWS_TIME_ZONE } from './tws-time';
import { formatInZone } from '../../messages/time-zones';

/** One engine per managed account, in MANAGED_ACCTS order: each its own orders, positions and cash. */
export function createEngines(options: ResolvedOptions, market: Market, now: () => number = Date.now): Map<string, FillEngineApi> {
  return new Map(options.accounts.map((account) => [account, createEngine(account, options, market, now)]));
}

function createEngine(account: string, options: ResolvedOptions, market: Market, now: () => number): FillEngineApi {
  return new FillEngine({
    account,
    startingCash: options.startingCash,
    baseCurrency: 'USD',
    commission: ibTiered(),
    maxFillPerEvent: options.maxFillPerEvent,
    accountType: options.accountType,
    minTick: (symbol) => market.universe.byInstrumentKey(symbol)?.minTick ?? 0.01,
    now,
    dayOf: (time) => {
      const p = formatInZone(time, TWS_TIME_ZONE);
      return Math.floor(Date.UTC(p.year, p.month - 1, p.day) / 86_400_000);
    },
  });
}
