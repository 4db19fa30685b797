/** No slippage. */
import type { SlippageModel } from '../types';

export function noSlippage(): SlippageModel {
  return { name: 'none', adjust: (_side, price) => price };
}
