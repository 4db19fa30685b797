/**
 * One socket to TWS / IB Gateway, shared by every node of a connection: an IBApiNext and the IBApi under
 * it. It keeps itself connected (backoff reconnect with the same fixed clientId, so order ownership
 * survives), knows the account and whether it is a live one, and routes TWS errors by request id to
 * whoever made the request.
 */
import { TypedEventEmitter } from '../messages/events';
import type { Socket } from 'node:net';
import { EventName, IBApi, IBApiNext, type Contract, type Order } from '@stoqey/ib';
import type { ConnectionState, ConnectionStatus, IbSession, RequestOwner } from './connection';
import { IbRequestError } from './connection';
import { describeCode, isInformational } from './error-codes';
import { checkRequest, guardApi } from './wire-check';
import { placeOrderFields } from './place-order-fields';
import { installWireWriter, type WireWriter } from './wire-writer';

export interface SessionLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SessionOptions {
  host: string;
  port: number;
  /** Fixed: a reconnect with another id would lose ownership of this client's orders. */
  clientId: number;
  /**
   * The account to use; the first managed account when empty. It must be one TWS manages (else orders
   * are refused); it never decides live or paper (see isLive).
   */
  account?: string;
  allowLiveOrders: boolean;
  /** Shown in status and used for live detection: 'simulator' never has a live port. */
  mode: 'tws' | 'simulator';
  /** Give up one attempt after this long without NEXT_VALID_ID. Default 10 s. */
  connectTimeoutMs?: number;
  /** Reconnect backoff: first delay, doubled after each failure up to maxMs. Default 500 ms .. 30 s. */
  backoff?: { initialMs: number; maxMs: number };
  log?: SessionLog;
}

/** IB's paper (simulated trading) accounts start with D: DU..., DF... */
function isPaperAccount(account: string): boolean {
  return account.toUpperCase().startsWith('D');
}

/** Ports on which TWS (7496) and IB Gateway (4001) serve live accounts by default. */
const LIVE_PORTS = new Set([7496, 4001]);
/**
 * TWS reports errors of requests and of orders in one id field, so the three id spaces must not meet:
 * order ids come from nextValidId (small in practice, growing slowly over an account's life), IBApiNext's
 * requests are moved up to start at FIRST_NEXT_REQ_ID (left at 1, error 202 for order 7 would end
 * IBApiNext subscription 7, e.g. an account stream), and our raw requests start at FIRST_RAW_REQ_ID.
 * Both stay below 2^31, TWS's int.
 */
const FIRST_NEXT_REQ_ID = 500_000_000;
const FIRST_RAW_REQ_ID = 1_000_000_000;

const silentSessionLog: SessionLog = { debug() {}, info() {}, warn() {}, error() {} };

export interface SessionEvents {
  status: (status: ConnectionStatus) => void;
  resubscribe: () => void;
  /** NEXT_VALID_ID: the first order id TWS will accept from this client. */
  nextValidId: (orderId: number) => void;
}

export class IbSocketSession extends TypedEventEmitter<SessionEvents> implements IbSession {
  readonly next: IBApiNext;
  readonly api: IBApi;
  private readonly log: SessionLog;
  private readonly owners = new Map<number, RequestOwner>();
  private readonly connectWaiters = new Set<{ resolve: () => void }>();
  private nextRawReqId = FIRST_RAW_REQ_ID;
  private state: ConnectionState = 'disconnected';
  private wanted = false;
  private ready = false;
  private everReady = false;
  private accounts: string[] = [];
  private lastError: string | undefined;
  private note: string | undefined;
  private retryDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private currentStatus: ConnectionStatus;
  private readonly endpoint: { host: string; port: number };
  /** The socket's writer: orders ahead of data requests, nothing written into a later connection. */
  readonly writer: WireWriter | null;

  constructor(readonly options: SessionOptions) {
    super();
    this.log = options.log ?? silentSessionLog;
    this.retryDelayMs = this.backoff.initialMs;
    this.endpoint = { host: options.host, port: options.port };
    const endpoint = this.endpoint;
    this.next = new IBApiNext({
      // @stoqey/ib hands this very object down to its socket, which reads host and port at each
      // connect(): getters let the simulator mode pick its free port after the session exists.
      get host() {
        return endpoint.host;
      },
      get port() {
        return endpoint.port;
      },
      // Our own backoff below: IBApiNext's fixed-interval reconnect would hammer a TWS that refuses us.
      reconnectInterval: 0,
      logger: {
        debug: (tag, args) => this.log.debug(`[${tag}] ${String(args)}`),
        info: (tag, args) => this.log.debug(`[${tag}] ${String(args)}`),
        warn: (tag, args) => this.log.warn(`[${tag}] ${String(args)}`),
        error: (tag, args) => this.log.debug(`[${tag}] ${String(args)}`),
      },
    });
    // IBApiNext numbers its requests from a private counter starting at 1: move it clear of order ids.
    (this.next as unknown as { _nextReqId: number })._nextReqId = FIRST_NEXT_REQ_ID;
    // IBApiNext keeps its IBApi private, but it is the one socket; fills, raw historical requests and
    // order routing need the IBApi events, and a second socket would need a second clientId.
    this.api = (this.next as unknown as { api: IBApi }).api;
    // Nothing that would garble the socket's fields is encoded, and nothing is written out of turn.
    guardApi(this.api);
    this.writer = installWireWriter(this.api, { log: this.log });
    if (!this.writer) this.log.warn('could not install the socket writer: @stoqey/ib changed its internals; orders may wait behind data requests');
    this.currentStatus = this.computeStatus();
    this.wireApi();
  }

  private get backoff() {
    return this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  }

  /** Where the next connect goes (the simulator mode learns its port only once it listens). */
  setEndpoint(host: string, port: number): void {
    this.endpoint.host = host;
    this.endpoint.port = port;
  }

  /** Starts connecting and keeps the socket up until stop(). */
  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.connect();
  }

  /** Disconnects and stops reconnecting. Resolves once the socket is closed (at most 2 s). */
  async stop(): Promise<void> {
    this.wanted = false;
    this.clearTimers();
    if (this.api.isConnected || this.state === 'connecting') {
      const closed = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        this.api.once(EventName.disconnected, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.closeSocket();
      await closed;
    }
    this.ready = false;
    this.setState('disconnected', undefined, 'disconnected');
  }

  /**
   * IBApiNext.disconnect() closes only a socket whose handshake has finished: one still handshaking would
   * stay open, finish later and hold this client id (the next connect then meets 326). So the socket
   * itself is closed too, through IBApi's own disconnect under IBApiNext's override.
   */
  private closeSocket(): void {
    // Socket first (it acts on a connecting or connected socket), then IBApiNext's own state; the other
    // way round IBApi complains (504) about disconnecting a socket IBApiNext already closed.
    IBApi.prototype.disconnect.call(this.api);
    this.next.disconnect();
  }

  status(): ConnectionStatus {
    return this.currentStatus;
  }

  serverVersion(): number {
    return this.api.isConnected ? this.api.serverVersion : 0;
  }

  placeOrder(orderId: number, contract: Contract, order: Order): void {
    const writer = this.writer;
    if (writer && this.sendsNow()) {
      // The check the client's placeOrder makes (guardApi), before the fields are even read.
      checkRequest('placeOrder', [orderId, contract, order]);
      const fields = placeOrderFields(this.api.serverVersion, orderId, contract, order);
      if (fields) {
        writer.send(fields);
        return;
      }
    }
    this.api.placeOrder(orderId, contract, order);
  }

  /**
   * Whether @stoqey/ib would encode a request at once: connected and its command buffer running (it
   * holds requests until NEXT_VALID_ID, and while it is working through them; the own encoder must not
   * pass ahead of them). False when its internals are not the shape known.
   */
  private sendsNow(): boolean {
    const commands = (this.api as unknown as { controller?: { commands?: { _paused?: unknown; _processing?: unknown } } }).controller?.commands;
    return this.api.isConnected && commands?._paused === false && commands._processing === false;
  }

  isReady(): boolean {
    return this.ready;
  }

  allocateReqId(owner: RequestOwner): number {
    const reqId = this.nextRawReqId++;
    this.owners.set(reqId, owner);
    return reqId;
  }

  releaseReqId(reqId: number): void {
    this.owners.delete(reqId);
  }

  whenConnected(timeoutMs = 10_000): Promise<void> {
    if (this.ready) return Promise.resolve();
    // One list for every waiter, not a status listener each: fifty nodes waiting through an outage
    // would otherwise pass the emitter's listener limit (MaxListenersExceededWarning).
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.connectWaiters.delete(waiter);
        reject(new Error(`not connected to ${this.where()} after ${timeoutMs} ms (${this.currentStatus.text})`));
      }, timeoutMs);
      this.connectWaiters.add(waiter);
    });
  }

  private where(): string {
    return `${this.options.mode === 'simulator' ? 'simulator' : 'TWS'} at ${this.endpoint.host}:${this.endpoint.port}`;
  }

  private connect(): void {
    if (!this.wanted) return;
    this.setState('connecting', this.lastError, this.everReady ? `reconnecting ${this.endpoint.host}:${this.endpoint.port}` : `connecting ${this.endpoint.host}:${this.endpoint.port}`);
    this.connectTimer = setTimeout(() => {
      this.connectTimer = undefined;
      if (this.ready) return;
      this.log.warn(`no answer from ${this.where()} within ${this.options.connectTimeoutMs ?? 10_000} ms; retrying`);
      this.closeSocket();
      // A socket that never opened emits no 'disconnected': schedule the retry here as well.
      this.scheduleReconnect();
    }, this.options.connectTimeoutMs ?? 10_000);
    this.next.connect(this.options.clientId);
  }

  private scheduleReconnect(): void {
    if (!this.wanted || this.retryTimer) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.backoff.maxMs);
    const seconds = Math.max(1, Math.round(delay / 1000));
    const text = this.lastError ? this.lastError : `disconnected, retry in ${seconds}s`;
    this.setState(this.lastError ? 'error' : 'disconnected', this.lastError, text);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.retryTimer = undefined;
    this.connectTimer = undefined;
  }

  private wireApi(): void {
    // @stoqey/ib opens its socket with Nagle's algorithm on. An order written while an earlier small
    // write (a cancel in the same turn, a request) is still unacknowledged would then wait for that ACK,
    // up to TWS's delayed-ACK time; trading clients send each message at once. (The live-latency bench
    // never has such a pair, 0 cancels in 54 orders, so it shows no change either way.)
    this.api.on(EventName.connected, () => {
      if (!setNoDelay(this.api)) this.log.warn('could not turn off Nagle (TCP_NODELAY) on the TWS socket: @stoqey/ib changed its internals; orders may wait for ACKs');
    });
    this.api.on(EventName.managedAccounts, (list: string) => {
      this.accounts = String(list)
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      if (this.ready) this.refreshStatus();
    });
    this.api.on(EventName.nextValidId, (orderId: number) => {
      this.emit('nextValidId', orderId);
      if (this.ready) return; // TWS also answers reqIds() with NEXT_VALID_ID.
      this.ready = true;
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
      this.retryDelayMs = this.backoff.initialMs;
      this.lastError = undefined;
      // A 1100 note outlives the reconnect: IBApiNext drops the socket on 1100 itself, and only TWS's
      // 1101/1102 say that IB is back.
      const wasReconnect = this.everReady;
      this.everReady = true;
      this.refreshStatus();
      this.log.info(`connected to ${this.where()} as client ${this.options.clientId} (server version ${this.api.serverVersion}, account ${this.currentStatus.account ?? 'unknown'})`);
      if (wasReconnect) this.emit('resubscribe');
    });
    this.api.on(EventName.disconnected, () => {
      const wasReady = this.ready;
      this.ready = false;
      // The next login may manage other accounts: nothing about them is trusted until it says so.
      this.accounts = [];
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
      if (!this.wanted) return;
      if (wasReady) this.log.warn(`lost the connection to ${this.where()}; reconnecting with client id ${this.options.clientId}`);
      this.scheduleReconnect();
    });
    // @stoqey/ib turns every message with id -1 into 'info': farm notices, but also 326 (client id in
    // use) and the 1100/1101/1102 connectivity codes, which must not be lost.
    this.api.on(EventName.info, (message: string, code: number) => this.onTwsError(new Error(message), Number(code), -1));
    this.api.on(EventName.error, (error: Error, code: number, reqId: number) => this.onTwsError(error, Number(code), Number(reqId)));
  }

  private onTwsError(error: Error, code: number, reqId: number): void {
    const message = error?.message ?? String(error);
    const owner = reqId >= 0 ? this.owners.get(reqId) : undefined;
    if (owner) {
      owner.onRequestError(new IbRequestError(code, reqId, `${message} (IB ${code}${describeCode(code) ? `: ${describeCode(code)}` : ''})`));
      return;
    }
    switch (code) {
      case 326:
        this.lastError = `client id ${this.options.clientId} already in use (326): set another Client ID`;
        this.log.error(`${this.where()} refused client id ${this.options.clientId}: another API client is connected with it (IB 326). Give this connection a different Client ID.`);
        this.setState('error', this.lastError, this.lastError);
        return;
      case 502:
      case 504:
        // After stop() nothing is retried: a late 502/504 is only an echo of the close.
        if (!this.wanted) {
          this.log.debug(`TWS ${code} after close: ${message}`);
          return;
        }
        if (!this.ready) {
          this.lastError = undefined;
          this.log.debug(`cannot reach ${this.where()} (${code}): ${message}`);
          // Refused sockets close without ever opening; make sure a retry is scheduled.
          if (this.connectTimer) clearTimeout(this.connectTimer);
          this.connectTimer = undefined;
          this.scheduleReconnect();
          this.setState('disconnected', undefined, `no TWS at ${this.endpoint.host}:${this.endpoint.port}, retrying`);
          return;
        }
        break;
      case 1100:
        this.note = 'TWS lost IB servers (1100)';
        this.log.warn(`${this.where()}: connectivity between TWS and IB lost (1100); waiting for 1101/1102`);
        this.refreshStatus();
        return;
      case 1101:
        this.note = undefined;
        this.log.warn(`${this.where()}: connectivity restored, market data lost (1101); resubscribing`);
        this.refreshStatus();
        this.emit('resubscribe');
        return;
      case 1102:
        this.note = undefined;
        this.log.info(`${this.where()}: connectivity restored, data kept (1102)`);
        this.refreshStatus();
        return;
      default:
        break;
    }
    if (isInformational(code)) {
      this.log.debug(`TWS ${code}: ${message}`);
    } else if (reqId >= FIRST_RAW_REQ_ID) {
      // A request whose owner has gone (node closed): nothing to tell.
      this.log.debug(`TWS ${code} for finished request ${reqId}: ${message}`);
    } else if (reqId < 0) {
      this.log.warn(`TWS ${code}: ${message}`);
    } else {
      // IBApiNext routes errors of its own requests to their observers, and the broker listens for order
      // ids; leave a trace at debug for the rest.
      this.log.debug(`TWS ${code} (id ${reqId}): ${message}`);
    }
  }

  /**
   * The account orders go to: the typed one once TWS reports managing it, else (none typed) the first
   * managed account; null while TWS has not said which accounts it manages, and null when the typed
   * one is not among them (see accountProblem()).
   */
  private account(): string | null {
    if (this.accounts.length === 0) return null;
    const wanted = this.typedAccount();
    if (!wanted) return this.accounts[0];
    return this.accounts.find((a) => a.toUpperCase() === wanted.toUpperCase()) ?? null;
  }

  private typedAccount(): string | null {
    return this.options.account?.trim() || null;
  }

  /** Why the typed account cannot be used (TWS does not manage it), or null. */
  private accountProblem(): string | null {
    const wanted = this.typedAccount();
    if (!wanted || this.accounts.length === 0 || this.account() !== null) return null;
    return `account ${wanted} (typed in ib-connect) is not managed by this TWS login, which manages ${this.accounts.join(', ')}: fix or clear the Account field; orders are refused`;
  }

  /**
   * Live or paper from what TWS reports, never from a typed field: any managed account that is not a
   * paper one (D...) makes the connection live, since an order could reach it. A live port (7496/4001
   * in tws mode) or a typed live id only ever add caution before TWS has answered.
   */
  private isLive(): boolean {
    if (this.options.mode === 'tws' && LIVE_PORTS.has(this.endpoint.port)) return true;
    const typed = this.typedAccount();
    if (typed && !isPaperAccount(typed)) return true;
    return this.accounts.some((a) => !isPaperAccount(a));
  }

  private computeStatus(): ConnectionStatus {
    const account = this.account();
    const live = this.isLive();
    const liveOrdersAllowed = live && this.options.allowLiveOrders;
    const problem = this.state === 'connected' ? this.accountProblem() : null;
    let text: string;
    if (this.state !== 'connected') {
      text = this.currentStatus?.text ?? 'disconnected';
    } else if (problem) {
      text = `account ${this.typedAccount()} not in TWS (${this.accounts.join(', ')})`;
    } else if (this.note) {
      text = this.note;
    } else if (live) {
      // Live because of another account of the login: name it, the account in use looks like paper.
      const others = account && isPaperAccount(account) ? this.accounts.filter((a) => !isPaperAccount(a)) : [];
      text = `LIVE ${others.length ? `(${others.join(', ')}) ` : ''}${account ?? ''} ${liveOrdersAllowed ? 'trading' : 'read-only'}`.replace(/\s+/g, ' ');
    } else {
      text = `connected ${account ?? ''}`.trim();
    }
    return { mode: this.options.mode, state: this.state, account, accounts: [...this.accounts], live, liveOrdersAllowed, text, error: problem ?? this.lastError };
  }

  private refreshStatus(): void {
    this.setState(this.ready ? 'connected' : this.state, this.lastError, undefined);
  }

  private setState(state: ConnectionState, error: string | undefined, text: string | undefined): void {
    this.state = state;
    const status = this.computeStatus();
    if (text !== undefined && state !== 'connected') status.text = text;
    if (status.error === undefined || state !== 'connected') status.error = error;
    const before = this.currentStatus;
    this.currentStatus = status;
    if (state === 'connected' && this.connectWaiters.size > 0) {
      const waiters = [...this.connectWaiters];
      this.connectWaiters.clear();
      for (const waiter of waiters) waiter.resolve();
    }
    if (before && before.state === status.state && before.text === status.text && before.account === status.account && before.live === status.live && before.error === status.error) return;
    this.emit('status', status);
  }
}

/**
 * The TCP socket under an IBApi. @stoqey/ib keeps it private (IBApi.controller.socket.client) and
 * offers no socket options; null when that shape is not there (another @stoqey/ib version).
 */
export function apiSocket(api: IBApi): Socket | null {
  const client = (api as unknown as { controller?: { socket?: { client?: unknown } } }).controller?.socket?.client;
  return client && typeof (client as Socket).setNoDelay === 'function' ? (client as Socket) : null;
}

/** Turns Nagle's algorithm off on the IBApi's socket; false when the socket cannot be reached. */
export function setNoDelay(api: IBApi): boolean {
  const socket = apiSocket(api);
  if (!socket) return false;
  socket.setNoDelay(true);
  return true;
}
