/**
 * Round-trip trades from executions: a trade opens when an instrument's position leaves zero and closes
 * when it returns to zero (a fill that flips the position closes one trade and opens the next with the
 * rest). Adds average into the entry price, partial exits into the exit price; commissions are charged
 * to the trade whose shares they paid for, split pro rata when one fill closes one trade and opens
 * another. Prices are per unit and money is quantity x price x the contract multiplier (the
 * execution's, 1 when absent), as the fill engine counts it: an ES point is USD 50 a contract. An
 * execution in another currency than the account's base (it carries its fxRate) adds its P&L and
 * commission in the base currency at its own rate: a trade's pnl is what it realized, valued when it did.
 */
import type { Execution } from '../messages';

export interface Trade {
  symbol: string;
  direction: 'long' | 'short';
  /** Largest absolute position held during the trade. */
  quantity: number;
  entryTime: number;
  /** Average price of the fills that opened or added to the position. */
  entryPrice: number;
  /** null while the trade is open. */
  exitTime: number | null;
  /** Average price of the fills that reduced or closed the position; null while nothing was reduced. */
  exitPrice: number | null;
  /** Realized profit net of commissions (for an open trade: of the part closed so far). */
  pnl: number;
  commission: number;
  /** pnl in percent of the entry value (entry price x quantity x multiplier). */
  returnPct: number;
  open: boolean;
  /** Contract multiplier when it is not 1 (futures, options). */
  multiplier?: number;
  /** The currency its prices are in, when not the account's base (pnl and commission are in the base). */
  currency?: string;
}

interface OpenTrade {
  trade: Trade;
  position: number;
  entryShares: number;
  entryValue: number;
  /** entryValue in the base currency, each fill at its rate. */
  entryValueBase: number;
  exitShares: number;
  exitValue: number;
  gross: number;
  multiplier: number;
}

/** Trades from executions in the order they happened; open trades last per instrument. */
export function roundTrips(executions: readonly Execution[]): Trade[] {
  const closed: Trade[] = [];
  const open = new Map<string, OpenTrade>();
  for (const ex of executions) {
    let remaining = ex.shares;
    if (!(remaining > 0)) continue;
    const sign = ex.side === 'BUY' ? 1 : -1;
    const rate = ex.fxRate ?? 1;
    const perShareCommission = ((ex.commission || 0) * rate) / ex.shares;
    while (remaining > 0) {
      let current = open.get(ex.symbol);
      if (!current) {
        current = startTrade(ex, sign);
        open.set(ex.symbol, current);
      }
      const direction = current.position > 0 ? 1 : -1;
      if (current.position === 0 || direction === sign) {
        // Opening or adding.
        current.position += sign * remaining;
        current.entryShares += remaining;
        current.entryValue += remaining * ex.price;
        current.entryValueBase += remaining * ex.price * rate;
        current.trade.quantity = Math.max(current.trade.quantity, Math.abs(current.position));
        current.trade.commission += remaining * perShareCommission;
        remaining = 0;
      } else {
        // Reducing, closing, maybe flipping.
        const qty = Math.min(remaining, Math.abs(current.position));
        const entryAvg = current.entryValue / current.entryShares;
        current.gross += qty * (ex.price - entryAvg) * direction * current.multiplier * rate;
        current.exitShares += qty;
        current.exitValue += qty * ex.price;
        current.position -= direction * qty;
        current.trade.commission += qty * perShareCommission;
        remaining -= qty;
        if (current.position === 0) {
          closed.push(finish(current, ex.time, false));
          open.delete(ex.symbol);
        }
      }
    }
  }
  const stillOpen = [...open.values()].map((t) => finish(t, null, true));
  return [...closed, ...stillOpen];
}

function startTrade(ex: Execution, sign: number): OpenTrade {
  const multiplier = ex.multiplier !== undefined && ex.multiplier > 0 ? ex.multiplier : 1;
  const open: OpenTrade = {
    trade: {
      symbol: ex.symbol,
      direction: sign > 0 ? 'long' : 'short',
      quantity: 0,
      entryTime: ex.time,
      entryPrice: ex.price,
      exitTime: null,
      exitPrice: null,
      pnl: 0,
      commission: 0,
      returnPct: 0,
      open: true,
    },
    position: 0,
    entryShares: 0,
    entryValue: 0,
    entryValueBase: 0,
    exitShares: 0,
    exitValue: 0,
    gross: 0,
    multiplier,
  };
  if (multiplier !== 1) open.trade.multiplier = multiplier;
  if (ex.currency !== undefined) open.trade.currency = ex.currency;
  return open;
}

function finish(t: OpenTrade, exitTime: number | null, isOpen: boolean): Trade {
  const trade = t.trade;
  trade.entryPrice = t.entryValue / t.entryShares;
  trade.exitPrice = t.exitShares > 0 ? t.exitValue / t.exitShares : null;
  trade.exitTime = exitTime;
  trade.pnl = t.gross - trade.commission;
  trade.returnPct = (trade.pnl / ((t.entryValueBase / t.entryShares) * trade.quantity * t.multiplier)) * 100;
  trade.open = isOpen;
  return trade;
}
