/**
 * Why the engine rejects or cancels an order, worded like TWS where TWS has a fixed text, and the TWS
 * error code the simulator reports with it (ERR_MSG id = orderId).
 */

/** TWS error 110, word for word. */
export const PRICE_NOT_ON_TICK = 'The price does not conform to the minimum price variation for this contract.';
/** TWS error 104. */
export const CANNOT_MODIFY_FILLED = "Can't modify a filled order.";
export const CANNOT_MODIFY_CANCELLED = "Can't modify a cancelled order.";
export const CANCELLED_BY_REQUEST = 'Cancelled by request.';
export const EXPIRED_DAY = 'Order expired: time in force DAY ended.';
export const EXPIRED_GTD = 'Order expired: its goodTillDate has passed.';
export const NOT_FILLED_IOC = 'IOC order: the part not filled at once was cancelled.';
export const NOT_FILLED_FOK = 'FOK order: it could not fill its whole quantity at once, cancelled.';
export const NOT_FILLED_OPG = 'OPG order: not filled at the opening, cancelled.';
export const NOT_FILLED_LOC = 'LOC order: the close did not reach the limit, cancelled.';
export const CONDITIONS_CANCELLED = 'Its conditions were met: cancelled (conditionsCancelOrder).';
export const PARENT_CANCELLED = 'Parent order was cancelled before it filled.';
export const OCA_FILLED = 'Another order of its OCA group filled.';
export const OCA_REDUCED_TO_ZERO = 'Another order of its OCA group filled its whole quantity.';

/** The TWS error code that goes with a reason (201 "Order rejected" when TWS has no specific one). */
export function twsErrorCode(reason: string): number {
  if (reason === PRICE_NOT_ON_TICK) return 110;
  if (reason === CANNOT_MODIFY_FILLED) return 104;
  if (reason.startsWith('The order size')) return 434;
  if (reason.startsWith('Unsupported order type')) return 387;
  if (
    reason === CANCELLED_BY_REQUEST ||
    reason === EXPIRED_DAY ||
    reason === EXPIRED_GTD ||
    reason === NOT_FILLED_IOC ||
    reason === NOT_FILLED_FOK ||
    reason === NOT_FILLED_OPG ||
    reason === NOT_FILLED_LOC ||
    reason === PARENT_CANCELLED ||
    reason === CONDITIONS_CANCELLED ||
    reason === OCA_FILLED ||
    reason === OCA_REDUCED_TO_ZERO
  ) {
    return 202;
  }
  return 201;
}
