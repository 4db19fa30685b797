/**
 * Protective orders for one strategy (what a stop-order node does, without Node-RED): an entry with
 * its stop-loss and take-profit as a bracket, or protection attached to a position that already exists;
 * stops moved as new levels arrive (only ever tighter, unless told otherwise); and the exits cancelled
 * when the position is closed by anything else. Everything is found again from the broker by orderRef
 * (`<ref>`, `<ref>:stop-loss`, `<ref>:take-profit`), so a restart picks up where it was.
 */
import type { Contract } from '@stoqey/ib';
import { reportsOrder, type Broker, type OrderContext, type WorkingOrder } from './broker';
import type { Execution, InstrumentKey, OrderEvent, OrderIntent, Side, TimeInForce } from '../messages';
import { protectiveOrders, roleOf, type PlannedOrder, type TrailSpec } from './bracket';
import { OrderInputError, OrderRefusedError } from './errors';
import { levelPrice, roundToTick, type LevelSpec } from './levels';
import { stableJson, type OrderOutcome } from './strategy-orders';
import { validateOrderIntent, type CheckedIntent } from './validate';
import { OrderInstruments, type InstrumentFacts } from './order-instruments';
import { describeValue } from '../messages/describe-value';
import { KeyedSerial } from './keyed-serial';
import { TargetOrders } from './target-orders';
import type { SizeRules } from '../messages/size-rules';

export interface ProtectionConfig {
  source: string;
  orderRef: string;
  stopLoss: LevelSpec | null;
  takeProfit: LevelSpec | null;
  /** A trailing stop instead of a fixed one (stopLoss, if set, is its first stop price). */
  trailing: TrailSpec | null;
  tif: TimeInForce;
  outsideRth: boolean;
  /** Move a stop only towards the price (never loosen it). Default true. */
  tightenOnly: boolean;
  /** Price increment levels are rounded to. */
  tick: number;
  /** Entry order fields from the node's config (msg.order wins). */
  entryDefaults?: Partial<OrderIntent>;
  /** A problem found after the message was done (a re-plan refused, a bracket undone): the node reports it. */
  onProblem?: (key: InstrumentKey, message: string) => void;
  /** What the connection knows of an instrument: an entry's size rules and its conditions' contract ids. */
  instruments?: InstrumentFacts;
}

export interface ProtectionInput {
  key: InstrumentKey;
  contract: Contract;
  /** msg.order: an entry to bracket. Without it, the position of `key` is protected / its stops moved. */
  order?: unknown;
  /** Reference price (bar close, quote last). */
  price: number | null;
  atr: number | null;
  /** Explicit levels (msg.stopLoss / msg.order.stopLoss ...): win over the configured ones. */
  stopLoss?: number;
  takeProfit?: number;
  msgId?: string;
  /** The message carries the replay mark: only a backtest fills its orders (see OrderContext.history). */
  history?: boolean;
}

export class Protection {
  private readonly placed = new Set<number>();
  private readonly queue = new KeyedSerial();
  private readonly trader: TargetOrders;
  private readonly instruments: OrderInstruments;

  constructor(
    private readonly broker: Broker,
    readonly config: ProtectionConfig,
  ) {
    this.instruments = new OrderInstruments(broker, config.instruments);
    this.trader = new TargetOrders(broker, {
      orderRef: config.orderRef,
      owns: (orderId, orderRef) => this.placed.has(orderId) || roleOf(orderRef, config.orderRef) !== null,
      onPlaced: (orderId) => this.placed.add(orderId),
      onProblem: (key, message) => config.onProblem?.(key, message),
      enqueue: (key, job) => void this.queue.run(key, job),
    });
  }

  /** Stops listening to the broker (the node closes). */
  dispose(): void {
    this.trader.dispose();
  }

  handle(input: ProtectionInput): Promise<OrderOutcome> {
    for (const [field, value] of [['stopLoss', input.stopLoss], ['takeProfit', input.takeProfit]] as const) {
      if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
        throw new OrderInputError(`msg.${field}`, `msg.${field} must be a positive price, got ${describeValue(value)}`);
      }
    }
    if (input.order === undefined || input.order === null) return this.queue.run(input.key, () => this.protect(input));
    // An entry is checked against the instrument's size rules before it is queued.
    const rules = this.instruments.sizeRules(input.key, input.contract);
    const queue = (sizes: SizeRules) => {
      const intent = validateOrderIntent(input.order, this.config.entryDefaults ?? {}, 'msg.order', sizes);
      return this.queue.run(input.key, () => this.enter(input, intent, sizes));
    };
    return rules instanceof Promise ? rules.then(queue) : queue(rules);
  }

  /** After a position change: exits of a position that is now flat are cancelled. */
  onPosition(key: InstrumentKey): number[] {
    if (this.broker.position(key) !== 0) return [];
    const orphans = this.exits(key).filter((w) => !this.parentWorking(w));
    for (const w of orphans) if (w.state.status !== 'PendingCancel') this.broker.cancelOrder(w.orderId);
    return orphans.map((w) => w.orderId);
  }

  ownsEvent(event: OrderEvent | Execution): boolean {
    return this.placed.has(event.orderId) || roleOf(event.orderRef, this.config.orderRef) !== null;
  }

  /** Whether this strategy's node sends the event on (reportsOrder: the node that placed the order). */
  reportsEvent(event: OrderEvent | Execution): boolean {
    return reportsOrder(this.broker, this.config.source, event.orderId, this.ownsEvent(event));
  }

  /** Working exit orders (stop-loss, take-profit) of this strategy on `key`. */
  exits(key: InstrumentKey): WorkingOrder[] {
    return this.broker.workingOrders(key).filter((w) => {
      const role = roleOf(w.order.orderRef, this.config.orderRef);
      return role === 'stop-loss' || role === 'take-profit';
    });
  }

  private parentWorking(w: WorkingOrder): boolean {
    const parentId = Number(w.order.parentId) || 0;
    return parentId > 0 && this.broker.workingOrders().some((p) => p.orderId === parentId);
  }

  private async enter(input: ProtectionInput, checked: CheckedIntent, sizeRules: SizeRules): Promise<OrderOutcome> {
    if (checked.kind === 'modify') {
      throw new OrderInputError('msg.order.orderId', 'stop-order places brackets: to move a stop send a new level (msg.stopLoss) without msg.order; to modify other orders use place-order');
    }
    const dedupBase = input.msgId ? `${this.config.source}:${input.msgId}:${input.key}:${stableJson(input.order)}` : undefined;
    for (const leg of ['entry', 'exit']) {
      const already = dedupBase ? this.broker.placedFor?.(`${dedupBase}:${leg}`) : null;
      if (already != null) return { kind: 'duplicate', orderIds: [already], text: 'same msg again: ignored' };
    }
    const block = this.broker.orderBlock();
    if (block) throw new OrderRefusedError('interlock', block);
    const intent = (await this.instruments.withConditionIds(checked, input.contract)) as Exclude<CheckedIntent, { kind: 'modify' }>;
    const entryPrice = intent.lmtPrice ?? intent.auxPrice ?? input.price ?? this.broker.lastPrice(input.key);
    let chosen: { stopLoss?: number; takeProfit?: number } = {};
    const request = {
      key: input.key,
      contract: input.contract,
      terms: intent,
      levels: (side: Side) => {
        chosen = this.levels(input, side, entryPrice);
        return { ...chosen, trailing: this.config.trailing ?? undefined };
      },
      protection: { tif: this.config.tif, outsideRth: this.config.outsideRth },
      context: (leg: string, inputs: Record<string, unknown>): OrderContext => ({
        source: this.config.source,
        dedupKey: dedupBase ? `${dedupBase}:${leg}` : undefined,
        price: input.price ?? undefined,
        inputs: { key: input.key, order: input.order, entryPrice, ...chosen, ...inputs },
        history: input.history,
        sizeRules,
      }),
    };
    let placed: PlannedOrder[];
    let text: string;
    if (intent.kind === 'explicit') {
      placed = await this.trader.sendExplicit(request, intent.action, intent.totalQuantity);
      text = '';
    } else {
      const outcome = await this.trader.moveTo({ ...request, target: intent.targetQuantity });
      placed = outcome.placed;
      if (placed.length === 0) {
        const plan = outcome.plan;
        text = plan.waiting ? `target ${plan.target}: exits cancelled, the exit follows once confirmed` : `target ${plan.target} already met`;
        return { kind: plan.cancel.length ? 'cancelled' : 'nothing', orderIds: plan.cancel, text };
      }
      text = ` → ${outcome.plan.target}`;
    }
    const first = placed[0];
    const isExit = !placed.some((p) => p.role === 'stop-loss' || p.role === 'take-profit');
    return {
      kind: 'sent',
      orderIds: placed.map((p) => p.orderId),
      text: `#${first.orderId} ${first.order.action} ${first.order.totalQuantity}${isExit ? ' exit' : ''}${chosen.stopLoss !== undefined && !isExit ? ` stop ${chosen.stopLoss}` : ''}${chosen.takeProfit !== undefined && !isExit ? ` tp ${chosen.takeProfit}` : ''}${text}`,
    };
  }

  private async protect(input: ProtectionInput): Promise<OrderOutcome> {
    // Without msg.order the node protects the instrument's position in the account, whoever opened it.
    const position = this.broker.position(input.key);
    if (position === 0) {
      const cancelled = this.onPosition(input.key);
      return { kind: cancelled.length ? 'cancelled' : 'nothing', orderIds: cancelled, text: cancelled.length ? `flat: cancel ${cancelled.length} exit${cancelled.length > 1 ? 's' : ''}` : `no ${input.key} position to protect` };
    }
    const side: Side = position > 0 ? 'BUY' : 'SELL';
    const quantity = Math.abs(position);
    // Children still waiting for their entry to fill are the bracket's business, not ours yet.
    const exits = this.exits(input.key).filter((w) => !this.parentWorking(w) && w.state.status !== 'PendingCancel');
    if (exits.length === 0) return this.attach(input, side, quantity);
    const changed: number[] = [];
    const stop = exits.find((w) => roleOf(w.order.orderRef, this.config.orderRef) === 'stop-loss');
    const takeProfit = exits.find((w) => roleOf(w.order.orderRef, this.config.orderRef) === 'take-profit');
    for (const w of exits) {
      const changes: Record<string, number> = {};
      if (Number(w.order.totalQuantity) !== quantity) changes.totalQuantity = quantity;
      if (w === stop && w.order.orderType === 'STP') {
        const level = this.stopLevel(input, side, input.price);
        const current = Number(w.order.auxPrice);
        if (level !== undefined && level !== current && (!this.config.tightenOnly || (side === 'BUY' ? level > current : level < current))) changes.auxPrice = level;
      }
      if (w === takeProfit && input.takeProfit !== undefined && input.takeProfit !== Number(w.order.lmtPrice)) changes.lmtPrice = roundToTick(input.takeProfit, this.config.tick);
      if (Object.keys(changes).length === 0) continue;
      this.broker.placeOrder(w.orderId, w.contract, { ...w.order, ...changes, transmit: true }, this.context(input, `move-${w.orderId}-${stableJson(changes)}`, { changes }));
      changed.push(w.orderId);
    }
    if (changed.length === 0) return { kind: 'nothing', orderIds: [], text: `${input.key} ${position} protected` };
    return { kind: 'modified', orderIds: changed, text: `moved ${changed.map((id) => `#${id}`).join(' ')}${stop && changed.includes(stop.orderId) ? ` stop ${this.broker.workingOrders().find((w) => w.orderId === stop.orderId)?.order.auxPrice}` : ''}` };
  }

  private async attach(input: ProtectionInput, side: Side, quantity: number): Promise<OrderOutcome> {
    const block = this.broker.orderBlock();
    if (block) throw new OrderRefusedError('interlock', block);
    // avgCost is per contract (price x multiplier, as TWS reports it): the entry price per unit is avgCost / multiplier.
    const held = this.broker.positions().find((p) => p.symbol === input.key);
    const entry = held && held.avgCost > 0 ? held.avgCost / (held.multiplier ?? 1) : null;
    const reference = input.price ?? entry ?? this.broker.lastPrice(input.key);
    const levels = this.levels(input, side, reference);
    if (levels.stopLoss === undefined && levels.takeProfit === undefined && !this.config.trailing) {
      return { kind: 'nothing', orderIds: [], text: 'no stop-loss or take-profit configured' };
    }
    const ids = {
      takeProfit: levels.takeProfit !== undefined ? await this.broker.nextOrderId() : undefined,
      stopLoss: levels.stopLoss !== undefined || this.config.trailing ? await this.broker.nextOrderId() : undefined,
    };
    const first = (ids.takeProfit ?? ids.stopLoss) as number;
    const planned = protectiveOrders({ positionSide: side, quantity, ...levels, trailing: this.config.trailing ?? undefined, tif: this.config.tif, outsideRth: this.config.outsideRth, orderRef: this.config.orderRef, ocaGroup: `${this.config.orderRef}:${input.key}:${first}` }, ids);
    const dedupBase = input.msgId ? `${this.config.source}:${input.msgId}:${input.key}:protect` : undefined;
    this.send(planned, input, dedupBase, { reference, ...levels });
    return { kind: 'sent', orderIds: planned.map((p) => p.orderId), text: `protect ${quantity}${levels.stopLoss !== undefined ? ` stop ${levels.stopLoss}` : ''}${levels.takeProfit !== undefined ? ` tp ${levels.takeProfit}` : ''}` };
  }

  private send(planned: PlannedOrder[], input: ProtectionInput, dedupBase: string | undefined, inputs: Record<string, unknown>): void {
    for (const p of planned) {
      const context: OrderContext = { source: this.config.source, dedupKey: dedupBase ? `${dedupBase}:${p.role}` : undefined, price: input.price ?? undefined, inputs: { key: input.key, role: p.role, order: input.order, ...inputs } };
      this.broker.placeOrder(p.orderId, input.contract, p.order, context);
      this.placed.add(p.orderId);
    }
  }

  private context(input: ProtectionInput, leg: string, inputs: Record<string, unknown>): OrderContext {
    return { source: this.config.source, dedupKey: input.msgId ? `${this.config.source}:${input.msgId}:${input.key}:${leg}` : undefined, price: input.price ?? undefined, inputs: { key: input.key, ...inputs }, history: input.history };
  }

  /** Stop-loss and take-profit prices for a position on `side` from `reference`. */
  private levels(input: ProtectionInput, side: Side, reference: number | null): { stopLoss?: number; takeProfit?: number } {
    const out: { stopLoss?: number; takeProfit?: number } = {};
    const stop = this.stopLevel(input, side, reference, true);
    if (stop !== undefined) out.stopLoss = stop;
    if (input.takeProfit !== undefined) out.takeProfit = roundToTick(input.takeProfit, this.config.tick);
    else if (this.config.takeProfit) out.takeProfit = levelPrice(this.config.takeProfit, this.needPrice(reference, 'take-profit'), side, 1, input.atr, this.config.tick);
    if (out.stopLoss !== undefined && reference !== null && (side === 'BUY' ? out.stopLoss >= reference : out.stopLoss <= reference)) {
      throw new OrderInputError('stopLoss', `the stop-loss ${out.stopLoss} is not ${side === 'BUY' ? 'below' : 'above'} the price ${reference}: it would trigger at once`);
    }
    if (out.takeProfit !== undefined && reference !== null && (side === 'BUY' ? out.takeProfit <= reference : out.takeProfit >= reference)) {
      throw new OrderInputError('takeProfit', `the take-profit ${out.takeProfit} is not ${side === 'BUY' ? 'above' : 'below'} the price ${reference}`);
    }
    return out;
  }

  /** The stop level; without a reference price it is an error when `required`, else "no new level". */
  private stopLevel(input: ProtectionInput, side: Side, reference: number | null, required = false): number | undefined {
    if (input.stopLoss !== undefined) return roundToTick(input.stopLoss, this.config.tick);
    const spec = this.config.stopLoss;
    if (!spec) return undefined;
    if (spec.kind === 'price') return roundToTick(spec.value, this.config.tick);
    if (reference === null) return required ? this.needPrice(reference, 'stop-loss') : undefined;
    return levelPrice(spec, reference, side, -1, input.atr, this.config.tick);
  }

  private needPrice(reference: number | null, what: string): number {
    if (reference === null) throw new OrderInputError('msg.payload', `a ${what} set as a distance, percent or ATR needs a price: send the bar or quote in msg.payload (or a limit price)`);
    return reference;
  }
}

