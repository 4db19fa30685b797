/**
 * Slippage models: move a fill price against the trader (a buy pays more, a sell gets less). The
 * engine never lets slippage push a limit-type order past its limit price.
 */
import type { Side } from '../messages';
import type { SlippageModel } from './types';

export type SlippageKind = 'none' | 'ticks' | 'bps';

/** No slippage. */
export function noSlippage(): SlippageModel {
  return { name: 'none', adjust: (_side, price) => price };
}

/** A fixed number of minimum price increments against the trader. */
export function tickSlippage(ticks: number): SlippageModel {
  requireNonNegative(ticks, 'ticks');
  return {
    name: 'ticks',
    adjust: (side: Side, price: number, minTick: number) =>
      cleanFloat(side === 'BUY' ? price + ticks * minTick : price - ticks * minTick),
  };
}

/** Basis points of the price against the trader (10 bps = 0.1%). Not rounded to the tick. */
export function bpsSlippage(bps: number): SlippageModel {
  requireNonNegative(bps, 'bps');
  const rate = bps / 10_000;
  return {
    name: 'bps',
    adjust: (side: Side, price: number) => (side === 'BUY' ? price * (1 + rate) : price * (1 - rate)),
  };
}

export function createSlippageModel(kind: SlippageKind, amount = 0): SlippageModel {
  switch (kind) {
    case 'none':
      return noSlippage();
    case 'ticks':
      return tickSlippage(amount);
    case 'bps':
      return bpsSlippage(amount);
    default:
      throw new Error(`unknown slippage kind '${String(kind)}': use none, ticks or bps`);
  }
}

/** Drops binary noise such as 100.01000000000001 so tick-adjusted prices print as ticks. */
function cleanFloat(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

function requireNonNegative(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`slippage ${what} must be a finite number >= 0, got ${String(value)}`);
  }
}
