/**
 * The drawdown of each part of an account (an instrument, a strategy), as the live breakdown measures it
 * (running-breakdown.ts): the part's P&L in money, its fall from the highest it has been so far, and the
 * largest such fall. In a backtest the P&L is marked once per point (the bars of one timestamp), after
 * the strategy acted on them, at each instrument's last close; every part's P&L is 0 before its first
 * execution, so its highest starts at 0 (live, the first sample is the first known).
 *
 * A part's P&L is counted as cash flows: what its executions paid and received (price x quantity x
 * multiplier, less commissions) plus its open quantity at the mark, which is its realized P&L (net of
 * commissions) plus its open P&L, as the breakdown counts them. Only the parts holding a position, or
 * traded at the point, are marked: a flat part's P&L does not move. A point costs a few multiplications
 * per open position and allocates nothing.
 *
 * A leg quoted in another currency than the account's base keeps its flows in that currency and is
 * valued at that currency's rate of the point (its money sits in that currency's cash, as the engine
 * keeps it): the breakdown values it at the last rate alike.
 */
import type { Execution, InstrumentKey } from '../messages';
import { strategyOfOrderRef } from '../messages/strategy';

/** A part's P&L high and falls, in whole cents (exact: no rounding of a difference); `markFall` keeps them. */
export interface PnlFall {
  /** Highest P&L so far. */
  peak: number;
  /** peak less the P&L now (>= 0). */
  drawdown: number;
  /** The largest drawdown so far. */
  maxDrawdown: number;
}

export const cents = (x: number): number => Math.round(x * 100) / 100;

/** Marks P&L `pnl` (money, rounded here to whole cents) on `fall`: the one rule for the live and the backtest breakdown. */
export function markFall(fall: PnlFall, pnl: number): void {
  const now = Math.round(pnl * 100);
  if (now > fall.peak) fall.peak = now;
  const drawdown = fall.peak - now;
  fall.drawdown = drawdown;
  if (drawdown > fall.maxDrawdown) fall.maxDrawdown = drawdown;
}

/** The fall in money, as reports give it. */
export function fallOf(fall: PnlFall): { drawdown: number; maxDrawdown: number } {
  return { drawdown: fall.drawdown / 100, maxDrawdown: fall.maxDrawdown / 100 };
}

/** Where the last close of an instrument is read (the run's price range of it). */
export interface MarkSource {
  last: number;
}

/** One instrument's quantity within a part. */
interface Leg {
  key: InstrumentKey;
  quantity: number;
  multiplier: number;
  mark: MarkSource;
  /** In another currency than the base: its own flows, valued at the rate of the point. */
  foreign: boolean;
  flow: number;
}

class Part implements PnlFall {
  /** What its base-currency executions paid and received, less commissions. */
  flow = 0;
  /** Its legs in another currency (valued at their rates). */
  foreign = 0;
  readonly legs: Leg[] = [];
  /** Legs with a quantity. */
  open = 0;
  /** In the list of parts to mark at this point. */
  due = false;
  peak = 0;
  drawdown = 0;
  maxDrawdown = 0;

  leg(key: InstrumentKey, mark: MarkSource): Leg {
    for (let i = 0; i < this.legs.length; i++) if (this.legs[i]!.key === key) return this.legs[i]!;
    const leg = { key, quantity: 0, multiplier: 1, mark, foreign: false, flow: 0 };
    this.legs.push(leg);
    return leg;
  }

  pnl(rateOf: (key: InstrumentKey) => number): number {
    let value = this.flow;
    const legs = this.legs;
    for (let i = 0; i < legs.length; i++) {
      const leg = legs[i]!;
      if (leg.foreign) continue;
      if (leg.quantity !== 0) value += leg.quantity * leg.mark.last * leg.multiplier;
    }
    if (this.foreign === 0) return value;
    for (let i = 0; i < legs.length; i++) {
      const leg = legs[i]!;
      if (!leg.foreign) continue;
      const local = leg.quantity !== 0 ? leg.flow + leg.quantity * leg.mark.last * leg.multiplier : leg.flow;
      value += local * rateOf(leg.key);
    }
    return value;
  }
}

export class PartDrawdowns {
  private readonly instruments = new Map<InstrumentKey, Part>();
  private readonly strategies = new Map<string, Part>();
  /** Parts to mark at the next point: those holding a position and those traded since the last point. */
  private due: Part[] = [];
  private spare: Part[] = [];

  constructor(
    /** The last close of an instrument (its price range in the run), made on its first bar. */
    private readonly markOf: (key: InstrumentKey) => MarkSource,
    /** Base units per unit of an instrument's currency now (read for legs in another currency only). */
    private readonly rateOf: (key: InstrumentKey) => number = () => 1,
  ) {}

  /** An execution of the current point. */
  execution(e: Execution): void {
    const signed = e.side === 'BUY' ? e.shares : -e.shares;
    const multiplier = e.multiplier ?? 1;
    const flow = -signed * e.price * multiplier - (Number.isFinite(e.commission) ? e.commission : 0);
    const foreign = e.currency !== undefined;
    this.book(this.part(this.instruments, e.symbol), e.symbol, signed, multiplier, flow, foreign);
    this.book(this.part(this.strategies, strategyOfOrderRef(e.orderRef)), e.symbol, signed, multiplier, flow, foreign);
  }

  /** The point settled: marks every part due at the instruments' last closes. */
  point(): void {
    const due = this.due;
    if (due.length === 0) return;
    const next = this.spare;
    for (let i = 0; i < due.length; i++) {
      const part = due[i]!;
      markFall(part, part.pnl(this.rateOf));
      if (part.open > 0) next.push(part);
      else part.due = false;
    }
    due.length = 0;
    this.spare = due;
    this.due = next;
  }

  /** An instrument's fall so far (zeros when it never traded). */
  instrument(key: InstrumentKey): { drawdown: number; maxDrawdown: number } {
    return falls(this.instruments.get(key));
  }

  strategy(name: string): { drawdown: number; maxDrawdown: number } {
    return falls(this.strategies.get(name));
  }

  reset(): void {
    this.instruments.clear();
    this.strategies.clear();
    this.due = [];
    this.spare = [];
  }

  private part(parts: Map<string, Part>, name: string): Part {
    let part = parts.get(name);
    if (part === undefined) parts.set(name, (part = new Part()));
    return part;
  }

  private book(part: Part, key: InstrumentKey, signed: number, multiplier: number, flow: number, foreign: boolean): void {
    const leg = part.leg(key, this.markOf(key));
    if (foreign && !leg.foreign) {
      leg.foreign = true;
      part.foreign++;
    }
    const before = leg.quantity;
    leg.quantity = Math.round((before + signed) * 1e8) / 1e8;
    leg.multiplier = multiplier;
    if (before === 0 && leg.quantity !== 0) part.open++;
    else if (before !== 0 && leg.quantity === 0) part.open--;
    if (leg.foreign) leg.flow += flow;
    else part.flow += flow;
    if (!part.due) {
      part.due = true;
      this.due.push(part);
    }
  }
}

function falls(part: Part | undefined): { drawdown: number; maxDrawdown: number } {
  return part === undefined ? { drawdown: 0, maxDrawdown: 0 } : fallOf(part);
}
