/** What a connection answers when asked for a capability its mode lacks. */
export class CapabilityError extends Error {
  override name = 'CapabilityError';
  /**
   * @param message what is missing and what to do instead (the node's done(err) text)
   * @param statusText a short text for a node's status, for nodes that can tell on deploy
   */
  constructor(
    message: string,
    readonly statusText: string = message,
  ) {
    super(message);
  }
}
