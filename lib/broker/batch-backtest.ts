/**
 * The batch (vectorized) backtest on the one order path: bars of one or several instruments and, per
 * instrument, an index-aligned array of order intents (what risk-sizer writes in batch mode:
 * `{targetQuantity, stopLoss?, takeProfit?}` per bar, null for no change). The bars go through the
 * batch clock (lib/backtest/batch.ts: the replay's time order, one equity point per timestamp); each
 * intent goes the way place-order sends one in a replay: checked (lib/orders/validate), planned
 * (lib/orders/plan.ts through target-orders.ts: a target sends only what the strategy's position and
 * working orders leave, risk-sizer's stopLoss/takeProfit bracket what an order opens), through
 * the account guard (limits, kill switch, daily-loss lock, journal: guarded-broker.ts) to the backtest
 * broker and the fill engine. Only Node-RED's messaging is left out, so a million bars take well under
 * a second and the figures equal a replay's to the cent.
 */
import type { Contract } from '@stoqey/ib';
import type { InstrumentKey, OrderEvent, OrderIntent } from '../messages';
import { batchLength, isBarBatch, type BarBatch } from '../messages/bar-columns';
import { contractFromKey, instrumentKey } from '../messages/instrument';
import { findMessageInstrument } from '../messages/message-instrument';
import { buildOrder } from '../orders/build';
import { OrderRefusedError } from '../orders/errors';
import { levelsOf } from '../orders/strategy-orders';
import { TargetOrders } from '../orders/target-orders';
import { isBuyingPowerRejection } from '../fills/margin';
import { validateOrderIntent } from '../orders/validate';
import type { RiskLimits } from '../risk-controls/limits';
import { runBatch, type BatchAct } from '../backtest/batch';
import type { BacktestRun, EngineFactory } from '../backtest/session';
import type { BacktestOptions, BacktestSummary, SummaryOptions } from '../backtest/types';
import { BacktestBroker } from './backtest-broker';
import { GuardedBroker } from './guarded-broker';
import type { Broker, OrderContext } from '../orders/broker';

/** One instrument of a batch: its bars and the intents index-aligned with them. */
export interface BatchInstrumentInput {
  key: InstrumentKey;
  /** An array of bar objects, or columns ({time, open, high, low, close, volume} arrays), in time order. */
  bars: BarBatch;
  /** Index-aligned with bars; null/undefined = no change on that bar. */
  orders: ReadonlyArray<OrderIntent | null | undefined>;
  /** The contract orders go out with (msg.contract: a future's multiplier, say); else the key's. */
  contract?: Contract;
  /** Where the instrument came from, for error texts: "msg.payload" (one instrument) or "msg.payload[1]" / "msg.payload.MSFT". */
  where?: string;
}

export interface PortfolioBacktestInput {
  instruments: readonly BatchInstrumentInput[];
  options: BacktestOptions;
  /** Terms every intent starts from (place-order's configured defaults); msg fields win. */
  orderDefaults?: Partial<OrderIntent>;
  /** orderRef of the orders sent (backtest-report uses its node id). */
  orderRef?: string;
  /** The account guard's limits (the connection's: ib-connect's limits); none when absent. */
  limits?: RiskLimits;
  summary?: SummaryOptions;
  createEngine?: EngineFactory;
}

export interface BatchBacktestInput extends Omit<PortfolioBacktestInput, 'instruments'>, Omit<BatchInstrumentInput, 'where'> {}

/** One instrument (msg.payload bars, msg.order intents). */
export function runBatchBacktest(input: BatchBacktestInput): BacktestSummary {
  const { key, bars, orders, contract, ...rest } = input;
  return runPortfolioBacktest({ ...rest, instruments: [{ key, bars, orders, contract }] });
}

/** Several instruments on one account and one clock. */
export function runPortfolioBacktest(input: PortfolioBacktestInput): BacktestSummary {
  if (input.instruments.length === 0) throw new Error('batch backtest: no instruments: msg.payload holds no bars');
  const legs = input.instruments.map(checkLeg);
  const seen = new Map<InstrumentKey, string>();
  for (const leg of legs) {
    const other = seen.get(leg.key);
    if (other !== undefined) throw new Error(`batch backtest: ${other} and ${leg.where} are both ${leg.key}: give each instrument once`);
    seen.set(leg.key, leg.where);
  }
  let release: (() => void) | null = null;
  return runBatch({
    instruments: legs.map((leg) => ({ key: leg.key, bars: leg.bars })),
    options: input.options,
    summary: input.summary,
    createEngine: input.createEngine,
    orderPath: (run) => {
      const path = batchOrderPath(run, legs, input);
      release = () => {
        path.dispose();
        path.guard.dispose();
      };
      return path.act;
    },
    finish: () => release?.(),
  });
}

interface Leg {
  key: InstrumentKey;
  contract: Contract;
  bars: BarBatch;
  orders: ReadonlyArray<OrderIntent | null | undefined>;
  where: string;
  /** The label of intent i in error texts: msg.order[i], or msg.payload[1].order[i]. */
  orderLabel: string;
}

function checkLeg(input: BatchInstrumentInput): Leg {
  const where = input.where ?? 'msg.payload';
  const orderLabel = input.where === undefined ? 'msg.order' : `${where}.order`;
  const { bars, orders } = input;
  if (!isBarBatch(bars)) {
    throw new Error(`batch backtest: ${where === 'msg.payload' ? 'msg.payload' : `${where}.payload`} must be an array of bars {time, open, high, low, close, volume}, or columns {time: [...], open: [...], high: [...], low: [...], close: [...], volume: [...]}`);
  }
  const n = batchLength(bars);
  if (!Array.isArray(orders)) {
    throw new Error(`batch backtest: ${orderLabel} must be an array of order intents index-aligned with ${where === 'msg.payload' ? 'msg.payload' : `${where}.payload`} (risk-sizer writes one in batch mode)`);
  }
  if (orders.length !== n) {
    throw new Error(`batch backtest: ${orderLabel} has ${orders.length} entries but ${where === 'msg.payload' ? 'msg.payload' : `${where}.payload`} has ${n} bars: they must be index-aligned`);
  }
  const contract = input.contract ?? contractFromKey(input.key);
  // The engine books orders under their contract's key: the bars go in under the same one, so a topic
  // spelled differently ("aapl", or "ES" beside a full futures msg.contract) still meets its orders.
  return { key: instrumentKey(contract), contract, bars, orders, where, orderLabel };
}

/**
 * The order path of a batch on `run`: the backtest broker inside the account guard (on the bars' time:
 * orders per minute and the daily-loss day are those of the bars), and per intent what place-order does.
 */
function batchOrderPath(run: BacktestRun, legs: readonly Leg[], input: PortfolioBacktestInput): { guard: GuardedBroker; act: BatchAct; dispose: () => void } {
  let now = 0;
  const inner = new BacktestBroker(run);
  // No journal: a batch is a computation over history, rerun at will; the daily loss is measured on fills and orders.
  const guard = new GuardedBroker(inner, { limits: input.limits ?? {}, journal: null, clock: () => now, lossCheckMs: 0 });
  const orderRef = input.orderRef ?? 'batch';
  const defaults = input.orderDefaults ?? {};
  // A refused order must not pass silently: the batch would report a run with trades missing.
  let refused: OrderEvent | null = null;
  guard.on('order', (event) => {
    // What the account could not pay for is a result (counted in rejectedOrders), not a broken batch.
    if (event.status === 'Inactive' && refused === null && !isBuyingPowerRejection(event.reason)) refused = event;
  });
  // One planner per strategy (orderRef); every order of the batch is its own.
  let problem: string | null = null;
  const traders = new Map<string, TargetOrders>();
  const trader = (ref: string): TargetOrders => {
    let t = traders.get(ref);
    if (!t) {
      t = new TargetOrders(guard, {
        orderRef: ref,
        owns: () => true,
        onPlaced: () => undefined,
        onProblem: (_key, message) => {
          problem ??= message;
        },
        // The engine confirms a cancel at once: a target never waits for one in a backtest.
        enqueue: () => undefined,
      });
      traders.set(ref, t);
    }
    return t;
  };
  // Made once for the run, not once per intent: the price legs are placed at and the id source.
  const at = { price: 0 };
  const context = (_leg: string, inputs: Record<string, unknown>): OrderContext => ({ source: 'batch', price: at.price, inputs });
  const nextId = () => inner.reserveOrderId();
  const act: BatchAct = (part, index, bar) => {
    const leg = legs[part]!;
    const intent = leg.orders[index];
    if (intent === null || intent === undefined) return;
    now = bar.time;
    at.price = bar.close;
    const label = `${leg.orderLabel}[${index}]`;
    try {
      place(guard, trader, leg, intent, defaults, orderRef, label, context, nextId);
    } catch (err) {
      if (err instanceof OrderRefusedError) throw new Error(`batch backtest: the order for ${label} was refused by the account guard: ${err.message}`);
      throw err;
    }
    if (problem !== null) throw new Error(`batch backtest: the orders for ${label}: ${problem}`);
    if (refused !== null) {
      const { orderId, reason } = refused as OrderEvent;
      throw new Error(`batch backtest: the order for ${label} (order ${orderId}) was refused: ${reason ?? 'no reason given'}`);
    }
  };
  const dispose = () => {
    for (const t of traders.values()) t.dispose();
  };
  return { guard, act, dispose };
}

/**
 * What place-order does with one intent (lib/orders/strategy-orders.ts), without its message queue: a
 * target or an explicit order with risk-sizer's stopLoss/takeProfit goes through the planner
 * (lib/orders/target-orders.ts: the exit alone, the opening part bracketed), a plain explicit order as
 * it is. Ids are reserved at once, so the bar's orders are in before the next bar.
 */
function place(
  broker: Broker,
  trader: (ref: string) => TargetOrders,
  leg: Leg,
  intent: OrderIntent,
  defaults: Partial<OrderIntent>,
  orderRef: string,
  label: string,
  context: (leg: string, inputs: Record<string, unknown>) => OrderContext,
  nextId: () => number,
): void {
  const checked = validateOrderIntent(intent, defaults, label);
  if (checked.kind === 'modify') {
    throw new Error(`${label} modifies order ${checked.orderId}: a batch backtest takes targets or new orders only`);
  }
  const block = broker.orderBlock();
  if (block) throw new OrderRefusedError('interlock', block);
  const ref = checked.orderRef ?? orderRef;
  const levels = levelsOf(intent);
  const protection = checked.outsideRth ? GTC_OUTSIDE_RTH : GTC_REGULAR_HOURS;
  if (checked.kind === 'explicit') {
    if (levels) trader(ref).sendExplicitNow({ key: leg.key, contract: leg.contract, terms: checked, levels, protection, context }, checked.action, checked.totalQuantity, nextId);
    else broker.placeOrder(nextId(), leg.contract, buildOrder(checked.action, checked.totalQuantity, checked, ref), context('entry', {}));
    return;
  }
  const strategy = trader(ref);
  // A target the strategy already holds, with no order working on the instrument, plans to nothing:
  // skipped here (checked and past the interlock like any), so a sizer that repeats its target on every
  // bar costs the batch a comparison, not a plan.
  if (strategy.position(leg.key) === checked.targetQuantity && broker.workingOrders(leg.key).length === 0) return;
  strategy.moveToNow({ key: leg.key, contract: leg.contract, terms: checked, levels, protection, context, target: checked.targetQuantity }, nextId);
}

/** The terms of protective legs (place-order's): GTC, outside regular hours when the entry may be. */
const GTC_REGULAR_HOURS = { tif: 'GTC', outsideRth: false } as const;
const GTC_OUTSIDE_RTH = { tif: 'GTC', outsideRth: true } as const;

/** What a batch message carries: msg.topic, msg.contract, msg.payload (bars or instruments), msg.order. */
export interface BatchMessage {
  topic?: unknown;
  contract?: unknown;
  payload?: unknown;
  order?: unknown;
}

/**
 * The instruments of a batch message, or null when msg.payload is no batch (a bar passing by).
 * - One instrument: msg.payload bars (objects or columns), msg.order the intents; the instrument is
 *   the message's (lib/messages/message-instrument.ts: msg.contract, else msg.topic), else "bars".
 * - Several: msg.payload an array of `{topic, contract?, payload, order}` (one message per instrument,
 *   as a join node in array mode over complete messages makes it), or an object of them keyed by
 *   instrument (a join node in key/value mode on msg.topic); msg.order is then unused.
 * Throws a message that says what is wrong with a part.
 */
export function batchInstruments(msg: BatchMessage): BatchInstrumentInput[] | null {
  const payload = msg.payload;
  if (isBarBatch(payload) && !isInstrumentList(payload)) {
    if (msg.order === undefined) {
      throw new Error('batch backtest: msg.order is missing: put a risk-sizer (or your own node) before backtest-report so msg.order holds one order intent (or null) per bar');
    }
    const named = findMessageInstrument(msg, null, 'message');
    return [{ key: named?.key ?? 'bars', bars: payload, orders: msg.order as BatchInstrumentInput['orders'], contract: named?.from === 'contract' ? named.contract : undefined }];
  }
  if (isInstrumentList(payload)) return payload.map((part, i) => instrumentPart(part, `msg.payload[${i}]`, null));
  if (isInstrumentMap(payload)) return Object.entries(payload).map(([name, part]) => instrumentPart(part, `msg.payload.${name}`, name));
  return null;
}

type Part = Record<string, unknown>;

function isPart(value: unknown): value is Part {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isBarBatch((value as Part).payload);
}

function isInstrumentList(payload: unknown): payload is Part[] {
  return Array.isArray(payload) && payload.length > 0 && payload.every(isPart);
}

function isInstrumentMap(payload: unknown): payload is Record<string, Part> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  const values = Object.values(payload);
  return values.length > 0 && values.every(isPart);
}

function instrumentPart(part: Part, where: string, name: string | null): BatchInstrumentInput {
  let named: ReturnType<typeof findMessageInstrument>;
  try {
    named = findMessageInstrument(part, null, 'message');
  } catch (err) {
    throw new Error(`batch backtest: ${where}: ${(err as Error).message}`);
  }
  // A part of a keyed object that names no instrument itself is the one its key names.
  if (!named && !name) throw new Error(`batch backtest: ${where} names no instrument: give it a topic (the symbol) or a contract`);
  if (part.order === undefined) {
    throw new Error(`batch backtest: ${where}.order is missing: each instrument needs its intents (risk-sizer writes them in batch mode)`);
  }
  const contract = named?.from === 'contract' ? named.contract : undefined;
  return { key: named?.key ?? name!, bars: part.payload as BarBatch, orders: part.order as BatchInstrumentInput['orders'], contract, where };
}

/**
 * An instrument gathered from one of several messages (lib/backtest/batch-sources.ts): its error texts
 * name the message it came in ("the AAA message's msg.order[12]"), since "msg.order[12]" would not say which.
 */
export function partOfMessages(part: BatchInstrumentInput): BatchInstrumentInput {
  return part.where === undefined ? { ...part, where: `the ${part.key} message's msg` } : part;
}

/** The account limits of a connection's broker when it is guarded (ib-connect's), else none. */
export function guardLimits(broker: Broker | null | undefined): RiskLimits {
  return broker instanceof GuardedBroker ? broker.limits() : {};
}
