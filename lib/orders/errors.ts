/**
 * Errors of order input: each names the field that was wrong and says how to fix it, so a node can end
 * in done(err) with a message the user can act on. Nothing is sent when one is thrown.
 */
export class OrderInputError extends Error {
  override name = 'OrderInputError';
  constructor(
    /** The field at fault, as the user wrote it (e.g. "msg.order.totalQuantity"). */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** An order the risk controls or the broker refused: the message names the limit or the reason. */
export class OrderRefusedError extends Error {
  override name = 'OrderRefusedError';
  constructor(
    /** What refused it: a limit name ("max order quantity"), "live interlock", "daily-loss lock" ... */
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}
