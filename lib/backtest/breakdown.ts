/**
 * A run's results per instrument, beside the account totals: what each instrument contributed. P&L is
 * realized (net of every commission, as the engine's positions count it: a position's average cost
 * includes what opening it cost) plus open at the last mark, so the instruments' P&L adds up to the
 * account's final equity less its starting cash. Return is that P&L over the starting cash (the
 * instrument's contribution to the account's return); exposure the percent of the run's points during
 * which the instrument was held (held into a point, or at its close, as the account's exposure counts).
 * The same per strategy (the orderRef's, protective legs counted with the strategy that opened them):
 * each strategy's own executions netted per instrument (lib/fills/strategy-positions.ts), marked at the
 * instruments' last prices.
 *
 * Money is in the account's base currency. An instrument quoted in another currency counts its P&L and
 * commissions in that currency, valued at its last rate (`rateOf`): the account holds that currency's
 * cash beside the position (lib/fills/currency.ts), so the parts still add up to the account's P&L.
 */
import type { Execution, InstrumentKey, OrderEvent, Position } from '../messages';
import { roundTrips, type Trade } from './trades';
import { attributeByOrderRef, markStrategies, strategyTotals, type StrategyBook } from '../fills/strategy-positions';
import { strategyOfOrderRef } from '../messages/strategy';
import { currencyOfKey } from '../fills/contract-terms';
import type { PartDrawdowns } from './part-drawdown';

export interface StrategyResult {
  /** The strategy's name (its orders' orderRef); '' for orders without one. */
  strategy: string;
  /** The instruments it traded. */
  instruments: InstrumentKey[];
  /** Realized plus open P&L net of its commissions, in the account's base currency. */
  pnl: number;
  realizedPnl: number;
  openPnl: number;
  /** pnl / starting cash (a fraction). */
  return: number;
  trades: number;
  winningTrades: number;
  /** Percent of the run's points at which it held a position (held into the point, or at its close). */
  exposurePct: number;
  commissions: number;
  rejectedOrders: number;
  /** Its P&L's fall from the highest it had so far, at the end, and the largest fall, in money (part-drawdown.ts). */
  drawdown: number;
  maxDrawdown: number;
}

export interface InstrumentResult {
  instrument: InstrumentKey;
  /** The currency its prices are quoted in (its executions', else its key's; USD for a plain symbol). */
  currency: string;
  /** When that is not the base currency: the rate its money is valued at (base units per unit, the last). */
  fxRate?: number;
  /** Realized plus open P&L, in the account's base currency. */
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
  /** Its P&L's fall from the highest it had so far, at the end, and the largest fall, in money (part-drawdown.ts). */
  drawdown: number;
  maxDrawdown: number;
}

const NO_FALL = { drawdown: 0, maxDrawdown: 0 } as const;
const ONE = (): number => 1;

/** Each strategy's money per instrument in the base currency, at the instrument's rate (in place). */
function valueInBase(book: StrategyBook, rateOf: (key: InstrumentKey) => number): void {
  for (const perKey of Object.values(book)) {
    for (const [key, p] of Object.entries(perKey)) {
      const rate = rateOf(key);
      if (rate === 1) continue;
      p.realizedPnl *= rate;
      p.commission *= rate;
      if (p.openPnl !== undefined) p.openPnl *= rate;
    }
  }
}

/** Counts, per instrument, the points it was exposed at and the orders refused for it. */
export class InstrumentTally {
  /** Per instrument: the points it was exposed at, and the last point counted (so a point counts once). */
  private readonly exposed = new Map<InstrumentKey, { points: number; point: number }>();
  private readonly rejected = new Map<InstrumentKey, number>();
  private readonly rejectedByStrategy = new Map<string, number>();
  /** The number of the point being built (the bars of one timestamp share a point). */
  private current = 0;

  /** `key` was held when its bar of the current point opened (an exit at the open still counts). */
  carry(key: InstrumentKey): void {
    this.count(key);
  }

  /**
   * The current point settled: `held` are the instruments held after the strategy acted on its bars.
   * Runs once per point of a million-point batch: no allocation, a map lookup per held instrument.
   */
  point(held: readonly InstrumentKey[]): void {
    for (let i = 0; i < held.length; i++) this.count(held[i]!);
    this.current++;
  }

  private count(key: InstrumentKey): void {
    let e = this.exposed.get(key);
    if (e === undefined) this.exposed.set(key, (e = { points: 0, point: -1 }));
    if (e.point === this.current) return;
    e.point = this.current;
    e.points++;
  }

  rejection(event: OrderEvent): void {
    this.rejected.set(event.symbol, (this.rejected.get(event.symbol) ?? 0) + 1);
    const strategy = strategyOfOrderRef(event.orderRef);
    this.rejectedByStrategy.set(strategy, (this.rejectedByStrategy.get(strategy) ?? 0) + 1);
  }

  reset(): void {
    this.exposed.clear();
    this.rejected.clear();
    this.rejectedByStrategy.clear();
    this.current = 0;
  }

  results(input: {
    startingCash: number;
    points: number;
    positions: readonly Position[];
    trades: readonly Trade[];
    executions: readonly Execution[];
    falls?: PartDrawdowns;
    /** Base units per unit of an instrument's currency, now (absent: one currency). */
    rateOf?: (key: InstrumentKey) => number;
  }): InstrumentResult[] {
    const rateOf = input.rateOf ?? ONE;
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
          exposurePct: input.points > 0 ? ((this.exposed.get(key)?.points ?? 0) / input.points) * 100 : 0,
          commissions: 0,
          rejectedOrders: this.rejected.get(key) ?? 0,
          position: 0,
          ...(input.falls?.instrument(key) ?? NO_FALL),
        };
        rows.set(key, r);
      }
      return r;
    };
    for (const p of input.positions) {
      const r = row(p.symbol);
      const rate = rateOf(p.symbol);
      r.realizedPnl = p.realizedPnl * rate;
      r.openPnl = (p.unrealizedPnl ?? 0) * rate;
      r.position = p.quantity;
    }
    for (const t of input.trades) {
      if (t.open) continue;
      const r = row(t.symbol);
      r.trades++;
      if (t.pnl > 0) r.winningTrades++;
    }
    for (const e of input.executions) {
      const r = row(e.symbol);
      if (e.currency === undefined) r.commissions += e.commission;
      else {
        const rate = rateOf(e.symbol);
        r.commissions += e.commission * rate;
        r.currency = e.currency;
        r.fxRate = rate;
      }
    }
    for (const key of this.rejected.keys()) row(key);
    for (const r of rows.values()) {
      r.pnl = r.realizedPnl + r.openPnl;
      r.return = r.pnl / input.startingCash;
    }
    // In instrument order, not in the order the instruments first traded: a replay and a batch of the same
    // portfolio may start their sources in either order and must report alike.
    return [...rows.values()].sort((a, b) => (a.instrument < b.instrument ? -1 : a.instrument > b.instrument ? 1 : 0));
  }

  /** Per strategy: its own executions' P&L, trades, exposure over the run's point times, refusals. */
  strategies(input: {
    startingCash: number;
    times: ArrayLike<number>;
    points: number;
    positions: readonly Position[];
    executions: readonly Execution[];
    trades?: readonly Trade[];
    falls?: PartDrawdowns;
    rateOf?: (key: InstrumentKey) => number;
  }): StrategyResult[] {
    const book = markStrategies(attributeByOrderRef(input.executions, true), input.positions);
    if (input.rateOf !== undefined) valueInBase(book, input.rateOf);
    const byStrategy = new Map<string, Execution[]>();
    for (const e of input.executions) {
      const name = strategyOfOrderRef(e.orderRef);
      let list = byStrategy.get(name);
      if (list === undefined) byStrategy.set(name, (list = []));
      list.push(e);
    }
    const names = new Set<string>([...Object.keys(book), ...this.rejectedByStrategy.keys()]);
    const results: StrategyResult[] = [];
    for (const strategy of [...names].sort()) {
      const perKey = book[strategy] ?? {};
      const { realizedPnl: realized, openPnl: open, commissions } = strategyTotals(perKey);
      const executions = byStrategy.get(strategy) ?? [];
      // One strategy owning every execution (a batch, most replays) has the account's round trips: not built twice.
      const all = executions.length === input.executions.length && input.trades !== undefined ? input.trades : roundTrips(executions);
      const trades = all.filter((t) => !t.open);
      const exposed = exposedPoints(executions, input.times, input.points);
      // Commissions are the strategy's costs: realized and open P&L here are before them.
      const pnl = realized + open - commissions;
      results.push({
        strategy,
        instruments: Object.keys(perKey).sort(),
        pnl,
        realizedPnl: realized,
        openPnl: open,
        return: pnl / input.startingCash,
        trades: trades.length,
        winningTrades: trades.filter((t) => t.pnl > 0).length,
        exposurePct: input.points > 0 ? (exposed / input.points) * 100 : 0,
        commissions,
        rejectedOrders: this.rejectedByStrategy.get(strategy) ?? 0,
        ...(input.falls?.strategy(strategy) ?? NO_FALL),
      });
    }
    return results;
  }
}

/**
 * The points (by time) at which executions `list` (one strategy's, in time order) held a position: held
 * before the point's fills or after them, as the account's exposure counts a bar whose open exits.
 */
function exposedPoints(list: readonly Execution[], times: ArrayLike<number>, points: number): number {
  const held = new Map<InstrumentKey, number>();
  let open = 0;
  let next = 0;
  let count = 0;
  for (let i = 0; i < points; i++) {
    const t = times[i]!;
    let exposed = open > 0;
    while (next < list.length && list[next]!.time <= t) {
      const e = list[next++]!;
      const before = held.get(e.symbol) ?? 0;
      const after = Math.round((before + (e.side === 'BUY' ? e.shares : -e.shares)) * 1e8) / 1e8;
      held.set(e.symbol, after);
      if (before === 0 && after !== 0) open++;
      else if (before !== 0 && after === 0) open--;
    }
    if (open > 0) exposed = true;
    if (exposed) count++;
  }
  return count;
}
