/**
 * One market depth (L2) subscription: keeps a LiveDepthBook from TWS's depth messages and reports each
 * change. After a reconnect it starts from an empty book with a fresh request id.
 */
import type { Contract } from '@stoqey/ib';
import type { InstrumentKey } from '../messages';
import type { IbRequestError, IbSession } from '../ib/connection';
import { LiveDepthBook } from './depth-book';
import { routerFor } from '../ib/ib-router';

export interface DepthHandlers {
  onChange(book: LiveDepthBook): void;
  onNotice?(text: string, code: number): void;
  onError(err: Error): void;
}

export class MarketDepthSubscription {
  readonly book = new LiveDepthBook();
  private reqId = -1;
  private active = false;
  /** Depth messages that did not fit the book (positions beyond its rows). */
  rejected = 0;

  constructor(
    private readonly session: IbSession,
    readonly key: InstrumentKey,
    readonly contract: Contract,
    private readonly rows: number,
    private readonly smartDepth: boolean,
    private readonly handlers: DepthHandlers,
  ) {}

  start(): void {
    if (this.active) this.stop();
    this.active = true;
    this.book.clear();
    this.reqId = this.session.allocateReqId({ onRequestError: (error) => this.onRequestError(error) });
    routerFor(this.session.api).route(this.reqId, {
      depth: (position, marketMaker, operation, side, price, size) => {
        if (this.book.apply(position, operation, side, price, size, marketMaker)) this.handlers.onChange(this.book);
        else this.rejected++;
      },
    });
    this.session.api.reqMktDepth(this.reqId, this.contract, this.rows, this.smartDepth, []);
  }

  restart(): void {
    if (!this.active) return;
    this.release();
    this.active = false;
    this.start();
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    try {
      this.session.api.cancelMktDepth(this.reqId, this.smartDepth);
    } catch {
      // Not connected: nothing to cancel.
    }
    this.release();
  }

  isActive(): boolean {
    return this.active;
  }

  private release(): void {
    if (this.reqId < 0) return;
    routerFor(this.session.api).unroute(this.reqId);
    this.session.releaseReqId(this.reqId);
    this.reqId = -1;
  }

  private onRequestError(error: IbRequestError): void {
    if (error.code === 10167 || error.code === 10090 || (error.code >= 2100 && error.code <= 2999)) {
      this.handlers.onNotice?.(`${error.message} (${error.code})`, error.code);
      return;
    }
    this.active = false;
    this.release();
    const hint = error.code === 354 || error.code === 10089 ? ': no market depth permission for it' : error.code === 309 ? ': too many depth subscriptions open (309)' : '';
    this.handlers.onError(new Error(`market depth for ${this.key} failed: ${error.message} (${error.code})${hint}`));
  }
}
