/** The argument check the slippage models share. */
export function requireNonNegative(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`slippage ${what} must be a finite number >= 0, got ${String(value)}`);
  }
}
