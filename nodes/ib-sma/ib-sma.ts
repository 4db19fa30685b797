/**
 * sma: a simple moving average per instrument, on one bar at a time or on a whole array of bars.
 * The logic (exact O(1) SMA, input checks, batch) is in lib/indicators; this maps the editor's fields.
 */
import { parsePath } from '../../lib/messages/path';
import { IndicatorRunner } from '../../lib/indicators/runner';
import { Sma } from '../../lib/indicators/sma';
import { readValueSource } from '../../lib/messages/source';
import { typedSource } from '../common';
import { runIndicatorNode } from '../indicator-node';
import type { Node, NodeAPI, NodeDef } from '../red';
import { message, useMessageCatalogs } from '../i18n';

interface SmaDef extends NodeDef {
  period?: number | string;
  source?: string;
  sourceProperty?: string;
  sourcePropertyType?: string;
  output?: string;
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbSma(this: Node, def: SmaDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    runIndicatorNode(this, () => {
      const period = Number(def.period ?? 20);
      if (!Number.isInteger(period) || period < 1) throw new Error(message('ib-sma.errors.period', { period: JSON.stringify(def.period) }));
      const output = parsePath(def.output?.trim() || `indicators.sma${period}`, 'output property');
      const name = output[output.length - 1];
      const runner = new IndicatorRunner({
        create: () => new Sma(period),
        input: 'value',
        source: readValueSource(def.source, typedSource(RED, node, def.source, def.sourceProperty, def.sourcePropertyType, 'source property')),
        output,
        name,
        numeric: true,
      });
      return { runner, name };
    });
  }
  RED.nodes.registerType('ib-sma', IbSma);
};
