/** Basis points of the price against the trader (10 bps = 0.1%). Not rounded to the tick. */
import type { Side } from '../../messages';
import type { SlippageModel } from '../types';
import { requireNonNegative } from './check';

export function bpsSlippage(bps: number): SlippageModel {
  requireNonNegative(bps, 'bps');
  const rate = bps / 10_000;
  return {
    name: 'bps',
    adjust: (side: Side, price: number) => (side === 'BUY' ? price * (1 + rate) : price * (1 - rate)),
  };
}
