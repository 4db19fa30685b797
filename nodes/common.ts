/**
 * Glue every node shares: turning any failure inside an input handler into `done(err)` (so nothing
 * throws into the runtime and Catch nodes see it), and a red status that names the problem.
 */
import type { Broker } from '../lib/orders/broker';
import { isHistory } from '../lib/messages/history';
import type { OrderEvent } from '../lib/messages';
import { RejectionWatch } from '../lib/orders/rejections';
import { messageProperty, parsePath, type MessageValue } from '../lib/messages/path';
import { messageOrSetting } from '../lib/messages/setting';
import type { DoneFunction, Node, NodeAPI, NodeMessage, SendFunction } from './red';
import { localized, message } from './i18n';

/** An error whose message is meant for the user: what was wrong and how to fix it. */
export class UserError extends Error {
  override name = 'UserError';
}

export type InputHandler = (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void | Promise<void>;

/**
 * Registers `handler` as the node's input handler. A synchronous throw or a rejected promise ends in
 * `done(err)` and a red ring status with the error's text; the handler itself calls `done()` on success
 * (or returns a promise that resolves, in which case done() is called for it).
 */
export function onInput(node: Node, handler: InputHandler): void {
  node.on('input', (msg, send, done) => {
    let finished = false;
    const finish: DoneFunction = (err) => {
      if (finished) return;
      finished = true;
      if (err) {
        const shown = localized(err);
        node.status({ fill: 'red', shape: 'ring', text: shortText(shown.message) });
        done(shown);
      } else {
        done();
      }
    };
    try {
      const result = handler(msg, send, finish);
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(
          () => finish(),
          (err: unknown) => finish(asError(err)),
        );
      }
    } catch (err) {
      finish(asError(err));
    }
  });
}

export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}

/** Node status texts must stay short to be readable under the node. */
export function shortText(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * How an order node turns away messages with the replay mark where history is not traded (the
 * broker's historyBlock): a warning once per run of such messages, not once per bar (a replay sends
 * thousands), and a count in the status. Returns a check: true when `msg` was refused (the node then
 * ends it with done(), nothing sent).
 */
export function historyRefusals(broker: Broker | null, node: Node, show: (fill: 'yellow', text: string, shape: 'ring') => void): (msg: NodeMessage) => boolean {
  let refused = 0;
  let warned = false;
  return (msg) => {
    if (!isHistory(msg)) {
      warned = false;
      return false;
    }
    const refusal = broker?.historyBlock?.() ?? null;
    if (!refusal) return false;
    refused++;
    if (!warned) {
      warned = true;
      node.warn(refusal);
    }
    show('yellow', message('ib-algo.status.historyNotTraded', { count: refused }), 'ring');
    return true;
  };
}

/**
 * How an order node reports its orders' events: each on output 1, and a rejection after the order
 * left (there is no done() to fail by then) also through node.error with the msg, so Catch nodes see
 * it, once per reason, with a red status. Returns a reporter: true when the event was a rejection.
 */
export function orderEventReporter(node: Node, show: (fill: 'red', text: string, shape: 'ring') => void): (event: OrderEvent) => boolean {
  const rejections = new RejectionWatch();
  return (event) => {
    const msg = { topic: event.symbol, payload: event };
    node.send([msg, null]);
    const rejection = rejections.check(event);
    if (!rejection) return false;
    show('red', message('ib-algo.status.orderRejected', { orderId: event.orderId, status: event.status === 'Inactive' ? message('ib-algo.status.rejected') : event.status, reason: event.reason }), 'ring');
    node.error(rejection, msg);
    return true;
  };
}

/** The typedInput types a setting that names where a value comes from may take (number where a value fits). */
const TYPED_SOURCES = new Set(['msg', 'flow', 'global', 'env', 'num']);

/**
 * What a setting the editor's typedInput names, read for each message: a message property (type msg;
 * a flow saved before the setting had a type names one too, as the plain property name it held), flow or
 * global context, an environment variable, or a number, the others through Node-RED's
 * evaluateNodeProperty, as the core nodes read theirs. The setting, else `fallback` (messageOrSetting's
 * order); `what` names the setting in errors.
 */
export function typedSetting(RED: NodeAPI, node: Node, value: unknown, type: unknown, what: string, fallback = ''): MessageValue {
  const kind = typeof type === 'string' && type ? type : 'msg';
  if (!TYPED_SOURCES.has(kind)) throw new Error(message('ib-algo.errors.typedType', { what, type: kind }));
  const text = String(messageOrSetting(undefined, typeof value === 'string' ? value.trim() : value, fallback)).trim();
  if (kind === 'msg') return messageProperty(parsePath(text, what));
  if (!text) throw new Error(message('ib-algo.errors.typedEmpty', { what, type: kind }));
  const label = kind === 'num' ? text : `${kind}.${text}`;
  return { label, read: (msg) => RED.util.evaluateNodeProperty(text, kind, node, msg as NodeMessage) };
}


/**
 * The property a value source reads (sma, indicator, risk-sizer's price) as readValueSource takes it:
 * a message property as the path the setting holds (lib checks it and says what is missing), anything
 * else as typedSetting reads it. Only when the source is "property".
 */
export function typedSource(RED: NodeAPI, node: Node, source: unknown, value: unknown, type: unknown, what: string): unknown {
  if (source !== 'property' || !type || type === 'msg') return value;
  return typedSetting(RED, node, value, type, what);
}
