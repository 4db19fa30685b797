/**
 * Portfolio accounting for the engine's one account: what an execution does to the order's fill
 * totals, the position, cash and commissions, and what the account is worth. It is IB-style: a
 * position's avgCost includes the commissions paid to open it; the realized PnL of a reducing execution
 * is net of its commission; cash pays for fills and commissions; equity is cash plus every position
 * marked at its last price (bar close / quote last). Positions are kept on the instrument's Book.
 * Fill prices pass through the slippage model here, commissions through the commission model.
 *
 * Money is quantity x price x the contract multiplier (the book's; 1 for shares), as TWS counts it:
 * prices stay per unit (fills, marks, execution prices, order avgFillPrice), while cash, P&L, market
 * value and the reported avgCost (price x multiplier, as POSITION messages carry it) are per contract.
 * Cash pays a future's full notional here, where IB moves only variation margin: equity (net
 * liquidation) comes out the same, cash alone differs.
 *
 * Currencies (currency.ts, when the engine has a base currency): an instrument quoted in another
 * currency moves that currency's cash, and its position, P&L and commission stay in that currency, as
 * TWS reports them; cash() and equity() are in the base currency at the rates of the time. Commission
 * models price in the base currency (their rates and minimums are IB's schedule in the account's
 * currency), on the trade's value at the fill's rate; the amount is charged in the trade's currency, as
 * IB charges it, and commissionsPaid() adds each in the base currency at its fill's rate.
 */
import type { Execution, Position } from '../messages';
import type { CommissionModel, SlippageModel } from './types';
import { QTY_EPSILON, type Book, type LiveOrder } from './book';
import type { Currencies } from './currency';

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
    /** The account's currencies (null: every amount is counted as is, in one currency). */
    readonly currencies: Currencies | null = null,
  ) {
    this.cashBalance = startingCash;
  }

  /** Cash in the base currency: its own, plus every other currency's at its rate now. */
  cash(): number {
    const currencies = this.currencies;
    return currencies === null || currencies.list.length === 0 ? this.cashBalance : this.cashBalance + currencies.foreignCash();
  }

  /** Cash in the base currency itself, without the other currencies'. */
  baseCash(): number {
    return this.cashBalance;
  }

  /** Every commission so far, in the base currency (each at its fill's rate). */
  commissionsPaid(): number {
    return this.commissionTotal;
  }

  /** Cash plus every position marked at its last price (in the base currency, at the rates now). */
  equity(books: readonly Book[]): number {
    let value = this.cash();
    for (let i = 0; i < books.length; i++) {
      const b = books[i];
      if (b.quantity === 0) continue;
      const fx = b.fx;
      value += fx === null ? b.quantity * b.mark * b.multiplier : b.quantity * b.mark * b.multiplier * fx.rate();
    }
    return value;
  }

  /** The price an execution of `live` at `rawPrice` gets after slippage (never past the order's limit). */
  fillPrice(live: LiveOrder, rawPrice: number): number {
    if (this.slippageModel === undefined) return rawPrice;
    const o = live.order;
    const buy = o.action === 'BUY';
    let price = this.slippageModel.adjust(o.action, rawPrice, live.book.tick);
    // Slippage never pushes a limit-type order past its limit.
    const limit = live.limitInForce();
    if (limit === limit && (buy ? price > limit : price < limit)) price = buy ? Math.max(limit, rawPrice) : Math.min(limit, rawPrice);
    return price;
  }

  /**
   * The commission an execution of `quantity` of `live` at `price` (after slippage) is charged, in the
   * instrument's currency: the model prices it in the base currency, at the fill's rate.
   */
  commissionFor(live: LiveOrder, quantity: number, price: number): number {
    const model = this.commissionModel;
    if (model === undefined) return 0;
    const book = live.book;
    const rate = book.fx === null ? 1 : book.fx.rate();
    // Charge the increase of the order's total, so per-order minimums and caps apply once per order.
    return model.forOrder !== undefined
      ? model.forOrder(live.filled + quantity, (live.filledValue + quantity * price) * book.multiplier * rate, book.terms) / rate - live.commission
      : model.commission(quantity, price * rate, book.terms) / rate;
  }

  /** What a whole order of `quantity` at `price` would be charged (the placing-time estimate), in the instrument's currency. */
  orderCommission(book: Book, quantity: number, price: number): number {
    const model = this.commissionModel;
    if (model === undefined || !(price > 0)) return 0;
    const rate = book.fx === null ? 1 : book.fx.rate();
    const base =
      model.forOrder !== undefined ? model.forOrder(quantity, quantity * price * book.multiplier * rate, book.terms) : model.commission(quantity, price * rate, book.terms);
    return base / rate;
  }

  /**
   * Books one execution of `quantity` of `live` at `price` (after slippage, see fillPrice) charged
   * `commission`: the order's fill totals, its commission, the position, cash. Returns the execution
   * (also kept in `executions`).
   */
  execute(live: LiveOrder, quantity: number, price: number, commission: number, time: number): Execution {
    const o = live.order;
    const book = live.book;
    const buy = o.action === 'BUY';
    const multiplier = book.multiplier;
    // Per unit: the order's average fill price is filledValue / filled, as TWS reports it.
    const unitValue = quantity * price;
    const value = unitValue * multiplier;
    const filledBefore = live.filled;

    live.filled = filledBefore + quantity;
    live.filledValue += unitValue;
    live.lastFillPrice = price;
    live.commission += commission;
    const realized = applyToPosition(book, buy, quantity, price, commission);
    const fx = book.fx;
    const rate = fx === null ? 1 : fx.rate();
    if (fx === null) this.cashBalance -= (buy ? value : -value) + commission;
    else fx.cash -= (buy ? value : -value) + commission;
    this.commissionTotal += commission * rate;
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
    if (multiplier !== 1) execution.multiplier = multiplier;
    if (fx !== null) {
      execution.currency = fx.currency;
      execution.fxRate = rate;
    }
    this.executions.push(execution);
    return execution;
  }

  /** The position as TWS reports it: avgCost per contract (price x multiplier), marketPrice per unit. */
  positionOf(book: Book): Position {
    const marked = book.mark === book.mark;
    const multiplier = book.multiplier;
    const position: Position = {
      account: this.account,
      symbol: book.symbol,
      quantity: book.quantity,
      avgCost: book.avgCost * multiplier,
      marketPrice: marked ? book.mark : null,
      marketValue: marked ? book.quantity * book.mark * multiplier : null,
      unrealizedPnl: marked ? (book.mark - book.avgCost) * book.quantity * multiplier : null,
      realizedPnl: book.realized,
    };
    if (multiplier !== 1) position.multiplier = multiplier;
    return position;
  }
}

/**
 * Applies an execution to the position; returns the realized PnL (null for an opening execution).
 * The book's avgCost is per unit of the underlying (commission spread over quantity x multiplier).
 */
function applyToPosition(book: Book, buy: boolean, quantity: number, price: number, commission: number): number | null {
  book.traded = true;
  const multiplier = book.multiplier;
  const position = book.quantity;
  const signed = buy ? quantity : -quantity;
  let realized: number | null = null;
  if (position === 0 || position > 0 === buy) {
    const perUnit = commission / (quantity * multiplier);
    const cost = buy ? price + perUnit : price - perUnit;
    const held = Math.abs(position);
    book.avgCost = (held * book.avgCost + quantity * cost) / (held + quantity);
  } else {
    const closing = Math.min(quantity, Math.abs(position));
    const closingCommission = (commission * closing) / quantity;
    realized = (position > 0 ? price - book.avgCost : book.avgCost - price) * closing * multiplier - closingCommission;
    book.realized += realized;
    const opening = quantity - closing;
    if (opening > QTY_EPSILON) {
      const perUnit = (commission - closingCommission) / (opening * multiplier);
      book.avgCost = buy ? price + perUnit : price - perUnit;
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
