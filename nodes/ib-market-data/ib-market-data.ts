/**
 * market-data: streaming quotes, snapshots or tick-by-tick from TWS / the simulator, for one instrument
 * set in the node or many named by msg.topic / msg.contract. Subscriptions are re-made after a
 * reconnect. A backtest connection has no live source: the node says so and refuses its input.
 * Tick-by-tick can start with up to 1000 recent ticks ("history ticks"), sent before the live ones with
 * msg.history = true (live tick-by-tick messages carry msg.history = false). "5-second bars" are IB's
 * real-time bars: one closed bar {time, open, high, low, close, volume, wap?, count?} every 5 seconds.
 */
import type { Contract } from '@stoqey/ib';
import type { Bar, Quote } from '../../lib/messages';
import type { IbSession } from '../../lib/ib/connection';
import { KeyedThrottle } from '../../lib/data/throttle';
import {
  MARKET_DATA_KINDS,
  MARKET_DATA_TYPES,
  MarketDataSubscription,
  readHistoryTicks,
  readRealTimeBarType,
  resetMarketDataType,
  type MarketDataKind,
  type MarketDataTypeName,
  type TickByTick,
} from '../../lib/data/market-data';
import { onInput, shortText, UserError } from '../common';
import { capabilityRefusal, noConnectionError, useConnection } from '../connection';
import { configuredContract, messageContract, qualifyMessageContract } from '../contract-editor';
import { outageStatus, startGate, startWhenConnected } from '../live-subscription';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { isGiven } from '../../lib/messages/setting';
import { errorText, message, useMessageCatalogs } from '../i18n';

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbMarketData(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const kind = (MARKET_DATA_KINDS as readonly string[]).includes(String(def.kind)) ? (def.kind as MarketDataKind) : 'quote';
    const dataType = (Object.keys(MARKET_DATA_TYPES) as string[]).includes(String(def.marketDataType)) ? (def.marketDataType as MarketDataTypeName) : 'live';
    const fallbackToDelayed = def.fallbackDelayed !== false;
    const throttleMs = Math.max(0, Number(def.throttle) || 0);
    const configured = configuredContract(def);
    const tickByTick = kind !== 'quote' && kind !== 'snapshot' && kind !== 'bars';
    const barType = readRealTimeBarType(def.whatToShow);
    const barProblem = kind === 'bars' && 'problem' in barType ? `market-data: ${barType.problem}; fix it in the node's settings` : null;
    const whatToShow = 'whatToShow' in barType ? barType.whatToShow : 'TRADES';
    const useRTH = def.useRTH === true;
    const configuredHistory = readHistoryTicks(def.historyTicks);
    const historyProblem = barProblem ?? (tickByTick && 'problem' in configuredHistory ? `market-data: ${configuredHistory.problem}; fix it in the node's settings` : null);
    const historyTicks = 'ticks' in configuredHistory ? configuredHistory.ticks : 0;
    const subscriptions = new Map<string, MarketDataSubscription>();
    let ownStatus = false;
    let closed = false;
    let lastQuote: { key: string; quote: Quote } | null = null;
    let lastBar: { key: string; bar: Bar } | null = null;

    const config = useConnection(RED, node, def.connection, {
      onStatus: (s) => {
        if (historyProblem) return false;
        // Down: say so, whatever the node showed before (its last price would look live).
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
    const noLiveData = connection ? capabilityRefusal(() => connection.liveData('quotes')) : null;
    if (noLiveData) node.status({ fill: 'red', shape: 'ring', text: noLiveData.statusText });
    else if (barProblem) node.status({ fill: 'red', shape: 'ring', text: shortText(message('ib-market-data.status.badBarType', { whatToShow: JSON.stringify(def.whatToShow) })) });
    else if (historyProblem) node.status({ fill: 'red', shape: 'ring', text: shortText(message('ib-market-data.status.badHistoryTicks', { historyTicks: JSON.stringify(def.historyTicks) })) });
    else if (configured.problem) node.status({ fill: 'red', shape: 'ring', text: shortText(configured.problem) });

    const throttle = new KeyedThrottle<NodeMessage>(throttleMs, (_key, msg) => node.send(msg));

    // Every message carries its own copy of the qualified contract (conId, multiplier ...) for the nodes
    // downstream (place-order, risk-sizer): a node may change its message without touching the next one's.
    const sendQuote = (key: string, contract: Contract, quote: Quote) => {
      lastQuote = { key, quote };
      throttle.push(key, { topic: key, payload: quote, contract: { ...contract } });
    };
    const sendTick = (key: string, contract: Contract, tick: TickByTick) => throttle.push(key, { topic: key, payload: tick, contract: { ...contract }, history: false });
    // Bars go around the throttle: each is a closed bar, and the throttle would drop all but the newest.
    const sendBar = (key: string, contract: Contract, bar: Bar) => {
      lastBar = { key, bar };
      node.send({ topic: key, payload: bar, contract: { ...contract } });
    };
    // History is sent whole and in order, around the throttle (it would keep only the newest).
    const sendHistory = (key: string, contract: Contract, ticks: TickByTick[]) => {
      if (ticks.length > 0) node.send([ticks.map((tick) => ({ topic: key, payload: tick, contract: { ...contract }, history: true }))]);
      ownStatus = true;
      node.status({ fill: 'green', shape: 'dot', text: shortText(message('ib-market-data.status.historyThenLive', { key, count: ticks.length })) });
    };

    const statusTimer = setInterval(() => {
      if (!ownStatus || closed) return;
      // During an outage the connection's status stays (see onStatus).
      if (connection && connection.status().state !== 'connected') return;
      const active = [...subscriptions.values()].filter((s) => s.isActive());
      if (active.length === 0) return;
      const ticks = active.reduce((n, s) => n + s.ticks, 0);
      const history = active.reduce((n, s) => n + s.historyTicks, 0);
      const delayed = active.some((s) => s.marketDataType() >= 3) ? message('ib-market-data.status.delayed') : '';
      if (active.length === 1 && lastBar && kind === 'bars') {
        node.status({ fill: 'green', shape: 'dot', text: message('ib-market-data.status.bars', { key: lastBar.key, close: lastBar.bar.close, count: ticks }) });
      } else if (active.length === 1 && lastQuote) {
        const q = lastQuote.quote;
        const price = q.last ?? (q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : q.bid ?? q.ask);
        node.status({ fill: 'green', shape: 'dot', text: `${lastQuote.key} ${price ?? '-'}${delayed}` });
      } else {
        node.status({ fill: 'green', shape: 'dot', text: message('ib-market-data.status.instruments', { count: active.length, ticks, history: history > 0 ? message('ib-market-data.status.history', { count: history }) : '', delayed }) });
      }
    }, 1000);

    const stopAll = () => {
      for (const [key, sub] of subscriptions) {
        sub.stop();
        throttle.forget(key);
      }
      subscriptions.clear();
    };

    const onResubscribe = () => {
      if (!connection || noLiveData) return;
      resetMarketDataType(connection.liveData('quotes'));
      for (const sub of subscriptions.values()) sub.restart();
    };
    connection?.on('resubscribe', onResubscribe);

    /** Subscribes (or takes a snapshot of) one instrument; resolves once it is running or refused. */
    const subscribe = async (session: IbSession, msg: NodeMessage, wantKind: MarketDataKind, history: number): Promise<void> => {
      const qualified = await qualifyMessageContract(session, msg, configured);
      const key = qualified.key;
      const existing = subscriptions.get(key);
      if (existing?.isActive() && existing.options.kind === wantKind) return;
      existing?.stop();
      // A snapshot completes at TICK_SNAPSHOT_END (TWS gives up after about 11 s for quiet contracts).
      const gate =
        wantKind === 'snapshot'
          ? startGate(node, msg, 15_000, () => new Error(message('ib-market-data.errors.noSnapshot', { key })))
          : startGate(node, msg);
      const settle = gate.settle;
      const sub = new MarketDataSubscription(session, key, qualified.contract, { kind: wantKind, marketDataType: dataType, fallbackToDelayed, historyTicks: history, whatToShow, useRTH }, {
        onQuote: (quote) => sendQuote(key, qualified.contract, quote),
        onTick: (tick) => sendTick(key, qualified.contract, tick),
        onBar: (bar) => sendBar(key, qualified.contract, bar),
        onHistory: (ticks) => sendHistory(key, qualified.contract, ticks),
        onSnapshot: (quote) => {
          subscriptions.delete(key);
          node.send({ topic: key, payload: quote, contract: { ...qualified.contract }, snapshot: true });
          settle();
        },
        onNotice: (text) => {
          ownStatus = true;
          node.status({ fill: 'yellow', shape: 'dot', text: shortText(`${key} ${text}`) });
        },
        onError: (err) => {
          subscriptions.delete(key);
          ownStatus = true;
          node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
          settle(err);
        },
      });
      subscriptions.set(key, sub);
      ownStatus = true;
      const asked = wantKind === 'quote' ? message('ib-market-data.status.subscribed') : wantKind === 'bars' ? message('ib-market-data.status.barsAsked', { whatToShow }) : history > 0 ? message('ib-market-data.status.ticksAsked', { kind: wantKind, count: history }) : wantKind;
      node.status({ fill: 'green', shape: 'ring', text: shortText(`${key} ${asked}`) });
      sub.start();
      await gate.started;
    };

    const stopFor = (msg: NodeMessage) => {
      if (msg.contract === undefined && !msg.topic) {
        stopAll();
        node.status({ fill: 'grey', shape: 'ring', text: message('ib-algo.status.stopped') });
        return;
      }
      const contract = messageContract(msg, { contract: null, problem: null });
      const wanted = [...subscriptions.keys()].filter((key) => key === msg.topic || subscriptions.get(key)?.contract.symbol === contract.symbol);
      for (const key of wanted) {
        subscriptions.get(key)?.stop();
        subscriptions.delete(key);
        throttle.forget(key);
      }
      node.status({ fill: 'grey', shape: 'ring', text: shortText(message('ib-market-data.status.stopped', { keys: wanted.join(', ') || message('ib-market-data.status.nothing') })) });
    };

    onInput(node, async (msg, _send, done) => {
      if (!connection) throw noConnectionError('market-data');
      const session = connection.liveData('quotes');
      if (msg.payload === 'stop') {
        stopFor(msg);
        done();
        return;
      }
      const wantKind: MarketDataKind = msg.payload === 'snapshot' ? 'snapshot' : kind;
      let history = historyTicks;
      if (isGiven(msg.historyTicks)) {
        const asked = readHistoryTicks(msg.historyTicks);
        if ('problem' in asked) throw new UserError(message('ib-market-data.errors.historyTicks', { problem: asked.problem }));
        history = asked.ticks;
      } else if (historyProblem && wantKind !== 'snapshot') {
        throw new UserError(historyProblem);
      }
      await subscribe(session, msg, wantKind, history);
      done();
    });

    // A node with its own instrument starts streaming on deploy, once the connection is up.
    if (configured.contract && connection && !noLiveData && !historyProblem && kind !== 'snapshot' && def.autoStart !== false) {
      const session = connection.liveData('quotes');
      startWhenConnected(node, session, 'market-data', () => subscribe(session, {}, kind, historyTicks), () => closed, () => (ownStatus = true));
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      clearInterval(statusTimer);
      connection?.off('resubscribe', onResubscribe);
      stopAll();
      throttle.close();
      done();
    });
  }
  RED.nodes.registerType('ib-market-data', IbMarketData);
};
