/**
 * Protective price levels: a stop-loss or take-profit given as a fixed price, a distance, a percent of
 * the entry, or a multiple of ATR, turned into a price on the right side of the entry and on the tick.
 */
import type { Side } from '../messages';
import { OrderInputError } from './errors';
import { toNumber } from './validate';
import { describeValue } from '../messages/describe-value';
import { roundToTick } from '../risk/levels-tick';

export { roundToTick } from '../risk/levels-tick';

export type LevelKind = 'price' | 'distance' | 'percent' | 'atr';
export const LEVEL_KINDS: readonly LevelKind[] = ['price', 'distance', 'percent', 'atr'];

export interface LevelSpec {
  kind: LevelKind;
  /** The price, the distance, the percent (2 = 2%), or the ATR multiple. */
  value: number;
}

/** Checks a level spec from config or msg; `field` names it in errors. */
export function checkLevelSpec(kind: unknown, value: unknown, field: string): LevelSpec {
  if (!LEVEL_KINDS.includes(kind as LevelKind)) {
    throw new OrderInputError(`${field}Type`, `${field}Type ${describeValue(kind)} is not supported: use one of ${LEVEL_KINDS.join(', ')}`);
  }
  const n = toNumber(value);
  if (n === null || !Number.isFinite(n) || n <= 0 || (kind === 'percent' && n >= 100)) {
    throw new OrderInputError(field, `${field} must be a positive ${kind === 'price' ? 'price' : kind === 'percent' ? 'percentage below 100' : kind === 'atr' ? 'ATR multiple' : 'price distance'}, got ${describeValue(value)}`);
  }
  return { kind: kind as LevelKind, value: n };
}

/**
 * The price of a protective level for a position on `positionSide` entered at `entry`. `away` is -1 for
 * a stop-loss (against the position) and +1 for a take-profit (with it). `atr` is needed for kind 'atr'.
 */
export function levelPrice(spec: LevelSpec, entry: number, positionSide: Side, away: 1 | -1, atr: number | null, tick: number): number {
  const direction = (positionSide === 'BUY' ? 1 : -1) * away;
  let price: number;
  switch (spec.kind) {
    case 'price':
      price = spec.value;
      break;
    case 'distance':
      price = entry + direction * spec.value;
      break;
    case 'percent':
      price = entry * (1 + (direction * spec.value) / 100);
      break;
    case 'atr':
      if (atr === null || !Number.isFinite(atr) || atr <= 0) {
        throw new OrderInputError('atr', `an ATR-based level needs a positive ATR in the message (e.g. msg.indicators.atr from an indicator node), got ${describeValue(atr)}`);
      }
      price = entry + direction * spec.value * atr;
      break;
  }
  const rounded = roundToTick(price, tick);
  if (!(rounded > 0)) throw new OrderInputError('stopLoss', `the ${away < 0 ? 'stop-loss' : 'take-profit'} level works out at ${rounded}: it must be a positive price`);
  const wrongSide = direction > 0 ? rounded <= entry : rounded >= entry;
  if (wrongSide && spec.kind !== 'price') {
    throw new OrderInputError(away < 0 ? 'stopLoss' : 'takeProfit', `the ${away < 0 ? 'stop-loss' : 'take-profit'} level ${rounded} is not ${direction > 0 ? 'above' : 'below'} the entry ${entry}`);
  }
  return rounded;
}
