/**
 * The core node file -> types map read from the installed Node-RED's .html files (no node file loaded),
 * and which files a flow lets a runtime leave out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { coreNodeFiles, nodeFilesUnder, selectCoreNodeFiles, typesOfFlow, typesRegisteredIn } from '../../flow-runner/core-nodes';

// The Node-RED under test (IB_ALGO_NODE_RED_PATH as the node tests use it), its core nodes resolved as it resolves them.
const nodeRedEntry = require.resolve(process.env.IB_ALGO_NODE_RED_PATH || 'node-red');
const coreNodesDir = dirname(require.resolve('@node-red/nodes', { paths: [dirname(nodeRedEntry)] }));

describe('core node files', () => {
  const files = coreNodeFiles(coreNodesDir);
  const byName = new Map(files.map((f) => [f.name, f]));

  it('maps each core node file to the types its .html registers', () => {
    assert.deepEqual(byName.get('10-mqtt.js')?.types?.sort(), ['mqtt in', 'mqtt out', 'mqtt-broker']);
    assert.equal(byName.get('10-mqtt.js')?.path, 'core/network/10-mqtt.js');
    assert.deepEqual(byName.get('10-function.js')?.types, ['function']);
    assert.deepEqual(byName.get('15-change.js')?.types, ['change']);
    assert.deepEqual(byName.get('60-link.js')?.types?.sort(), ['link call', 'link in', 'link out']);
    assert.deepEqual(byName.get('17-split.js')?.types?.sort(), ['join', 'split']);
    assert.deepEqual(byName.get('rbe.js')?.types, ['rbe'], 'double-quoted registerType too');
    assert.deepEqual(byName.get('22-websocket.js')?.types?.sort(), ['websocket in', 'websocket out', 'websocket-client', 'websocket-listener']);
    assert.equal(byName.get('05-junction.js')?.types, null, "junction's .html registers nothing: its types are unknown");
  });

  it('finds every node file Node-RED loads and nothing under lib/', () => {
    assert.ok(files.length >= 30, `only ${files.length} files`);
    assert.ok(files.every((f) => f.path.startsWith('core/') && !f.path.includes('/lib/')), files.map((f) => f.path).join(', '));
    const unknown = files.filter((f) => f.types === null).map((f) => f.name);
    assert.deepEqual(unknown, ['05-junction.js'], 'every other file says its types');
  });

  it('keeps core/common, files of used types and files of unknown types; leaves out the rest', () => {
    const { excludes, leftOut } = selectCoreNodeFiles(files, typesOfFlow([{ type: 'tab' }, { type: 'mqtt in' }, { type: 'function' }, { type: 'ib-sma' }]));
    for (const kept of ['10-mqtt.js', '10-function.js', '20-inject.js', '21-debug.js', '25-catch.js', '60-link.js', '05-junction.js', '98-unknown.js']) {
      assert.ok(!excludes.includes(kept), `${kept} kept`);
    }
    for (const gone of ['15-change.js', '21-httpin.js', '22-websocket.js', '90-exec.js', '70-XML.js', '31-tcpin.js']) assert.ok(excludes.includes(gone), `${gone} left out`);
    assert.equal(leftOut.get('http request')?.name, '21-httprequest.js');
    assert.equal(leftOut.get('mqtt out'), undefined);
    assert.equal(leftOut.get('inject'), undefined);
  });

  it("never leaves out a file name that another node folder also holds (nodesExcludes matches names anywhere)", () => {
    const { excludes } = selectCoreNodeFiles(files, new Set(), new Set(['10-mqtt.js']));
    assert.ok(!excludes.includes('10-mqtt.js'));
    assert.ok(excludes.includes('10-switch.js'));
  });
});

describe('typesRegisteredIn', () => {
  it('reads literal registrations and says "unknown" when a registration is not a literal', () => {
    assert.deepEqual(typesRegisteredIn(`<script>RED.nodes.registerType( "a b",{}); RED.nodes.registerType('c', {})</script>`), ['a b', 'c']);
    assert.equal(typesRegisteredIn(`<script>RED.nodes.registerType('a', {}); RED.nodes.registerType(name, {})</script>`), null);
    assert.equal(typesRegisteredIn('<script type="text/html" data-template-name="x"></script>'), null);
  });
});

describe('nodeFilesUnder', () => {
  it('walks folders as Node-RED does: a .js or .cjs with an .html beside it, not under lib/ icons/ node_modules/', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ib-core-nodes-'));
    try {
      for (const path of ['a/10-x.js', 'a/10-x.html', 'a/y.cjs', 'a/y.html', 'a/no-html.js', 'a/lib/z.js', 'a/lib/z.html', 'icons/w.js', 'icons/w.html']) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), '');
      }
      assert.deepEqual(nodeFilesUnder(dir).map((f) => f.slice(dir.length + 1)), [join('a', '10-x.js'), join('a', 'y.cjs')]);
      assert.deepEqual(nodeFilesUnder(join(dir, 'missing')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
