/** TWS reports an execution's side as BOT or SLD (some paths say BUY or SELL): one place reads it. */
import type { Side } from '../messages';

export function executionSide(side: string | undefined): Side {
  return side === 'SLD' || side === 'SELL' ? 'SELL' : 'BUY';
}
