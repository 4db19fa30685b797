/**
 * What-if orders over TWS: the order goes with whatIf set under an order id of its own, and TWS answers
 * with an OPEN_ORDER whose order state carries the margins and the commission, and nothing more (no
 * status, no execution): that answer, or an error for the id, ends it. The broker keeps such ids out of
 * its order book, so a preview is never taken for an order. A backtest asks its fill engine instead
 * (backtest-broker.ts).
 */
import type { OrderState } from '@stoqey/ib';
import type { WhatIfPreview } from '../orders/broker';

/** TWS's "no value" for a double (Double.MAX_VALUE), which a preview never means. */
const UNSET = 1.7976931348623157e308;

function figure(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n !== UNSET ? n : null;
}

/** The preview in TWS's answer. */
function previewOf(state: OrderState): WhatIfPreview {
  return {
    initMarginBefore: figure(state.initMarginBefore),
    initMarginChange: figure(state.initMarginChange),
    initMarginAfter: figure(state.initMarginAfter),
    maintMarginBefore: figure(state.maintMarginBefore),
    maintMarginChange: figure(state.maintMarginChange),
    maintMarginAfter: figure(state.maintMarginAfter),
    equityWithLoanBefore: figure(state.equityWithLoanBefore),
    equityWithLoanChange: figure(state.equityWithLoanChange),
    equityWithLoanAfter: figure(state.equityWithLoanAfter),
    commission: figure(state.commission),
    minCommission: figure(state.minCommission),
    maxCommission: figure(state.maxCommission),
    commissionCurrency: state.commissionCurrency ? String(state.commissionCurrency) : null,
    warningText: state.warningText ? String(state.warningText) : null,
  };
}

interface Pending {
  resolve: (preview: WhatIfPreview) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** The what-if orders waiting for TWS's answer, by order id. */
export class WhatIfDesk {
  private readonly pending = new Map<number, Pending>();

  /** Whether `orderId` is a what-if (its OPEN_ORDER and errors are the preview's, not an order's). */
  has(orderId: number): boolean {
    return this.pending.has(orderId);
  }

  /** Waits for the answer to what-if `orderId`; `send` sends it. */
  ask(orderId: number, timeoutMs: number, send: () => void): Promise<WhatIfPreview> {
    return new Promise<WhatIfPreview>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(orderId, new Error(`what-if order ${orderId}: TWS did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
      timer.unref();
      this.pending.set(orderId, { resolve, reject, timer });
      try {
        send();
      } catch (err) {
        this.fail(orderId, err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  answer(orderId: number, state: OrderState): void {
    const p = this.pending.get(orderId);
    if (!p) return;
    this.pending.delete(orderId);
    clearTimeout(p.timer);
    p.resolve(previewOf(state));
  }

  fail(orderId: number, error: Error): void {
    const p = this.pending.get(orderId);
    if (!p) return;
    this.pending.delete(orderId);
    clearTimeout(p.timer);
    p.reject(error);
  }

  /** Every waiting preview fails (the connection dropped or closed). */
  failAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.fail(id, new Error(`what-if order ${id}: ${reason}`));
  }
}
