/**
 * stop-order: protective stop-loss and take-profit for one strategy. With msg.order it enters with a
 * bracket (entry + take-profit + stop in one OCA group); without, it protects the position of
 * msg.topic (attaching exits if there are none) and moves the stop as new levels arrive. When the
 * position is closed by anything else its exits are cancelled. Logic in lib/orders/protection.ts.
 */
import type { Broker } from '../../lib/orders/broker';
import type { Execution, OrderEvent, Position, TimeInForce } from '../../lib/messages';
import type { TrailSpec } from '../../lib/orders/bracket';
import { OrderInputError, OrderRefusedError } from '../../lib/orders/errors';
import { checkLevelSpec, type LevelSpec } from '../../lib/orders/levels';
import { orderInstrument, referencePrice } from '../../lib/orders/message-inputs';
import type { MessageValue } from '../../lib/messages/path';
import { Protection } from '../../lib/orders/protection';
import { isHistory } from '../../lib/messages/history';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { toNumber } from '../../lib/orders/validate';
import { historyRefusals, onInput, orderEventReporter, shortText, typedSetting, UserError } from '../common';
import { noConnectionError, useConnection } from '../connection';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { isGiven, messageOrSetting } from '../../lib/messages/setting';
import { errorText, message, useMessageCatalogs } from '../i18n';

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbStopOrder(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const orderRef = String(def.orderRef ?? '').trim() || String(def.name ?? '').trim() || `stop-order-${node.id}`;
    const configuredKey = String(def.symbol ?? '').trim();
    let ownStatus = false;
    const show = (fill: 'green' | 'yellow' | 'red' | 'blue' | 'grey', text: string, shape: 'dot' | 'ring' = 'dot') => {
      ownStatus = true;
      node.status({ fill, shape, text: shortText(text) });
    };

    let settings: { stopLoss: LevelSpec | null; takeProfit: LevelSpec | null; trailing: TrailSpec | null } | null = null;
    let settingsProblem: string | null = null;
    let atrValue: MessageValue | null = null;
    try {
      settings = readLevels(def);
      atrValue = typedSetting(RED, node, def.atrProperty, def.atrPropertyType, 'ATR property', 'indicators.atr');
    } catch (err) {
      settingsProblem = errorText(err);
    }

    const config = useConnection(RED, node, def.connection, { onStatus: (s) => (ownStatus && s.state === 'connected' ? false : undefined) });
    const broker: Broker | null = config?.connection.broker ?? null;
    if (settingsProblem) show('red', settingsProblem, 'ring');
    const tif = (['DAY', 'GTC'].includes(String(def.tif)) ? def.tif : 'GTC') as TimeInForce;
    const protection =
      broker && settings
        ? new Protection(broker, {
            source: node.id,
            orderRef,
            ...settings,
            tif,
            outsideRth: def.outsideRth === true,
            tightenOnly: def.tightenOnly !== false,
            tick: toNumber(def.tick) && Number(def.tick) > 0 ? Number(def.tick) : 0.01,
            entryDefaults: { orderType: (String(def.entryType || 'MKT') as 'MKT' | 'LMT'), tif: 'DAY' },
            // The connection tells an entry's size rules and its price conditions' contract ids.
            instruments: config?.connection,
            // Problems found after a message was done (a re-plan refused, a bracket undone) reach Catch nodes.
            onProblem: (key, problem) => {
              show('red', `${key} ${problem}`);
              node.error(`${key}: ${problem}`, { topic: key, payload: problem });
            },
          })
        : null;

    const report = orderEventReporter(node, show);
    const onOrder = (event: OrderEvent) => {
      if (!protection?.reportsEvent(event)) return;
      if (report(event)) return;
      if (event.status === 'Filled') show('green', message('ib-stop-order.status.filled', { orderId: event.orderId, leg: event.orderRef.split(':')[1] ?? message('ib-stop-order.status.entry'), price: event.avgFillPrice }));
    };
    const onExecution = (execution: Execution) => {
      if (protection?.reportsEvent(execution)) node.send([null, { topic: execution.symbol, payload: execution }]);
    };
    const onPosition = (position: Position) => {
      if (!protection || position.quantity !== 0) return;
      const cancelled = protection.onPosition(position.symbol);
      if (cancelled.length) show('yellow', message('ib-stop-order.status.flat', { symbol: position.symbol, count: cancelled.length }));
    };
    broker?.on('order', onOrder);
    broker?.on('execution', onExecution);
    broker?.on('position', onPosition);
    node.on('close', (_removed, done) => {
      broker?.off('order', onOrder);
      broker?.off('execution', onExecution);
      broker?.off('position', onPosition);
      protection?.dispose();
      done();
    });

    const historyRefused = historyRefusals(broker, node, show);

    onInput(node, async (msg: NodeMessage, _send, done) => {
      if (!broker) throw noConnectionError('stop-order');
      if (!protection) throw new UserError(message('ib-stop-order.errors.misconfigured', { problem: settingsProblem }));
      try {
        const { key, contract } = orderInstrument(msg, configuredKey);
        if (msg.cancel !== undefined && msg.cancel !== null && msg.cancel !== false) {
          const ids = msg.cancel === 'all' ? broker.workingOrders(key).filter((w) => protection.ownsEvent({ orderId: w.orderId, orderRef: w.order.orderRef ?? '' } as OrderEvent)).map((w) => w.orderId) : null;
          if (ids) {
            for (const id of ids) broker.cancelOrder(id);
            show('yellow', message('ib-stop-order.status.cancelAll', { key, count: ids.length }));
          } else {
            new StrategyOrders(broker, { source: node.id, orderRef }).cancel(msg.cancel);
            show('yellow', message('ib-stop-order.status.cancel', { orderId: msg.cancel }));
          }
          return done();
        }
        if (historyRefused(msg)) return done();
        const order = msg.order as Record<string, unknown> | undefined;
        const stopLoss = levelFrom(messageOrSetting(msg.stopLoss, order?.stopLoss, undefined));
        const takeProfit = levelFrom(messageOrSetting(msg.takeProfit, order?.takeProfit, undefined));
        const entry = order && (order.action !== undefined || order.totalQuantity !== undefined || order.targetQuantity !== undefined) ? order : undefined;
        const outcome = await protection.handle({
          key,
          contract,
          order: entry,
          price: referencePrice(msg.payload),
          atr: finiteOrNull(atrValue?.read(msg)),
          stopLoss,
          takeProfit,
          msgId: msg._msgid,
          history: isHistory(msg),
        });
        show(outcome.kind === 'nothing' ? 'grey' : outcome.kind === 'duplicate' ? 'yellow' : 'blue', `${key} ${outcome.text}`);
        done();
      } catch (err) {
        if (err instanceof OrderInputError || err instanceof OrderRefusedError) throw new UserError(errorText(err));
        throw err;
      }
    });
  }
  RED.nodes.registerType('ib-stop-order', IbStopOrder);
};

function readLevels(def: NodeDef): { stopLoss: LevelSpec | null; takeProfit: LevelSpec | null; trailing: TrailSpec | null } {
  const kind = (v: unknown) => String(v ?? 'none') || 'none';
  const stopLoss = kind(def.stopType) === 'none' ? null : checkLevelSpec(kind(def.stopType), def.stopValue, 'stop');
  const takeProfit = kind(def.takeProfitType) === 'none' ? null : checkLevelSpec(kind(def.takeProfitType), def.takeProfitValue, 'takeProfit');
  let trailing: TrailSpec | null = null;
  const trail = kind(def.trailType);
  if (trail !== 'none') {
    const value = toNumber(def.trailValue);
    if (value === null || !(value > 0) || (trail === 'percent' && value >= 100)) throw new Error(message(trail === 'percent' ? 'ib-stop-order.errors.trailPercent' : 'ib-stop-order.errors.trailValue', { trail, value: String(def.trailValue) }));
    if (trail !== 'amount' && trail !== 'percent') throw new Error(message('ib-stop-order.errors.trailType', { trail }));
    trailing = trail === 'amount' ? { amount: value } : { percent: value };
  }
  return { stopLoss, takeProfit, trailing };
}

/** An explicit level from the msg: undefined when absent; anything else is checked by Protection. */
function levelFrom(value: unknown): number | undefined {
  if (!isGiven(value)) return undefined;
  const n = toNumber(value);
  return n === null ? (value as number) : n;
}

/** The ATR a message gives, or null when it holds none yet (an indicator warming up): levels from it wait. */
function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
