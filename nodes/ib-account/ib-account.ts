/**
 * account: the account's summary values, positions with average cost, P&L (account and per position),
 * open orders, today's executions and positions per strategy (orderRef). On request (each input message
 * gets one snapshot) or streaming (a snapshot whenever something changes, at most once per throttle
 * interval). On a backtest connection the same snapshot comes from the backtest's fill engine.
 */
import { ACCOUNT_PARTS, AccountFeed, type AccountPart, type AccountSnapshot } from '../../lib/data/account';
import { backtestAccountSnapshot } from '../../lib/data/account-backtest';
import type { Connection } from '../../lib/ib/connection';
import { onInput, shortText, UserError } from '../common';
import { noConnectionError, useConnection } from '../connection';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';

/** P&L may never come for an empty account: a request stops waiting for it after this long. */
const PNL_GRACE_MS = 1500;
const LOAD_TIMEOUT_MS = 15_000;

export = function register(RED: NodeAPI): void {
  function IbAccount(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const parts = new Set<AccountPart>(ACCOUNT_PARTS.filter((p) => def[p] !== false));
    const streaming = def.mode === 'stream';
    const throttleMs = Math.max(0, Number(def.throttle ?? 1000) || 0);
    const accountSetting = String(def.account ?? '').trim();
    let ownStatus = false;
    let closed = false;
    let feed: AccountFeed | null = null;
    /** The streaming feed while it loads, so a message arriving meanwhile does not start a second one. */
    let starting: Promise<AccountFeed> | null = null;
    let pending = new Set<AccountPart>();
    let timer: NodeJS.Timeout | null = null;
    let lastSent = 0;
    let pnlTimer: NodeJS.Timeout | null = null;

    const config = useConnection(RED, node, def.connection, { onStatus: (s) => (ownStatus && s.state === 'connected' ? false : undefined) });
    const connection: Connection | null = config?.connection ?? null;

    const trim = (snapshot: AccountSnapshot): Partial<AccountSnapshot> => {
      const out: Partial<AccountSnapshot> = { ...snapshot };
      if (!parts.has('summary')) {
        delete out.summary;
        delete out.currency;
      }
      if (!parts.has('positions')) delete out.positions;
      if (!parts.has('pnl')) delete out.pnl;
      if (!parts.has('orders')) delete out.orders;
      if (!parts.has('executions')) {
        delete out.executions;
        delete out.strategies;
      }
      return out;
    };

    const showSnapshot = (s: AccountSnapshot) => {
      ownStatus = true;
      const nl = typeof s.summary.NetLiquidation === 'number' ? ` NLV ${Math.round(s.summary.NetLiquidation)}` : '';
      const pnl = s.pnl?.daily != null ? ` day ${s.pnl.daily.toFixed(0)}` : '';
      node.status({ fill: 'green', shape: 'dot', text: shortText(`${s.account}${nl} · ${s.positions.length} pos${pnl}`) });
    };

    const sendSnapshot = (snapshot: AccountSnapshot, changed: AccountPart[], msg?: NodeMessage) => {
      const out: NodeMessage = msg ?? {};
      out.topic = snapshot.account;
      out.payload = trim(snapshot);
      out.changed = changed.filter((p) => parts.has(p));
      node.send(out);
      showSnapshot(snapshot);
    };

    const accountOf = (conn: Connection): string => {
      const account = accountSetting || conn.status().account || '';
      if (!account) throw new UserError('no account known yet: the connection has not reported its managed accounts; set "account" in the node or wait for the connection');
      return account;
    };

    // ---- TWS / simulator ----------------------------------------------------------------------------
    const flush = () => {
      timer = null;
      if (!feed || closed || pending.size === 0) return;
      const changed = [...pending];
      pending = new Set();
      lastSent = Date.now();
      sendSnapshot(feed.snapshot(), changed);
    };

    const onFeedChange = (part: AccountPart) => {
      if (!streaming || !feed?.isLoaded()) return;
      pending.add(part);
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, lastSent + throttleMs - Date.now()));
    };

    const startFeed = async (conn: Connection): Promise<AccountFeed> => {
      const session = conn.ib;
      if (!session) throw new UserError('the connection has no TWS session');
      await session.whenConnected(LOAD_TIMEOUT_MS).catch((err: Error) => {
        throw new UserError(`account: not connected to TWS (${err.message})`);
      });
      const account = accountOf(conn);
      const created = new AccountFeed(session, account, parts, {
        onChange: onFeedChange,
        onError: (err) => {
          ownStatus = true;
          node.status({ fill: 'red', shape: 'ring', text: shortText(err.message) });
          node.error(err.message);
        },
      });
      created.start();
      if (pnlTimer) clearTimeout(pnlTimer);
      pnlTimer = setTimeout(() => created.settlePnl(), PNL_GRACE_MS);
      const started = Date.now();
      while (!created.isLoaded()) {
        if (closed) break;
        if (Date.now() - started > LOAD_TIMEOUT_MS) {
          created.stop();
          throw new UserError(`account ${account}: TWS did not send ${[...parts].join(', ')} within ${LOAD_TIMEOUT_MS / 1000} s`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return created;
    };

    const onResubscribe = () => {
      if (!feed || closed) return;
      feed.start();
      if (pnlTimer) clearTimeout(pnlTimer);
      const restarted = feed;
      pnlTimer = setTimeout(() => restarted.settlePnl(), PNL_GRACE_MS);
    };
    connection?.on('resubscribe', onResubscribe);

    // ---- backtest -----------------------------------------------------------------------------------
    const backtestSnapshot = (conn: Connection): AccountSnapshot => {
      const engine = conn.backtest?.engine();
      if (!engine) throw new UserError('the backtest connection has no engine yet');
      return backtestAccountSnapshot(engine);
    };
    let backtestListening = false;
    const onBacktestChange = () => {
      if (!connection || closed || timer) return;
      timer = setTimeout(() => {
        timer = null;
        lastSent = Date.now();
        try {
          sendSnapshot(backtestSnapshot(connection), ['positions', 'orders', 'executions', 'summary']);
        } catch {
          // No run yet: nothing to report.
        }
      }, Math.max(0, lastSent + throttleMs - Date.now()));
    };

    onInput(node, async (msg, _send, done) => {
      if (!connection) throw noConnectionError('account');
      if (msg.payload === 'stop') {
        feed?.stop();
        feed = null;
        node.status({ fill: 'grey', shape: 'ring', text: 'stopped' });
        done();
        return;
      }
      if (connection.mode === 'backtest') {
        if (streaming && !backtestListening) {
          backtestListening = true;
          connection.broker.on('order', onBacktestChange);
          connection.broker.on('execution', onBacktestChange);
          connection.backtest?.on('end', onBacktestChange);
        }
        sendSnapshot(backtestSnapshot(connection), [...parts], msg);
        done();
        return;
      }
      if (starting) await starting.catch(() => undefined);
      if (feed) {
        sendSnapshot(feed.snapshot(), [...parts], msg);
        done();
        return;
      }
      const loading = startFeed(connection);
      if (streaming) starting = loading;
      const loaded = await loading.finally(() => {
        if (starting === loading) starting = null;
      });
      if (closed) {
        loaded.stop();
        done();
        return;
      }
      sendSnapshot(loaded.snapshot(), [...parts], msg);
      if (streaming) feed = loaded;
      else loaded.stop();
      done();
    });

    // A streaming node starts on deploy.
    if (streaming && connection && connection.mode !== 'backtest') {
      const loading = startFeed(connection);
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
          node.status({ fill: 'red', shape: 'ring', text: shortText(err.message) });
          node.error(`account: ${err.message}`);
        });
    } else if (streaming && connection?.mode === 'backtest') {
      backtestListening = true;
      connection.broker.on('order', onBacktestChange);
      connection.broker.on('execution', onBacktestChange);
      connection.backtest?.on('end', onBacktestChange);
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (pnlTimer) clearTimeout(pnlTimer);
      feed?.stop();
      feed = null;
      connection?.off('resubscribe', onResubscribe);
      if (backtestListening && connection) {
        connection.broker.off('order', onBacktestChange);
        connection.broker.off('execution', onBacktestChange);
        connection.backtest?.off('end', onBacktestChange);
      }
      done();
    });
  }
  RED.nodes.registerType('ib-account', IbAccount);
};
