/**
 * Every check the editor makes on a node's property says what is wrong (Node-RED 4 validators return
 * a message, not a bare false): each validator of every node of this package, as its .html defines it,
 * is given values no property takes, and answers true (the property is not used in that setting) or a
 * sentence naming the property.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { packageNodeSchemas } from '../../flow-runner/node-schema';
import { repoRoot } from '../helpers/paths';

const BAD_VALUES: unknown[] = ['abc', -1, '', '1e400', '0', 'x..y', '%'];

describe('editor validators', () => {
  it('answer a bad value with a message, never a bare false', () => {
    const schemas = packageNodeSchemas(repoRoot);
    assert.ok(schemas.size >= 13, `${schemas.size} node types`);
    const silent: string[] = [];
    let checked = 0;
    for (const [type, schema] of schemas) {
      const defaults = Object.fromEntries([...schema.properties].map(([name, rule]) => [name, rule.defaultValue]));
      for (const [property, rule] of schema.properties) {
        if (!rule.validate) continue;
        for (const value of BAD_VALUES) {
          let verdict: unknown;
          try {
            verdict = rule.validate.call({ ...defaults, [property]: value }, value, {});
          } catch {
            continue; // needs the editor's form (RED.validators, jQuery): checked in the browser tests
          }
          checked++;
          if (verdict !== true && !(typeof verdict === 'string' && verdict.length > 5)) silent.push(`${type}.${property} = ${JSON.stringify(value)} -> ${JSON.stringify(verdict)}`);
        }
      }
    }
    assert.ok(checked > 200, `only ${checked} checks ran`);
    assert.deepEqual(silent, [], 'validators that say nothing');
  });
});
