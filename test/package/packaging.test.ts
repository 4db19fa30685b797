/**
 * The package as a user gets it: `npm pack` of the built repository, `npm install <tarball>` into a
 * fresh Node-RED user directory, Node-RED started on that directory: 4.1, the repository's
 * node_modules/node-red, or the one IB_ALGO_NODE_RED_PATH names (scripts/test-node-red-5.mjs: Node-RED 5). The admin API must then list every node type of package.json "node-red".nodes as
 * registered (a set lists a type only once its module registered it) and enabled, serve every node's
 * icon, and offer every example under Import > Examples.
 *
 * `npm pack --ignore-scripts`: `npm test` has just built dist/, and a rebuild here would rewrite files
 * under the test files running beside this one. The install uses npm's cache first (`--prefer-offline`):
 * after `npm ci` the dependency tarballs are there; only the package documents may need the registry.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, examplesDir } from '../helpers/paths';
import { getJson, startNodeRedProcess, type NodeRedProcess } from './node-red-process';

const run = promisify(execFile);
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  'node-red': { nodes: Record<string, string> };
  'node-red-dashboard-2': { widgets: Record<string, { output: string; component: string }> };
};
const nodeTypes = Object.keys(packageJson['node-red'].nodes);

interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  local?: boolean;
  err?: unknown;
}

/** The example files of examples/, as Node-RED names them: path without .json, '/' between folders. */
function exampleEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length).split(/[\\/]/).join('/'))
    .sort();
}

/**
 * Flattens the library listing of a module's examples into the same path form; a folder that holds no
 * flow (Import > Examples would show it empty) is listed as `<folder>/ (empty)`.
 */
async function listedExamples(baseUrl: string, module: string, folder = ''): Promise<string[]> {
  const entries = await getJson<Array<string | { fn?: string }>>(baseUrl, `library/examples/flows/${module}/${folder}`);
  const found: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      const inside = await listedExamples(baseUrl, module, `${folder}${entry}/`);
      found.push(...(inside.length ? inside : [`${folder}${entry}/ (empty)`]));
    } else if (entry.fn) {
      found.push(`${folder}${entry.fn.replace(/\.json$/, '')}`);
    }
  }
  return found.sort();
}

describe('packaging: npm pack, npm install into a Node-RED user directory', { timeout: 180000 }, () => {
  let workDir = '';
  let nodeRed: NodeRedProcess | undefined;
  let tarballFiles: string[] = [];

  before(async () => {
    assert.ok(existsSync(join(repoRoot, 'dist', 'nodes')), 'dist/nodes is missing: run `npm run build` first');
    workDir = mkdtempSync(join(tmpdir(), 'ib-algo-package-'));
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [pack] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarballFiles = pack.files.map((file) => file.path);

    const userDir = join(workDir, 'user');
    mkdirSync(userDir);
    writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }, null, 2));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(workDir, pack.filename)], {
      cwd: userDir,
      maxBuffer: 16 * 1024 * 1024,
    });

    const settingsFile = join(workDir, 'settings.js');
    writeFileSync(
      settingsFile,
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        credentialSecret: false,
        telemetry: { enabled: false, updateNotification: false },
        editorTheme: { tours: false },
        // info, not warn: the "Server now running at" line is how the test finds the port.
        logging: { console: { level: 'info' } },
      })};\n`,
    );
    const redJs = join(process.env.IB_ALGO_NODE_RED_PATH || join(repoRoot, 'node_modules', 'node-red'), 'red.js');
    nodeRed = await startNodeRedProcess([redJs, '--settings', settingsFile, '--userDir', userDir, '--port', '0'], {
      cwd: workDir,
      timeoutMs: 60000,
    });
  });

  after(async () => {
    await nodeRed?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('packs the compiled nodes, their editor files, help and messages, icons (once), the examples, and no tests, sources or source maps', () => {
    for (const [type, file] of Object.entries(packageJson['node-red'].nodes)) {
      assert.ok(tarballFiles.includes(file), `${file} (${type}) is not in the tarball`);
      assert.ok(tarballFiles.includes(file.replace(/\.js$/, '.html')), `${type}'s .html is not in the tarball`);
      // Node-RED reads a node's help and messages from locales/<lang>/ beside its .js.
      for (const catalog of ['.json', '.html']) {
        const path = file.replace(/[^/]+\.js$/, `locales/en-US/${type}${catalog}`);
        assert.ok(tarballFiles.includes(path), `${path} (${type}'s ${catalog === '.json' ? 'messages' : 'help'}) is not in the tarball`);
      }
      // Node-RED serves an icon from the icons/ folder beside any of the package's nodes (checked below
      // through the admin API), so each icon ships once.
      const copies = tarballFiles.filter((f) => f.endsWith(`/icons/${type}.svg`));
      assert.equal(copies.length, 1, `${type}.svg should be in the tarball once, beside a node's .js: ${copies.join(', ')}`);
    }
    for (const example of exampleEntries(examplesDir)) {
      assert.ok(tarballFiles.includes(`examples/${example}.json`), `examples/${example}.json is not in the tarball`);
      // Every file an example reads from the installed package (its bars) ships with it.
      const text = readFileSync(join(examplesDir, `${example}.json`), 'utf8');
      for (const [, path] of text.matchAll(new RegExp(`node_modules/${packageJson.name}/([^"\\s]+)`, 'g'))) {
        assert.ok(tarballFiles.includes(path!), `examples/${example}.json reads ${path}, which is not in the tarball`);
      }
    }
    // Each Dashboard 2.0 widget's built component (Vue and lightweight-charts in one UMD file), which
    // Node-RED serves from resources/; its sources (ui/) stay out.
    for (const [type, widget] of Object.entries(packageJson['node-red-dashboard-2'].widgets)) {
      assert.ok(tarballFiles.includes(`resources/${widget.output}`), `resources/${widget.output} (${type}'s dashboard component) is not in the tarball`);
    }
    assert.deepEqual(tarballFiles.filter((f) => f.startsWith('ui/')), [], "the widget's sources are in the tarball");
    const unwanted = tarballFiles.filter((file) => file.startsWith('dist/test/') || file.startsWith('dist/bench/') || /\.ts$/.test(file) && !file.endsWith('.d.ts') || file.endsWith('.map'));
    assert.deepEqual(unwanted, [], 'tests, benchmarks, TypeScript sources or source maps (they would point at sources the package lacks) in the tarball');
  });

  it("writes each node's definition as the Flow Library reads it: RED.nodes.registerType with the type and an object literal", () => {
    // The Flow Library (node-red-dev validate, N00) parses each node's .html without running it and
    // takes the type, defaults, category, inputs and outputs from a registerType call's literals; a
    // definition made by a helper function is one it cannot read.
    for (const [type, file] of Object.entries(packageJson['node-red'].nodes)) {
      const html = readFileSync(join(repoRoot, file.replace(/\.js$/, '.html')), 'utf8');
      const call = new RegExp(`RED\\.nodes\\.registerType\\(\\s*'${type}'\\s*,\\s*\\{[\\s\\S]*?\\bdefaults:\\s*\\{`);
      assert.match(html, call, `${type}'s .html does not register its type with a literal definition and defaults`);
    }
  });

  it('registers every node type of package.json, enabled and error-free, from the user directory', async () => {
    const sets = await getJson<NodeSet[]>(nodeRed!.url, 'nodes');
    const ours = sets.filter((set) => set.module === packageJson.name);
    assert.ok(ours.length > 0, `${packageJson.name} is not among the installed modules:\n${nodeRed!.log()}`);
    for (const type of nodeTypes) {
      const set = ours.find((candidate) => candidate.types.includes(type));
      assert.ok(set, `node type ${type} is not registered; sets: ${JSON.stringify(ours.map((s) => [s.id, s.err ?? 'ok']))}`);
      assert.equal(set.err, undefined, `${type} failed to load: ${JSON.stringify(set.err)}`);
      assert.equal(set.enabled, true, `${type} is not enabled`);
      assert.equal(set.local, true, `${type} was not loaded from the user directory's node_modules`);
    }
    const installed = await getJson<{ name: string; version: string; local: boolean; user: boolean }>(nodeRed!.url, `nodes/${packageJson.name}`);
    assert.equal(installed.version, packageJson.version);
    assert.equal(installed.user, true, 'the package is not listed as installed by the user (user directory package.json)');
  });

  it('serves every node icon', async () => {
    const icons = await getJson<Record<string, string[]>>(nodeRed!.url, 'icons');
    for (const type of nodeTypes) {
      assert.ok(icons[packageJson.name]?.includes(`${type}.svg`), `${type}.svg is not among the module's icons: ${JSON.stringify(icons[packageJson.name])}`);
      const response = await fetch(new URL(`icons/${packageJson.name}/${type}.svg`, nodeRed!.url));
      assert.equal(response.status, 200, `icon ${type}.svg: HTTP ${response.status}`);
      assert.match(await response.text(), /<svg[\s>]/);
    }
  });

  it("serves each dashboard widget's component where Dashboard 2.0 loads it (/resources/<package>/<output>)", async () => {
    for (const [type, widget] of Object.entries(packageJson['node-red-dashboard-2'].widgets)) {
      const response = await fetch(new URL(`resources/${packageJson.name}/${widget.output}`, nodeRed!.url));
      assert.equal(response.status, 200, `${type}'s ${widget.output}: HTTP ${response.status}`);
      const code = await response.text();
      // A UMD bundle that defines window[type] with the component under its name, on the dashboard's Vue.
      assert.ok(code.includes(`[\`${type}\`]`) || code.includes(`["${type}"]`), `${widget.output} does not define window["${type}"]`);
      assert.ok(code.includes(widget.component), `${widget.output} does not export ${widget.component}`);
      assert.match(code, /^\/\*!\n \* [\w-]+: a dashboard widget of /, `${widget.output} does not start with its notice`);
      // The chart bundles lightweight-charts, whose licence asks to keep its notice.
      if (type === 'ui-ib-price-chart') assert.match(code, /Bundles TradingView Lightweight Charts v\d/, 'the bundled library has lost its licence notice');
    }
  });

  it('lists every example under Import > Examples', async () => {
    const modules = await getJson<string[]>(nodeRed!.url, 'library/examples/flows/');
    assert.ok(modules.includes(packageJson.name), `no examples listed for ${packageJson.name}: ${JSON.stringify(modules)}`);
    const expected = exampleEntries(examplesDir);
    assert.ok(expected.length > 0, 'examples/ holds no flows');
    assert.deepEqual(await listedExamples(nodeRed!.url, packageJson.name), expected);
    const first = await getJson<unknown>(nodeRed!.url, `library/examples/flows/${packageJson.name}/${expected[0]}`);
    assert.ok(Array.isArray(first), `example ${expected[0]} is not served as a flow`);
  });
});
