/**
 * The SMA crossover written out plainly, as an independent reference for the nodes: index-aligned
 * targets, `up` on the bar the fast average crosses above the slow one, `down` where it crosses below
 * (backtrader's tie rule: equal counts as not yet crossed), null elsewhere.
 */
import type { Bar, OrderIntent } from '../../lib/messages';

export function smaCrossTargets(bars: readonly Bar[], fastPeriod: number, slowPeriod: number, up: number, down: number): Array<OrderIntent | null> {
  const sma = (period: number) => {
    let sum = 0;
    return bars.map((b, i) => {
      sum += b.close;
      if (i >= period) sum -= bars[i - period]!.close;
      return i >= period - 1 ? sum / period : null;
    });
  };
  const fast = sma(fastPeriod);
  const slow = sma(slowPeriod);
  return bars.map((_, i) => {
    const [f0, s0, f1, s1] = [fast[i - 1], slow[i - 1], fast[i], slow[i]];
    if (i === 0 || f0 == null || s0 == null || f1 == null || s1 == null) return null;
    if (f0 <= s0 && f1 > s1) return { targetQuantity: up };
    if (f0 >= s0 && f1 < s1) return { targetQuantity: down };
    return null;
  });
}
