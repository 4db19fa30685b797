/**
 * A minimal typed event emitter for one-argument events. Listener lists are copied on change, so a
 * listener may add or remove listeners while an event is being delivered. A throwing listener does not
 * stop the others: the first error is rethrown after every listener has run.
 */
type OneArgListeners<Events> = { [K in keyof Events]: (arg: any) => void };

export class TypedEmitter<Events extends OneArgListeners<Events>> {
  private lists: { [K in keyof Events]?: Array<Events[K]> } = {};

  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = (this.lists[event] ?? []) as Array<Events[E]>;
    this.lists[event] = [...list, listener];
    return this;
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.lists[event];
    if (list) {
      const i = list.lastIndexOf(listener);
      if (i >= 0) this.lists[event] = [...list.slice(0, i), ...list.slice(i + 1)];
    }
    return this;
  }

  /** Whether anyone listens to `event` (lets callers skip building event objects nobody reads). */
  protected listens(event: keyof Events): boolean {
    const list = this.lists[event];
    return list !== undefined && list.length > 0;
  }

  protected emit<E extends keyof Events>(event: E, arg: Parameters<Events[E]>[0]): void {
    const list = this.lists[event];
    if (list === undefined) return;
    let failure: unknown;
    let failed = false;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](arg);
      } catch (err) {
        if (!failed) {
          failed = true;
          failure = err;
        }
      }
    }
    if (failed) throw failure;
  }
}
