/**
 * indicator: any indicator of lib/indicators/catalog (EMA, RSI, Bollinger Bands, MACD, ATR, Stochastic
 * ...) per instrument, on one bar at a time or on a whole array of bars.
 */
import { defaultIndicatorName, findIndicator, resolveParams } from '../../lib/indicators/catalog';
import { parsePath } from '../../lib/messages/path';
import { IndicatorRunner } from '../../lib/indicators/runner';
import { readValueSource } from '../../lib/messages/source';
import { typedSource } from '../common';
import { runIndicatorNode } from '../indicator-node';
import type { Node, NodeAPI, NodeDef } from '../red';
import { message, useMessageCatalogs } from '../i18n';

interface IndicatorDef extends NodeDef {
  indicator?: string;
  params?: Record<string, unknown> | string;
  source?: string;
  sourceProperty?: string;
  sourcePropertyType?: string;
  output?: string;
}

function paramsOf(def: IndicatorDef): Record<string, unknown> {
  if (typeof def.params === 'string') {
    if (!def.params.trim()) return {};
    try {
      return JSON.parse(def.params) as Record<string, unknown>;
    } catch {
      throw new Error(message('ib-indicator.errors.params', { params: def.params }));
    }
  }
  return def.params ?? {};
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbIndicator(this: Node, def: IndicatorDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    runIndicatorNode(this, () => {
      const spec = findIndicator(def.indicator || 'ema');
      const params = resolveParams(spec, paramsOf(def));
      const output = parsePath(def.output?.trim() || `indicators.${defaultIndicatorName(spec, params)}`, 'output property');
      const name = output[output.length - 1];
      const runner = new IndicatorRunner({
        create: () => spec.create(params),
        input: spec.input,
        fields: spec.fields,
        source: spec.input === 'value' ? readValueSource(def.source, typedSource(RED, node, def.source, def.sourceProperty, def.sourcePropertyType, 'source property')) : undefined,
        output,
        name,
        numeric: spec.lines.length === 0,
        perSession: spec.perSession === true,
      });
      return { runner, name };
    });
  }
  RED.nodes.registerType('ib-indicator', IbIndicator);
};
