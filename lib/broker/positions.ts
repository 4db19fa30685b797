/**
 * The IB broker's positions: TWS's position reports (a full snapshot after every connect), moved on
 * by each new fill in between so a strategy sees its position change with the fill rather than when
 * TWS next reports. Emits a position event only when quantity or average cost really changed.
 */
import type { InstrumentKey, Position } from '../messages';

/** Whether a report for `account` concerns the account in use (unknown on either side counts as ours). */
export function isAccountInUse(inUse: string | null, account: string | undefined): boolean {
  return !inUse || !account || account === inUse;
}

export class PositionBook {
  private byKey = new Map<InstrumentKey, Position>();

  constructor(private readonly emitPosition: (position: Position) => void) {}

  quantity(key: InstrumentKey): number {
    return this.byKey.get(key)?.quantity ?? 0;
  }

  /** Positions that are not flat. */
  open(): Position[] {
    return [...this.byKey.values()].filter((p) => p.quantity !== 0);
  }

  /**
   * A position as TWS reports it (realized PnL kept from what the fills added up to). TWS's avgCost is
   * per contract (price x multiplier); the multiplier is kept so the price per unit can be told.
   */
  fromReport(account: string, key: InstrumentKey, quantity: number, avgCost: number | undefined, multiplier = 1): Position {
    const position: Position = {
      account,
      symbol: key,
      quantity: Number(quantity) || 0,
      avgCost: Number(avgCost) || 0,
      marketPrice: null,
      marketValue: null,
      unrealizedPnl: null,
      realizedPnl: this.byKey.get(key)?.realizedPnl ?? 0,
    };
    if (multiplier !== 1) position.multiplier = multiplier;
    return position;
  }

  set(position: Position): void {
    const old = this.byKey.get(position.symbol);
    this.byKey.set(position.symbol, position);
    if (!old || old.quantity !== position.quantity || old.avgCost !== position.avgCost) this.emitPosition(position);
  }

  /** The snapshot after a connect replaces what was known: positions closed while disconnected drop out. */
  replaceAll(snapshot: ReadonlyMap<InstrumentKey, Position>): void {
    const before = this.byKey;
    this.byKey = new Map(snapshot);
    for (const [key, position] of this.byKey) {
      if (before.get(key)?.quantity !== position.quantity) this.emitPosition(position);
    }
    for (const [key, old] of before) {
      if (!this.byKey.has(key) && old.quantity !== 0) this.emitPosition({ ...old, quantity: 0 });
    }
  }

  /**
   * Moves a position by a fill of `signedShares` at `price` per unit. Average cost as IB keeps it: of
   * the opening side, per contract (price x multiplier), as TWS's next report will give it.
   */
  applyFill(key: InstrumentKey, account: string, signedShares: number, price: number, multiplier = 1): void {
    const old = this.byKey.get(key);
    const before = old?.quantity ?? 0;
    const after = before + signedShares;
    const cost = price * multiplier;
    let avgCost = old?.avgCost ?? 0;
    if (before === 0 || Math.sign(before) !== Math.sign(after)) avgCost = after === 0 ? 0 : cost;
    else if (Math.abs(after) > Math.abs(before)) avgCost = (avgCost * Math.abs(before) + cost * Math.abs(signedShares)) / Math.abs(after);
    const position: Position = {
      account,
      symbol: key,
      quantity: Math.round(after * 1e8) / 1e8,
      avgCost,
      marketPrice: price,
      marketValue: after * cost,
      unrealizedPnl: null,
      realizedPnl: old?.realizedPnl ?? 0,
    };
    if (multiplier !== 1) position.multiplier = multiplier;
    this.set(position);
  }
}
