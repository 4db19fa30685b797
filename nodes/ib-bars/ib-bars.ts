/**
 * bars: ticks or smaller bars (market-data's 5-second bars, tick-by-tick, quotes, a tick file's rows) into
 * N-second, N-minute, N-hour or daily bars on the exchange's clock, per instrument. Completed bars leave
 * as they complete; the bar being formed too when asked, marked msg.forming = true. A batch (an array)
 * gives all its bars in one message. The logic is lib/data/bar-aggregator.
 */
import { BarAggregator, type BarAggregatorOptions } from '../../lib/data/bar-aggregator';
import { isReset, KeyedState, topicKey } from '../../lib/messages/keyed-state';
import { isForming } from '../../lib/messages/forming';
import { onInput, UserError } from '../common';
import { computingNode } from '../computing-node';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { errorText, message, useMessageCatalogs } from '../i18n';

interface BarsDef extends NodeDef {
  barSize?: string;
  useRTH?: boolean;
  session?: string;
  timeZone?: string;
  formingBars?: boolean;
  quotePrice?: string;
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbBars(this: Node, def: BarsDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const options: BarAggregatorOptions = {
      barSize: def.barSize || '5 mins',
      useRTH: def.useRTH !== false,
      session: def.session || '09:30-16:00',
      timeZone: def.timeZone || 'America/New_York',
      formingBars: def.formingBars === true,
      quotePrice: def.quotePrice === 'mid' ? 'mid' : 'last',
    };
    // Built once to check the settings (a bad one shows "invalid configuration"); one per instrument after.
    const computing = computingNode(node, () => {
      const check = new BarAggregator(options);
      return { states: new KeyedState(() => new BarAggregator(options)), label: check.label };
    });
    let sent = 0;

    /** The outgoing message: the input's own properties (topic, contract, history ...) with the bar. */
    const barMessage = (msg: NodeMessage, topic: string, payload: unknown, forming: boolean | null): NodeMessage => {
      // Node-RED gives each sent message its own id: the copy may keep the input's.
      const out: NodeMessage = { ...msg, topic, payload };
      // Each message its own copy of the contract: a node downstream may change its message.
      if (msg.contract && typeof msg.contract === 'object') out.contract = { ...(msg.contract as object) };
      if (forming === null) delete out.forming;
      else out.forming = forming;
      return out;
    };

    onInput(node, (msg, send, done) => {
      const { states, label } = computing.run((c) => c);
      if (isReset(msg as { reset?: unknown })) {
        const cleared = states.reset(msg.topic);
        send(msg);
        computing.show(() => ({ fill: 'grey', shape: 'ring', text: message('ib-algo.status.reset', { count: cleared }) }));
        done();
        return;
      }
      const topic = topicKey(msg);
      if (msg.payload === 'flush') {
        const topics = msg.topic === undefined ? states.keys() : [topic];
        const out: NodeMessage[] = [];
        for (const key of topics) {
          const bar = states.get(key).flush();
          if (bar) out.push(barMessage(msg, key, bar, options.formingBars ? false : null));
        }
        if (out.length) send([out]);
        done();
        return;
      }
      const aggregator = states.get(topic);
      if (Array.isArray(msg.payload)) {
        let bars: ReturnType<typeof aggregator.pushAll>;
        try {
          bars = aggregator.pushAll(msg.payload);
        } catch (err) {
          throw new UserError(errorText(err));
        }
        sent += bars.length;
        const from = msg.payload.length;
        send(barMessage(msg, topic, bars, null));
        computing.show(() => ({ fill: 'blue', shape: 'dot', text: message('ib-bars.status.batch', { topic, count: bars.length, size: label, from }) }));
        done();
        return;
      }
      // A forming input bar is not an input yet: its closed copy follows.
      if (isForming(msg as { forming?: unknown })) {
        done();
        return;
      }
      let outs: ReturnType<typeof aggregator.push>;
      try {
        outs = aggregator.push(msg.payload);
      } catch (err) {
        throw new UserError(errorText(err));
      }
      if (outs.length === 0) {
        done();
        return;
      }
      const messages = outs.map((o) => barMessage(msg, topic, o.bar, options.formingBars ? o.forming : null));
      const last = outs[outs.length - 1];
      sent += outs.filter((o) => !o.forming).length;
      const { forming } = last;
      const { close } = last.bar;
      const count = sent;
      send([messages]);
      computing.show(() => ({ fill: forming ? 'yellow' : 'green', shape: 'dot', text: message(forming ? 'ib-bars.status.forming' : 'ib-bars.status.bar', { topic, size: label, close, count }) }));
      done();
    });
  }
  RED.nodes.registerType('ib-bars', IbBars);
};
