/**
 * Portfolio accounting for the engine's one account: what an execution does to the order's fill
 * totals, the position, cash and commissions, and what the account is worth. It is IB-style: a
 * position's avgCost includes the commissions paid to open it; the realized PnL of a reducing execution
 * is net of its commission; cash pays for fills and commissions; equity is cash plus every position
 * marked at its last price (bar close / quote last). Positions are kept on the instrument's Book.
 * Fill prices pass through the slippage model here, commissions through the commission model.
 */
import type { Execution, Position } from '../../messages';
import type { CommissionModel, SlippageModel } from './types';
import { QTY_EPSILON, type Book, type LiveOrder } from './book';

export class Portfolio {
  private cashBalance: number;
  private commissionTotal = 0;
  /** Every execution so far, oldest first. */
  readonly executions: Execution[] = [];
  private nextExecId = 1;

  constructor(
    readonly account: string,
    startingCash: number,
    private readonly commissionModel: CommissionModel | undefined,
    private readonly slippageModel: SlippageModel | undefined,
  ) {
    this.cashBalance = startingCash;
  }

  cash(): number {
    return this.cashBalance;
  }

  commissionsPaid(): number {
    return this.commissionTotal;
  }

  /** Cash plus every position marked at its last price. */
  equity(books: readonly Book[]): number {
    let value = this.cashBalance;
    for (let i = 0; i < books.length; i++) {
      const b = books[i];
      if (b.quantity !== 0) value += b.quantity * b.mark;
    }
    return value;
  }

  /**
   * Books one execution of `quantity` of `live` at `rawPrice` (before slippage): the order's fill
   * totals, its commission, the position, cash. Returns the execution (also kept in `executions`).
   */
  execute(live: LiveOrder, quantity: number, rawPrice: number, time: number): Execution {
    const o = live.order;
    const book = live.book;
    const buy = o.action === 'BUY';
    let price = rawPrice;
    if (this.slippageModel !== undefined) {
      price = this.slippageModel.adjust(o.action, rawPrice, book.tick);
      // Slippage never pushes a limit-type order past its limit.
      const limit = live.limitInForce();
      if (limit === limit && (buy ? price > limit : price < limit)) price = buy ? Math.max(limit, rawPrice) : Math.min(limit, rawPrice);
    }
    const value = quantity * price;
    const filledBefore = live.filled;
    let commission = 0;
    const model = this.commissionModel;
    if (model !== undefined) {
      // Charge the increase of the order's total, so per-order minimums and caps apply once per order.
      commission =
        model.forOrder !== undefined
          ? model.forOrder(filledBefore + quantity, live.filledValue + value) - live.commission
          : model.commission(quantity, price);
    }

    live.filled = filledBefore + quantity;
    live.filledValue += value;
    live.lastFillPrice = price;
    live.commission += commission;
    const realized = applyToPosition(book, buy, quantity, price, commission);
    this.cashBalance -= (buy ? value : -value) + commission;
    this.commissionTotal += commission;
    if (book.mark !== book.mark) book.mark = price;

    const execution: Execution = {
      execId: execIdFor(this.nextExecId++),
      orderId: o.orderId,
      permId: live.permId,
      symbol: book.symbol,
      side: o.action,
      shares: quantity,
      price,
      cumQty: live.filled,
      avgPrice: live.filledValue / live.filled,
      commission,
      realizedPnl: realized,
      orderRef: o.orderRef ?? '',
      account: this.account,
      time,
    };
    this.executions.push(execution);
    return execution;
  }

  positionOf(book: Book): Position {
    const marked = book.mark === book.mark;
    return {
      account: this.account,
      symbol: book.symbol,
      quantity: book.quantity,
      avgCost: book.avgCost,
      marketPrice: marked ? book.mark : null,
      marketValue: marked ? book.quantity * book.mark : null,
      unrealizedPnl: marked ? (book.mark - book.avgCost) * book.quantity : null,
      realizedPnl: book.realized,
    };
  }
}

/** Applies an execution to the position; returns the realized PnL (null for an opening execution). */
function applyToPosition(book: Book, buy: boolean, quantity: number, price: number, commission: number): number | null {
  book.traded = true;
  const position = book.quantity;
  const signed = buy ? quantity : -quantity;
  let realized: number | null = null;
  if (position === 0 || position > 0 === buy) {
    const perShare = buy ? price + commission / quantity : price - commission / quantity;
    const held = Math.abs(position);
    book.avgCost = (held * book.avgCost + quantity * perShare) / (held + quantity);
  } else {
    const closing = Math.min(quantity, Math.abs(position));
    const closingCommission = (commission * closing) / quantity;
    realized = (position > 0 ? price - book.avgCost : book.avgCost - price) * closing - closingCommission;
    book.realized += realized;
    const opening = quantity - closing;
    if (opening > QTY_EPSILON) {
      const openingCommission = commission - closingCommission;
      book.avgCost = buy ? price + openingCommission / opening : price - openingCommission / opening;
    }
  }
  let next = position + signed;
  if (Math.abs(next) < QTY_EPSILON) next = 0;
  book.quantity = next;
  if (next === 0) book.avgCost = 0;
  return realized;
}

/** IB-like execution ids ("0000e0d5.00000001.01.01"), unique within the engine. */
function execIdFor(n: number): string {
  return `0000e0d5.${n.toString(16).padStart(8, '0')}.01.01`;
}
