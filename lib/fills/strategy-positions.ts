/**
 * Positions per strategy: executions grouped by the strategy of their order reference (orderRef, which
 * place-order and stop-order set to the strategy's name; protective legs map back to the strategy that
 * opened them), netted per instrument with average-cost accounting, so two strategies trading the same
 * symbol in one account each see their own position, average cost and realized P&L. Plain computation
 * over executions: brokers of every mode (the backtest's too) and the account node use it.
 */
import type { Execution, InstrumentKey } from '../messages';
import { strategyOfOrderRef } from '../messages/strategy';

export interface StrategyPosition {
  quantity: number;
  /** Average cost per unit of the open quantity (0 when flat). */
  avgCost: number;
  /** P&L of the quantity closed, before commissions (x multiplier). */
  realizedPnl: number;
  commission: number;
  executions: number;
  /** Contract multiplier when it is not 1. */
  multiplier?: number;
  /** P&L of the open quantity at the instrument's market price, once one is known (x multiplier). */
  openPnl?: number;
}

/** strategy ('' for orders without one) -> instrument key -> position. */
export type StrategyBook = Record<string, Record<InstrumentKey, StrategyPosition>>;

/**
 * Executions in time order (ties keep the given order), netted per strategy and instrument. `unique`:
 * each execution is listed once (a fill engine's own list), so none is looked up by execId.
 */
export function attributeByOrderRef(executions: readonly Execution[], unique = false): StrategyBook {
  const ledger = new StrategyLedger(unique);
  if (inTimeOrder(executions)) for (let i = 0; i < executions.length; i++) ledger.add(executions[i]!);
  else {
    const ordered = executions.map((e, i) => ({ e, i })).sort((a, b) => a.e.time - b.e.time || a.i - b.i);
    for (const { e } of ordered) ledger.add(e);
  }
  return ledger.book();
}

/** Whether executions are already in time order (an engine lists them so): then they need no sort. */
function inTimeOrder(executions: readonly Execution[]): boolean {
  for (let i = 1; i < executions.length; i++) if (executions[i]!.time < executions[i - 1]!.time) return false;
  return true;
}

/** Closed round trips of a part and how many gained (after commissions). */
export interface RoundTrips {
  trades: number;
  winningTrades: number;
}

/** Round trips per strategy and instrument, and per instrument for the account (StrategyLedger.trips). */
export interface LedgerTrips {
  strategies: Record<string, Record<InstrumentKey, RoundTrips>>;
  instruments: Record<InstrumentKey, RoundTrips>;
}

/** The round trip open on one position: its P&L so far (realized less commissions), and the closed ones. */
interface Trip extends RoundTrips {
  pnl: number;
}

/**
 * Books execution `e` on its instrument's position in `perKey` (average cost, realized P&L before
 * commissions) and on its round trip in `trips`: a trip's P&L is what its closing fills realized less
 * every commission it paid (a fill that flips the position splits its commission pro rata, as the
 * backtest's trade list does).
 */
function bookInto(perKey: Record<InstrumentKey, StrategyPosition>, trips: Record<InstrumentKey, Trip>, e: Execution): void {
  const p = (perKey[e.symbol] ??= { quantity: 0, avgCost: 0, realizedPnl: 0, commission: 0, executions: 0 });
  const trip = (trips[e.symbol] ??= { pnl: 0, trades: 0, winningTrades: 0 });
  const signed = e.side === 'BUY' ? e.shares : -e.shares;
  const commission = Number.isFinite(e.commission) ? e.commission : 0;
  p.executions++;
  p.commission += commission;
  if (e.multiplier !== undefined && e.multiplier !== 1) p.multiplier = e.multiplier;
  if (p.quantity === 0 || Math.sign(p.quantity) === Math.sign(signed)) {
    // Opening or adding: the average cost moves toward the fill price.
    if (p.quantity === 0) trip.pnl = 0;
    trip.pnl -= commission;
    const quantity = round(p.quantity + signed);
    p.avgCost = (p.avgCost * Math.abs(p.quantity) + e.price * Math.abs(signed)) / Math.abs(quantity);
    p.quantity = quantity;
    return;
  }
  // Reducing, closing or flipping: the closed part realizes against the average cost.
  const closing = Math.min(Math.abs(signed), Math.abs(p.quantity));
  const realized = closing * (e.price - p.avgCost) * Math.sign(p.quantity) * (e.multiplier ?? 1);
  p.realizedPnl += realized;
  const closingCommission = (commission * closing) / Math.abs(signed);
  trip.pnl += realized - closingCommission;
  const quantity = round(p.quantity + signed);
  const flipped = quantity !== 0 && Math.sign(quantity) !== Math.sign(p.quantity);
  if (quantity === 0 || flipped) {
    trip.trades++;
    if (trip.pnl > 0) trip.winningTrades++;
    trip.pnl = flipped ? -(commission - closingCommission) : 0;
  }
  if (quantity === 0) p.avgCost = 0;
  else if (flipped) p.avgCost = e.price;
  p.quantity = quantity;
}

/**
 * The running book of positions per strategy, one execution at a time, each once (by execId): what a
 * broker keeps so a strategy's target is measured against its own position, and rebuilds after a
 * restart from the executions TWS lists (and the journal's).
 */
export class StrategyLedger {
  private readonly seen = new Set<string>();
  private readonly positions: StrategyBook = {};
  private readonly strategyTrips: Record<string, Record<InstrumentKey, Trip>> = {};
  private readonly accountPositions: Record<InstrumentKey, StrategyPosition> = {};
  private readonly accountTrips: Record<InstrumentKey, Trip> = {};

  constructor(
    /**
     * Every execution comes once (a fill engine's, as a backtest's broker hears them): none is looked up
     * by execId. A set of every execId of a long backtest was the ledger's largest cost.
     */
    private readonly unique = false,
  ) {}

  /** Books an execution; false when it was booked before. */
  add(e: Execution): boolean {
    if (!this.unique && e.execId) {
      if (this.seen.has(e.execId)) return false;
      this.seen.add(e.execId);
    }
    const strategy = strategyOfOrderRef(e.orderRef);
    const perKey = (this.positions[strategy] ??= {});
    const trips = (this.strategyTrips[strategy] ??= {});
    bookInto(perKey, trips, e);
    // The account's own position per instrument (every strategy's and none's), for its round trips.
    bookInto(this.accountPositions, this.accountTrips, e);
    return true;
  }

  /**
   * Closed round trips (a position that left zero and came back to it, or flipped) and how many of them
   * gained after commissions: per strategy and instrument, and per instrument for the whole account.
   */
  trips(): LedgerTrips {
    const strategies: Record<string, Record<InstrumentKey, RoundTrips>> = {};
    for (const [strategy, perKey] of Object.entries(this.strategyTrips)) {
      strategies[strategy] = {};
      for (const [key, t] of Object.entries(perKey)) strategies[strategy][key] = { trades: t.trades, winningTrades: t.winningTrades };
    }
    const instruments: Record<InstrumentKey, RoundTrips> = {};
    for (const [key, t] of Object.entries(this.accountTrips)) instruments[key] = { trades: t.trades, winningTrades: t.winningTrades };
    return { strategies, instruments };
  }

  /** The signed position of `strategy` on `key` (0 when it has none). */
  quantity(strategy: string, key: InstrumentKey): number {
    return this.positions[strategyOfOrderRef(strategy)]?.[key]?.quantity ?? 0;
  }

  /** The sum of every strategy's position on `key` (orders without an orderRef count as strategy ''). */
  total(key: InstrumentKey): number {
    let sum = 0;
    for (const perKey of Object.values(this.positions)) sum += perKey[key]?.quantity ?? 0;
    return round(sum);
  }

  /** A copy of the book. */
  book(): StrategyBook {
    const out: StrategyBook = {};
    for (const [strategy, perKey] of Object.entries(this.positions)) {
      out[strategy] = {};
      for (const [key, p] of Object.entries(perKey)) out[strategy][key] = { ...p };
    }
    return out;
  }
}

/**
 * Marks each strategy's open quantity to the market prices of `positions` (the account's, which carry
 * TWS's market price): sets openPnl where a price is known. Changes `book` in place and returns it.
 */
export function markStrategies(book: StrategyBook, positions: ReadonlyArray<{ symbol: string; marketPrice: number | null }>): StrategyBook {
  const prices = new Map<string, number>();
  for (const p of positions) if (typeof p.marketPrice === 'number' && Number.isFinite(p.marketPrice) && p.marketPrice > 0) prices.set(p.symbol, p.marketPrice);
  for (const perKey of Object.values(book)) {
    for (const [key, p] of Object.entries(perKey)) {
      const price = prices.get(key);
      if (price !== undefined) p.openPnl = p.quantity === 0 ? 0 : Math.round((price - p.avgCost) * p.quantity * (p.multiplier ?? 1) * 100) / 100;
    }
  }
  return book;
}

/** A strategy's totals over its instruments: realized and open P&L (before commissions), and its commissions. */
export function strategyTotals(perKey: Readonly<Record<InstrumentKey, StrategyPosition>>): { realizedPnl: number; openPnl: number; commissions: number } {
  let realizedPnl = 0;
  let openPnl = 0;
  let commissions = 0;
  for (const p of Object.values(perKey)) {
    realizedPnl += p.realizedPnl;
    openPnl += p.openPnl ?? 0;
    commissions += p.commission;
  }
  return { realizedPnl, openPnl, commissions };
}

/** Account position minus the sum of the named strategies' positions, where they differ. */
export function unattributedPositions(positions: ReadonlyArray<{ symbol: string; quantity: number }>, strategies: StrategyBook): Record<string, number> {
  const out: Record<string, number> = {};
  const keys = new Set(positions.map((p) => p.symbol));
  for (const [strategy, perKey] of Object.entries(strategies)) if (strategy !== '') for (const key of Object.keys(perKey)) keys.add(key);
  for (const key of keys) {
    let attributed = 0;
    for (const [strategy, perKey] of Object.entries(strategies)) if (strategy !== '') attributed += perKey[key]?.quantity ?? 0;
    const held = positions.filter((p) => p.symbol === key).reduce((sum, p) => sum + p.quantity, 0);
    const rest = Math.round((held - attributed) * 1e8) / 1e8;
    if (rest !== 0) out[key] = rest;
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 1e8) / 1e8;
}
