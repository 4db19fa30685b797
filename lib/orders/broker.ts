/**
 * The broker: where orders go and what the account holds. Nodes that trade (place-order, stop-order,
 * risk-sizer, backtest-report) talk only to this interface, never to a socket, so the same flow trades
 * through TWS / the simulator (an IB broker over @stoqey/ib) or backtests in the fill engine (the
 * backtest broker, which has no socket at all: a backtest can never reach a real account).
 *
 * Orders use @stoqey/ib's own `Contract` and `Order` shapes: msg.order fields mirror IB's Order.
 *
 * The interface lives with the order planner, which drives it; the brokers that implement it
 * (lib/broker) stand on lib/orders, never the other way round.
 */
import type { Contract, Order } from '@stoqey/ib';
import type { Execution, InstrumentKey, OrderEvent, Position } from '../messages';
import type { LedgerTrips, StrategyBook } from '../fills/strategy-positions';
import type { SizeRules } from '../messages/size-rules';

export type BrokerKind = 'ib' | 'backtest';

export interface BrokerEvents {
  /** Every change of an order's state (submitted, partial fill, filled, cancelled, rejected). */
  order: (event: OrderEvent) => void;
  /** Every execution, with its commission once known. */
  execution: (execution: Execution) => void;
  /** A position changed. */
  position: (position: Position) => void;
}

/**
 * What the caller knows about an order that the broker uses for safety and the journal (optional:
 * plain brokers ignore it; the guarded broker on ib-connect uses every field).
 */
export interface OrderContext {
  /** Who placed it (a node id), for the journal. */
  source?: string;
  /**
   * Names one intended order across redeliveries, redeploys and restarts (e.g.
   * `${nodeId}:${msg._msgid}:entry`): a second placeOrder with a key already sent is refused.
   */
  dedupKey?: string;
  /** Reference price for the notional check when the order itself has none (market orders). */
  price?: number;
  /** The inputs that led to the order (msg.order, target, position ...), recorded in the journal. */
  inputs?: Record<string, unknown>;
  /**
   * The order comes from a message with the replay mark (lib/messages/history.ts): only a backtest
   * fills it; the guard refuses it on a tws or simulator connection.
   */
  history?: boolean;
  /**
   * The instrument's size rules its quantity was checked against (lib/messages/size-rules.ts
   * orderSizeRules: TWS's contract details before msg.contract's); the guard checks the quantity
   * against them again, else against msg.contract's.
   */
  sizeRules?: SizeRules;
}

/**
 * What a what-if order shows (TWS's answer to an order sent with whatIf: it places nothing): the
 * account's initial and maintenance margin and equity with loan before, the change and after, and the
 * commission. null where the broker cannot tell (TWS leaves a figure empty; an account checking no
 * margin).
 */
export interface WhatIfPreview {
  initMarginBefore: number | null;
  initMarginChange: number | null;
  initMarginAfter: number | null;
  maintMarginBefore: number | null;
  maintMarginChange: number | null;
  maintMarginAfter: number | null;
  equityWithLoanBefore: number | null;
  equityWithLoanChange: number | null;
  equityWithLoanAfter: number | null;
  commission: number | null;
  minCommission: number | null;
  maxCommission: number | null;
  commissionCurrency: string | null;
  /** Why TWS would refuse the order (its warning text), or null. */
  warningText: string | null;
}

export interface WorkingOrder {
  orderId: number;
  key: InstrumentKey;
  contract: Contract;
  order: Order;
  state: OrderEvent;
}

/** Whose positions flatten closes: the strategy's own, or every position of the account. */
export type FlattenScope = 'strategy' | 'account';

export interface FlattenOutcome {
  /** The market orders sent. */
  orderIds: number[];
  /** Positions there were to close (a fill that came late counts again). */
  positions: number;
  /** Positions that could not be closed, and why. */
  failed: string[];
  /** What is still held when flatten resolved ("AAPL 10"): nothing when it flattened what it set out to. */
  open: string[];
  /** Closing orders not filled yet (a backtest fills them on the next bar): what is open is theirs to close. */
  closing: number[];
  /** Orders that could still fill (their end or their fills not yet reported); their fills are closed when they come. */
  working: number[];
}

export interface Broker {
  readonly kind: BrokerKind;
  /** The account orders go to, once known. */
  account(): string | null;
  /**
   * Why orders are refused right now (not connected, a live account without "allow live orders",
   * daily-loss lock ...), or null when an order may be sent. Every order path checks it.
   */
  orderBlock(): string | null;
  /** Reserves the next order id: ids come from TWS's nextValidId and are never reused. */
  nextOrderId(): Promise<number>;
  /** Places, or (same orderId as a working order) modifies, an order. */
  placeOrder(orderId: number, contract: Contract, order: Order, context?: OrderContext): void;
  cancelOrder(orderId: number): void;
  /** Global cancel: every working order of the account. */
  cancelAll(): void;
  /**
   * A what-if order: TWS's margin and commission for `order` on `contract`, placing nothing (no order
   * id of the account's orders is used up as an order, no order event, nothing journaled as sent).
   * Rejects with the reason when TWS refuses to preview it.
   */
  whatIf?(contract: Contract, order: Order): Promise<WhatIfPreview>;
  /** Signed position of an instrument (negative is short); 0 when flat or unknown. */
  position(key: InstrumentKey): number;
  positions(): Position[];
  /** Working orders (not filled, not cancelled), optionally only those of one instrument. */
  workingOrders(key?: InstrumentKey): WorkingOrder[];
  /**
   * Resolves once each order (`orderIds`, else every one not settled now) has ended and each of its
   * fills is in the positions, or when `timeoutMs` ran out, with the ids still unsettled then. A broker
   * that fills as it is called (a backtest's) has nothing to wait for and lacks it.
   */
  awaitSettled?(timeoutMs: number, orderIds?: readonly number[]): Promise<number[]>;
  /** Net liquidation value in the account currency, or null while not yet known. */
  equity(): number | null;
  /** Last known price of an instrument (for notional limits and sizing), or null. */
  lastPrice(key: InstrumentKey): number | null;
  /**
   * The account's base currency and what one unit of `currency` is worth in it (1 for the base
   * itself; rate null while TWS has not reported it), so limits set in the base currency count an
   * order priced in another one right. A broker without it keeps one currency (a backtest's).
   */
  currencyValue?(currency: string): { base: string; rate: number | null } | null;
  on<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): this;
  off<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): this;
  /**
   * The signed position of one strategy (its orderRef, protective legs included) on an instrument, from
   * its own executions; null when this broker does not attribute positions to strategies.
   */
  strategyPosition?(strategy: string, key: InstrumentKey): number | null;
  /** Positions per strategy and instrument (the account's is their sum plus what no strategy traded). */
  strategyBook?(): StrategyBook;
  /** Closed round trips per strategy and instrument, and per instrument for the account, from the same executions. */
  strategyTrips?(): LedgerTrips;
  /** Guarded brokers: the order id already sent under `dedupKey` (see OrderContext), or null. */
  placedFor?(dedupKey: string): number | null;
  /**
   * Guarded brokers: who placed an order in this run (its OrderContext.source, a node id), or undefined
   * for one placed before a restart, by another API client, by hand in TWS, or with no source given.
   */
  placedBy?(orderId: number): string | undefined;
  /** Guarded brokers (kill switch): cancels every working order and refuses new ones until resume(). */
  halt?(reason: string, options?: { flatten?: FlattenScope }): void;
  /**
   * Guarded brokers: closes positions with market orders (scope 'strategy': those of `strategy`, its
   * orderRef; 'account': every position of the account), past the kill switch but never past the live
   * interlock, and resolves with what was sent and what is left. `by` (a node id) is who placed the
   * closing orders (placedBy).
   */
  flatten?(scope: FlattenScope, strategy?: string, by?: string): Promise<FlattenOutcome>;
  /** The contract an instrument was traded or reported with (IB broker), for flattening; null if unknown. */
  contractOf?(key: InstrumentKey): Contract | null;
  /** Guarded brokers: lifts a halt and the daily-loss lock. */
  resume?(): void;
  /**
   * Guarded brokers: why an order from history (a message with the replay mark) is refused here, or
   * null where history fills (a backtest). The same answer placeOrder gives such an order.
   */
  historyBlock?(): string | null;
  /** Guarded brokers: why trading is halted (also a halt kept from before a restart), or null. */
  haltReason?(): string | null;
  /**
   * Brokers over a socket (TWS): runs `rehearse` with their own dry runs of the order path, at connect
   * and periodically, so the code an order passes stays warm (lib/ib/order-rehearsal.ts). A rehearsal
   * must never place, cancel or write anything. Returns the function that stops it. Rehearsals added
   * under one `group` are the same code for different owners (the strategy of each place-order node):
   * each dry run takes one of the group in turn, which keeps that code as warm as running them all.
   */
  keepWarm?(rehearse: () => void, group?: string): () => void;
}

/**
 * Whether the node `source` reports an order's events and fills on its outputs: the node that placed it
 * in this run does, and no other; an order no node placed in this run (before a restart, another API
 * client, by hand in TWS) is reported by the node whose strategy it belongs to by its orderRef
 * (`ownedByName`). One order, one node: a kill switch's flatten closes a strategy's position under the
 * strategy's own orderRef, yet it is the flattening node's order, and a flow that lists its order nodes'
 * events in one table would list it twice.
 */
export function reportsOrder(broker: Broker, source: string, orderId: number, ownedByName: boolean): boolean {
  const placer = broker.placedBy?.(orderId);
  return placer === undefined ? ownedByName : placer === source;
}
