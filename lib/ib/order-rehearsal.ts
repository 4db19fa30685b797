/**
 * Keeps the order path warm: a dry run of what happens to an order between the broker and the socket
 * (the field checks of every request, the encoding, the writer's check and framing), on a copy of the last
 * order sent, that is never written anywhere; and with it the dry runs the layers above add (the
 * strategy's decision, the account guard's checks and journal line: Broker.keepWarm). A live strategy sends a few orders a second at most, so
 * without it that code runs cold every time (interpreted, its caches and branch history gone to the
 * ticks in between): the encoding alone took a quarter of a millisecond of the tick-to-order time.
 *
 * The encoding is the session's (IbSession.placeOrder): the package's own PLACE_ORDER fields
 * (place-order-fields.ts) where they cover the order, else @stoqey/ib's, for which the dry run has an
 * encoder of its own, made from the client's encoder class with callbacks that only frame and drop
 * the bytes: it shares the code (and so what V8 learns about it) but cannot reach the client's socket,
 * its queue or its events.
 */
import type { Contract, IBApi, Order } from '@stoqey/ib';
import { frameMessage, wireFields } from './frame';
import { placeOrderFields } from './place-order-fields';
import { checkRequest } from './wire-check';
import { unwritable } from './wire-writer';

interface DryEncoder {
  placeOrder(id: number, contract: Contract, order: Order): void;
}

/** The sample before any order was sent: the fields the planner's market orders carry. */
const FIRST_SAMPLE: { contract: Contract; order: Order } = {
  contract: { symbol: 'AAPL', secType: 'STK' as Contract['secType'], exchange: 'SMART', currency: 'USD' },
  order: { action: 'BUY', totalQuantity: 100, orderType: 'MKT', tif: 'DAY', outsideRth: false, orderRef: 'rehearsal', transmit: true, account: 'DU0', orderId: 1, clientId: 0 } as Order,
};

export class OrderRehearsal {
  private readonly encoder: DryEncoder | null;
  /**
   * The dry runs of the layers above (the strategy's decision, the account guard's checks), run with
   * this one: by group, each run taking the next of its group (50 place-order nodes' strategies are
   * one group: all 50 every 20 ms held the event loop for a third of a millisecond, to warm code that
   * one of them warms as well); a rehearsal added without a group is a group of its own.
   */
  private readonly groups = new Map<string | symbol, { members: Array<() => void>; next: number }>();
  private sample = FIRST_SAMPLE;
  private timer: NodeJS.Timeout | null = null;
  /** Dry runs made, and messages they encoded and framed (for tests). */
  runs = 0;
  framed = 0;

  constructor(private readonly api: IBApi) {
    const live = (api as unknown as { controller?: { encoder?: Partial<DryEncoder> & { constructor?: new (callbacks: object) => DryEncoder } } }).controller?.encoder;
    const Encoder = live?.constructor;
    this.encoder =
      typeof Encoder === 'function' && typeof live?.placeOrder === 'function'
        ? new Encoder({
            get serverVersion() {
              return api.serverVersion;
            },
            sendMsg: (tokens: unknown[]) => this.frame(tokens),
            emitError: () => {},
          })
        : null;
  }

  /** The order to rehearse from now on: the shape of the last one sent (copied; never sent again). */
  setSample(contract: Contract, order: Order): void {
    this.sample = { contract: { ...contract }, order: { ...order } };
  }

  /**
   * Adds the dry run of a layer above, run with each of this one's (in turn with the others of its
   * `group`) until the function returned is called.
   */
  add(rehearse: () => void, group?: string): () => void {
    const key = group ?? Symbol('rehearsal');
    let entry = this.groups.get(key);
    if (!entry) {
      entry = { members: [], next: 0 };
      this.groups.set(key, entry);
    }
    entry.members.push(rehearse);
    const members = entry.members;
    return () => {
      const at = members.indexOf(rehearse);
      if (at >= 0) members.splice(at, 1);
      if (members.length === 0 && this.groups.get(key)?.members === members) this.groups.delete(key);
    };
  }

  /** `times` dry runs now. Never throws: a failed rehearsal must not touch the real orders. */
  rehearse(times = 1): void {
    if (!this.api.serverVersion) return;
    for (const group of this.groups.values()) {
      for (let i = 0; i < times && group.members.length > 0; i++) {
        const member = group.members[group.next++ % group.members.length];
        try {
          member();
        } catch {
          // The layer's own sample failed its checks: it has nothing to warm.
        }
      }
    }
    try {
      for (let i = 0; i < times; i++) {
        const contract = { ...this.sample.contract };
        const order = { ...this.sample.order };
        const orderId = Number(order.orderId) || 1;
        // The check the client's placeOrder makes (guardApi), which covers the broker's own.
        checkRequest('placeOrder', [orderId, contract, order]);
        const own = placeOrderFields(this.api.serverVersion, orderId, contract, order);
        if (own) this.frame(own);
        else this.encoder?.placeOrder(orderId, contract, order);
        this.runs++;
      }
    } catch {
      // A sample the checks refuse was refused for real too: nothing to warm.
    }
  }

  /** What the writer does with an encoded message, the write left out. */
  private frame(tokens: unknown[]): void {
    const fields = wireFields(tokens);
    if (unwritable(fields) === null && frameMessage(fields).bytes.length > 0) this.framed++;
  }

  /** Many dry runs now (at connect), then a few every `everyMs` until stop(). */
  start(everyMs: number): void {
    this.stop();
    this.rehearse(START_RUNS);
    if (everyMs <= 0) return;
    this.timer = setInterval(() => this.rehearse(PERIODIC_RUNS), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** At connect: enough calls for V8 to optimise the encoder and the checks. */
const START_RUNS = 500;
/** Each period: enough to keep them optimised and in cache, a few tens of microseconds. */
const PERIODIC_RUNS = 2;
