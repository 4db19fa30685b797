/**
 * What the strategy nodes (sma, indicator, crossover, risk-sizer, bars) share around their
 * computation: the computation built once from the node's settings (a bad setting shows "invalid
 * configuration" and fails every message with the reason), and a status shown at most every 250 ms,
 * because a replay passes thousands of bars a second and the editor cannot draw a status per bar.
 *
 * A status is given as the function that makes it, called only for the statuses drawn: its text goes
 * through the message catalogs (Node-RED's i18next, a few hundred microseconds on a path that runs a
 * few times a second and so is never warm), and of a burst of messages only the last of each interval
 * is shown. Nodes show a message's status after they sent it on, and it is drawn in a setImmediate:
 * Node-RED delivers a send in one queued before it, so a signal reaches place-order, and its order is
 * written, before the status is made.
 */
import { KeyedThrottle } from '../lib/data/throttle';
import { asError } from './common';
import type { Node, NodeStatus } from './red';
import { message } from './i18n';

/** Status updates at most this often; the newest one of an interval is shown when it ends. */
export const STATUS_INTERVAL_MS = 250;

/** A status as the function that makes it (its text formatted only when it is drawn). */
export type StatusMaker = () => NodeStatus;

export interface ComputingNode<T> {
  /**
   * One message through the computation: throws the configuration's error when the settings were
   * bad, and rethrows the step's error after dropping a pending status, so that the red status
   * onInput sets for the error is not replaced by an older one.
   */
  run<R>(step: (computation: T) => R): R;
  /**
   * Shows the status `make` makes, soon (after what was sent before this call was delivered) or when
   * the current interval ends (the newest wins). Called after the message is sent on.
   */
  show(make: StatusMaker): void;
}

/** Builds the node's computation (a throw is a configuration error) and its throttled status. */
export function computingNode<T>(node: Node, build: () => T): ComputingNode<T> {
  let computation: { ok: true; value: T } | { ok: false; error: Error };
  try {
    computation = { ok: true, value: build() };
  } catch (err) {
    computation = { ok: false, error: asError(err) };
    node.status({ fill: 'red', shape: 'ring', text: message('ib-algo.status.invalidConfiguration') });
  }
  const drawing = new DeferredStatus(node);
  const status = new KeyedThrottle<StatusMaker>(STATUS_INTERVAL_MS, (_key, make) => drawing.draw(make));
  node.on('close', (_removed: boolean, done: () => void) => {
    status.close();
    drawing.drop();
    done();
  });
  return {
    run(step) {
      if (!computation.ok) throw computation.error;
      try {
        return step(computation.value);
      } catch (err) {
        status.forget('status');
        drawing.drop();
        throw err;
      }
    },
    show(make) {
      status.push('status', make);
    },
  };
}

/** The status to draw once the messages sent before it were delivered (the newest wins). */
class DeferredStatus {
  private next: StatusMaker | null = null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(private readonly node: Node) {}

  draw(make: StatusMaker): void {
    this.next = make;
    this.immediate ??= setImmediate(() => {
      this.immediate = null;
      const made = this.next;
      this.next = null;
      if (made) this.node.status(made());
    });
  }

  drop(): void {
    this.next = null;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
  }
}
