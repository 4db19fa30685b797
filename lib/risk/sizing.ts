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
import { said, TextError, type Said, type TextCode } from '../messages/texts';

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
  const refuse = (code: TextCode, value: unknown) => new TextError(said(code, { value: String(value) }));
  if (!positive(config.increment)) throw refuse('sizing.increment', config.increment);
  if (!positive(config.multiplier)) throw refuse('sizing.multiplier', config.multiplier);
  if (!(typeof config.tick === 'number' && Number.isFinite(config.tick) && config.tick >= 0)) throw refuse('sizing.tick', config.tick);
  const need = (value: number, what: TextCode) => {
    if (!positive(value)) throw new TextError(said('sizing.positive', { what: said(what), value: String(value) }));
  };
  if (config.method === 'fixed') need(config.shares, 'sizing.what.fixedShares');
  if (config.method === 'notional') need(config.notional, 'sizing.what.fixedNotional');
  if (config.method === 'percent') need(config.equityPercent, 'sizing.what.equityPercent');
  if (config.method === 'risk') {
    need(config.riskPercent, 'sizing.what.riskPercent');
    if (config.riskPercent > 100) throw refuse('sizing.riskOver100', config.riskPercent);
    if (config.stop.kind === 'none') throw new TextError(said('sizing.riskNeedsStop'));
  }
  if (config.stop.kind === 'fixed') need(config.stop.distance, 'sizing.what.stopDistance');
  if (config.stop.kind === 'percent') {
    need(config.stop.percent, 'sizing.what.stopPercent');
    if (config.stop.percent >= 100) throw refuse('sizing.stopPercentOver100', config.stop.percent);
  }
  if (config.stop.kind === 'atr') need(config.stop.multiple, 'sizing.what.atrMultiple');
  if (config.takeProfit.kind === 'fixed') need(config.takeProfit.distance, 'sizing.what.takeProfitDistance');
  if (config.takeProfit.kind === 'percent') need(config.takeProfit.percent, 'sizing.what.takeProfitPercent');
  if (config.takeProfit.kind === 'r') {
    need(config.takeProfit.multiple, 'sizing.what.takeProfitR');
    if (config.stop.kind === 'none') throw new TextError(said('sizing.takeProfitRNeedsStop'));
  }
  if (config.maxPosition !== null) need(config.maxPosition, 'sizing.what.maxPosition');
  if (config.maxNotional !== null) need(config.maxNotional, 'sizing.what.maxNotional');
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
      const label = () => labels.atr ?? said('sizing.theAtr');
      if (atr === null || atr === undefined) throw new TextError(said(atr === null ? 'sizing.atrWarmingUp' : 'sizing.atrMissing', { label: label() }));
      if (!positive(atr)) throw new TextError(said('sizing.atrNotPositive', { label: label(), value: String(atr) }));
      return stop.multiple * atr;
    }
    case 'level': {
      const level = input.stopLevel;
      const label = () => labels.stopLevel ?? said('sizing.theStopLevel');
      if (!(typeof level === 'number' && Number.isFinite(level))) throw new TextError(level === undefined ? said('sizing.stopLevelMissing', { label: label() }) : said('sizing.stopLevelNotNumber', { label: label(), value: jsonText(level) }));
      if (sign === 1 && level >= price) throw new TextError(said('sizing.stopAboveEntry', { level, label: label(), price, priceLabel: labels.price }));
      if (sign === -1 && level <= price) throw new TextError(said('sizing.stopBelowEntry', { level, label: label(), price, priceLabel: labels.price }));
      return Math.abs(price - level);
    }
  }
}

/** Turns a signal into an order intent: `targetQuantity` (signed) plus stop/take-profit levels when configured. */
export function sizePosition(config: SizerConfig, input: SizingInput): OrderIntent {
  const { price, labels } = input;
  if (!positive(price)) throw new TextError(said('sizing.price', { price: String(price), priceLabel: labels.price }));
  if (config.direction === 'long-only' && input.side === 'SELL') return { targetQuantity: 0 };
  const sign: 1 | -1 = input.side === 'BUY' ? 1 : -1;

  if (config.hold && input.position !== null && Math.sign(input.position) === sign) return { targetQuantity: input.position };

  const ruleDistance = stopDistance(config, input, sign);
  // Away from the entry: the stop is never tighter than the rule, and sizing uses the rounded distance.
  const stopLoss = ruleDistance === null ? undefined : roundOnTick(price - sign * ruleDistance, config.tick, sign === 1 ? 'down' : 'up');
  if (stopLoss !== undefined && stopLoss <= 0) {
    throw new TextError(said('sizing.stopPastZero', { distance: ruleDistance, price, priceLabel: labels.price, stop: stopLoss }));
  }
  const distance = stopLoss === undefined ? null : sign * (price - stopLoss);
  const contractValue = price * config.multiplier;

  const equity = (): number => {
    const value = input.equity;
    if (value === null) throw new TextError(said('sizing.noEquity', { what: said(config.method === 'risk' ? 'sizing.what.riskPerTrade' : 'sizing.what.equityPercent'), equityLabel: labels.equity }));
    if (!positive(value)) throw new TextError(said('sizing.equity', { value: String(value), equityLabel: labels.equity }));
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
      const none = said('sizing.none');
      throw new TextError(said('sizing.capsLeaveNothing', { maxPosition: config.maxPosition ?? none, maxNotional: config.maxNotional ?? none, increment: config.increment, instrument: input.instrument, price: atPrice(price, config.multiplier) }));
    }
    const basis = config.method === 'fixed' ? said('sizing.basis.fixed', { value: config.shares }) : config.method === 'notional' ? said('sizing.basis.notional', { value: config.notional }) : said('sizing.basis.equity', { value: input.equity });
    throw new TextError(said('sizing.tooSmall', { basis, increment: config.increment, instrument: input.instrument, price: atPrice(price, config.multiplier), raise: toRaise(config) }));
  }

  if (config.minSize !== undefined && quantity < config.minSize - 1e-12) {
    throw new TextError(said('sizing.belowMinSize', { quantity, instrument: input.instrument, minSize: config.minSize, price: atPrice(price, config.multiplier), raise: toRaise(config) }));
  }

  const order: OrderIntent = { targetQuantity: sign * quantity };
  if (stopLoss !== undefined) order.stopLoss = stopLoss;
  const ruleTakeProfit = takeProfitLevel(config.takeProfit, price, sign, distance);
  if (ruleTakeProfit !== undefined) {
    // Toward the entry: reached no later than the rule's level, never a bigger profit than it.
    const takeProfit = roundOnTick(ruleTakeProfit, config.tick, sign === 1 ? 'down' : 'up');
    if (takeProfit <= 0) throw new TextError(said('sizing.takeProfitPastZero', { takeProfit, price }));
    if (sign * (takeProfit - price) <= 0) {
      throw new TextError(said('sizing.takeProfitUnderTick', { rule: ruleTakeProfit, tick: config.tick, price, priceLabel: labels.price, takeProfit }));
    }
    order.takeProfit = takeProfit;
  }
  return order;
}

/** "5000" for shares; "5000 (x50 = 250000 a contract)" for a future. */
function atPrice(price: number, multiplier: number): Said {
  return multiplier === 1 ? said('sizing.atPrice', { price }) : said('sizing.atPriceMultiplied', { price, multiplier, value: price * multiplier });
}

/** What to raise when the sizing basis is too small for one increment. */
function toRaise(config: SizerConfig): Said {
  return said(config.method === 'fixed' ? 'sizing.raise.shares' : config.method === 'notional' ? 'sizing.raise.notional' : 'sizing.raise.equity');
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
