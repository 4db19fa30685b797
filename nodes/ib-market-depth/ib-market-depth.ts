/**
 * market-depth: an L2 book per instrument kept from TWS's depth messages and sent as a sorted book
 * {time, bids, asks} (at most `rows` levels a side), at most once per throttle interval per instrument.
 * Books start again empty after a reconnect. A backtest connection has no live source.
 */
import type { IbSession } from '../../lib/ib/connection';
import { MarketDepthSubscription } from '../../lib/data/market-depth';
import { KeyedThrottle } from '../../lib/data/throttle';
import { onInput, shortText } from '../common';
import { capabilityRefusal, noConnectionError, useConnection } from '../connection';
import { configuredContract, qualifyMessageContract } from '../contract-editor';
import { outageStatus, startGate, startWhenConnected } from '../live-subscription';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { errorText, message, useMessageCatalogs } from '../i18n';

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbMarketDepth(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const rows = Math.min(50, Math.max(1, Math.floor(Number(def.rows) || 10)));
    const smartDepth = def.smartDepth === true;
    const throttleMs = Math.max(0, Number(def.throttle ?? 100) || 0);
    const configured = configuredContract(def);
    const subscriptions = new Map<string, MarketDepthSubscription>();
    let ownStatus = false;
    let closed = false;
    let updates = 0;
    const burst = new Set<string>();

    const config = useConnection(RED, node, def.connection, {
      onStatus: (s) => {
        // Down: say so, whatever the node showed before (its last book would look live).
        const outage = outageStatus(s);
        if (outage) {
          node.status(outage);
          return false;
        }
        return ownStatus ? false : undefined;
      },
    });
    const connection = config?.connection ?? null;
    // A connection without live data (a backtest) says so on deploy; every input then fails with it.
    const noLiveData = connection ? capabilityRefusal(() => connection.liveData('depth')) : null;
    if (noLiveData) node.status({ fill: 'red', shape: 'ring', text: noLiveData.statusText });
    else if (configured.problem) node.status({ fill: 'red', shape: 'ring', text: shortText(configured.problem) });

    // The throttle carries the key only; the book is read when the message actually leaves, so a
    // throttled send always has the newest book.
    const throttle = new KeyedThrottle<string>(throttleMs, (key) => {
      const sub = subscriptions.get(key);
      if (!sub) return;
      node.send({ topic: key, payload: sub.book.snapshot(rows) });
    });

    const statusTimer = setInterval(() => {
      if (!ownStatus || closed || subscriptions.size === 0) return;
      // During an outage the connection's status stays (see onStatus).
      if (connection && connection.status().state !== 'connected') return;
      if (subscriptions.size === 1) {
        const [key, sub] = [...subscriptions.entries()][0];
        const book = sub.book.snapshot(1);
        const bid = book.bids[0]?.price ?? '-';
        const ask = book.asks[0]?.price ?? '-';
        node.status({ fill: 'green', shape: 'dot', text: `${key} ${bid} / ${ask}` });
      } else {
        node.status({ fill: 'green', shape: 'dot', text: message('ib-market-depth.status.books', { count: subscriptions.size, updates }) });
      }
    }, 1000);

    const onResubscribe = () => {
      for (const sub of subscriptions.values()) sub.restart();
    };
    connection?.on('resubscribe', onResubscribe);

    const stop = (key: string) => {
      subscriptions.get(key)?.stop();
      subscriptions.delete(key);
      throttle.forget(key);
    };

    const subscribe = async (session: IbSession, msg: NodeMessage): Promise<void> => {
      const qualified = await qualifyMessageContract(session, msg, configured);
      const key = qualified.key;
      if (subscriptions.get(key)?.isActive()) return;
      const gate = startGate(node, msg);
      const settle = gate.settle;
      const sub = new MarketDepthSubscription(session, key, qualified.contract, rows, smartDepth, {
        onChange: () => {
          updates++;
          // TWS sends a book as a burst of inserts, decoded in one go: send once the burst is in, not
          // after its first row.
          if (burst.has(key)) return;
          burst.add(key);
          setImmediate(() => {
            burst.delete(key);
            if (!closed) throttle.push(key, key);
          });
        },
        onNotice: (text) => {
          ownStatus = true;
          node.status({ fill: 'yellow', shape: 'dot', text: shortText(`${key} ${text}`) });
        },
        onError: (err) => {
          subscriptions.delete(key);
          throttle.forget(key);
          ownStatus = true;
          node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
          settle(err);
        },
      });
      subscriptions.set(key, sub);
      ownStatus = true;
      node.status({ fill: 'green', shape: 'ring', text: shortText(message('ib-market-depth.status.subscribed', { key })) });
      sub.start();
      await gate.started;
    };

    onInput(node, async (msg, _send, done) => {
      if (!connection) throw noConnectionError('market-depth');
      const session = connection.liveData('depth');
      if (msg.payload === 'stop') {
        if (msg.contract === undefined && !msg.topic) for (const key of [...subscriptions.keys()]) stop(key);
        else for (const key of [...subscriptions.keys()]) if (key === msg.topic || subscriptions.get(key)?.contract.symbol === (msg.contract as { symbol?: string } | undefined)?.symbol) stop(key);
        node.status({ fill: 'grey', shape: 'ring', text: message('ib-algo.status.stopped') });
        done();
        return;
      }
      await subscribe(session, msg);
      done();
    });

    // A node with its own instrument starts its book on deploy, once the connection is up.
    if (configured.contract && connection && !noLiveData && def.autoStart !== false) {
      const session = connection.liveData('depth');
      startWhenConnected(node, session, 'market-depth', () => subscribe(session, {}), () => closed, () => (ownStatus = true));
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      clearInterval(statusTimer);
      connection?.off('resubscribe', onResubscribe);
      for (const key of [...subscriptions.keys()]) stop(key);
      throttle.close();
      done();
    });
  }
  RED.nodes.registerType('ib-market-depth', IbMarketDepth);
};
