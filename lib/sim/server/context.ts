/**
 * The simulator-wide state handlers share: options, connected sessions, order ids, and the services
 * (market, accounts, orders) that features add.
 */
import type { ClientSession } from './session';

export interface ResolvedOptions {
  host: string;
  port: number;
  seed: number;
  accounts: string[];
  maxServerVersion: number;
  ticksPerSecond: number;
  startingCash: number;
  historicalPacing: boolean;
  maxFillPerEvent: number | undefined;
  log: (line: string) => void;
}

export interface SimContext {
  readonly options: ResolvedOptions;
  /** Sessions that completed START_API. */
  startedSessions(): Iterable<ClientSession>;
  /** The next order id to hand out (NEXT_VALID_ID), above every id seen so far. */
  nextOrderId(): number;
  /** Records an order id a client used, so later NEXT_VALID_ID answers stay above it. */
  noteOrderId(orderId: number): void;
  /** Wall clock (ms); the one place the simulator reads time, so tests see consistent values. */
  now(): number;
  log(line: string): void;
  /** Services of features, by name (see the features' own modules for their types). */
  readonly services: Map<string, unknown>;
}
