/**
 * crossover: msg.signal {side, reason, time} when one series crosses another, a level, or a band,
 * per instrument, on one bar at a time or a whole array of bars. Logic in lib/signals/crossover.
 */
import { Crossover, type CrossoverMode, type EmitMode } from '../../lib/signals/crossover';
import { onInput, typedSetting } from '../common';
import { computingNode } from '../computing-node';
import type { Node, NodeAPI, NodeDef } from '../red';
import { isGiven } from '../../lib/messages/setting';
import { message, useMessageCatalogs } from '../i18n';

interface CrossoverDef extends NodeDef {
  mode?: string;
  fast?: string;
  slow?: string;
  level?: number | string;
  lower?: number | string;
  upper?: number | string;
  emit?: string;
  invert?: boolean;
  formingSignals?: boolean;
}

const MODES: readonly CrossoverMode[] = ['series', 'level', 'band'];
const EMITS: readonly EmitMode[] = ['cross', 'every', 'regime'];

function optionalNumber(value: unknown): number | undefined {
  return !isGiven(value) ? undefined : Number(value);
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbCrossover(this: Node, def: CrossoverDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const computing = computingNode(node, () => {
      const mode = (def.mode || 'series') as CrossoverMode;
      if (!MODES.includes(mode)) throw new Error(message('ib-crossover.errors.mode', { mode: def.mode }));
      const emit = (def.emit || 'cross') as EmitMode;
      if (!EMITS.includes(emit)) throw new Error(message('ib-crossover.errors.emit', { emit: def.emit }));
      return new Crossover({
        mode,
        fast: typedSetting(RED, node, def.fast, def.fastType, 'fast property', 'indicators.sma20'),
        slow: mode === 'series' ? typedSetting(RED, node, def.slow, def.slowType, 'slow property', 'indicators.sma50') : undefined,
        level: optionalNumber(def.level),
        lower: optionalNumber(def.lower),
        upper: optionalNumber(def.upper),
        emit,
        invert: def.invert === true,
        formingSignals: def.formingSignals === true,
      });
    });

    onInput(node, (msg, send, done) => {
      const result = computing.run((crossover) => crossover.run(msg));
      const topic = msg.topic;
      const who = () => (typeof topic === 'string' && topic ? ` ${topic}` : '');
      switch (result.kind) {
        case 'reset':
          send(msg);
          computing.show(() => ({ fill: 'grey', shape: 'ring', text: message('ib-algo.status.reset', { count: result.cleared }) }));
          break;
        case 'batch':
          send(msg);
          computing.show(() => ({ fill: 'blue', shape: 'dot', text: message('ib-crossover.status.batch', { signals: result.signals, count: result.count }) }));
          break;
        case 'bar': {
          if (result.send) send(msg);
          const signal = result.signal;
          if (signal) computing.show(() => ({ fill: signal.side === 'BUY' ? 'green' : 'blue', shape: 'dot', text: `${signal.side}${who()}` }));
          break;
        }
      }
      done();
    });
  }
  RED.nodes.registerType('ib-crossover', IbCrossover);
};
