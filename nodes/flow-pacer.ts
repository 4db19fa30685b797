/**
 * Causal pacing of a replay through a flow: `send(msg)` resolves only when the message and every message
 * descended from it have been fully handled, so a replaying node (historical-bars in backtest mode) sends
 * bar t+1 only after everything bar t caused is over, user function and delay nodes included.
 *
 * How: each paced message gets its own `_msgid` (a "step"). Node-RED keeps `_msgid` on messages a node
 * passes on, clones, or returns from a function node, so every descendant carries it. Messaging hooks
 * count the step's units of work:
 * - preDeliver (routed delivery to a node, synchronous inside the sender's send): +1
 * - onReceive of a message that was not routed (link in, catch and complete nodes receive directly): +1
 * - onComplete (a node called done()): -1
 * - postReceive for nodes whose input handlers take no `done` (Node-RED never fires onComplete for them):
 *   -1 once their handler returned.
 * A node always sends before it calls done(), so the count reaches 0 only when nothing of the step is
 * left. The zero is re-checked in a microtask because a done() can synchronously lead to more deliveries
 * (catch and complete nodes are fed right after the onComplete hook).
 *
 * The hooks are installed once per runtime while any pacer exists, and do a single Map lookup for
 * messages that are not paced, so they cost other flows next to nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Node, NodeAPI, NodeMessage } from './red';
import { message } from './i18n';

export interface FlowPacer {
  /** Sends `msg` from the node; resolves when it and all its descendants are handled. */
  send(msg: NodeMessage): Promise<void>;
  /** Units of work of this pacer's pending steps (0 when idle). */
  inFlight(): number;
  /** Rejects pending steps with ReplayStoppedError and releases the hooks (also done on node close). */
  close(): void;
}

export interface FlowPacerOptions {
  /** Warn when one step has not finished after this long (a node that never calls done()). Default 10 s. */
  stallWarningMs?: number;
}

/** A pending send was abandoned because the flow stopped (redeploy, shutdown). Replay loops should end. */
export class ReplayStoppedError extends Error {
  override name = 'ReplayStoppedError';
}

interface RuntimeNode {
  id: string;
  type: string;
  name?: string;
  /** Node-RED internal: how many input handlers take `done`. 0 means onComplete never fires for it. */
  _expectedDoneCount?: number;
}

interface DeliveryEvent {
  msg: NodeMessage;
  destination: { id: string; node?: RuntimeNode };
}

interface CompleteEvent {
  msg: NodeMessage;
}

interface Step {
  readonly id: string;
  readonly owner: PacerImpl;
  count: number;
  settled: boolean;
  startedAt: number;
  warned: boolean;
  lastNode: RuntimeNode | null;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface HooksApi {
  add(name: string, handler: (event: any) => unknown): void;
  remove(name: string): void;
  has?(name: string): boolean;
}

const LABEL = 'ibAlgoFlowPacer';

/** Per-runtime bookkeeping shared by every pacer (the hooks are global to the runtime). */
class StepTracker {
  readonly steps = new Map<string, Step>();
  /** Message objects routed by preDeliver and not yet received, with how many such deliveries. */
  readonly routed = new Map<object, number>();
  users = 0;
  private postReceiveInstalled = false;

  constructor(private readonly hooks: HooksApi) {}

  install(): void {
    this.hooks.add(`preDeliver.${LABEL}`, (event: DeliveryEvent) => {
      const msg = event.msg;
      const step = this.steps.get(msg._msgid as string);
      if (step === undefined) return;
      step.count++;
      const n = this.routed.get(msg);
      this.routed.set(msg, n === undefined ? 1 : n + 1);
    });
    this.hooks.add(`onReceive.${LABEL}`, (event: DeliveryEvent) => {
      const msg = event.msg;
      const step = this.steps.get(msg._msgid as string);
      if (step === undefined) return;
      const n = this.routed.get(msg);
      if (n === undefined) step.count++;
      else if (n === 1) this.routed.delete(msg);
      else this.routed.set(msg, n - 1);
      const node = event.destination.node;
      if (node) {
        step.lastNode = node;
        if (node._expectedDoneCount === 0 && !this.postReceiveInstalled) this.installPostReceive();
      }
    });
    this.hooks.add(`onComplete.${LABEL}`, (event: CompleteEvent) => {
      const step = this.steps.get(event.msg._msgid as string);
      if (step !== undefined) this.release(step);
    });
  }

  /** Only needed once a node without `done` in its handler shows up on a paced path. */
  private installPostReceive(): void {
    this.postReceiveInstalled = true;
    this.hooks.add(`postReceive.${LABEL}`, (event: DeliveryEvent) => {
      if (event.destination.node?._expectedDoneCount !== 0) return;
      const step = this.steps.get(event.msg._msgid as string);
      if (step !== undefined) this.release(step);
    });
  }

  uninstall(): void {
    for (const hook of ['preDeliver', 'onReceive', 'onComplete']) this.hooks.remove(`${hook}.${LABEL}`);
    if (this.postReceiveInstalled) this.hooks.remove(`postReceive.${LABEL}`);
    this.postReceiveInstalled = false;
    this.routed.clear();
  }

  private release(step: Step): void {
    if (--step.count <= 0) queueMicrotask(() => this.settleIfIdle(step));
  }

  settleIfIdle(step: Step): void {
    if (step.settled || step.count > 0) return;
    step.settled = true;
    this.steps.delete(step.id);
    step.owner.pending.delete(step);
    step.resolve();
  }

  abandon(step: Step, err: Error): void {
    if (step.settled) return;
    step.settled = true;
    this.steps.delete(step.id);
    step.reject(err);
  }
}

/**
 * The runtime's hooks. node-red-node-test-helper builds its RED without `hooks`, while its runtime still
 * triggers them from @node-red/util: that module instance is the same one, so it stands in.
 */
function runtimeHooks(RED: NodeAPI): HooksApi {
  if (RED.hooks) return RED.hooks as HooksApi;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@node-red/util') as { hooks: HooksApi }).hooks;
  } catch {
    throw new Error(message('ib-algo.errors.noHooks'));
  }
}

const trackers = new WeakMap<object, StepTracker>();

function trackerFor(hooks: HooksApi): StepTracker {
  let tracker = trackers.get(hooks);
  if (!tracker) {
    tracker = new StepTracker(hooks);
    trackers.set(hooks, tracker);
  }
  return tracker;
}

class PacerImpl implements FlowPacer {
  readonly pending = new Set<Step>();
  private readonly idBase = randomBytes(6).toString('hex');
  private seq = 0;
  private closed = false;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly node: Node,
    private readonly tracker: StepTracker,
    private readonly stallWarningMs: number,
  ) {
    if (tracker.users++ === 0) tracker.install();
    this.watchdog = setInterval(() => this.checkStalls(), Math.min(1000, stallWarningMs));
    this.watchdog.unref();
  }

  send(msg: NodeMessage): Promise<void> {
    if (this.closed) return Promise.reject(new ReplayStoppedError(message('ib-algo.errors.replayStopped')));
    const id = `${this.idBase}.${(this.seq++).toString(36)}`;
    msg._msgid = id;
    return new Promise<void>((resolve, reject) => {
      const step: Step = { id, owner: this, count: 0, settled: false, startedAt: 0, warned: false, lastNode: null, resolve, reject };
      this.pending.add(step);
      this.tracker.steps.set(id, step);
      this.node.send(msg);
      // Nothing wired (send is a no-op) or everything already handled synchronously.
      if (step.count <= 0) this.tracker.settleIfIdle(step);
    });
  }

  inFlight(): number {
    let total = 0;
    for (const step of this.pending) total += step.count;
    return total;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    const err = new ReplayStoppedError(message('ib-algo.errors.replayStopped'));
    for (const step of this.pending) this.tracker.abandon(step, err);
    this.pending.clear();
    if (--this.tracker.users === 0) this.tracker.uninstall();
  }

  private checkStalls(): void {
    const now = Date.now();
    for (const step of this.pending) {
      if (step.startedAt === 0) {
        step.startedAt = now;
        continue;
      }
      if (!step.warned && now - step.startedAt >= this.stallWarningMs) {
        step.warned = true;
        const last = step.lastNode ? message('ib-algo.warnings.lastReached', { node: step.lastNode.name || step.lastNode.type, id: step.lastNode.id }) : '';
        this.node.warn(message('ib-algo.warnings.replayWaiting', { count: step.count, seconds: Math.round((now - step.startedAt) / 1000), last }));
      }
    }
  }
}

/**
 * A pacer for `node`: closes itself (rejecting pending sends with ReplayStoppedError) when the node
 * closes.
 */
export function createFlowPacer(RED: NodeAPI, node: Node, options: FlowPacerOptions = {}): FlowPacer {
  const pacer = new PacerImpl(node, trackerFor(runtimeHooks(RED)), options.stallWarningMs ?? 10_000);
  node.on('close', (_removed: boolean, done: () => void) => {
    pacer.close();
    done();
  });
  return pacer;
}
