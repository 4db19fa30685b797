/**
 * How a node uses an `ib-connect` config node: look it up, register (the first user connects), show the
 * connection's state in the node's status until the node has something of its own to say, and
 * deregister on close (the last user out disconnects), as Node-RED's MQTT nodes do with their broker.
 */
import type { Connection, ConnectionStatus } from '../lib/connection/types';
import { CapabilityError } from '../lib/connection/errors';
import type { Node, NodeAPI, NodeStatus } from './red';
import { message } from './i18n';

/** What the ib-connect config node offers its users (nodes/ib-connect implements it). */
export interface ConnectionConfigNode extends Node {
  /** The connection; created on construction, connected on the first register(). */
  readonly connection: Connection;
  /**
   * Another ib-connect this one draws IB history from (a backtest's "data connection"), or null. A node
   * that fetches history registers with it too, so it connects.
   */
  readonly dataConnection: ConnectionConfigNode | null;
  register(user: Node): void;
  deregister(user: Node, done: () => void): void;
}

export function connectionNodeStatus(status: ConnectionStatus): NodeStatus {
  switch (status.state) {
    case 'connected':
      // Connected but refusing orders for a reason of its own (an account TWS does not manage).
      if (status.error) return { fill: 'red', shape: 'dot', text: status.text };
      return { fill: status.live ? 'yellow' : 'green', shape: 'dot', text: status.text };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: status.text };
    case 'error':
      return { fill: 'red', shape: 'ring', text: status.text };
    default:
      return { fill: 'grey', shape: 'ring', text: status.text };
  }
}

export interface UseConnectionOptions {
  /** Called on every connection status change; return false to keep the node's own status. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a status callback may return nothing (keep listening) or false
  onStatus?: (status: ConnectionStatus) => boolean | void;
}

/**
 * Registers `node` with the config node `configId`. Returns null (and a red status saying what to do)
 * when no connection is configured, so the node can refuse its input with a clear error.
 */
export function useConnection(RED: NodeAPI, node: Node, configId: unknown, options: UseConnectionOptions = {}): ConnectionConfigNode | null {
  const config = typeof configId === 'string' && configId ? (RED.nodes.getNode(configId) as ConnectionConfigNode | null) : null;
  if (!config?.connection) {
    node.status({ fill: 'red', shape: 'ring', text: message('ib-algo.status.noConnection') });
    return null;
  }
  const showStatus = (status: ConnectionStatus) => {
    if (options.onStatus?.(status) === false) return;
    node.status(connectionNodeStatus(status));
  };
  config.connection.on('status', showStatus);
  showStatus(config.connection.status());
  config.register(node);
  node.on('close', (_removed: boolean, done: () => void) => {
    config.connection.off('status', showStatus);
    config.deregister(node, done);
  });
  return config;
}

/** The error a node gives when it needs a connection and has none. */
export function noConnectionError(nodeLabel: string): Error {
  return new Error(message('ib-algo.errors.noConnection', { node: nodeLabel }));
}

/**
 * The refusal a capability gives on this connection (e.g. live data on a backtest), or null when it is
 * there: lets a node say so in its status on deploy, before any input.
 */
export function capabilityRefusal(ask: () => unknown): CapabilityError | null {
  try {
    ask();
    return null;
  } catch (err) {
    if (err instanceof CapabilityError) return err;
    throw err;
  }
}
