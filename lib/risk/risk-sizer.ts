/**
 * The risk-sizer node's logic without Node-RED: per instrument, turn msg.signal into msg.order
 * ({targetQuantity, stopLoss?, takeProfit?}). Batch messages (msg.payload bars, msg.signal an
 * index-aligned array) give an index-aligned msg.order array (null where there is no signal).
 *
 * Where equity and position come from, first match wins:
 * - equity: the connection's broker (when the node has a connection and it knows the equity), else
 *   msg.account.equity;
 * - position: the connection's broker, else msg.position (a number or {quantity}), else the last
 *   target this node gave for the instrument (so a flow without an account still holds/resizes
 *   consistently, and streaming and batch agree).
 */
import type { OrderIntent, Side } from '../messages';
import { batchLength, isBarBatch, isColumn, type BarBatch } from '../messages/bar-columns';
import { contractMultiplier } from '../messages/instrument';
import { isReset, KeyedState, topicKey } from '../messages/keyed-state';
import { asMessageValue, getPath, type MessageValue } from '../messages/path';
import { barValueAt } from '../indicators/column';
import { barValue, numberProblem, requireNumber, type ValueSource } from '../messages/source';
import { roundDownToIncrement, sizePosition, validateSizerConfig, type SizerConfig } from './sizing';
import { jsonText } from '../messages/json-text';
import { sizeRulesOf, type SizeRules } from '../messages/size-rules';

/** What a connection tells the sizer (nodes adapt the broker to this). */
export interface AccountSource {
  equity(): number | null;
  position(key: string): number | null;
  /** Whether orders made from history fill on this account (a backtest's) or are refused (a live one's). */
  tradesHistory?(): boolean;
}

export interface RiskSizerOptions {
  config: SizerConfig;
  /** Entry price: a bar field of msg.payload (close by default) or a message property. */
  price: ValueSource;
  /** The ATR (stop kind 'atr'): a message property path such as ['indicators', 'atr14'], or any value read from each message. */
  atr?: readonly string[] | MessageValue;
  /** The stop price (stop kind 'level'), likewise. */
  stopLevel?: readonly string[] | MessageValue;
  /** Pass messages without a signal on (without msg.order) instead of dropping them. */
  passThrough?: boolean;
}

export type SizerResult =
  | { kind: 'reset'; cleared: number }
  | { kind: 'no-signal'; send: boolean }
  | { kind: 'order'; topic: string; order: OrderIntent }
  | { kind: 'batch'; topic: string; count: number; orders: number; last: OrderIntent | null }
  | { kind: 'warm-up'; topic: string; count: number };

export class RiskSizer {
  private readonly lastTarget = new KeyedState<{ target: number | null }>(() => ({ target: null }));

  private readonly options: RiskSizerOptions & { atr?: MessageValue; stopLevel?: MessageValue };

  constructor(options: RiskSizerOptions) {
    validateSizerConfig(options.config);
    if (options.config.stop.kind === 'atr' && !options.atr) throw new Error('an ATR stop needs the ATR property, e.g. "indicators.atr14"');
    if (options.config.stop.kind === 'level' && !options.stopLevel) throw new Error('a stop from the message needs the stop property, e.g. "stop"');
    this.options = { ...options, atr: options.atr && asMessageValue(options.atr), stopLevel: options.stopLevel && asMessageValue(options.stopLevel) };
  }

  /**
   * `rules`: the instrument's size increment and minimum from TWS's contract details (or a backtest's
   * contracts table), when the node's connection could say; they win over msg.contract's and the setting.
   */
  run(msg: Record<string, unknown>, account: AccountSource | null, rules: SizeRules | null = null): SizerResult {
    if (isReset(msg)) return { kind: 'reset', cleared: this.lastTarget.reset(msg.topic) };
    const topic = topicKey(msg);
    if (isBarBatch(msg.payload)) {
      // History on an account that does not trade it (a live connection: the order path would refuse it)
      // warms the indicators up before live bars; it has warmed everything before this node and ends
      // here. On a backtest connection, or with no connection, a batch of history is what is backtested.
      if (msg.history === true && account?.tradesHistory?.() === false) return { kind: 'warm-up', topic, count: batchLength(msg.payload) };
      return this.runBatch(msg, topic, msg.payload, account, rules);
    }
    const signal = msg.signal;
    if (signal === null || signal === undefined) return { kind: 'no-signal', send: !!this.options.passThrough };
    const side = readSide(signal, 'msg.signal');
    const state = this.lastTarget.get(topic);
    const order = sizePosition(this.configFor(msg, rules), {
      side,
      price: this.readPrice(msg),
      ...this.equity(msg, account),
      position: this.position(msg, account, topic, state.target),
      atr: this.options.atr ? optionalNumber(this.options.atr.read(msg), this.options.atr.label) : undefined,
      stopLevel: this.options.stopLevel ? optionalNumber(this.options.stopLevel.read(msg), this.options.stopLevel.label) : undefined,
      labels: this.labels(account),
      instrument: topic || 'the instrument',
    });
    state.target = order.targetQuantity ?? state.target;
    msg.order = order;
    return { kind: 'order', topic, order };
  }

  /**
   * One pass over the signals; bars without a signal cost a null check. Per signal, values are
   * checked where they are read and error labels ("msg.payload[17].close") are built only when an
   * error text needs them, so a batch fails at the same bar with the same text as streaming.
   */
  private runBatch(msg: Record<string, unknown>, topic: string, bars: BarBatch, account: AccountSource | null, rules: SizeRules | null): SizerResult {
    const n = batchLength(bars);
    const signals = msg.signal;
    if (!Array.isArray(signals) || signals.length !== n) {
      throw new Error(`msg.signal must be an array of ${n} signals or nulls (one per bar) when msg.payload is a batch of bars; it is ${Array.isArray(signals) ? `an array of ${signals.length}` : signals === undefined ? 'missing' : typeof signals}: put a crossover node before this one`);
    }
    const { atr: atrPath, stopLevel: stopPath, price } = this.options;
    const atrColumn = atrPath ? batchColumn(msg, atrPath, n) : null;
    const stopColumn = stopPath ? batchColumn(msg, stopPath, n) : null;
    const { equity, labels: equityLabels } = this.equity(msg, account);
    const columnar = !Array.isArray(bars);
    const priceAt = (i: number) => (columnar && price.kind === 'bar' ? `msg.payload.${price.field}[${i}]` : this.priceLabel(`msg.payload[${i}]`, i));
    const labels = new BatchLabels(equityLabels.equity, priceAt, atrPath, stopPath);
    const instrument = topic || 'the instrument';
    const config = this.configFor(msg, rules);
    const state = { target: this.position(msg, account, topic, null) };
    // The price property (when the price is not a bar field) is looked up at the first signal, as streaming would.
    let priceColumn: ArrayLike<unknown> | null = null;
    // Preallocated and filled: growing a million-slot array by push (or leaving `new Array(n)` sparse) costs several times more.
    const orders = new Array<OrderIntent | null>(n).fill(null);
    let count = 0;
    let last: OrderIntent | null = null;
    for (let i = 0; i < n; i++) {
      const signal = signals[i];
      if (signal === null || signal === undefined) continue;
      labels.index = i;
      const side = sideAt(signals, i);
      let entry: number;
      if (price.kind === 'bar') {
        entry = barValueAt(bars, i, price.field);
      } else {
        priceColumn ??= batchColumn(msg, price.value, n);
        const raw = priceColumn[i];
        entry = typeof raw === 'number' && raw - raw === 0 ? raw : requireNumber(raw, labels.price, 'the price must be a number > 0');
      }
      if (entry <= 0) throw new Error(`${labels.price} is ${entry}: a price must be > 0; check the data source`);
      const order = sizePosition(config, {
        side,
        price: entry,
        equity,
        position: state.target,
        atr: atrColumn ? optionalNumberAt(atrColumn, i, atrPath!) : undefined,
        stopLevel: stopColumn ? optionalNumberAt(stopColumn, i, stopPath!) : undefined,
        labels,
        instrument,
      });
      state.target = order.targetQuantity ?? state.target;
      orders[i] = order;
      last = order;
      count++;
    }
    this.lastTarget.set(topic, state);
    msg.order = orders;
    return { kind: 'batch', topic, count: n, orders: count, last };
  }

  /**
   * The sizing rules for this message: a multiplier on msg.contract (as market-data and historical-bars
   * pass it on, e.g. "50" for ES) wins over the node's setting, so one node can size any instrument.
   * The size increment and minimum are the instrument's (TWS's contract details, else msg.contract's
   * sizeIncrement and minSize); the node's increment still counts where it is a lot above 1 and a whole
   * multiple of the instrument's (round lots of 100 shares on an instrument traded by 1).
   */
  private configFor(msg: Record<string, unknown>, rules: SizeRules | null): SizerConfig {
    const multiplier = contractMultiplier(msg.contract as { multiplier?: unknown } | undefined);
    const { config } = this.options;
    const instrument = rules ?? sizeRulesOf(msg.contract as { sizeIncrement?: unknown; minSize?: unknown } | undefined);
    if (instrument === null) return multiplier === undefined || multiplier === config.multiplier ? config : { ...config, multiplier };
    const increment = config.increment > 1 && config.increment > instrument.increment && roundDownToIncrement(config.increment, instrument.increment) === config.increment ? config.increment : instrument.increment;
    return { ...config, multiplier: multiplier ?? config.multiplier, increment, minSize: instrument.minSize };
  }

  private priceLabel(payloadLabel: string, index: number | undefined): string {
    const { price } = this.options;
    if (price.kind === 'bar') return `${payloadLabel}.${price.field}`;
    return index === undefined ? price.value.label : `${price.value.label}[${index}]`;
  }

  /** Streaming: the entry price of the message. */
  private readPrice(msg: Record<string, unknown>): number {
    const { price } = this.options;
    const label = this.priceLabel('msg.payload', undefined);
    const value = price.kind === 'bar' ? barValue(msg.payload, price.field, 'msg.payload') : requireNumber(price.value.read(msg), label, 'the price must be a number > 0');
    if (value <= 0) throw new Error(`${label} is ${value}: a price must be > 0; check the data source`);
    return value;
  }

  private equity(msg: Record<string, unknown>, account: AccountSource | null): { equity: number | null; labels: { equity: string } } {
    const fromConnection = account?.equity() ?? null;
    if (fromConnection !== null) return { equity: fromConnection, labels: { equity: "the connection's equity" } };
    const raw = getPath(msg, ['account', 'equity']);
    if (raw === undefined || raw === null) return { equity: null, labels: { equity: 'msg.account.equity' } };
    return { equity: requireNumber(raw, 'msg.account.equity', 'set it to the account equity, a number'), labels: { equity: 'msg.account.equity' } };
  }

  private position(msg: Record<string, unknown>, account: AccountSource | null, topic: string, own: number | null): number | null {
    const fromConnection = account?.position(topic) ?? null;
    if (fromConnection !== null) return fromConnection;
    const raw = msg.position;
    if (raw === undefined || raw === null) return own;
    if (typeof raw === 'object' && !Array.isArray(raw)) return requireNumber((raw as { quantity?: unknown }).quantity, 'msg.position.quantity', 'set msg.position to the signed position, a number (or {quantity})');
    return requireNumber(raw, 'msg.position', 'set msg.position to the signed position, a number (or {quantity})');
  }

  private labels(account: AccountSource | null) {
    return {
      price: this.priceLabel('msg.payload', undefined),
      equity: account && account.equity() !== null ? "the connection's equity" : 'msg.account.equity',
      atr: this.options.atr?.label,
      stopLevel: this.options.stopLevel?.label,
    };
  }
}

function readSide(signal: unknown, label: string): Side {
  if (signal === null || typeof signal !== 'object') throw new Error(`${label} is ${typeof signal}: expected {side: "BUY" | "SELL", reason, time} from a crossover node`);
  const side = (signal as { side?: unknown }).side;
  if (side === 'BUY' || side === 'SELL') return side;
  throw new Error(`${label}.side is ${jsonText(side)}: use "BUY" or "SELL" (upper case)`);
}

/** readSide(signals[i], "msg.signal[i]") without building the label unless the signal is refused. */
function sideAt(signals: readonly unknown[], i: number): Side {
  const signal = signals[i];
  const side = typeof signal === 'object' && signal !== null ? (signal as { side?: unknown }).side : undefined;
  return side === 'BUY' || side === 'SELL' ? side : readSide(signal, `msg.signal[${i}]`);
}

/** A number, null (not available yet) or undefined (absent); anything else is an error naming the property. */
function optionalNumber(value: unknown, label: string): number | null | undefined {
  if (value === null || value === undefined) return value;
  const problem = numberProblem(value);
  if (problem !== null) throw new Error(`${label} ${problem}: it must hold a number`);
  return value as number;
}

/**
 * optionalNumber(values[i], "msg.<path>[i]") without building the label unless the value is refused.
 * NaN in a batch array is a warm-up (indicators write NaN there), so it reads as null.
 */
function optionalNumberAt(values: ArrayLike<unknown>, i: number, source: MessageValue): number | null | undefined {
  const value = values[i];
  if (value === null || value === undefined || (typeof value === 'number' && value - value === 0)) return value;
  if (value !== value) return null;
  return optionalNumber(value, `${source.label}[${i}]`);
}

/**
 * The error labels of a batch's current bar (`index`), for sizePosition: built when an error text
 * reads them, not for every signal.
 */
class BatchLabels {
  index = 0;

  constructor(
    readonly equity: string,
    private readonly priceAt: (index: number) => string,
    private readonly atrSource: MessageValue | undefined,
    private readonly stopSource: MessageValue | undefined,
  ) {}

  get price(): string {
    return this.priceAt(this.index);
  }

  get atr(): string | undefined {
    return this.atrSource ? `${this.atrSource.label}[${this.index}]` : undefined;
  }

  get stopLevel(): string | undefined {
    return this.stopSource ? `${this.stopSource.label}[${this.index}]` : undefined;
  }
}

function batchColumn(msg: unknown, source: MessageValue, length: number): ArrayLike<unknown> {
  const raw = source.read(msg);
  if (!isColumn(raw) || raw.length !== length) {
    throw new Error(`${source.label} must be an array of ${length} values (one per bar) when msg.payload is a batch of bars; it is ${Array.isArray(raw) ? `an array of ${raw.length}` : raw === undefined ? 'missing' : typeof raw}`);
  }
  return raw;
}
