/**
 * One strategy's orders on a broker (what a place-order node does, without Node-RED): checks the
 * intent, turns a target position into the difference still needed, modifies and cancels, and tells
 * which broker events are its own. Work for one instrument is done one message at a time, so a burst
 * of identical targets sees the first one's order as working and sends nothing more.
 */
import type { Contract } from '@stoqey/ib';
import { reportsOrder, type Broker, type OrderContext, type WhatIfPreview, type WorkingOrder } from './broker';
import type { Execution, InstrumentKey, OrderEvent, OrderIntent } from '../messages';
import { applyModification, buildOrder, describeOrder } from './build';
import { OrderInputError, OrderRefusedError } from './errors';
import type { ProtectiveLevels } from './plan';
import { TargetOrders } from './target-orders';
import { strategyOfOrderRef } from './strategy-ref';
import { toNumber, validateOrderIntent, type CheckedIntent } from './validate';
import { describeValue } from '../messages/describe-value';
import { KeyedSerial } from './keyed-serial';
import { algoTypeProblem, type AlgoStrategy } from './algos-conditions';
import { OrderInstruments, type InstrumentFacts } from './order-instruments';
import { orderSizeRules, type SizeRules } from '../messages/size-rules';
import { tolerant } from '../messages/json-text';
import { isGiven } from '../messages/setting';

export interface StrategyOrdersOptions {
  /** Who places (a node id): journal source and part of the duplicate key. */
  source: string;
  /** orderRef of this strategy's orders: how its working orders are found again after a restart. */
  orderRef: string;
  /** The node's configured order fields; msg.order fields win. */
  defaults?: Partial<OrderIntent>;
  /** A problem found after the message was done (a re-plan refused, a bracket undone): the node reports it. */
  onProblem?: (key: InstrumentKey, message: string) => void;
  /**
   * What the connection knows of an instrument (its Connection answers both): the size rules an
   * order's quantity is checked against, and the contract id a price condition names. Without it,
   * quantities are checked against msg.contract's rules and conditions need their conId.
   */
  instruments?: InstrumentFacts;
}

export interface OrderRequest {
  key: InstrumentKey;
  contract: Contract;
  /** msg.order (may be undefined when the defaults make a whole order). */
  order?: unknown;
  /** msg._msgid: the same message delivered again places nothing. */
  msgId?: string;
  /** A reference price for limits (bar close, quote last). */
  price?: number;
  /** The message carries the replay mark: only a backtest fills its orders (see OrderContext.history). */
  history?: boolean;
}

export interface OrderOutcome {
  kind: 'sent' | 'modified' | 'nothing' | 'duplicate' | 'cancelled' | 'preview';
  /** kind 'preview' (msg.order.whatIf): TWS's margins and commission for the order; nothing was placed. */
  preview?: WhatIfPreview;
  /** Orders placed, modified or cancelled. */
  orderIds: number[];
  /** Short text for the node status. */
  text: string;
}

export class StrategyOrders {
  private readonly placed = new Set<number>();
  private readonly queue = new KeyedSerial();
  private readonly traders = new Map<string, TargetOrders>();
  /** The last request submitted and its size rules, for the dry run of the decision (rehearse()). */
  private sample: OrderRequest | null = null;
  private sampleRules: SizeRules | null = null;
  private readonly stopRehearsal: (() => void) | null;
  /** The instruments' size rules and contract ids, asked of the connection. */
  private readonly instruments: OrderInstruments;

  constructor(
    private readonly broker: Broker,
    readonly options: StrategyOrdersOptions,
  ) {
    // Every place-order node's strategy runs this same code: the rehearsal takes one of them per run.
    this.stopRehearsal = broker.keepWarm?.(() => this.rehearse(), 'strategy orders') ?? null;
    this.instruments = new OrderInstruments(broker, options.instruments);
  }

  /**
   * A dry run of the last decision's own steps (the intent's checks, its duplicate key, the plan of a
   * target and its legs), on what the strategy holds now (Broker.keepWarm): read only, nothing
   * queued, placed, cancelled or reserved, so that this code is not cold when the next message comes.
   */
  rehearse(): void {
    const request = this.sample;
    if (!request) return;
    const intent = validateOrderIntent(request.order, this.options.defaults ?? {}, 'msg.order', this.sampleRules ?? orderSizeRules(null, request.contract), true);
    stableJson(request.order);
    if (intent.kind !== 'target') return;
    this.traders.get(intent.orderRef ?? this.options.orderRef)?.rehearse(request.key, intent.targetQuantity, intent);
  }

  /** Stops listening to the broker (the node closes). */
  dispose(): void {
    this.stopRehearsal?.();
    for (const trader of this.traders.values()) trader.dispose();
    this.traders.clear();
  }

  /**
   * Places, modifies or moves to a target, one request per instrument at a time. The quantity is
   * checked against the instrument's size rules (asked of the connection the first time an
   * instrument is traded; at once after that), the intent before it is queued.
   */
  submit(request: OrderRequest): Promise<OrderOutcome> {
    const rules = this.instruments.sizeRules(request.key, request.contract);
    return rules instanceof Promise ? rules.then((found) => this.checkAndQueue(request, found)) : this.checkAndQueue(request, rules);
  }

  private checkAndQueue(request: OrderRequest, rules: SizeRules): Promise<OrderOutcome> {
    // Checked before it is queued, so a malformed order fails before anything else happens.
    const intent = validateOrderIntent(request.order, this.options.defaults ?? {}, 'msg.order', rules, true);
    this.sample = request;
    this.sampleRules = rules;
    return this.queue.run(request.key, () => {
      const resolved = this.instruments.withConditionIds(intent, request.contract);
      return resolved instanceof Promise ? resolved.then((withIds) => this.run(request, withIds, rules)) : this.run(request, resolved, rules);
    });
  }

  /** Whether msg.order asks to modify a working order (which needs no instrument in the msg). */
  static isModification(order: unknown): boolean {
    return !!order && typeof order === 'object' && (order as Record<string, unknown>).orderId !== undefined && (order as Record<string, unknown>).orderId !== null && (order as Record<string, unknown>).orderId !== '';
  }

  /** The instrument of a working order (for a modification that names only the order id). */
  instrumentOfOrder(orderId: unknown): { key: InstrumentKey; contract: Contract } | null {
    const working = this.broker.workingOrders().find((w) => w.orderId === Number(orderId));
    return working ? { key: working.key, contract: working.contract } : null;
  }

  /** Cancels one working order (by id) or every working order of this strategy ('all'). */
  cancel(which: unknown, key?: InstrumentKey): OrderOutcome {
    for (const trader of this.traders.values()) {
      if (key !== undefined) trader.forget(key);
      else for (const w of this.working()) trader.forget(w.key);
    }
    if (which === 'all' || which === true) {
      const ids = this.working(key).map((w) => w.orderId);
      for (const id of ids) this.broker.cancelOrder(id);
      return { kind: 'cancelled', orderIds: ids, text: ids.length ? `cancel ${ids.length} order${ids.length > 1 ? 's' : ''}` : 'nothing to cancel' };
    }
    const id = typeof which === 'string' && which.trim() !== '' ? Number(which) : which;
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
      throw new OrderInputError('msg.cancel', `msg.cancel must be an order id (a positive integer) or "all", got ${describeValue(which)}`);
    }
    if (!this.broker.workingOrders().some((w) => w.orderId === id)) {
      throw new OrderInputError('msg.cancel', `order ${id} is not a working order (already filled, cancelled or unknown): nothing to cancel`);
    }
    this.broker.cancelOrder(id);
    return { kind: 'cancelled', orderIds: [id], text: `cancel #${id}` };
  }

  /**
   * When the account's position on `key` differs from the sum of the strategies' (manual trades,
   * other software, holdings from before the executions TWS still lists), a note saying so; null
   * when they agree or the broker keeps no positions per strategy. The difference is never traded.
   */
  accountNote(key: InstrumentKey): string | null {
    const book = this.broker.strategyBook?.();
    if (!book) return null;
    let attributed = 0;
    for (const [strategy, perKey] of Object.entries(book)) if (strategy !== '') attributed += perKey[key]?.quantity ?? 0;
    const account = this.broker.position(key);
    const rest = Math.round((account - attributed) * 1e8) / 1e8;
    return rest === 0 ? null : `${rest} not from any strategy`;
  }

  /** This strategy's working orders (optionally of one instrument). */
  working(key?: InstrumentKey): WorkingOrder[] {
    return this.broker.workingOrders(key).filter((w) => this.ownsOrder(w.orderId, w.order.orderRef));
  }

  ownsEvent(event: OrderEvent | Execution): boolean {
    return this.ownsOrder(event.orderId, event.orderRef);
  }

  /** Whether this strategy's node sends the event on (reportsOrder: the node that placed the order). */
  reportsEvent(event: OrderEvent | Execution): boolean {
    return reportsOrder(this.broker, this.options.source, event.orderId, this.ownsEvent(event));
  }

  private ownsOrder(orderId: number, orderRef: string | undefined): boolean {
    return this.placed.has(orderId) || (orderRef !== undefined && strategyOfOrderRef(orderRef) === strategyOfOrderRef(this.options.orderRef));
  }

  private async run(request: OrderRequest, intent: CheckedIntent, sizeRules: SizeRules): Promise<OrderOutcome> {
    // The message's part of every leg's duplicate key, written once (each leg and each look-up used to write it again).
    const messageKey = request.msgId ? `${this.options.source}:${request.msgId}:${request.key}:${stableJson(request.order)}:` : null;
    const context = (leg: string, inputs: Record<string, unknown>): OrderContext => ({
      source: this.options.source,
      dedupKey: messageKey === null ? undefined : messageKey + leg,
      price: request.price,
      inputs: { key: request.key, order: request.order, ...inputs },
      history: request.history,
      sizeRules,
    });
    if (intent.kind === 'modify') {
      const working = this.broker.workingOrders().find((w) => w.orderId === intent.orderId);
      if (!working) throw new OrderInputError('msg.order.orderId', `order ${intent.orderId} is not a working order (already filled, cancelled or unknown): nothing to modify`);
      const order = applyModification(working.order, intent.changes);
      const algoWrong = order.algoStrategy ? algoTypeProblem(order.algoStrategy as AlgoStrategy, String(order.orderType)) : null;
      if (algoWrong) throw new OrderInputError('msg.order.algoStrategy', `msg.order modifies order ${intent.orderId}: ${algoWrong}`);
      this.broker.placeOrder(intent.orderId, working.contract, order, context('modify', { changes: intent.changes }));
      return { kind: 'modified', orderIds: [intent.orderId], text: `#${intent.orderId} ${describeOrder(order)}` };
    }
    const ref = intent.orderRef ?? this.options.orderRef;
    if (intent.kind === 'explicit' && intent.whatIf) {
      // A preview places nothing: no duplicate key, no interlock, no journal line of an order sent.
      if (levelsOf(request.order)) throw new OrderInputError('msg.order.whatIf', 'msg.order.whatIf previews one order: remove stopLoss and takeProfit, or whatIf');
      if (!this.broker.whatIf) throw new OrderRefusedError('what-if', 'this connection cannot preview orders (its broker has no what-if)');
      const order = buildOrder(intent.action, intent.totalQuantity, intent, ref);
      const preview = await this.broker.whatIf(request.contract, order);
      const change = preview.initMarginChange;
      return { kind: 'preview', orderIds: [], preview, text: `what-if ${describeOrder(order)}: init margin ${change === null ? 'unknown' : `${change >= 0 ? '+' : ''}${change}`}` };
    }
    const entryContext = context('entry', {});
    const already = entryContext.dedupKey ? this.broker.placedFor?.(entryContext.dedupKey) ?? this.broker.placedFor?.(context('exit', {}).dedupKey as string) : null;
    if (already != null) return { kind: 'duplicate', orderIds: [already], text: 'same msg again: ignored' };
    const block = this.broker.orderBlock();
    if (block) throw new OrderRefusedError('interlock', block);
    // Before planning: a target from history must not even cancel working orders.
    const history = request.history ? (this.broker.historyBlock?.() ?? null) : null;
    if (history) throw new OrderRefusedError('history', history);
    if (intent.kind === 'explicit' && levelsOf(request.order)) {
      const placed = await this.trader(ref).sendExplicit({ key: request.key, contract: request.contract, terms: intent, levels: levelsOf(request.order), protection: { tif: 'GTC', outsideRth: intent.outsideRth }, context }, intent.action, intent.totalQuantity);
      return { kind: 'sent', orderIds: placed.map((p) => p.orderId), text: `#${placed[0].orderId} ${describeOrder(placed[0].order)}${placed.length > 1 ? ` +${placed.length - 1} protected` : ''}` };
    }
    if (intent.kind === 'explicit') {
      const order = buildOrder(intent.action, intent.totalQuantity, intent, ref);
      const id = await this.broker.nextOrderId();
      this.broker.placeOrder(id, request.contract, order, entryContext);
      this.placed.add(id);
      return { kind: 'sent', orderIds: [id], text: `#${id} ${describeOrder(order)}` };
    }
    const { plan, placed } = await this.trader(ref).moveTo({
      key: request.key,
      contract: request.contract,
      target: intent.targetQuantity,
      terms: intent,
      levels: levelsOf(request.order),
      protection: { tif: 'GTC', outsideRth: intent.outsideRth },
      context: (leg, inputs) => ({ ...context(leg, inputs), inputs: { ...entryContext.inputs, ...inputs } }),
    });
    const ids = placed.map((p) => p.orderId);
    if (ids.length === 0) {
      const text = plan.waiting ? `target ${plan.target}: waiting for ${plan.cancel.length || 'earlier'} cancel${plan.cancel.length === 1 ? '' : 's'} to be confirmed` : plan.cancel.length ? `cancel ${plan.cancel.length}, target ${plan.target} met` : `target ${plan.target} already met`;
      return { kind: plan.cancel.length ? 'cancelled' : 'nothing', orderIds: plan.cancel, text };
    }
    const first = placed[0];
    const protectedText = placed.some((p) => p.role === 'stop-loss' || p.role === 'take-profit') ? ' protected' : '';
    return { kind: 'sent', orderIds: [...plan.cancel, ...ids], text: `#${first.orderId} ${describeOrder(first.order)}${placed.length > 1 ? ` +${placed.length - 1}` : ''}${protectedText} → ${plan.target}` };
  }

  private trader(ref: string): TargetOrders {
    let trader = this.traders.get(ref);
    if (!trader) {
      trader = new TargetOrders(this.broker, {
        orderRef: ref,
        owns: (orderId, orderRef) => this.ownsOrder(orderId, orderRef),
        onPlaced: (orderId) => this.placed.add(orderId),
        onProblem: (key, message) => this.options.onProblem?.(key, message),
        enqueue: (key, job) => void this.queue.run(key, job),
      });
      this.traders.set(ref, trader);
    }
    return trader;
  }
}

/** Protective levels riding on msg.order (risk-sizer writes them): attached to what the order opens. */
export function levelsOf(order: unknown): ProtectiveLevels | null {
  if (!order || typeof order !== 'object') return null;
  const raw = order as Record<string, unknown>;
  const levels: ProtectiveLevels = {};
  for (const field of ['stopLoss', 'takeProfit'] as const) {
    const value = raw[field];
    if (!isGiven(value)) continue;
    const n = toNumber(value);
    if (n === null || !Number.isFinite(n) || n <= 0) throw new OrderInputError(`msg.order.${field}`, `msg.order.${field} must be a positive price, got ${describeValue(value)}`);
    levels[field] = n;
  }
  return levels.stopLoss !== undefined || levels.takeProfit !== undefined ? levels : null;
}

/**
 * JSON with sorted keys: the same order written twice gives the same text. It never throws: a message
 * JSON cannot write (a BigInt, a circular structure) still gets a key, with the BigInt as "5n" and
 * the loop as "[circular]"; anything JSON can write keeps the text it always had (journaled keys).
 */
export function stableJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, sortKeys) ?? '';
  } catch {
    return JSON.stringify(value, tolerant(sortKeys)) ?? '';
  }
}

/**
 * The order of String.prototype.localeCompare (which keys journaled dedup keys were made with), from
 * one collator: localeCompare looks its collator up again on every comparison.
 */
const keyOrder = new Intl.Collator().compare;

function sortKeys(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source).sort(keyOrder);
  // No prototype: a "__proto__" key stays a plain field, as Object.fromEntries kept it.
  const sorted: Record<string, unknown> = Object.create(null);
  for (let i = 0; i < keys.length; i++) sorted[keys[i]] = source[keys[i]];
  return sorted;
}
