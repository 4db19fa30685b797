/**
 * account: the account's summary values, positions with average cost, P&L (account and per position),
 * open orders, executions (today's, or of the last days as far back as TWS keeps them), completed orders
 * and positions per strategy (orderRef) from those executions. On request (each input message gets one
 * snapshot) or streaming (a snapshot whenever something changes, at most once per throttle interval);
 * a message with its own msg.since or msg.days gets a snapshot of that period. The connection's account
 * feed supplies it: TWS's account on a tws or simulator connection, the backtest's fill engine on a
 * backtest connection.
 */
import { ACCOUNT_PARTS, partShownByDefault, requestedExecutionsSince, type AccountPart, type AccountSnapshot } from '../../lib/data/account';
import type { Connection, OpenAccountFeed } from '../../lib/connection/types';
import { onInput, shortText, UserError } from '../common';
import { noConnectionError, useConnection } from '../connection';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { errorText, message, useMessageCatalogs } from '../i18n';

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbAccount(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const parts = new Set<AccountPart>(ACCOUNT_PARTS.filter((p) => (def[p] === undefined ? partShownByDefault(p) : def[p] !== false)));
    const streaming = def.mode === 'stream';
    const throttleMs = Math.max(0, Number(def.throttle ?? 1000) || 0);
    const accountSetting = String(def.account ?? '').trim();
    let ownStatus = false;
    let closed = false;
    let feed: OpenAccountFeed | null = null;
    /** The streaming feed while it loads, so a message arriving meanwhile does not start a second one. */
    let starting: Promise<OpenAccountFeed> | null = null;
    /** On request: the snapshots being loaded, per period of executions, each shared by every message that asks for it meanwhile. */
    const requestLoads = new Map<string, { feed: Promise<OpenAccountFeed>; users: number }>();
    let pending = new Set<AccountPart>();
    let timer: NodeJS.Timeout | null = null;
    let lastSent = 0;

    const config = useConnection(RED, node, def.connection, { onStatus: (s) => (ownStatus && s.state === 'connected' ? false : undefined) });
    const connection: Connection | null = config?.connection ?? null;

    // The account id, its live flag and the time are always sent; the parts only when ticked.
    const trim = (snapshot: AccountSnapshot): Partial<AccountSnapshot> => {
      const out: Partial<AccountSnapshot> = { ...snapshot };
      if (!parts.has('summary')) {
        delete out.summary;
        delete out.equity;
        delete out.currency;
      }
      if (!parts.has('positions')) delete out.positions;
      if (!parts.has('pnl')) delete out.pnl;
      if (!parts.has('orders')) delete out.orders;
      if (!parts.has('executions')) {
        delete out.executions;
        delete out.executionsSince;
        delete out.strategies;
        delete out.unattributed;
      }
      if (!parts.has('completed')) delete out.completed;
      return out;
    };

    const showSnapshot = (s: AccountSnapshot) => {
      ownStatus = true;
      const equity = s.equity ?? (typeof s.summary.NetLiquidation === 'number' ? s.summary.NetLiquidation : null);
      const nl = equity !== null ? message('ib-account.status.netLiquidation', { value: Math.round(equity) }) : '';
      const pnl = s.pnl?.daily != null ? message('ib-account.status.dailyPnl', { value: s.pnl.daily.toFixed(0) }) : '';
      // What no strategy traded (manual trades, older holdings) is said, never traded away.
      const loose = Object.entries(s.unattributed ?? {});
      const note = message('ib-account.status.unattributed', { account: s.account, positions: loose.map(([key, q]) => `${q} ${key}`).join(', ') });
      // LIVE or PAPER first: the connection's own flag, as in msg.payload.live.
      const mode = s.live ? 'LIVE' : 'PAPER';
      node.status({ fill: loose.length ? 'yellow' : 'green', shape: 'dot', text: shortText(`${mode} ${loose.length ? note : message('ib-account.status.snapshot', { account: s.account, netLiquidation: nl, positions: s.positions.length, pnl })}`, 60) });
    };

    const sendSnapshot = (snapshot: AccountSnapshot, changed: AccountPart[], msg?: NodeMessage) => {
      const out: NodeMessage = msg ?? {};
      out.topic = snapshot.account;
      out.payload = trim(snapshot);
      out.changed = changed.filter((p) => parts.has(p));
      node.send(out);
      showSnapshot(snapshot);
    };

    const flush = () => {
      timer = null;
      if (!feed || closed || pending.size === 0) return;
      const changed = [...pending];
      pending = new Set();
      lastSent = Date.now();
      sendSnapshot(feed.snapshot(), changed);
    };

    const onFeedChange = (part: AccountPart) => {
      if (!streaming || !feed || closed) return;
      pending.add(part);
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, lastSent + throttleMs - Date.now()));
    };

    /** Where the node's own executions start (its days setting), read when a feed opens. */
    const settingSince = (): number | null => {
      try {
        return requestedExecutionsSince({}, def.days, Date.now()).since;
      } catch (err) {
        throw new UserError(message('ib-account.errors.days', { error: errorText(err) }));
      }
    };

    const openFeed = (conn: Connection, asked?: number | null): Promise<OpenAccountFeed> => {
      let executionsSince: number | null;
      try {
        executionsSince = asked === undefined ? settingSince() : asked;
      } catch (err) {
        return Promise.reject(err);
      }
      return conn
        .accountFeed()
        .open({
          account: accountSetting,
          parts,
          executionsSince,
          onChange: onFeedChange,
          onError: (err) => {
            ownStatus = true;
            node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
            node.error(errorText(err));
          },
          isClosed: () => closed,
        })
        .catch((err: Error) => {
          throw new UserError(errorText(err));
        });
    };

    onInput(node, async (msg, _send, done) => {
      if (!connection) throw noConnectionError('account');
      if (msg.payload === 'stop') {
        feed?.stop();
        feed = null;
        node.status({ fill: 'grey', shape: 'ring', text: message('ib-algo.status.stopped') });
        done();
        return;
      }
      let asked: ReturnType<typeof requestedExecutionsSince>;
      try {
        asked = requestedExecutionsSince({ since: msg.since, days: msg.days }, def.days, Date.now());
      } catch (err) {
        throw new UserError(errorText(err));
      }
      if (streaming && !asked.fromMessage) {
        // The feed that is loading (on deploy, or for an earlier message) answers this one too.
        const loadingFeed = starting ? await starting.catch(() => null) : null;
        const current = feed ?? loadingFeed;
        if (current && !closed) {
          sendSnapshot(current.snapshot(), [...parts], msg);
          done();
          return;
        }
        const loading = openFeed(connection);
        starting = loading;
        const loaded = await loading.finally(() => {
          if (starting === loading) starting = null;
        });
        if (closed) {
          loaded.stop();
          done();
          return;
        }
        feed = loaded;
        sendSnapshot(loaded.snapshot(), [...parts], msg);
        done();
        return;
      }
      // On request (or a message asking for its own period): messages that arrive while a feed for the
      // same period loads share it, each with its own snapshot (taken after it came); the feed stops once
      // the last of them has its answer.
      const period = String(asked.since);
      let load = requestLoads.get(period);
      if (!load) {
        const loading = { feed: openFeed(connection, asked.since), users: 0 };
        requestLoads.set(period, loading);
        loading.feed
          .finally(() => {
            if (requestLoads.get(period) === loading) requestLoads.delete(period);
          })
          .catch(() => undefined);
        load = loading;
      }
      load.users++;
      let loaded: OpenAccountFeed;
      try {
        loaded = await load.feed;
      } catch (err) {
        load.users--;
        throw err;
      }
      try {
        if (!closed) sendSnapshot(loaded.snapshot(), [...parts], msg);
      } finally {
        if (--load.users === 0) loaded.stop();
      }
      done();
    });

    // A streaming node starts on deploy.
    if (streaming && connection) {
      const loading = openFeed(connection);
      starting = loading;
      loading
        .finally(() => {
          if (starting === loading) starting = null;
        })
        .then((loaded) => {
          if (closed) return loaded.stop();
          feed = loaded;
          lastSent = Date.now();
          sendSnapshot(loaded.snapshot(), [...parts]);
        })
        .catch((err: Error) => {
          if (closed) return;
          ownStatus = true;
          node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
          node.error(message('ib-account.errors.feed', { error: errorText(err) }));
        });
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearTimeout(timer);
      feed?.stop();
      feed = null;
      done();
    });
  }
  RED.nodes.registerType('ib-account', IbAccount);
};
