/**
 * Prices on an instrument's tick (minTick): to the nearest tick (stop-order's levels), or in a chosen
 * direction, for a level that must not move toward the entry (risk-sizer's stops) or away from it
 * (its take-profits). Results are free of float noise (0.1 + 0.2 style).
 */

export type TickRounding = 'nearest' | 'down' | 'up';

/** Rounds to the nearest multiple of `tick`, without float noise (0.1 + 0.2 style). */
export function roundToTick(price: number, tick: number): number {
  return roundOnTick(price, tick, 'nearest');
}

/**
 * Rounds to a multiple of `tick`: nearest, down or up. A price already on the tick (within binary
 * noise: 14.200000000000001 on 0.01) stays where it is in every direction. A tick <= 0 leaves it as is.
 */
export function roundOnTick(price: number, tick: number, rounding: TickRounding): number {
  if (!(tick > 0)) return price;
  const decimals = Math.max(0, Math.ceil(-Math.log10(tick)) + 2);
  const steps = price / tick;
  const whole = rounding === 'nearest' ? Math.round(steps) : rounding === 'down' ? Math.floor(steps + 1e-9) : Math.ceil(steps - 1e-9);
  return Number((whole * tick).toFixed(decimals));
}
