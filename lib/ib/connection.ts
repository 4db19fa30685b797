/**
 * The socket side of a connection: the session every IB request goes through (IbSession, implemented
 * by lib/ib/session.ts), request ids and their errors, and the status a connection reports. What a node
 * gets from ib-connect as a whole (the Connection and its capabilities) is lib/connection's.
 */
import type { Contract, IBApi, IBApiNext, Order } from '@stoqey/ib';

export type ConnectionMode = 'tws' | 'simulator' | 'backtest';
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'error';

export interface ConnectionStatus {
  mode: ConnectionMode;
  state: ConnectionState;
  /**
   * The account orders go to, once TWS has reported its managed accounts: the configured one if TWS
   * manages it, else the first managed account. null before, and null when the configured account is
   * not one TWS manages (then `error` says which it manages).
   */
  account: string | null;
  /** The accounts TWS reports managing (managedAccounts); empty until it has. */
  accounts: string[];
  /**
   * Real money may be at stake: any account TWS manages is not a paper one (id not starting with D),
   * or the port is TWS's / IB Gateway's live one (7496/4001). Never decided by a typed account.
   */
  live: boolean;
  /** live && "allow live orders" ticked. */
  liveOrdersAllowed: boolean;
  /** Short human text for node status, e.g. "connected DU1234567", "LIVE U123 read-only". */
  text: string;
  /**
   * Why the state is 'error' (e.g. "client id 7 already in use (326): ..."), or why a connected session
   * refuses orders (the configured account is not one TWS manages).
   */
  error?: string;
}

/** Someone who made a request and should hear about its errors (a node, through its handler). */
export interface RequestOwner {
  onRequestError(error: IbRequestError): void;
}

export class IbRequestError extends Error {
  override name = 'IbRequestError';
  constructor(
    readonly code: number,
    readonly reqId: number,
    message: string,
  ) {
    super(message);
  }
}

/** The socket side of a connection (tws and simulator modes). */
export interface IbSession {
  /** The shared IBApiNext (one socket per config node). */
  readonly next: IBApiNext;
  /** The IBApi under `next`: same socket, for what IBApiNext lacks (fills, raw historical, ...). */
  readonly api: IBApi;
  /** Negotiated server version, 0 while disconnected. */
  serverVersion(): number;
  /**
   * A request id for a raw IBApi request, routed: TWS errors carrying this id go to `owner`. Ids are
   * from a range IBApiNext's own counter never reaches. Release it when the request is over.
   */
  allocateReqId(owner: RequestOwner): number;
  releaseReqId(reqId: number): void;
  /** Resolves once connected (NEXT_VALID_ID seen); rejects after `timeoutMs`. */
  whenConnected(timeoutMs?: number): Promise<void>;
  /**
   * Sends PLACE_ORDER as `api.placeOrder` does (its fields checked first: a bad one throws
   * WireFieldError and nothing is written), encoded by the package's own encoder where it covers the
   * order (lib/ib/place-order-fields.ts), else by @stoqey/ib's.
   */
  placeOrder(orderId: number, contract: Contract, order: Order): void;
}
