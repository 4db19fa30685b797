/**
 * A run's results per instrument, beside the account totals: what each instrument contributed. P&L is
 * realized (net of every commission, as the engine's positions count it: a position's average cost
 * includes what opening it cost) plus open at the last mark, so the instruments' P&L adds up to the
 * account's final equity less its starting cash. Return is that P&L over the starting cash (the
 * instrument's contribution to the account's return); exposure the percent of the run's points during
 * which the instrument was held (held into a point, or at its close, as the account's exposure counts).
 */
import type { Execution, InstrumentKey, OrderEvent, Position } from '../messages';
import type { Trade } from './trades';
import { currencyOfKey } from '../fills/contract-terms';

export interface InstrumentResult {
  instrument: InstrumentKey;
  /** The currency its prices are quoted in (from its key; USD for a plain symbol). */
  currency: string;
  /** Realized plus open P&L, in the account currency. */
  pnl: number;
  realizedPnl: number;
  openPnl: number;
  /** pnl / starting cash (a fraction). */
  return: number;
  /** Closed round trips, and how many of them won. */
  trades: number;
  winningTrades: number;
  exposurePct: number;
  commissions: number;
  /** Orders for it the account refused (buying power, or refused when placed). */
  rejectedOrders: number;
  /** Signed position at the end. */
  position: number;
}

/** Counts, per instrument, the points it was exposed at and the orders refused for it. */
export class InstrumentTally {
  private readonly exposed = new Map<InstrumentKey, number>();
  private readonly rejected = new Map<InstrumentKey, number>();
  /** The instruments exposed at the point being built (the bars of one timestamp share a point). */
  private readonly current = new Set<InstrumentKey>();

  /** `key` was held when its bar of the current point opened (an exit at the open still counts). */
  carry(key: InstrumentKey): void {
    this.current.add(key);
  }

  /** The current point settled: `held` are the instruments held after the strategy acted on its bars. */
  point(held: ReadonlyMap<InstrumentKey, number>): void {
    const current = this.current;
    for (const key of held.keys()) current.add(key);
    const exposed = this.exposed;
    for (const key of current) exposed.set(key, (exposed.get(key) ?? 0) + 1);
    current.clear();
  }

  rejection(event: OrderEvent): void {
    this.rejected.set(event.symbol, (this.rejected.get(event.symbol) ?? 0) + 1);
  }

  reset(): void {
    this.exposed.clear();
    this.rejected.clear();
    this.current.clear();
  }

  results(input: { startingCash: number; points: number; positions: readonly Position[]; trades: readonly Trade[]; executions: readonly Execution[] }): InstrumentResult[] {
    const rows = new Map<InstrumentKey, InstrumentResult>();
    const row = (key: InstrumentKey): InstrumentResult => {
      let r = rows.get(key);
      if (r === undefined) {
        r = {
          instrument: key,
          currency: currencyOfKey(key),
          pnl: 0,
          realizedPnl: 0,
          openPnl: 0,
          return: 0,
          trades: 0,
          winningTrades: 0,
          exposurePct: input.points > 0 ? ((this.exposed.get(key) ?? 0) / input.points) * 100 : 0,
          commissions: 0,
          rejectedOrders: this.rejected.get(key) ?? 0,
          position: 0,
        };
        rows.set(key, r);
      }
      return r;
    };
    for (const p of input.positions) {
      const r = row(p.symbol);
      r.realizedPnl = p.realizedPnl;
      r.openPnl = p.unrealizedPnl ?? 0;
      r.position = p.quantity;
    }
    for (const t of input.trades) {
      if (t.open) continue;
      const r = row(t.symbol);
      r.trades++;
      if (t.pnl > 0) r.winningTrades++;
    }
    for (const e of input.executions) row(e.symbol).commissions += e.commission;
    for (const key of this.rejected.keys()) row(key);
    for (const r of rows.values()) {
      r.pnl = r.realizedPnl + r.openPnl;
      r.return = r.pnl / input.startingCash;
    }
    return [...rows.values()];
  }
}

