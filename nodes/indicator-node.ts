/**
 * The input side of the nodes that run an indicator per instrument (sma, indicator): each message
 * through the IndicatorRunner, the value (or the last of a batch) in the status, the message sent on.
 * The nodes differ only in how they build the runner from their settings.
 */
import { formatValue, type IndicatorRunner } from '../lib/indicators/runner';
import { onInput } from './common';
import { computingNode } from './computing-node';
import type { Node } from './red';
import { message } from './i18n';

export interface IndicatorSetup {
  runner: IndicatorRunner;
  /** The name the status shows the value under: the output property's last part, e.g. sma20. */
  name: string;
}

/** Wires `node`'s input to the runner `setup` builds (a throw there is a configuration error). */
export function runIndicatorNode(node: Node, setup: () => IndicatorSetup): void {
  const computing = computingNode(node, setup);
  onInput(node, (msg, send, done) => {
    const { result, name } = computing.run(({ runner, name }) => ({ result: runner.run(msg), name }));
    send(msg);
    if (result.kind === 'reset') computing.show(() => ({ fill: 'grey', shape: 'ring', text: message('ib-algo.status.reset', { count: result.cleared }) }));
    else if (result.kind === 'batch') computing.show(() => ({ fill: 'blue', shape: 'dot', text: message('ib-algo.status.batch', { value: formatValue(name, result.last), count: result.count }) }));
    else computing.show(() => ({ fill: result.value === null ? 'yellow' : 'green', shape: 'dot', text: formatValue(name, result.value) }));
    done();
  });
}
