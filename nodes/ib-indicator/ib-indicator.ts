/**
 * indicator: any indicator of lib/indicators/catalog (EMA, RSI, Bollinger Bands, MACD, ATR, Stochastic
 * ...) per instrument, on one bar at a time or on a whole array of bars.
 */
import { KeyedThrottle } from '../../lib/data/throttle';
import { defaultIndicatorName, findIndicator, resolveParams } from '../../lib/indicators/catalog';
import { parsePath } from '../../lib/indicators/path';
import { formatValue, IndicatorRunner } from '../../lib/indicators/runner';
import { readValueSource } from '../../lib/indicators/source';
import { asError, onInput } from '../common';
import type { Node, NodeAPI, NodeDef, NodeStatus } from '../red';

interface IndicatorDef extends NodeDef {
  indicator?: string;
  params?: Record<string, unknown> | string;
  source?: string;
  sourceProperty?: string;
  output?: string;
}

const STATUS_INTERVAL_MS = 250;

function paramsOf(def: IndicatorDef): Record<string, unknown> {
  if (typeof def.params === 'string') {
    if (!def.params.trim()) return {};
    try {
      return JSON.parse(def.params) as Record<string, unknown>;
    } catch {
      throw new Error(`indicator parameters are not valid JSON: ${def.params}`);
    }
  }
  return def.params ?? {};
}

export = function register(RED: NodeAPI): void {
  function IbIndicator(this: Node, def: IndicatorDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let runner: IndicatorRunner | null = null;
    let configError: Error | null = null;
    let name = 'indicator';
    try {
      const spec = findIndicator(def.indicator || 'ema');
      const params = resolveParams(spec, paramsOf(def));
      const output = parsePath(def.output?.trim() || `indicators.${defaultIndicatorName(spec, params)}`, 'output property');
      name = output[output.length - 1];
      runner = new IndicatorRunner({
        create: () => spec.create(params),
        input: spec.input,
        fields: spec.fields,
        source: spec.input === 'value' ? readValueSource(def.source, def.sourceProperty) : undefined,
        output,
        name,
      });
    } catch (err) {
      configError = asError(err);
      node.status({ fill: 'red', shape: 'ring', text: 'invalid configuration' });
    }
    const status = new KeyedThrottle<NodeStatus>(STATUS_INTERVAL_MS, (_key, s) => node.status(s));

    onInput(node, (msg, send, done) => {
      if (configError || !runner) throw configError ?? new Error('indicator is not configured');
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
  RED.nodes.registerType('ib-indicator', IbIndicator);
};
