/**
 * Position sizing: from a signal, a price and the account, the position the strategy should hold.
 * Pure functions; every refusal is an Error whose text says which value was wrong and what to do,
 * because it ends in done(err) of the risk-sizer node.
 *
 * Quantities count contracts: one is worth price x multiplier (50 for ES), so notional, percent of
 * equity, risk per trade and the notional cap divide by that. Stop-loss and take-profit levels are put
 * on the instrument's tick, never on the side that adds risk or promises more: a stop is rounded away
 * from the entry (down for a long, up for a short) and the risk-per-trade size is computed from that
 * rounded distance, so the loss at the stop stays within the budget and the stop is never tighter
 * than the rule asked; a take-profit is rounded toward the entry (down for a long, up for a short),
 * so its limit is reached no later than the rule's level and a backtest never books a bigger profit
 * than the rule allows.
 */
import type { OrderIntent, Side } from '../messages';
import { roundOnTick } from './levels-tick';
import { jsonText } from '../messages/json-text';

export type Direction = 'long-only' | 'long-short';
export type SizingMethod = 'fixed' | 'notional' | 'percent' | 'risk';

export type StopRule =
  | { kind: 'none' }
  /** A fixed price distance from the entry. */
  | { kind: 'fixed'; distance: number }
  /** A percentage of the entry price. */
  | { kind: 'percent'; percent: number }
  /** k x ATR, the ATR read from the message. */
  | { kind: 'atr'; multiple: number }
  /** An absolute stop price read from the message. */
  | { kind: 'level' };

export type TakeProfitRule =
  | { kind: 'none' }
  | { kind: 'fixed'; distance: number }
  | { kind: 'percent'; percent: number }
  /** A multiple of the stop distance ("R"). */
  | { kind: 'r'; multiple: number };

export interface SizerConfig {
  direction: Direction;
  method: SizingMethod;
  /** fixed: shares per position. */
  shares: number;
  /** notional: account currency per position. */
  notional: number;
  /** percent: percent of equity per position. */
  equityPercent: number;
  /** risk: percent of equity lost when the stop is hit. */
  riskPercent: number;
  stop: StopRule;
  takeProfit: TakeProfitRule;
  /** The contract's size increment (1 for stocks); quantities are rounded down to a multiple. */
  increment: number;
  /** The smallest quantity the instrument trades (TWS's minSize); unset: one increment. */
  minSize?: number;
  /** Currency per price point per contract: 1 for stocks, 50 for ES, 100 for US equity options. */
  multiplier: number;
  /** The instrument's price increment (minTick) for stop-loss and take-profit levels; 0: not rounded. */
  tick: number;
  /** Largest absolute position, or null for none. */
  maxPosition: number | null;
  /** Largest absolute position value (quantity x price x multiplier), or null for none. */
  maxNotional: number | null;
  /** Keep an existing position on the signal's side instead of resizing it. */
  hold: boolean;
}

export const DEFAULT_SIZER_CONFIG: SizerConfig = {
  direction: 'long-only',
  method: 'fixed',
  shares: 100,
  notional: 10000,
  equityPercent: 10,
  riskPercent: 1,
  stop: { kind: 'none' },
  takeProfit: { kind: 'none' },
  increment: 1,
  multiplier: 1,
  tick: 0.01,
  maxPosition: null,
  maxNotional: null,
  hold: false,
};

export interface SizingInput {
  side: Side;
  /** Entry price (validated finite and > 0 by the caller). */
  price: number;
  /** Account equity, or null when unknown. */
  equity: number | null;
  /** Current signed position, or null when unknown. */
  position: number | null;
  /** For stop kind 'atr'. */
  atr?: number | null;
  /** For stop kind 'level'. */
  stopLevel?: number | null;
  /** Names of the inputs for error texts. */
  labels: { price: string; equity: string; atr?: string; stopLevel?: string };
  /** Instrument, for error texts. */
  instrument: string;
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Throws a message naming the setting when the configuration cannot size anything. */
export function validateSizerConfig(config: SizerConfig): void {
  if (!positive(config.increment)) throw new Error(`size increment is ${config.increment}: use a number > 0 (1 for stocks)`);
  if (!positive(config.multiplier)) throw new Error(`contract multiplier is ${config.multiplier}: use a number > 0 (1 for stocks, 50 for ES, 100 for US equity options)`);
  if (!(typeof config.tick === 'number' && Number.isFinite(config.tick) && config.tick >= 0)) {
    throw new Error(`price tick is ${config.tick}: use the instrument's minimum tick, a number > 0 (0.01 for US stocks, 0.25 for ES), or 0 not to round levels`);
  }
  const need = (value: number, what: string) => {
    if (!positive(value)) throw new Error(`${what} is ${value}: use a number > 0`);
  };
  if (config.method === 'fixed') need(config.shares, 'fixed shares');
  if (config.method === 'notional') need(config.notional, 'fixed notional');
  if (config.method === 'percent') need(config.equityPercent, 'percent of equity');
  if (config.method === 'risk') {
    need(config.riskPercent, 'risk per trade (percent of equity)');
    if (config.riskPercent > 100) throw new Error(`risk per trade is ${config.riskPercent}%: use at most 100`);
    if (config.stop.kind === 'none') throw new Error('risk-per-trade sizing needs a stop: choose a fixed, percent, ATR or level stop');
  }
  if (config.stop.kind === 'fixed') need(config.stop.distance, 'stop distance');
  if (config.stop.kind === 'percent') {
    need(config.stop.percent, 'stop percent');
    if (config.stop.percent >= 100) throw new Error(`stop percent is ${config.stop.percent}: use less than 100`);
  }
  if (config.stop.kind === 'atr') need(config.stop.multiple, 'ATR multiple');
  if (config.takeProfit.kind === 'fixed') need(config.takeProfit.distance, 'take-profit distance');
  if (config.takeProfit.kind === 'percent') need(config.takeProfit.percent, 'take-profit percent');
  if (config.takeProfit.kind === 'r') {
    need(config.takeProfit.multiple, 'take-profit R multiple');
    if (config.stop.kind === 'none') throw new Error('a take-profit in multiples of the stop distance (R) needs a stop');
  }
  if (config.maxPosition !== null) need(config.maxPosition, 'maximum position');
  if (config.maxNotional !== null) need(config.maxNotional, 'maximum notional');
}

/** Rounds a quantity down (toward zero) to a multiple of `increment`, without binary noise. */
export function roundDownToIncrement(quantity: number, increment: number): number {
  // The small epsilon keeps 0.3 / 0.1 = 2.9999999999999996 from losing a whole increment.
  const steps = Math.floor(quantity / increment + 1e-9);
  if (Number.isInteger(increment)) return steps * increment;
  const scale = 10 ** Math.min(12, Math.max(0, -Math.floor(Math.log10(increment)) + 2));
  return Math.round(steps * increment * scale) / scale;
}

/** The stop distance in price units for an entry at `price`, or null without a stop. */
export function stopDistance(config: SizerConfig, input: SizingInput, sign: 1 | -1): number | null {
  const { stop } = config;
  const { price, labels } = input;
  switch (stop.kind) {
    case 'none':
      return null;
    case 'fixed':
      return stop.distance;
    case 'percent':
      return (price * stop.percent) / 100;
    case 'atr': {
      const atr = input.atr;
      // Labels are read only for an error text (a batch builds them on demand).
      const label = () => labels.atr ?? 'the ATR';
      if (atr === null || atr === undefined) throw new Error(`${label()} is ${atr === null ? 'null (still warming up)' : 'missing'}: an ATR stop needs the ATR; put an indicator node (ATR) before the risk-sizer and start trading once it has a value`);
      if (!positive(atr)) throw new Error(`${label()} is ${atr}: the ATR must be a number > 0`);
      return stop.multiple * atr;
    }
    case 'level': {
      const level = input.stopLevel;
      const label = () => labels.stopLevel ?? 'the stop level';
      if (!(typeof level === 'number' && Number.isFinite(level))) throw new Error(`${label()} is ${level === undefined ? 'missing' : jsonText(level)}: set it to the stop price, a number`);
      if (sign === 1 && level >= price) throw new Error(`stop ${level} (${label()}) is at or above the entry ${price} (${labels.price}) for a long: a long's stop must be below the entry`);
      if (sign === -1 && level <= price) throw new Error(`stop ${level} (${label()}) is at or below the entry ${price} (${labels.price}) for a short: a short's stop must be above the entry`);
      return Math.abs(price - level);
    }
  }
}

/** Turns a signal into an order intent: `targetQuantity` (signed) plus stop/take-profit levels when configured. */
export function sizePosition(config: SizerConfig, input: SizingInput): OrderIntent {
  const { price, labels } = input;
  if (!positive(price)) throw new Error(`price ${price} (${labels.price}) must be a number > 0`);
  if (config.direction === 'long-only' && input.side === 'SELL') return { targetQuantity: 0 };
  const sign: 1 | -1 = input.side === 'BUY' ? 1 : -1;

  if (config.hold && input.position !== null && Math.sign(input.position) === sign) return { targetQuantity: input.position };

  const ruleDistance = stopDistance(config, input, sign);
  // Away from the entry: the stop is never tighter than the rule, and sizing uses the rounded distance.
  const stopLoss = ruleDistance === null ? undefined : roundOnTick(price - sign * ruleDistance, config.tick, sign === 1 ? 'down' : 'up');
  if (stopLoss !== undefined && stopLoss <= 0) {
    throw new Error(`stop distance ${ruleDistance} is not below the price ${price} (${labels.price}): the stop would be at ${stopLoss}; use a smaller stop distance`);
  }
  const distance = stopLoss === undefined ? null : sign * (price - stopLoss);
  const contractValue = price * config.multiplier;

  const equity = (): number => {
    const value = input.equity;
    if (value === null) throw new Error(`no equity to size ${config.method === 'risk' ? 'risk per trade' : 'percent of equity'}: configure a connection on the risk-sizer or set ${labels.equity}`);
    if (!positive(value)) throw new Error(`equity ${value} (${labels.equity}) must be a number > 0`);
    return value;
  };

  let quantity: number;
  switch (config.method) {
    case 'fixed':
      quantity = config.shares;
      break;
    case 'notional':
      quantity = config.notional / contractValue;
      break;
    case 'percent':
      quantity = (equity() * config.equityPercent) / 100 / contractValue;
      break;
    case 'risk':
      quantity = (equity() * config.riskPercent) / 100 / ((distance as number) * config.multiplier);
      break;
  }
  const uncapped = quantity;
  if (config.maxPosition !== null) quantity = Math.min(quantity, config.maxPosition);
  if (config.maxNotional !== null) quantity = Math.min(quantity, config.maxNotional / contractValue);
  quantity = roundDownToIncrement(quantity, config.increment);
  if (quantity <= 0) {
    if (quantity === 0 && uncapped >= config.increment) {
      throw new Error(`the caps (maximum position ${config.maxPosition ?? 'none'}, maximum notional ${config.maxNotional ?? 'none'}) leave less than one increment (${config.increment}) of ${input.instrument} at ${atPrice(price, config.multiplier)}: raise the caps`);
    }
    const basis = config.method === 'fixed' ? `fixed shares ${config.shares}` : config.method === 'notional' ? `notional ${config.notional}` : `equity ${input.equity}`;
    throw new Error(`${basis} is too small for one increment (${config.increment}) of ${input.instrument} at ${atPrice(price, config.multiplier)}: raise ${config.method === 'fixed' ? 'the shares' : config.method === 'notional' ? 'the notional' : 'the equity or the percent'}, or lower the size increment`);
  }

  if (config.minSize !== undefined && quantity < config.minSize - 1e-12) {
    throw new Error(`${quantity} of ${input.instrument} is below its minimum size ${config.minSize} (TWS's contract details) at ${atPrice(price, config.multiplier)}: raise ${config.method === 'fixed' ? 'the shares' : config.method === 'notional' ? 'the notional' : 'the equity or the percent'}`);
  }

  const order: OrderIntent = { targetQuantity: sign * quantity };
  if (stopLoss !== undefined) order.stopLoss = stopLoss;
  const ruleTakeProfit = takeProfitLevel(config.takeProfit, price, sign, distance);
  if (ruleTakeProfit !== undefined) {
    // Toward the entry: reached no later than the rule's level, never a bigger profit than it.
    const takeProfit = roundOnTick(ruleTakeProfit, config.tick, sign === 1 ? 'down' : 'up');
    if (takeProfit <= 0) throw new Error(`the take-profit would be at ${takeProfit} for a short from ${price}: use a smaller take-profit distance or percent`);
    if (sign * (takeProfit - price) <= 0) {
      throw new Error(`the take-profit ${ruleTakeProfit} is less than one tick (${config.tick}) from the entry ${price} (${labels.price}): on the tick it would be at ${takeProfit}; use a larger take-profit distance or percent`);
    }
    order.takeProfit = takeProfit;
  }
  return order;
}

/** "5000" for shares; "5000 (x50 = 250000 a contract)" for a future. */
function atPrice(price: number, multiplier: number): string {
  return multiplier === 1 ? String(price) : `${price} (x${multiplier} = ${price * multiplier} a contract)`;
}

function takeProfitLevel(rule: TakeProfitRule, price: number, sign: 1 | -1, distance: number | null): number | undefined {
  switch (rule.kind) {
    case 'none':
      return undefined;
    case 'fixed':
      return price + sign * rule.distance;
    case 'percent':
      return price * (1 + (sign * rule.percent) / 100);
    case 'r':
      return price + sign * rule.multiple * (distance as number);
  }
}
