/**
 * What the strategy nodes (sma, indicator, crossover, risk-sizer) share around their computation: the
 * computation built once from the node's settings (a bad setting shows "invalid configuration" and fails
 * every message with the reason), and a status shown at most every 250 ms, because a replay passes
 * thousands of bars a second and the editor cannot draw a status per bar.
 */
import { KeyedThrottle } from '../lib/data/throttle';
import { asError } from './common';
import type { Node, NodeStatus } from './red';
import { message } from './i18n';

/** Status updates at most this often; the newest one of an interval is shown when it ends. */
export const STATUS_INTERVAL_MS = 250;

export interface ComputingNode<T> {
  /**
   * One message through the computation: throws the configuration's error when the settings were
   * bad, and rethrows the step's error after dropping a pending status, so that the red status
   * onInput sets for the error is not replaced by an older one.
   */
  run<R>(step: (computation: T) => R): R;
  /** Shows `status` now or when the current interval ends (the newest wins). */
  show(status: NodeStatus): void;
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
  const status = new KeyedThrottle<NodeStatus>(STATUS_INTERVAL_MS, (_key, s) => node.status(s));
  node.on('close', (_removed: boolean, done: () => void) => {
    status.close();
    done();
  });
  return {
    run(step) {
      if (!computation.ok) throw computation.error;
      try {
        return step(computation.value);
      } catch (err) {
        status.forget('status');
        throw err;
      }
    },
    show(s) {
      status.push('status', s);
    },
  };
}
