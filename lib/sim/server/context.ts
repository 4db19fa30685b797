/**
 * The simulator-wide state handlers share: options, connected sessions, order ids, and the services
 * (market, accounts, orders) that features add.
 */
import type { ClientSession } from './session';
import type { Market } from '../market/market';
import type { AccountType, FillEngineApi } from '../../fills/types';
import type { WireProbe } from './types';

export interface ResolvedOptions {
  host: string;
  port: number;
  seed: number;
  accounts: string[];
  maxServerVersion: number;
  ticksPerSecond: number;
  clockSpeed: number;
  startingCash: number;
  accountType: AccountType;
  baseCurrency: string;
  /** One unit of each currency in the base currency; the base itself is 1. */
  exchangeRates: Record<string, number>;
  historicalPacing: boolean;
  maxFillPerEvent: number | undefined;
  log: (line: string) => void;
  probe: WireProbe | undefined;
  extraStocks: number;
  startTime: number;
}

export interface SimContext {
  readonly options: ResolvedOptions;
  /** Sessions that completed START_API. */
  startedSessions(): Iterable<ClientSession>;
  /** The next order id to hand out (NEXT_VALID_ID), above every id seen so far. */
  nextOrderId(): number;
  /** Records an order id a client used, so later NEXT_VALID_ID answers stay above it. */
  noteOrderId(orderId: number): void;
  /** The market's clock (ms): the wall clock, run `clockSpeed` times faster from the start; the one place the simulator reads time. */
  now(): number;
  log(line: string): void;
  readonly market: Market;
  /** The first managed account's fill engine (the one tools and tests place on directly). */
  readonly engine: FillEngineApi;
  /** One fill engine per managed account (options.accounts): each account's own orders, positions and cash. */
  readonly engines: ReadonlyMap<string, FillEngineApi>;
  /** Feature state shared across connections, created on first use (see `service`). */
  readonly services: Map<string, unknown>;
  /** Registers something to stop when the simulator closes (timers). */
  onStop(stop: () => void): void;
}

/** The engine of `account` (empty: the first managed account's, as TWS books an order without one), or undefined for an account this login does not manage. */
export function engineOf(context: SimContext, account: string): FillEngineApi | undefined {
  return account ? context.engines.get(account) : context.engine;
}

/** The feature state named `name`, created by `create` the first time. */
export function service<T>(context: SimContext, name: string, create: () => T): T {
  let value = context.services.get(name) as T | undefined;
  if (value === undefined) {
    value = create();
    context.services.set(name, value);
  }
  return value;
}
