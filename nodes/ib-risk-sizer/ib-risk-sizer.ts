/**
 * risk-sizer: msg.signal -> msg.order {targetQuantity, stopLoss?, takeProfit?}. Equity and position
 * come from the node's connection when it has one (the broker: account values live and in the
 * simulator, the fill engine in a backtest), else from the message. Logic in lib/risk.
 */
import { readValueSource } from '../../lib/messages/source';
import { RiskSizer, type AccountSource } from '../../lib/risk/risk-sizer';
import { DEFAULT_SIZER_CONFIG, type Direction, type SizerConfig, type SizingMethod, type StopRule, type TakeProfitRule } from '../../lib/risk/sizing';
import { onInput, typedSetting, typedSource } from '../common';
import { computingNode, type StatusMaker } from '../computing-node';
import { useConnection, type ConnectionConfigNode } from '../connection';
import type { Node, NodeAPI, NodeDef } from '../red';
import { isGiven } from '../../lib/messages/setting';
import { message, useMessageCatalogs } from '../i18n';
import { isBarBatch } from '../../lib/messages/bar-columns';
import { findMessageInstrument } from '../../lib/messages/message-instrument';
import { InstrumentSizeRules, type SizeRules } from '../../lib/messages/size-rules';

interface RiskSizerDef extends NodeDef {
  connection?: string;
  direction?: string;
  method?: string;
  shares?: number | string;
  notional?: number | string;
  equityPercent?: number | string;
  riskPercent?: number | string;
  stop?: string;
  stopDistance?: number | string;
  stopPercent?: number | string;
  atrMultiple?: number | string;
  atrProperty?: string;
  stopProperty?: string;
  takeProfit?: string;
  tpDistance?: number | string;
  tpPercent?: number | string;
  tpMultiple?: number | string;
  increment?: number | string;
  multiplier?: number | string;
  tick?: number | string;
  maxPosition?: number | string;
  maxNotional?: number | string;
  hold?: boolean;
  priceSource?: string;
  priceProperty?: string;
  passThrough?: boolean;
}

const num = (value: unknown, fallback: number): number => (!isGiven(value) ? fallback : Number(value));
/** Empty or 0 means "no cap". */
const cap = (value: unknown): number | null => (!isGiven(value) || Number(value) === 0 ? null : Number(value));

function stopRule(def: RiskSizerDef): StopRule {
  switch (def.stop || 'none') {
    case 'none':
      return { kind: 'none' };
    case 'fixed':
      return { kind: 'fixed', distance: num(def.stopDistance, NaN) };
    case 'percent':
      return { kind: 'percent', percent: num(def.stopPercent, NaN) };
    case 'atr':
      return { kind: 'atr', multiple: num(def.atrMultiple, 2) };
    case 'level':
      return { kind: 'level' };
    default:
      throw new Error(message('ib-risk-sizer.errors.stop', { stop: def.stop }));
  }
}

function takeProfitRule(def: RiskSizerDef): TakeProfitRule {
  switch (def.takeProfit || 'none') {
    case 'none':
      return { kind: 'none' };
    case 'fixed':
      return { kind: 'fixed', distance: num(def.tpDistance, NaN) };
    case 'percent':
      return { kind: 'percent', percent: num(def.tpPercent, NaN) };
    case 'r':
      return { kind: 'r', multiple: num(def.tpMultiple, 2) };
    default:
      throw new Error(message('ib-risk-sizer.errors.takeProfit', { takeProfit: def.takeProfit }));
  }
}

function readConfig(def: RiskSizerDef): SizerConfig {
  const direction = (def.direction || 'long-only') as Direction;
  if (direction !== 'long-only' && direction !== 'long-short') throw new Error(message('ib-risk-sizer.errors.direction', { direction: def.direction }));
  const method = (def.method || 'fixed') as SizingMethod;
  if (!['fixed', 'notional', 'percent', 'risk'].includes(method)) throw new Error(message('ib-risk-sizer.errors.method', { method: def.method }));
  const d = DEFAULT_SIZER_CONFIG;
  return {
    direction,
    method,
    shares: num(def.shares, d.shares),
    notional: num(def.notional, d.notional),
    equityPercent: num(def.equityPercent, d.equityPercent),
    riskPercent: num(def.riskPercent, d.riskPercent),
    stop: stopRule(def),
    takeProfit: takeProfitRule(def),
    increment: num(def.increment, d.increment),
    multiplier: num(def.multiplier, d.multiplier),
    tick: num(def.tick, d.tick),
    maxPosition: cap(def.maxPosition),
    maxNotional: cap(def.maxNotional),
    hold: def.hold === true,
  };
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbRiskSizer(this: Node, def: RiskSizerDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let ownStatus = false;
    let connection: ConnectionConfigNode | null = null;
    if (def.connection) connection = useConnection(RED, node, def.connection, { onStatus: () => !ownStatus });
    const account: AccountSource | null = connection
      ? {
          equity: () => connection!.connection.broker.equity(),
          position: (key) => connection!.connection.broker.position(key),
          tradesHistory: () => (connection!.connection.broker.historyBlock?.() ?? null) === null,
        }
      : null;
    // After useConnection, so that "invalid configuration" replaces the connection's first status.
    const computing = computingNode(node, () => {
      const config = readConfig(def);
      return new RiskSizer({
        config,
        price: readValueSource(def.priceSource, typedSource(RED, node, def.priceSource, def.priceProperty, def.pricePropertyType, 'price property')),
        atr: config.stop.kind === 'atr' ? typedSetting(RED, node, def.atrProperty, def.atrPropertyType, 'ATR property', 'indicators.atr14') : undefined,
        stopLevel: config.stop.kind === 'level' ? typedSetting(RED, node, def.stopProperty, def.stopPropertyType, 'stop property', 'stop') : undefined,
        passThrough: def.passThrough === true,
      });
    });
    const show = (make: StatusMaker) => {
      ownStatus = true;
      computing.show(make);
    };

    // The instrument's size rules (TWS's contract details, a backtest's contracts table), once per instrument.
    const warned = new Set<string>();
    const instrumentRules = connection
      ? new InstrumentSizeRules(
          (contract) => connection.connection.sizeRules(contract),
          (key, err) => {
            // Sized as before (msg.contract, the setting); TWS refuses an order whose quantity does not fit.
            if (!warned.has(key)) node.warn(`risk-sizer: the size increment of ${key} is not known (${err.message}): sizing with msg.contract's or the node's increment`);
            warned.add(key);
          },
        )
      : null;
    const sizeRules = (msg: Record<string, unknown>): SizeRules | null | Promise<SizeRules | null> => {
      if (!instrumentRules || (msg.signal === undefined && !isBarBatch(msg.payload))) return null;
      let found: ReturnType<typeof findMessageInstrument>;
      try {
        found = findMessageInstrument(msg, null, 'message');
      } catch {
        // A msg.contract the look-up cannot read is sized from what it carries, as before.
        return null;
      }
      return found ? instrumentRules.of(found.key, found.contract) : null;
    };

    onInput(node, async (msg, send, done) => {
      if (def.connection && !connection) throw new Error(message('ib-risk-sizer.errors.connectionMissing'));
      const known = sizeRules(msg as Record<string, unknown>);
      // Known rules are used at once: only an instrument's first signal waits for TWS's answer.
      const rules = known instanceof Promise ? await known : known;
      const result = computing.run((sizer) => sizer.run(msg, account, rules));
      const topic = msg.topic;
      const who = () => (typeof topic === 'string' && topic ? ` ${topic}` : '');
      switch (result.kind) {
        case 'reset':
          send(msg);
          show(() => ({ fill: 'grey', shape: 'ring', text: message('ib-algo.status.reset', { count: result.cleared }) }));
          break;
        case 'no-signal':
          if (result.send) send(msg);
          break;
        case 'order': {
          // The order first: its status is formatted (through the catalogs) after place-order has it.
          send(msg);
          const quantity = result.order.targetQuantity;
          show(() => ({ fill: 'green', shape: 'dot', text: message('ib-risk-sizer.status.target', { quantity, who: who() }) }));
          break;
        }
        case 'batch':
          send(msg);
          show(() => ({ fill: 'blue', shape: 'dot', text: message('ib-risk-sizer.status.batch', { orders: result.orders, count: result.count }) }));
          break;
        case 'warm-up':
          show(() => ({ fill: 'blue', shape: 'ring', text: message('ib-risk-sizer.status.warmUp', { count: result.count, who: who() }) }));
          break;
      }
      done();
    });
  }
  RED.nodes.registerType('ib-risk-sizer', IbRiskSizer);
};
