/**
 * One connected API client: its socket, negotiated server version, clientId, outgoing queue (with the
 * injected latency) and whatever its feature handlers keep per connection (subscriptions).
 */
import type { Socket } from 'node:net';
import { encodeFrame } from './framing';
import { Outgoing } from './message-ids';
import type { WireProbe } from './types';

export type Field = string | number;

/** Quote tick messages a WireProbe hears about. */
const TICK_MESSAGES: ReadonlySet<unknown> = new Set<unknown>([Outgoing.TICK_PRICE, Outgoing.TICK_SIZE, 45, 46]);

/** Per-connection cleanups handlers register (timers of subscriptions and the like). */
export type Cleanup = () => void;

export class ClientSession {
  serverVersion = 0;
  /** Set by START_API. */
  clientId: number | undefined;
  started = false;
  closed = false;
  /** Feature state keyed by handler name, so each handler keeps its own per-connection data. */
  readonly state = new Map<string, unknown>();
  private readonly cleanups = new Set<Cleanup>();
  private pending: Buffer[] = [];
  /** The tick frames among `pending`, kept only while a probe listens for them. */
  private pendingTicks: Buffer[] | null;
  private flushScheduled = false;
  private delayed: Array<{ due: number; frames: Buffer[]; ticks: Buffer[] | null }> = [];
  private delayTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly latencyMs: () => number,
    private readonly probe?: WireProbe,
  ) {
    this.pendingTicks = probe?.ticksWritten ? [] : null;
  }

  get label(): string {
    const client = this.clientId === undefined ? '' : ` clientId ${this.clientId}`;
    return `connection #${this.id} (${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}${client})`;
  }

  /** Queues one message; frames written in the same tick leave in one socket write. */
  send(fields: readonly Field[]): void {
    if (this.closed) return;
    if (this.probe?.messageSent) this.probeSent(fields);
    const frame = encodeFrame(fields);
    this.pending.push(frame);
    if (this.pendingTicks && TICK_MESSAGES.has(fields[0])) this.pendingTicks.push(frame);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /** ERR_MSG as TWS sends it (advancedOrderRejectJson present from version 166, always here). */
  error(id: number, code: number, message: string, advancedOrderRejectJson = ''): void {
    this.send([Outgoing.ERR_MSG, 2, id, code, message, advancedOrderRejectJson]);
  }

  /** The unprefixed handshake answer: server version and connection time. */
  sendRaw(frame: Buffer): void {
    if (!this.closed) this.socket.write(frame);
  }

  onClose(cleanup: Cleanup): Cleanup {
    this.cleanups.add(cleanup);
    return () => this.cleanups.delete(cleanup);
  }

  /** Ends the connection after what is queued has been written. */
  close(): void {
    if (this.closed) return;
    this.flush();
    const delayed = this.delayed;
    this.finish();
    if (delayed.length > 0) {
      // Latency is in force: let the delayed answers go out late, then close.
      const last = delayed[delayed.length - 1].due;
      setTimeout(() => {
        for (const entry of delayed) this.write(entry.frames, entry.ticks);
        this.socket.end();
      }, Math.max(0, last - Date.now())).unref();
    } else {
      this.socket.end();
    }
  }

  /** Cuts the connection at once, as a crash or a network drop would. */
  destroy(): void {
    this.finish();
    this.socket.destroy();
  }

  /** Marks the session gone and runs the cleanups (idempotent; also called on socket close). */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    this.delayed = [];
    for (const cleanup of this.cleanups) {
      try {
        cleanup();
      } catch {
        // A failing cleanup must not keep the others from running.
      }
    }
    this.cleanups.clear();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = [];
    let ticks: Buffer[] | null = null;
    if (this.pendingTicks && this.pendingTicks.length > 0) {
      ticks = this.pendingTicks;
      this.pendingTicks = [];
    }
    const latency = this.latencyMs();
    if (latency <= 0 && this.delayed.length === 0) {
      this.write(frames, ticks);
      return;
    }
    this.delayed.push({ due: Date.now() + latency, frames, ticks });
    this.scheduleDelayed();
  }

  private write(frames: Buffer[], ticks: Buffer[] | null = null): void {
    if (this.socket.destroyed) return;
    const bytes = frames.length === 1 ? frames[0] : Buffer.concat(frames);
    // Stamped as the bytes are handed over, not after write() returns: on a busy machine the write
    // can return hundreds of microseconds after the client already has them (the woken reader runs
    // first), and a late stamp would shorten every latency measured from it.
    const handedAt = ticks ? process.hrtime.bigint() : 0n;
    this.socket.write(bytes);
    if (ticks) {
      try {
        this.probe!.ticksWritten!(this.id, ticks, handedAt);
      } catch {
        // Instrumentation must never disturb the simulator.
      }
    }
  }

  private probeSent(fields: readonly Field[]): void {
    try {
      this.probe!.messageSent!(this.id, fields);
    } catch {
      // Instrumentation must never disturb the simulator.
    }
  }

  private scheduleDelayed(): void {
    if (this.delayTimer || this.delayed.length === 0) return;
    const wait = Math.max(0, this.delayed[0].due - Date.now());
    this.delayTimer = setTimeout(() => {
      this.delayTimer = undefined;
      const now = Date.now();
      // Keep the order of answers even when the latency was changed in between.
      while (this.delayed.length > 0 && this.delayed[0].due <= now) {
        const entry = this.delayed.shift()!;
        this.write(entry.frames, entry.ticks);
      }
      this.scheduleDelayed();
    }, wait);
  }
}

