/**
 * The TWS simulator's control surface: what `bin/ib-sim`, the `simulator` mode of ib-connect and the
 * tests use. The simulator itself speaks TWS's socket protocol to any IB client.
 */
import type { AccountType, FillEngineApi } from '../../fills/types';

export interface SimulatorOptions {
  /** Loopback by default; the simulator never listens on other interfaces unless asked. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Seed of every random walk: same seed, same prices and bars. */
  seed?: number;
  /**
   * Accounts reported in MANAGED_ACCTS, each with its own cash, orders, positions and executions (an
   * order is booked on its order.account, the first when it names none). Default ['DU1234567'] (paper).
   * A 'U...' id simulates a live account.
   */
  accounts?: string[];
  /** Highest server version it negotiates (clamped to 176..193). Default 193. */
  maxServerVersion?: number;
  /** Market data ticks per second per subscribed instrument. Default 4. */
  ticksPerSecond?: number;
  /**
   * How fast the market's clock runs against the wall clock (1 to 3600, default 1): at 60 a 5-minute
   * bar takes 5 seconds. For demos and tests; every time the simulator sends (bars, ticks, fills) is on
   * its clock, which then runs ahead of this machine's.
   */
  clockSpeed?: number;
  /**
   * Where the market's clock starts (epoch ms; default now): a time in the past lets a test trade on
   * earlier days, then advanceClock to today.
   */
  startTime?: number;
  startingCash?: number;
  /**
   * The account orders are checked against: 'reg-t' (default: Reg T margin, what an IB paper account
   * is) or 'cash'. Orders it cannot pay for get error 201, as from TWS.
   */
  accountType?: AccountType;
  /**
   * The account's base currency (default USD) and what one unit of each other currency is worth in it
   * (`{ USD: 150 }` for a JPY account). The simulator keeps its money in USD: the account summary
   * reports it in the base currency at this rate, and $LEDGER:ALL lists each currency's ExchangeRate,
   * as TWS does for an account whose base is not USD.
   */
  baseCurrency?: string;
  exchangeRates?: Record<string, number>;
  /** Enforce IB's historical-data pacing rules with error 162. Default true. */
  historicalPacing?: boolean;
  /** Partial fills: at most this many shares per fill. */
  maxFillPerEvent?: number;
  /** Log lines (one per connection event / bad frame); silent by default. */
  log?: (line: string) => void;
  /** Wire stamps for latency benchmarks; unset (the default) costs nothing. */
  probe?: WireProbe;
  /** Made-up stocks SYM01..SYMnn (at most 99) beside the real ones, for benchmarks of many symbols. Default 0. */
  extraStocks?: number;
}

/**
 * Instrumentation for benchmarks: called with `process.hrtime.bigint()` stamps (CLOCK_MONOTONIC, so
 * comparable with stamps taken in another process on the same machine). A probe that throws is ignored.
 */
export interface WireProbe {
  /**
   * Market-data tick frames (TICK_PRICE, TICK_SIZE, TICK_GENERIC, TICK_STRING) just handed to a client
   * socket in one write; `frames` are the encoded frames as sent (4-byte length, then the fields);
   * `at` is taken just before the write call.
   */
  ticksWritten?(connection: number, frames: readonly Buffer[], at: bigint): void;
  /** A PLACE_ORDER frame read from a client; `at` is when its socket chunk arrived, before parsing. */
  placeOrderRead?(connection: number, fields: readonly string[], at: bigint): void;
  /** Every message read from a client after the handshake, in the order read (tests count orders and cancels on the wire). */
  messageRead?(connection: number, fields: readonly string[]): void;
  /**
   * Every message the simulator queues for a client, as its fields, when it makes it: tests read the
   * simulator's own state at that moment (what a P&L message was computed from), which may have moved
   * on by the time the client reads it.
   */
  messageSent?(connection: number, fields: readonly (string | number)[]): void;
}

/** A request matcher for fault injection: a client message id (e.g. 20 = REQ_HISTORICAL_DATA) and optionally its request id. */
export interface RequestMatch {
  messageId: number;
  reqId?: number;
}

export interface Simulator {
  readonly host: string;
  readonly port: number;
  /** The first managed account's fill engine. */
  readonly engine: FillEngineApi;
  /** Every managed account's fill engine, by account id. */
  readonly engines: ReadonlyMap<string, FillEngineApi>;
  /** Number of connected API clients. */
  clientCount(): number;
  /** Stops listening and closes every client socket. */
  close(): Promise<void>;
  /** Fault: closes every client socket (as if TWS crashed or the network dropped); keeps listening. */
  dropConnections(): void;
  /** Fault: drop everything and listen again on the same port after `downMs`, like a TWS restart. */
  restart(downMs?: number): Promise<void>;
  /** Fault: accept and immediately close new connections while true. */
  refuseConnections(refuse: boolean): void;
  /** Fault: answer the next request matching `match` with ERR_MSG `code` instead of serving it. */
  failNext(match: RequestMatch, code: number, message: string): void;
  /** Fault: delay every response by `ms`. */
  setLatency(ms: number): void;
  /**
   * Fault: orders reach the exchange late. From now on every PLACE_ORDER, CANCEL_ORDER and
   * REQ_GLOBAL_CANCEL waits, in the order it came, until the returned release() hands them all on and
   * ends the hold; nothing is answered for them meanwhile. A cancel cannot overtake the order it
   * follows, so a market order held with a kill switch's cancel behind it fills: at TWS, a cancel sent
   * while the order is on its way to the exchange comes too late the same way.
   */
  holdOrders(): () => void;
  /**
   * Time passes: the market's clock jumps `ms` ahead (a night, a weekend) as if the simulator had run
   * through it, so what it did before (executions, completed orders) belongs to an earlier day. Prices
   * continue from the new time; orders still working meet the market there.
   */
  advanceClock(ms: number): void;
  /** Sends an ERR_MSG to every client, e.g. 1100/1101/1102 connectivity notices (id -1). */
  broadcastError(id: number, code: number, message: string): void;
}
