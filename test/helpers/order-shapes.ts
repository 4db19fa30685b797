/**
 * Orders as the package's order path sends them, for the tests that compare encodings byte for byte:
 * the prices each order type needs, and an order as the broker hands it to placeOrder.
 */
import type { Order } from '@stoqey/ib';
import type { OrderType } from '../../lib/messages';

/** Prices each order type needs (as validate.ts requires them). */
export function terms(orderType: OrderType): Record<string, number> {
  switch (orderType) {
    case 'LMT':
    case 'LOC':
      return { lmtPrice: 101.25 };
    case 'STP':
    case 'MIT':
      return { auxPrice: 99.5 };
    case 'STP LMT':
    case 'LIT':
      return { auxPrice: 99.5, lmtPrice: 99.25 };
    case 'TRAIL':
      return { trailingPercent: 1.5 };
    case 'TRAIL LIMIT':
      return { auxPrice: 0.5, lmtPriceOffset: 0.1 };
    case 'REL':
      return { auxPrice: 0.02, lmtPrice: 101 };
    case 'MIDPRICE':
      return { lmtPrice: 101.5 };
    case 'PEG MID':
      return { auxPrice: 0.01 };
    default:
      return {};
  }
}

/** An order as the broker hands it to placeOrder: the planner's fields plus account, id and client id. */
export function sent(order: Order, orderId: number): Order {
  return { ...order, account: order.account ?? 'DU123456', orderId, clientId: 7 };
}
