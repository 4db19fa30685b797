/**
 * What the engine reports, and when. Order events are shaped like TWS's orderStatus; executions and
 * positions are built by the portfolio. None is delivered while the engine is inside a call: events wait
 * in this queue until the outermost call (submit, cancel, a bar, a quote) finishes, so listeners always
 * see a consistent state and may call back into the engine. Events nobody listens to are not built.
 */
import type { Execution, OrderEvent, Position } from '../messages';
import type { EngineOrder, FillEngineEvents } from './types';
import type { LiveOrder } from './book';

type EventName = keyof FillEngineEvents;

export class EventQueue {
  private readonly names: EventName[] = [];
  private readonly data: Array<OrderEvent | Execution | Position> = [];
  /** How many engine calls are in progress (calls nest when a listener calls back into the engine). */
  private depth = 0;
  private flushing = false;

  /** `listens` and `emit` are the engine's emitter: who listens, and delivery to them. */
  constructor(
    readonly listens: (event: EventName) => boolean,
    private readonly emit: (event: EventName, data: OrderEvent | Execution | Position) => void,
  ) {}

  /** Starts an engine call; pair with leave() in a finally. */
  enter(): void {
    this.depth++;
  }

  /** Ends an engine call: delivers queued events once the outermost call is done. */
  leave(): void {
    this.depth--;
    if (this.depth !== 0 || this.flushing || this.names.length === 0) return;
    this.flushing = true;
    const names = this.names;
    const data = this.data;
    let failed = false;
    let failure: unknown;
    try {
      // Events queued by listeners while delivering are delivered in this same loop.
      for (let i = 0; i < names.length; i++) {
        try {
          this.emit(names[i], data[i]);
        } catch (err) {
          if (!failed) {
            failed = true;
            failure = err;
          }
        }
      }
    } finally {
      names.length = 0;
      data.length = 0;
      this.flushing = false;
    }
    if (failed) throw failure;
  }

  /** The order's current state (with `reason` for a rejected request or a cancellation). */
  order(live: LiveOrder, time: number, reason?: string): void {
    if (this.listens('order')) this.push('order', orderEventOf(live, time, reason));
  }

  /** An order the engine did not take: status 'Inactive' with the reason. */
  rejection(order: EngineOrder, reason: string, time: number): void {
    if (!this.listens('order')) return;
    const quantity = Number.isFinite(order.totalQuantity) ? order.totalQuantity : 0;
    this.push('order', {
      orderId: order.orderId,
      permId: 0,
      parentId: order.parentId ?? 0,
      symbol: String(order.symbol ?? ''),
      action: order.action,
      orderType: order.orderType,
      totalQuantity: quantity,
      status: 'Inactive',
      filled: 0,
      remaining: quantity,
      avgFillPrice: 0,
      lastFillPrice: 0,
      commission: 0,
      orderRef: order.orderRef ?? '',
      reason,
      time,
    } satisfies OrderEvent);
  }

  execution(execution: Execution): void {
    this.push('execution', execution);
  }

  position(position: Position): void {
    this.push('position', position);
  }

  private push(name: EventName, data: OrderEvent | Execution | Position): void {
    this.names.push(name);
    this.data.push(data);
  }
}

/** An order's state as TWS reports it in orderStatus / openOrder. */
export function orderEventOf(live: LiveOrder, time: number, reason?: string): OrderEvent {
  const o = live.order;
  const event: OrderEvent = {
    orderId: o.orderId,
    permId: live.permId,
    parentId: o.parentId ?? 0,
    symbol: o.symbol,
    action: o.action,
    orderType: o.orderType,
    totalQuantity: o.totalQuantity,
    status: live.status,
    filled: live.filled,
    remaining: Math.max(0, live.remaining),
    avgFillPrice: live.filled > 0 ? live.filledValue / live.filled : 0,
    lastFillPrice: live.lastFillPrice,
    commission: live.commission,
    orderRef: o.orderRef ?? '',
    time,
  };
  if (reason !== undefined) event.reason = reason;
  return event;
}
