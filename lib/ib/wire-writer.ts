/**
 * The one writer of a session's socket: every message @stoqey/ib encodes comes here instead of the
 * client's own rate limiter, which is a single first-come-first-served FIFO drained by timers. That
 * FIFO let an order wait behind every data request queued before it (200 account requests held a
 * market order for 9.8 s), and it outlived the connection: messages encoded for a socket that had
 * dropped were written into the next one before its handshake ("message 9 before START_API"), or
 * into the closed one (EPIPE), and TWS dropped the new connection again.
 *
 * Here: orders and cancels go ahead of data requests, both within one budget of `perSecond` messages
 * in any second (TWS disconnects a client above 50), of which data requests may use all but a few;
 * a message is written only to the connection it
 * was encoded for, so what was still queued when the socket dropped is discarded (the broker re-checks
 * orders sent without an answer against TWS after the reconnect, and nodes subscribe again), while
 * requests made during an outage wait in @stoqey/ib's command buffer, which it opens only after the
 * handshake (NEXT_VALID_ID); and every field is checked once more before it is written (a NUL byte
 * or NaN would shift or garble the fields after it), so nothing unreadable reaches TWS even if a
 * request got past the argument check (wire-check.ts).
 */
import { EventName, type IBApi } from '@stoqey/ib';
import { frameMessage, wireFields } from './frame';

/** Orders, cancels and the global cancel: what must not wait behind data requests. */
const ORDER_MESSAGES = new Set([3, 4, 58]);
/**
 * Of each second's budget, this many are kept for orders and cancels: data requests alone never fill
 * it, so an order arriving behind a burst of them leaves at once instead of after the window clears.
 */
const ORDER_RESERVE = 8;
/** @stoqey/ib's error code for a message it could not send. */
const FAIL_SEND = 509;

export interface WireWriterOptions {
  /** Messages per second, all kinds together. Default 40 (@stoqey/ib's own default; TWS allows 50). */
  perSecond?: number;
  clock?: () => number;
  log?: { warn(message: string): void; debug(message: string): void };
}

/** The parts of @stoqey/ib's private controller the writer uses. */
interface ControllerShape {
  sendMsg: (...tokens: unknown[]) => void;
  emitError(message: string, code: number, reqId: number): void;
  emitEvent(event: EventName, ...args: unknown[]): void;
  socket: { connected: boolean; useV100Plus?: boolean; client?: { write(bytes: Buffer): boolean } | null; send(tokens: unknown[]): void };
}

interface Pending {
  tokens: unknown[];
  epoch: number;
}

export class WireWriter {
  private readonly orders: Pending[] = [];
  private readonly requests: Pending[] = [];
  private readonly sentAt: number[] = [];
  private readonly perSecond: number;
  private readonly clock: () => number;
  private epoch = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Messages discarded because their connection dropped before they could leave. */
  discarded = 0;

  constructor(
    private readonly controller: ControllerShape,
    api: IBApi,
    private readonly options: WireWriterOptions = {},
  ) {
    this.perSecond = options.perSecond ?? 40;
    this.clock = options.clock ?? Date.now;
    if (!(this.perSecond > 0)) throw new Error(`messages per second must be positive, got ${this.perSecond}`);
    controller.sendMsg = (...tokens: unknown[]) => this.send(tokens);
    api.on(EventName.disconnected, () => this.onDisconnected());
  }

  /** Messages waiting for their turn (orders first). */
  queued(): { orders: number; requests: number } {
    return { orders: this.orders.length, requests: this.requests.length };
  }

  /**
   * Queues one message's fields as an encoder hands them over (nested groups, booleans), for the
   * connection that is up now: @stoqey/ib's encoder sends through here, and so does the session's own
   * PLACE_ORDER (place-order-fields.ts).
   */
  send(tokens: unknown[]): void {
    const flat = wireFields(tokens);
    const item = { tokens: flat, epoch: this.epoch };
    (ORDER_MESSAGES.has(Number(flat[0])) ? this.orders : this.requests).push(item);
    this.pump();
  }

  private onDisconnected(): void {
    this.epoch++;
    const lost = this.orders.length + this.requests.length;
    this.orders.length = 0;
    this.requests.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (lost > 0) {
      this.discarded += lost;
      this.options.log?.debug(`${lost} message(s) queued for the dropped connection discarded; they are not written into the next one`);
    }
  }

  private pump(): void {
    // A wait set for data requests must not hold an order that the budget lets go now.
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.orders.length > 0 || this.requests.length > 0) {
      const now = this.clock();
      while (this.sentAt.length > 0 && this.sentAt[0] <= now - 1000) this.sentAt.shift();
      const order = this.orders.length > 0;
      const budget = order ? this.perSecond : Math.max(1, this.perSecond - Math.min(ORDER_RESERVE, Math.floor(this.perSecond / 4)));
      if (this.sentAt.length >= budget) {
        // The oldest write that keeps this kind over its budget must leave the window first.
        const oldest = this.sentAt[this.sentAt.length - budget];
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, Math.max(1, oldest + 1000 - now + 1));
        return;
      }
      const item = (order ? this.orders.shift() : this.requests.shift()) as Pending;
      if (item.epoch !== this.epoch || !this.controller.socket.connected) {
        this.discarded++;
        continue;
      }
      const problem = unwritable(item.tokens);
      if (problem) {
        const id = Number(item.tokens[0]);
        const reqId = ORDER_MESSAGES.has(id) && typeof item.tokens[1] === 'number' ? item.tokens[1] : -1;
        this.options.log?.warn(`message ${id} not sent: ${problem}`);
        this.controller.emitError(`not sent: ${problem}`, FAIL_SEND, reqId);
        continue;
      }
      this.sentAt.push(now);
      this.write(item.tokens);
    }
  }

  /**
   * Frames and writes one message: the same bytes as @stoqey/ib's socket.send (frame.ts), which stays
   * the writer for what this one does not frame (a pre-v100 connection, a message led by a text field).
   * Its `sent` event follows the write, as @stoqey/ib's does (the historical-data pacing listens).
   */
  private write(tokens: unknown[]): void {
    const socket = this.controller.socket;
    const client = socket.client;
    if (socket.useV100Plus !== true || !client || typeof tokens[0] === 'string') {
      socket.send(tokens);
      return;
    }
    const { bytes, text } = frameMessage(tokens);
    client.write(bytes);
    this.controller.emitEvent(EventName.sent, tokens, text);
  }
}

/** Why a message's fields cannot be written as they are, or null when they can. */
export function unwritable(tokens: readonly unknown[]): string | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    switch (typeof t) {
      case 'string':
        if (t.includes('\u0000')) return `field ${i} contains a NUL byte`;
        break;
      case 'number':
        if (!Number.isFinite(t)) return `field ${i} is ${t}`;
        break;
      case 'undefined':
        break;
      case 'object':
        if (t === null) break;
        return `field ${i} is an object`;
      default:
        return `field ${i} is a ${typeof t}`;
    }
  }
  return null;
}

/**
 * Puts a WireWriter between `api`'s encoder and its socket. Null (and @stoqey/ib's own limiter stays)
 * when the client's internals are not the expected shape (another @stoqey/ib version).
 */
export function installWireWriter(api: IBApi, options: WireWriterOptions = {}): WireWriter | null {
  const controller = (api as unknown as { controller?: Partial<ControllerShape> }).controller;
  if (!controller || typeof controller.sendMsg !== 'function' || typeof controller.emitError !== 'function' || typeof controller.emitEvent !== 'function' || typeof controller.socket?.send !== 'function') return null;
  return new WireWriter(controller as ControllerShape, api, options);
}
