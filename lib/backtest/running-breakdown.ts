/**
 * A live or paper account's performance per instrument and per strategy to date, beside the account's
 * own (running-account.ts): at each sample, each instrument's P&L (TWS's realized plus unrealized on
 * its position) and each strategy's (its own executions netted per instrument, marked at TWS's market
 * prices, less its commissions, as the backtest's breakdown counts it), with the drawdown of that P&L
 * from its highest so far, in money. Parts seen once stay listed (a closed position keeps its P&L).
 * Beside them, as the backtest's breakdown has them: each part's return (its P&L over the account's
 * equity at the first sample), its closed round trips and how many gained (from the broker's ledger of
 * executions), and its exposure (the percent of samples at which it held a position).
 */
import type { InstrumentKey, Position } from '../messages';
import { markStrategies, strategyTotals, type LedgerTrips, type StrategyBook } from '../fills/strategy-positions';
import { cents, fallOf, markFall, type PnlFall } from './part-drawdown';

export interface RunningPart {
  pnl: number;
  realizedPnl: number;
  openPnl: number;
  /** pnl over the account's equity at the first sample (a fraction). */
  return: number;
  /** Closed round trips, and how many gained after commissions. */
  trades: number;
  winningTrades: number;
  /** Percent of the samples so far at which it held a position. */
  exposurePct: number;
  /** Highest pnl so far less pnl now (>= 0), and the largest such fall so far. */
  drawdown: number;
  maxDrawdown: number;
}

export interface RunningInstrument extends RunningPart {
  instrument: InstrumentKey;
  position: number;
}

export interface RunningStrategy extends RunningPart {
  strategy: string;
  instruments: InstrumentKey[];
  commissions: number;
}

export class RunningBreakdown {
  private readonly instrumentPeaks = new Map<InstrumentKey, PnlFall>();
  private readonly strategyPeaks = new Map<string, PnlFall>();
  private readonly lastInstruments = new Map<InstrumentKey, RunningInstrument>();
  private readonly lastStrategies = new Map<string, RunningStrategy>();
  /** Samples at which each part held a position, and samples taken. */
  private readonly heldSamples = new Map<string, number>();
  private samples = 0;
  private startEquity = Number.NaN;

  /**
   * One sample: the account's equity and positions (with TWS's prices and P&L), the strategies' book
   * and their round trips.
   */
  sample(equity: number, positions: readonly Position[], book: StrategyBook | null, trips: LedgerTrips | null = null): { instruments: RunningInstrument[]; strategies: RunningStrategy[] } {
    if (this.startEquity !== this.startEquity && equity > 0) this.startEquity = equity;
    this.samples++;
    const over = (pnl: number) => (this.startEquity > 0 ? pnl / this.startEquity : 0);
    for (const p of positions) {
      const realizedPnl = Number.isFinite(p.realizedPnl) ? p.realizedPnl : 0;
      const openPnl = typeof p.unrealizedPnl === 'number' && Number.isFinite(p.unrealizedPnl) ? p.unrealizedPnl : 0;
      const pnl = cents(realizedPnl + openPnl);
      const fall = fallFrom(this.instrumentPeaks, p.symbol, pnl);
      const round = trips?.instruments[p.symbol];
      this.lastInstruments.set(p.symbol, {
        instrument: p.symbol,
        position: p.quantity,
        pnl,
        realizedPnl: cents(realizedPnl),
        openPnl: cents(openPnl),
        return: over(pnl),
        trades: round?.trades ?? 0,
        winningTrades: round?.winningTrades ?? 0,
        exposurePct: this.exposure(`i:${p.symbol}`, p.quantity !== 0),
        ...fall,
      });
    }
    if (book) {
      // A copy: marking sets openPnl in place.
      const marked = markStrategies(structuredClone(book), positions);
      for (const [strategy, perKey] of Object.entries(marked)) {
        if (strategy === '') continue;
        const { realizedPnl: realized, openPnl: open, commissions } = strategyTotals(perKey);
        const pnl = cents(realized + open - commissions);
        const fall = fallFrom(this.strategyPeaks, strategy, pnl);
        let trades = 0;
        let winningTrades = 0;
        for (const t of Object.values(trips?.strategies[strategy] ?? {})) {
          trades += t.trades;
          winningTrades += t.winningTrades;
        }
        const holds = Object.values(perKey).some((q) => q.quantity !== 0);
        this.lastStrategies.set(strategy, {
          strategy,
          instruments: Object.keys(perKey).sort(),
          pnl,
          realizedPnl: cents(realized),
          openPnl: cents(open),
          commissions: cents(commissions),
          return: over(pnl),
          trades,
          winningTrades,
          exposurePct: this.exposure(`s:${strategy}`, holds),
          ...fall,
        });
      }
    }
    const byName = <T>(rows: Map<string, T>) => [...rows.keys()].sort().map((k) => rows.get(k)!);
    return { instruments: byName(this.lastInstruments), strategies: byName(this.lastStrategies) };
  }

  /** Counts this sample for part `name` when it holds a position; its percent of the samples so far. */
  private exposure(name: string, holds: boolean): number {
    const held = (this.heldSamples.get(name) ?? 0) + (holds ? 1 : 0);
    this.heldSamples.set(name, held);
    return (held / this.samples) * 100;
  }
}

/**
 * The drawdown of `pnl` from the highest value `name` has had, and the largest so far (markFall, the
 * backtest's rule too); live, a part's highest starts at its first sample, the first P&L known of it.
 */
function fallFrom(peaks: Map<string, PnlFall>, name: string, pnl: number): { drawdown: number; maxDrawdown: number } {
  let p = peaks.get(name);
  if (p === undefined) peaks.set(name, (p = { peak: Math.round(pnl * 100), drawdown: 0, maxDrawdown: 0 }));
  markFall(p, pnl);
  return fallOf(p);
}
