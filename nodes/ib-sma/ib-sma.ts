/**
 * sma: a simple moving average per instrument, on one bar at a time or on a whole array of bars.
 * The logic (exact O(1) SMA, input checks, batch) is in lib/indicators; this maps the editor's fields.
 */
import { KeyedThrottle } from '../../lib/data/throttle';
import { parsePath } from '../../lib/indicators/path';
import { formatValue, IndicatorRunner } from '../../lib/indicators/runner';
import { Sma } from '../../lib/indicators/sma';
import { readValueSource } from '../../lib/indicators/source';
import { asError, onInput } from '../common';
import type { Node, NodeAPI, NodeDef, NodeStatus } from '../red';

interface SmaDef extends NodeDef {
  period?: number | string;
  source?: string;
  sourceProperty?: string;
  output?: string;
}

/** Status updates at most this often: a replay passes thousands of bars a second. */
const STATUS_INTERVAL_MS = 250;

export = function register(RED: NodeAPI): void {
  function IbSma(this: Node, def: SmaDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let runner: IndicatorRunner | null = null;
    let configError: Error | null = null;
    let name = 'sma';
    try {
      const period = Number(def.period ?? 20);
      if (!Number.isInteger(period) || period < 1) throw new Error(`sma period is ${JSON.stringify(def.period)}: use a whole number >= 1, e.g. 20`);
      name = `sma${period}`;
      const output = parsePath(def.output?.trim() || `indicators.${name}`, 'output property');
      name = output[output.length - 1];
      runner = new IndicatorRunner({
        create: () => new Sma(period),
        input: 'value',
        source: readValueSource(def.source, def.sourceProperty),
        output,
        name,
      });
    } catch (err) {
      configError = asError(err);
      node.status({ fill: 'red', shape: 'ring', text: 'invalid configuration' });
    }
    const status = new KeyedThrottle<NodeStatus>(STATUS_INTERVAL_MS, (_key, s) => node.status(s));

    onInput(node, (msg, send, done) => {
      if (configError || !runner) throw configError ?? new Error('sma is not configured');
      let result;
      try {
        result = runner.run(msg);
      } catch (err) {
        status.forget('status');
        throw err;
      }
      if (result.kind === 'reset') status.push('status', { fill: 'grey', shape: 'ring', text: `reset (${result.cleared})` });
      else if (result.kind === 'batch') status.push('status', { fill: 'blue', shape: 'dot', text: `${formatValue(name, result.last)} (${result.count} bars)` });
      else status.push('status', { fill: result.value === null ? 'yellow' : 'green', shape: 'dot', text: formatValue(name, result.value) });
      send(msg);
      done();
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      done();
    });
  }
  RED.nodes.registerType('ib-sma', IbSma);
};
