/**
 * The editor's contract form, without a browser: the rows the shared form (resources/contract-editor.js)
 * builds carry every contract field (conId, primary exchange and trading class too, beside the expiry,
 * strike, right and multiplier), every node that loads the form keeps each of them as a property with
 * a check that names it, and the runtime reads them into the contract it asks TWS for.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { catalogTranslator, packageNodeSchemas } from '../../flow-runner/node-schema';
import { repoRoot } from '../helpers/paths';
import { configuredContract } from '../../nodes/contract-editor';

interface ContractEditor {
  fields(prefix?: string): string;
  properties: string[];
}

function loadForm(): ContractEditor {
  const window: { IbAlgo?: { contractEditor: ContractEditor } } = {};
  runInNewContext(readFileSync(join(repoRoot, 'resources', 'contract-editor.js'), 'utf8'), { window, RED: { _: catalogTranslator(repoRoot) } });
  assert.ok(window.IbAlgo, 'the form defines IbAlgo.contractEditor');
  return window.IbAlgo.contractEditor;
}

/** The node types whose .html loads the shared form. */
function formNodes(): string[] {
  const types: string[] = [];
  for (const dir of readdirSync(join(repoRoot, 'nodes'), { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const html = readFileSync(join(repoRoot, 'nodes', dir.name, `${dir.name}.html`), 'utf8');
    if (html.includes('contract-editor.js')) types.push(dir.name);
  }
  return types.sort();
}

const CONTRACT_FIELDS = ['symbol', 'secType', 'exchange', 'currency', 'expiry', 'strike', 'right', 'multiplier', 'conId', 'primaryExch', 'tradingClass'];

describe("the editor's contract form", () => {
  it('builds a row for every contract field, each under the id Node-RED reads it back by', () => {
    const form = loadForm();
    assert.deepEqual([...form.properties].sort(), [...CONTRACT_FIELDS].sort());
    const html = form.fields('node-input');
    for (const property of CONTRACT_FIELDS) assert.match(html, new RegExp(`id="node-input-${property}"`), property);
    assert.match(html, /placeholder="IB contract id \(optional\)"/, "the rows' texts come from the catalog");
  });

  it('every node that loads it keeps each field as a property, checked with a message that names it', () => {
    const types = formNodes();
    assert.deepEqual(types, ['ib-contract', 'ib-historical-bars', 'ib-market-data', 'ib-market-depth']);
    const schemas = packageNodeSchemas(repoRoot);
    const bad: Record<string, [unknown, RegExp]> = {
      conId: ['AAPL', /conId/],
      expiry: ['2026-12', /expiry/],
      strike: ['-5', /strike/],
      right: ['X', /right/],
      multiplier: ['0', /multiplier/],
      primaryExch: ['NAS DAQ', /primary exchange/],
      tradingClass: ['SPX;W', /trading class/],
    };
    const good: Record<string, unknown> = { conId: '265598', expiry: '20261218', strike: '200', right: 'C', multiplier: '100', primaryExch: 'NASDAQ', tradingClass: 'SPXW' };
    for (const type of types) {
      const schema = schemas.get(type);
      assert.ok(schema, type);
      for (const property of CONTRACT_FIELDS) assert.ok(schema.properties.has(property), `${type} keeps ${property}`);
      for (const [property, [value, names]] of Object.entries(bad)) {
        const check = schema.properties.get(property)?.validate;
        assert.ok(check, `${type}.${property} is checked`);
        const verdict = (v: unknown): unknown => check.call({}, v, {});
        assert.match(String(verdict(value)), names, `${type}.${property} = ${String(value)}`);
        assert.equal(verdict(good[property]), true, `${type}.${property} = ${String(good[property])}`);
        assert.equal(verdict(''), true, `${type}.${property} may be empty`);
      }
    }
  });

  it('the fields reach the contract; a value a field does not take is the status, naming it', () => {
    const { contract, problem } = configuredContract({
      id: 'n1',
      type: 'ib-market-data',
      symbol: 'spx',
      secType: 'OPT',
      exchange: 'CBOE',
      currency: 'USD',
      expiry: '20261218',
      strike: '5000',
      right: 'C',
      multiplier: '100',
      conId: '123456789',
      primaryExch: 'cboe',
      tradingClass: 'spxw',
    } as never);
    assert.equal(problem, null);
    assert.deepEqual(contract, {
      symbol: 'SPX',
      secType: 'OPT',
      exchange: 'CBOE',
      currency: 'USD',
      conId: 123456789,
      lastTradeDateOrContractMonth: '20261218',
      strike: 5000,
      right: 'C',
      multiplier: 100,
      primaryExch: 'CBOE',
      tradingClass: 'SPXW',
    });
    const byConId = configuredContract({ id: 'n2', type: 'ib-market-data', symbol: '', conId: '265598' } as never);
    assert.equal(byConId.contract?.conId, 265598, 'a conId alone names the contract');
    for (const [field, value, names] of [
      ['conId', 'AAPL', /conId must be IB's contract id/],
      ['expiry', '2026-12', /expiry \(lastTradeDateOrContractMonth\) must be YYYYMM or YYYYMMDD/],
      ['strike', 'abc', /strike must be a price above 0/],
      ['multiplier', '-50', /multiplier must be a number above 0/],
      ['right', 'X', /right must be C \(call\) or P \(put\)/],
    ] as const) {
      const wrong = configuredContract({ id: 'n3', type: 'ib-market-data', symbol: 'ES', secType: 'FUT', exchange: 'CME', [field]: value } as never);
      assert.equal(wrong.contract, null, field);
      assert.match(String(wrong.problem), names, field);
    }
  });
});
