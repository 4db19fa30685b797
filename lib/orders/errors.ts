import { TextError, type Said } from '../messages/texts';

/**
 * Errors of order input: each names the field that was wrong and says how to fix it, so a node can end
 * in done(err) with a message the user can act on. Nothing is sent when one is thrown.
 */
export class OrderInputError extends TextError {
  override name = 'OrderInputError';
  constructor(
    /** The field at fault, as the user wrote it (e.g. "msg.order.totalQuantity"). */
    readonly field: string,
    problem: string | Said,
  ) {
    super(problem);
  }
}

/**
 * An order the risk controls or the broker refused: the message names the limit or the reason; given as
 * lib's text, a node may say it in its own language.
 */
export class OrderRefusedError extends TextError {
  override name = 'OrderRefusedError';
  constructor(
    /** What refused it: a limit name ("max order quantity"), "live interlock", "daily-loss lock" ... */
    readonly rule: string,
    reason: string | Said,
  ) {
    super(reason);
  }
}
