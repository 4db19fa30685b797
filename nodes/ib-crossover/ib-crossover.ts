/**
 * crossover: msg.signal {side, reason, time} when one series crosses another, a level, or a band,
 * per instrument, on one bar at a time or a whole array of bars. Logic in lib/signals/crossover.
 */
import { Crossover, type CrossoverMode, type EmitMode } from '../../lib/signals/crossover';
import { onInput, typedSetting } from '../common';
import { computingNode } from '../computing-node';
import type { Node, NodeAPI, NodeDef } from '../red';
import { isGiven } from '../../lib/messages/setting';
import type { MessageValue } from '../../lib/messages/path';
import { message, useMessageCatalogs } from '../i18n';

interface CrossoverDef extends NodeDef {
  mode?: string;
  fast?: string;
  slow?: string;
  level?: number | string;
  levelType?: string;
  lower?: number | string;
  lowerType?: string;
  upper?: number | string;
  upperType?: string;
  emit?: string;
  invert?: boolean;
  formingSignals?: boolean;
}

const MODES: readonly CrossoverMode[] = ['series', 'level', 'band'];
const EMITS: readonly EmitMode[] = ['cross', 'every', 'regime'];

function optionalNumber(value: unknown): number | undefined {
  return !isGiven(value) ? undefined : Number(value);
}

/**
 * A level setting: a number (type num; a flow saved before the setting had a type holds one), or where
 * each message's level is read from (msg, flow, global, env).
 */
function levelSetting(RED: NodeAPI, node: Node, value: unknown, type: unknown, what: string): number | MessageValue | undefined {
  if (!type || type === 'num') return optionalNumber(value);
  return typedSetting(RED, node, value, type, what);
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
        level: levelSetting(RED, node, def.level, def.levelType, 'level'),
        lower: levelSetting(RED, node, def.lower, def.lowerType, 'lower level'),
        upper: levelSetting(RED, node, def.upper, def.upperType, 'upper level'),
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
