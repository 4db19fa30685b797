/**
 * A test-only node type, `ib-test-probe`, that uses an ib-connect connection the way every IB node does
 * (useConnection) and exposes it to the test: the real config node, the real session, no stand-ins.
 * Input `msg.payload = 'time'` asks TWS for its current time through the shared IBApiNext.
 */
import { useConnection } from '../../nodes/connection';
import { onInput } from '../../nodes/common';
import type { Node, NodeAPI, NodeDef } from '../../nodes/red';

export = function register(RED: NodeAPI): void {
  function Probe(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const config = useConnection(RED, this, def.connection);
    (this as unknown as { config: unknown }).config = config;
    onInput(this, async (msg, send, done) => {
      if (!config) throw new Error('no connection');
      const session = config.connection.history();
      if (msg.payload === 'time') {
        await session.whenConnected(5000);
        msg.payload = await session.next.getCurrentTime();
      } else {
        msg.payload = config.connection.status();
      }
      send(msg);
      done();
    });
  }
  RED.nodes.registerType('ib-test-probe', Probe);
};
