/**
 * What market-data and market-depth share when they start a live TWS subscription: a gate that lets
 * the input finish once TWS has had a moment to refuse (no permission, unknown contract ...), the
 * start on deploy of a node that has its own instrument, and the status they show during an outage.
 */
import type { ConnectionStatus, IbSession } from '../lib/ib/connection';
import { shortText, UserError } from './common';
import type { Node, NodeMessage, NodeStatus } from './red';
import { errorText, message } from './i18n';

/**
 * What a live data node shows while its connection is not up: a ring that says no data is coming
 * (yellow while it reconnects, red otherwise), never the last price in green. Null when connected.
 */
export function outageStatus(status: ConnectionStatus): NodeStatus | null {
  if (status.state === 'connected') return null;
  return { fill: status.state === 'connecting' ? 'yellow' : 'red', shape: 'ring', text: shortText(message('ib-algo.status.noData', { reason: status.text })) };
}

/** How long a new subscription waits for an immediate refusal before done(). */
export const START_GRACE_MS = 400;

export interface StartGate {
  /** Resolves after the grace period, or rejects with the refusal that came first. */
  readonly started: Promise<void>;
  /** The subscription's outcome: an error before the grace period fails the input; after it, it is logged against the msg. */
  settle(err?: Error): void;
}

/** `onTimeout` (optional) turns the end of the wait into an error, for requests that must answer (snapshots). */
export function startGate(node: Node, msg: NodeMessage, waitMs = START_GRACE_MS, onTimeout?: () => Error): StartGate {
  let settle!: (err?: Error) => void;
  const started = new Promise<void>((resolve, reject) => {
    let settled = false;
    settle = (err) => {
      if (settled) {
        if (err) node.error(err, msg);
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (err) reject(new UserError(errorText(err)));
      else resolve();
    };
    const timer = setTimeout(() => settle(onTimeout?.()), waitMs);
  });
  // If the subscription throws before anyone awaits `started`, a later timeout must not surface as an
  // unhandled rejection (which would end the process); awaiting it still sees the error.
  started.catch(() => undefined);
  return { started, settle };
}

/**
 * Starts `start` once the session is connected (a node with its own instrument streams on deploy);
 * a failure shows red on the node and goes to the log, unless the node closed meanwhile.
 */
export function startWhenConnected(node: Node, session: IbSession, label: string, start: () => Promise<void>, isClosed: () => boolean, onFailure: () => void): void {
  session
    .whenConnected(60_000)
    .then(() => (isClosed() ? undefined : start()))
    .catch((err: Error) => {
      if (isClosed()) return;
      onFailure();
      node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
      node.error(`${label}: ${err.message}`);
    });
}
