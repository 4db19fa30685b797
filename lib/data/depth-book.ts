/**
 * An L2 order book kept from TWS's market depth messages. TWS addresses rows by position within a side:
 * insert shifts the rows below down, delete shifts them up, update replaces in place. The book sent out
 * is sorted (bids high to low, asks low to high) whatever order the rows arrived in.
 */

export interface DepthRow {
  price: number;
  size: number;
  marketMaker: string;
}

export interface DepthBook {
  time: number;
  bids: DepthRow[];
  asks: DepthRow[];
}

/** TWS's operation codes in MARKET_DEPTH / MARKET_DEPTH_L2. */
export const enum DepthOperation {
  Insert = 0,
  Update = 1,
  Delete = 2,
}

/** TWS's side codes: 0 ask, 1 bid. */
export const enum DepthSide {
  Ask = 0,
  Bid = 1,
}

export class LiveDepthBook {
  private readonly bids: DepthRow[] = [];
  private readonly asks: DepthRow[] = [];
  private updated = 0;

  /**
   * Applies one depth message. Returns false when it does not fit the book (a position beyond the
   * rows held, an unknown operation): the book stays as it was, and the caller may count it.
   */
  apply(position: number, operation: number, side: number, price: number, size: number, marketMaker = '', time = Date.now()): boolean {
    const rows = side === DepthSide.Bid ? this.bids : side === DepthSide.Ask ? this.asks : null;
    if (!rows || !Number.isInteger(position) || position < 0) return false;
    switch (operation) {
      case DepthOperation.Insert:
        if (position > rows.length) return false;
        rows.splice(position, 0, { price, size, marketMaker });
        break;
      case DepthOperation.Update:
        if (position > rows.length) return false;
        rows[position] = { price, size, marketMaker };
        break;
      case DepthOperation.Delete:
        if (position >= rows.length) return false;
        rows.splice(position, 1);
        break;
      default:
        return false;
    }
    this.updated = time;
    return true;
  }

  clear(): void {
    this.bids.length = 0;
    this.asks.length = 0;
  }

  /** The book sorted by price, at most `rows` levels per side, copied (safe to send). */
  snapshot(rows = Infinity): DepthBook {
    const take = (list: DepthRow[], compare: (a: DepthRow, b: DepthRow) => number) =>
      list
        .filter((r) => Number.isFinite(r.price) && r.size > 0)
        .sort(compare)
        .slice(0, rows)
        .map((r) => ({ price: r.price, size: r.size, marketMaker: r.marketMaker }));
    return {
      time: this.updated,
      bids: take(this.bids, (a, b) => b.price - a.price),
      asks: take(this.asks, (a, b) => a.price - b.price),
    };
  }
}
