/**
 * place-order: places, modifies and cancels orders through the connection's broker (TWS, simulator or
 * backtest alike). msg.order is a target position ({targetQuantity}) or an explicit order ({action,
 * totalQuantity, orderType, ...}); the node's fields are its defaults. Output 1: every event of this
 * node's orders; output 2: its fills. All order logic is in lib/orders; the account guard on the
 * connection applies the risk limits and the live interlock.
 */
import type { Broker } from '../../lib/orders/broker';
import type { Execution, OrderEvent, OrderIntent } from '../../lib/messages';
import { OrderInputError, OrderRefusedError } from '../../lib/orders/errors';
import { orderInstrument, referencePrice } from '../../lib/orders/message-inputs';
import { isHistory } from '../../lib/messages/history';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { historyRefusals, onInput, orderEventReporter, shortText, UserError } from '../common';
import { noConnectionError, useConnection } from '../connection';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { errorText, message, useMessageCatalogs } from '../i18n';

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbPlaceOrder(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const orderRef = String(def.orderRef ?? '').trim() || String(def.name ?? '').trim() || `place-order-${node.id}`;
    const defaults = configDefaults(def);
    const configuredKey = String(def.symbol ?? '').trim();
    let ownStatus = false;

    const config = useConnection(RED, node, def.connection, { onStatus: (s) => (ownStatus && s.state === 'connected' ? false : undefined) });
    const broker: Broker | null = config?.connection.broker ?? null;
    const show = (fill: 'green' | 'yellow' | 'red' | 'blue' | 'grey', text: string, shape: 'dot' | 'ring' = 'dot') => {
      ownStatus = true;
      node.status({ fill, shape, text: shortText(text) });
    };
    // Problems found after a message was done (a re-plan refused, a bracket undone) reach Catch nodes.
    const onProblem = (key: string, problem: string) => {
      show('red', `${key} ${problem}`);
      node.error(`${key}: ${problem}`, { topic: key, payload: problem });
    };
    // The connection tells the instrument's size rules and contract ids (for price conditions).
    const strategy = broker ? new StrategyOrders(broker, { source: node.id, orderRef, defaults, onProblem, instruments: config?.connection }) : null;

    const report = orderEventReporter(node, show);
    // This node's orders, the market orders its kill switch sent to close positions among them.
    const onOrder = (event: OrderEvent) => {
      if (!strategy?.reportsEvent(event)) return;
      if (report(event)) return;
      const fill = event.status === 'Filled' ? 'green' : event.status === 'Inactive' ? 'red' : 'blue';
      show(fill, `#${event.orderId} ${event.status}${event.filled ? ` ${event.filled}@${round(event.avgFillPrice)}` : ''}`);
    };
    const onExecution = (execution: Execution) => {
      if (!strategy?.reportsEvent(execution)) return;
      node.send([null, { topic: execution.symbol, payload: execution }]);
    };
    // A kill switch journaled before a restart or redeploy holds again: say so from the start.
    const haltedBefore = broker?.haltReason?.() ?? null;
    if (haltedBefore) show('red', message('ib-algo.status.halted', { reason: haltedBefore }), 'ring');
    broker?.on('order', onOrder);
    broker?.on('execution', onExecution);
    node.on('close', (_removed, done) => {
      broker?.off('order', onOrder);
      broker?.off('execution', onExecution);
      strategy?.dispose();
      done();
    });

    const historyRefused = historyRefusals(broker, node, show);

    onInput(node, async (msg: NodeMessage, _send, done) => {
      if (!broker || !strategy) throw noConnectionError('place-order');
      try {
        const flatten = flattenScope(msg.flatten);
        if ((msg.halt !== undefined && msg.halt !== false) || flatten) {
          if (!broker.halt) throw new UserError(message('ib-place-order.errors.noKillSwitch'));
          broker.halt(typeof msg.halt === 'string' && msg.halt ? msg.halt : message('ib-place-order.haltReason', { node: node.name || node.id }), { flatten });
          if (!flatten || !broker.flatten) {
            show('red', message('ib-place-order.status.halted'), 'ring');
            return done();
          }
          show('red', message('ib-place-order.status.flattening'), 'ring');
          const outcome = await broker.flatten(flatten, orderRef, node.id);
          if (outcome.closing.length) show('red', message('ib-place-order.status.closing', { count: outcome.closing.length, open: outcome.open.join(', ') }), 'ring');
          else if (outcome.open.length) show('red', message('ib-place-order.status.stillOpen', { open: outcome.open.join(', ') }), 'ring');
          else if (outcome.working.length) show('red', message('ib-place-order.status.stillWorking', { count: outcome.working.length }), 'ring');
          else show('red', message('ib-place-order.status.flat', { count: outcome.orderIds.length }), 'ring');
          if (outcome.failed.length) throw new UserError(message('ib-place-order.errors.flattenFailed', { count: outcome.failed.length, failures: outcome.failed.join('; ') }));
          return done();
        }
        if (msg.resume === true) {
          broker.resume?.();
          show('green', message('ib-place-order.status.resumed'));
          if (msg.order === undefined && msg.cancel === undefined) return done();
        }
        if (msg.cancel !== undefined && msg.cancel !== null && msg.cancel !== false) {
          const outcome = strategy.cancel(msg.cancel);
          show('yellow', outcome.text);
          return done();
        }
        if (historyRefused(msg)) return done();
        const order = msg.order as Record<string, unknown> | undefined;
        const { key, contract } = (StrategyOrders.isModification(order) && strategy.instrumentOfOrder(order?.orderId)) || orderInstrument(msg, configuredKey);
        const outcome = await strategy.submit({ key, contract, order: msg.order, msgId: msg._msgid, price: referencePrice(msg.payload) ?? undefined, history: isHistory(msg) });
        if (outcome.kind === 'preview' && outcome.preview) {
          // What-if: the margins and commission on output 1, beside the order events; nothing was placed.
          node.send([{ topic: key, payload: { whatIf: true, ...outcome.preview }, order: msg.order }, null]);
          show('grey', `${key} ${outcome.text}`, 'ring');
          return done();
        }
        const note = strategy.accountNote(key);
        show(outcome.kind === 'duplicate' || note ? 'yellow' : outcome.kind === 'nothing' ? 'grey' : 'blue', note ? `${key}: ${note} · ${outcome.text}` : `${key} ${outcome.text}`);
        done();
      } catch (err) {
        if (err instanceof OrderInputError || err instanceof OrderRefusedError) throw new UserError(errorText(err));
        throw err;
      }
    });
  }
  RED.nodes.registerType('ib-place-order', IbPlaceOrder);
};

/** msg.flatten: true closes this strategy's positions, "account" every position of the account. */
function flattenScope(value: unknown): 'strategy' | 'account' | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true || value === 'strategy') return 'strategy';
  if (value === 'account') return 'account';
  throw new UserError(message('ib-place-order.errors.flatten', { value: JSON.stringify(value) }));
}

/** The node's configured order fields (blank = not set): defaults under msg.order. */
function configDefaults(def: NodeDef): Partial<OrderIntent> {
  const defaults: Record<string, unknown> = {};
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
  if (text(def.action)) defaults.action = text(def.action);
  if (text(def.quantity)) defaults.totalQuantity = text(def.quantity);
  if (text(def.orderType)) defaults.orderType = text(def.orderType);
  for (const field of ['lmtPrice', 'auxPrice', 'trailingPercent'] as const) if (text(def[field])) defaults[field] = text(def[field]);
  if (text(def.tif)) defaults.tif = text(def.tif);
  if (def.outsideRth === true) defaults.outsideRth = true;
  if (def.whatIf === true) defaults.whatIf = true;
  if (text(def.algoStrategy)) {
    defaults.algoStrategy = text(def.algoStrategy);
    if (text(def.algoStrategy) === 'Adaptive' && text(def.adaptivePriority)) defaults.algoParams = [{ tag: 'adaptivePriority', value: text(def.adaptivePriority) }];
  }
  if (text(def.account)) defaults.account = text(def.account);
  return defaults as Partial<OrderIntent>;
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}
