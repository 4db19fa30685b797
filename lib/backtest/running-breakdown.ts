/**
 * A live or paper account's performance per instrument and per strategy to date, beside the account's
 * own (running-account.ts): at each sample, each instrument's P&L (TWS's realized plus unrealized on
 * its position) and each strategy's (its own executions netted per instrument, marked at TWS's market
 * prices, less its commissions, as the backtest's breakdown counts it), with the drawdown of that P&L
 * from its highest so far, in money. Parts seen once stay listed (a closed position keeps its P&L).
 */
import type { InstrumentKey, Position } from '../messages';
import { markStrategies, strategyTotals, type StrategyBook } from '../fills/strategy-positions';
import { cents, fallOf, markFall, type PnlFall } from './part-drawdown';

export interface RunningPart {
  pnl: number;
  realizedPnl: number;
  openPnl: number;
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

  /** One sample: the account's positions (with TWS's prices and P&L) and the strategies' book. */
  sample(positions: readonly Position[], book: StrategyBook | null): { instruments: RunningInstrument[]; strategies: RunningStrategy[] } {
    for (const p of positions) {
      const realizedPnl = Number.isFinite(p.realizedPnl) ? p.realizedPnl : 0;
      const openPnl = typeof p.unrealizedPnl === 'number' && Number.isFinite(p.unrealizedPnl) ? p.unrealizedPnl : 0;
      const pnl = cents(realizedPnl + openPnl);
      const fall = fallFrom(this.instrumentPeaks, p.symbol, pnl);
      this.lastInstruments.set(p.symbol, { instrument: p.symbol, position: p.quantity, pnl, realizedPnl: cents(realizedPnl), openPnl: cents(openPnl), ...fall });
    }
    if (book) {
      // A copy: marking sets openPnl in place.
      const marked = markStrategies(structuredClone(book), positions);
      for (const [strategy, perKey] of Object.entries(marked)) {
        if (strategy === '') continue;
        const { realizedPnl: realized, openPnl: open, commissions } = strategyTotals(perKey);
        const pnl = cents(realized + open - commissions);
        const fall = fallFrom(this.strategyPeaks, strategy, pnl);
        this.lastStrategies.set(strategy, { strategy, instruments: Object.keys(perKey).sort(), pnl, realizedPnl: cents(realized), openPnl: cents(open), commissions: cents(commissions), ...fall });
      }
    }
    const byName = <T>(rows: Map<string, T>) => [...rows.keys()].sort().map((k) => rows.get(k)!);
    return { instruments: byName(this.lastInstruments), strategies: byName(this.lastStrategies) };
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
