/**
 * ib-connect: the config node every IB node shares. It owns one Connection (built by lib/connection
 * from its fields), connects when its first user registers and disconnects after the last one leaves.
 * This file only wires Node-RED to it: fields, log, users, close.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConnection, readConnectionConfig, type ConnectionConfig, type OpenableConnection } from '../../lib/connection';
import type { Node, NodeAPI, NodeDef } from '../red';
import type { ConnectionConfigNode } from '../connection';
import { message, say, useMessageCatalogs } from '../i18n';

interface IbConnectNode extends ConnectionConfigNode {
  config: ConnectionConfig;
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbConnect(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this as unknown as IbConnectNode & { connection: OpenableConnection };
    const users = new Set<string>();
    const config = readConnectionConfig(def);
    node.config = config;
    // Node-RED always sets userDir; an embedding without one (test helper) journals to the temp dir
    // rather than into whatever directory it was started from.
    const journalDir = join(String(RED.settings.userDir ?? tmpdir()), 'ib-algo-journal');
    const log = {
      debug: (m: string) => node.debug(m),
      info: (m: string) => node.log(m),
      warn: (m: string) => node.warn(m),
      error: (m: string) => node.error(m),
    };
    for (const problem of config.problems) node.warn(message('ib-connect.warnings.setting', { name: config.name || node.id, problem: say(problem) }));
    // Looked up when used: config nodes are created in flow-file order, so it may not exist yet here.
    const dataConnection = (): ConnectionConfigNode | null => (config.dataConnectionId ? (RED.nodes.getNode(config.dataConnectionId) as ConnectionConfigNode | null) : null);
    Object.defineProperty(node, 'dataConnection', { get: dataConnection });
    const connection = buildConnection(config, { id: node.id, journalDir, log, dataConnection: () => dataConnection()?.connection ?? null });
    node.connection = connection;

    node.register = (user: Node) => {
      users.add(user.id);
      if (users.size === 1) {
        connection.open().catch((err: Error) => node.error(message('ib-connect.errors.open', { mode: config.mode, error: err.message })));
      }
    };
    node.deregister = (user: Node, done: () => void) => {
      users.delete(user.id);
      if (users.size > 0) return done();
      connection.close().then(done, (err: Error) => {
        node.warn(message('ib-connect.warnings.closing', { error: err.message }));
        done();
      });
    };
    node.on('close', (_removed: boolean, done: () => void) => {
      users.clear();
      connection.dispose().then(done, (err: Error) => {
        node.warn(message('ib-connect.warnings.closing', { error: err.message }));
        done();
      });
    });
  }
  RED.nodes.registerType('ib-connect', IbConnect);
};
