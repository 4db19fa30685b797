/** A fixed number of the instrument's minimum price increments against the trader. */
import type { Side } from '../../messages';
import type { SlippageModel } from '../types';
import { requireNonNegative } from './check';

export function tickSlippage(ticks: number): SlippageModel {
  requireNonNegative(ticks, 'ticks');
  return {
    name: 'ticks',
    adjust: (side: Side, price: number, minTick: number) =>
      cleanFloat(side === 'BUY' ? price + ticks * minTick : price - ticks * minTick),
  };
}

/** Drops binary noise such as 100.01000000000001 so tick-adjusted prices print as ticks. */
function cleanFloat(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
