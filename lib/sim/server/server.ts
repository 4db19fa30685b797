/**
 * The simulator's socket server: accepts API clients, frames and dispatches their messages to the
 * feature handlers, and carries the fault injection of the Simulator contract. A client that sends
 * something that is not the protocol gets a log line, an ERR_MSG where one can still be framed, and a
 * closed connection; nothing a client sends can throw out of here.
 */
import net from 'node:net';
import type { FillEngineApi } from '../../fills/types';
import type { Market } from '../market/market';
import type { SimContext, ResolvedOptions } from './context';
import { FieldError, FieldReader } from './fields';
import { FrameError, FrameReader } from './framing';
import type { HandlerRegistry } from './handler';
import { answerHandshake } from './handshake';
import { Incoming, REQUEST_NAMES } from './message-ids';
import { requestIdOf } from './request-id';
import { ClientSession } from './session';
import type { RequestMatch, Simulator } from './types';

/** Every message id IB's client protocol defines (EClient's OUT messages). */

/** The messages that go on to the exchange (held by holdOrders). */
const ORDER_ROUTE: ReadonlySet<number> = new Set([Incoming.PLACE_ORDER, Incoming.CANCEL_ORDER, Incoming.REQ_GLOBAL_CANCEL]);

interface PendingFault {
  match: RequestMatch;
  code: number;
  message: string;
}

export class SimulatorServer implements Simulator, SimContext {
  readonly services = new Map<string, unknown>();
  private server: net.Server | undefined;
  private readonly sessions = new Set<ClientSession>();
  private connectionCount = 0;
  private refusing = false;
  private latency = 0;
  /** Order messages held by holdOrders(), in the order they came; null while none are held. */
  private heldOrders: Array<{ session: ClientSession; fields: string[] }> | null = null;
  private faults: PendingFault[] = [];
  private orderIdFloor = 1;
  private boundPort = 0;

  constructor(
    readonly options: ResolvedOptions,
    private readonly handlers: HandlerRegistry,
    readonly market: Market,
    readonly engines: ReadonlyMap<string, FillEngineApi>,
    private readonly clock: () => number = Date.now,
    private readonly moveClock: (ms: number) => void = () => {},
  ) {}

  get engine(): FillEngineApi {
    return this.engines.get(this.options.accounts[0])!;
  }

  get host(): string {
    return this.options.host;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Starts listening; resolves once the port is bound. */
  listen(port = this.options.port): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    server.on('error', (error) => this.log(`server error: ${error.message}`));
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port, this.options.host, () => {
        server.off('error', onError);
        const address = server.address();
        this.boundPort = typeof address === 'object' && address ? address.port : port;
        resolve();
      });
    });
  }

  clientCount(): number {
    let count = 0;
    for (const session of this.sessions) if (!session.closed) count++;
    return count;
  }

  async close(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const stop of this.stopHooks.splice(0)) {
      try {
        stop();
      } catch (error) {
        this.log(`stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private readonly stopHooks: Array<() => void> = [];

  onStop(stop: () => void): void {
    this.stopHooks.push(stop);
  }

  dropConnections(): void {
    for (const session of [...this.sessions]) session.destroy();
    this.sessions.clear();
  }

  async restart(downMs = 0): Promise<void> {
    const port = this.boundPort;
    this.log(`restart: down for ${downMs} ms`);
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.listen(port);
    this.log(`restart: listening again on ${this.host}:${port}`);
  }

  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
  }

  failNext(match: RequestMatch, code: number, message: string): void {
    this.faults.push({ match, code, message });
  }

  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  holdOrders(): () => void {
    const held: Array<{ session: ClientSession; fields: string[] }> = this.heldOrders ?? [];
    this.heldOrders = held;
    return () => {
      if (this.heldOrders !== held) return;
      this.heldOrders = null;
      for (const { session, fields } of held) if (!session.closed) this.dispatch(session, fields);
    };
  }

  advanceClock(ms: number): void {
    if (!(ms > 0)) return;
    this.moveClock(ms);
    this.log(`clock: ${ms} ms later`);
  }

  broadcastError(id: number, code: number, message: string): void {
    for (const session of this.startedSessions()) session.error(id, code, message);
  }

  // ---- SimContext ----

  *startedSessions(): Iterable<ClientSession> {
    for (const session of this.sessions) if (session.started && !session.closed) yield session;
  }

  nextOrderId(): number {
    return this.orderIdFloor;
  }

  noteOrderId(orderId: number): void {
    if (orderId >= this.orderIdFloor) this.orderIdFloor = orderId + 1;
  }

  now(): number {
    return this.clock();
  }

  log(line: string): void {
    try {
      this.options.log(line);
    } catch {
      // A broken logger must not take the simulator down.
    }
  }

  // ---- connections ----

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    if (this.refusing) {
      this.log(`refusing a connection from ${socket.remoteAddress}:${socket.remotePort}`);
      socket.destroy();
      return;
    }
    const probe = this.options.probe;
    const session = new ClientSession(++this.connectionCount, socket, () => this.latency, probe);
    this.sessions.add(session);
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      if (session.closed) return;
      // Stamped on arrival, before parsing: what a probe calls "read".
      const arrived = probe?.placeOrderRead ? process.hrtime.bigint() : undefined;
      for (const event of reader.push(chunk)) {
        if (session.closed) return;
        if (event.kind === 'error') {
          this.rejectClient(session, event.error);
          return;
        }
        if (event.kind === 'handshake') {
          if (!answerHandshake(session, event.range, this)) return;
        } else {
          if (arrived !== undefined && event.fields[0] === String(Incoming.PLACE_ORDER)) this.probeOrder(session, event.fields, arrived);
          if (probe?.messageRead) this.probeMessage(session, event.fields);
          this.dispatch(session, event.fields);
        }
      }
    });
    socket.on('error', (error) => this.log(`${session.label}: socket error: ${error.message}`));
    socket.on('close', () => {
      session.finish();
      this.sessions.delete(session);
      this.log(`${session.label}: closed`);
    });
  }

  private dispatch(session: ClientSession, fields: string[]): void {
    const messageId = Number(fields[0]);
    if (!Number.isInteger(messageId) || !REQUEST_NAMES.has(messageId)) {
      this.rejectClient(session, new FrameError(`unknown message id ${JSON.stringify(fields[0]?.slice(0, 20))}`));
      return;
    }
    if (!session.started && messageId !== Incoming.START_API) {
      this.rejectClient(session, new FrameError(`message ${messageId} before START_API`));
      return;
    }
    if (this.heldOrders !== null && ORDER_ROUTE.has(messageId)) {
      this.heldOrders.push({ session, fields });
      return;
    }
    const requestId = requestIdOf(fields, session.serverVersion);
    const faultIndex = this.faults.findIndex(
      (f) => f.match.messageId === messageId && (f.match.reqId === undefined || f.match.reqId === requestId),
    );
    if (faultIndex >= 0) {
      const [fault] = this.faults.splice(faultIndex, 1);
      this.log(`${session.label}: injected error ${fault.code} for message ${messageId}`);
      session.error(requestId ?? -1, fault.code, fault.message);
      return;
    }
    const entry = this.handlers.get(messageId);
    if (!entry) {
      const name = REQUEST_NAMES.get(messageId)!;
      this.log(`${session.label}: ${name} (${messageId}) is not supported by the simulator; answered error 321`);
      session.error(requestId ?? -1, 321, `Error validating request.-'${messageId}' : cause - ${name} (message ${messageId}) is not supported by the simulator`);
      return;
    }
    const reader = new FieldReader(fields.slice(1), entry.name);
    try {
      entry.handle(session, reader, this);
    } catch (error) {
      if (error instanceof FieldError) {
        this.log(`${session.label}: bad ${entry.name}: ${error.message}`);
        session.error(requestId ?? -1, 320, `Error reading request. ${error.message}`);
        session.close();
        return;
      }
      // A simulator bug: report it to the client and the log, keep serving everyone else.
      const text = error instanceof Error ? error.stack ?? error.message : String(error);
      this.log(`${session.label}: ${entry.name} failed: ${text}`);
      session.error(requestId ?? -1, 320, `Error processing request ${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private probeOrder(session: ClientSession, fields: readonly string[], arrived: bigint): void {
    try {
      this.options.probe!.placeOrderRead!(session.id, fields, arrived);
    } catch {
      // Instrumentation must never disturb the simulator.
    }
  }

  private probeMessage(session: ClientSession, fields: readonly string[]): void {
    try {
      this.options.probe!.messageRead!(session.id, fields);
    } catch {
      // Instrumentation must never disturb the simulator.
    }
  }

  private rejectClient(session: ClientSession, error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    this.log(`${session.label}: bad frame: ${text}; closing the connection`);
    if (session.serverVersion > 0) session.error(-1, 320, `Error reading request: ${text}`);
    session.close();
  }
}
