/**
 * Slippage models, one per file under slippage-models/ (none, ticks, basis points): each moves a fill
 * price against the trader (a buy pays more, a sell gets less). The engine never lets slippage push a
 * limit-type order past its limit price.
 */
import type { SlippageModel } from './types';
import { noSlippage } from './slippage-models/none';
import { tickSlippage } from './slippage-models/ticks';
import { bpsSlippage } from './slippage-models/bps';

export { noSlippage, tickSlippage, bpsSlippage };

export type SlippageKind = 'none' | 'ticks' | 'bps';

/** The slippage model a backtest option names. */
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
