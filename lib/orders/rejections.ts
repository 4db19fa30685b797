/**
 * Which order events are TWS (or the fill engine) refusing something after the order left: a rejected
 * order (Inactive: 201, 103, 110, 200, 321 ...), an order TWS cancelled with a reason of its own (202
 * with a reason), or a cancel or change it refused (10147, 10148, 161, a refused modification) while the
 * order works on. Nodes report these as errors a Catch node sees, besides the order event itself.
 * Cancels the strategy asked for, and the ordinary ends of an order (its OCA sibling filled, its DAY
 * ended, its parent was cancelled), are not errors.
 */
import {
  CANCELLED_BY_REQUEST,
  EXPIRED_DAY,
  NOT_FILLED_IOC,
  NOT_FILLED_LOC,
  NOT_FILLED_OPG,
  OCA_FILLED,
  OCA_REDUCED_TO_ZERO,
  PARENT_CANCELLED,
} from '../fills/reasons';
import type { OrderEvent } from '../messages';

const ORDINARY_ENDS = [CANCELLED_BY_REQUEST, EXPIRED_DAY, NOT_FILLED_IOC, NOT_FILLED_OPG, NOT_FILLED_LOC, PARENT_CANCELLED, OCA_FILLED, OCA_REDUCED_TO_ZERO];

/** Finished orders remembered (their last reason), so a late repeat of the event is not a second error. */
const REMEMBERED = 1000;

/**
 * Watches one strategy's order events and returns the text of a refusal the first time an event
 * carries it (an event repeating the same reason, e.g. a later fill of an order whose modification was
 * refused earlier, is not reported again).
 */
export class RejectionWatch {
  private readonly lastReason = new Map<number, string>();

  check(event: OrderEvent): string | null {
    const reason = event.reason;
    if (!reason) return null;
    if (this.lastReason.get(event.orderId) === reason) return null;
    this.lastReason.set(event.orderId, reason);
    if (this.lastReason.size > REMEMBERED) this.lastReason.delete(this.lastReason.keys().next().value as number);
    return rejectionText(event);
  }
}

/** The error text for an event that is a refusal, or null for an ordinary one. */
export function rejectionText(event: OrderEvent): string | null {
  const reason = event.reason;
  if (!reason) return null;
  const what = `order #${event.orderId} (${event.action} ${event.totalQuantity} ${event.symbol} ${event.orderType})`;
  switch (event.status) {
    case 'Inactive':
      return `${what} was rejected: ${reason}`;
    case 'Cancelled':
    case 'ApiCancelled': {
      if (!/\(IB \d+\)$/.test(reason)) return null; // cancelled here before it left, not by TWS
      const given = reason.replace(/\s*\(IB \d+\)$/, '').replace(/^Order Cancel+ed - reason:/i, '').trim();
      if (!given || ORDINARY_ENDS.some((ordinary) => given === ordinary)) return null;
      return `${what} was cancelled by TWS: ${reason}`;
    }
    case 'Filled':
      return null;
    default:
      // Still working: a cancel or a change TWS refused (the order lives on as it was).
      return /\(IB \d+\)$/.test(reason) ? `${what}: TWS refused the change or cancel, the order works on as it was: ${reason}` : null;
  }
}
