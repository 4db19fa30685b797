#!/usr/bin/env node
// The Flow Library scorecard (`node-red-dev validate`, the checks flows.nodered.org shows for a
// package) run on what npm would publish: `npm pack` of the built repository, unpacked. node-red-dev
// lives in .ci/cache/node-red-dev (installed on first use, not a dependency of the package).
//
// node-red-dev exits 0 whatever it finds, so this script reads its `-o scorecard.json` and fails when
// a check fails. Two checks (P08 similar names, N01 unique node types) compare against the catalogue
// at catalogue.nodered.org; when that host cannot be reached the request is answered from a file
// given in IB_ALGO_CATALOGUE (a saved catalogue.json) or, failing that, with an empty catalogue, and
// the two checks are reported as "not checked" rather than passed. The npm registry is still used
// (P06/P07 read node-red's release tags, D02/D03 walk the dependency tree).
//
// Usage: node scripts/validate-scorecard.mjs [--keep] [--install-only]   (after `npm run build`; --keep
// leaves the unpacked package and scorecard.json in the temp dir and prints where; --install-only
// installs node-red-dev and stops, so CI can download while other tests run)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const NODE_RED_DEV = 'node-red-dev@0.1.6';
const CATALOGUE_URL = 'https://catalogue.nodered.org/catalogue.json';
const CATALOGUE_CHECKS = ['P08', 'N01'];
const CHECK_NAMES = {
  P01: 'licence declared',
  P03: 'repository / bugs link',
  P04: 'name node-red-contrib-* or scoped',
  P05: 'keyword node-red',
  P06: 'node-red.version fits current Node-RED',
  P07: 'engines.node fits current Node-RED',
  P08: 'no similarly named package',
  N00: 'node definitions parse (.html)',
  N01: 'node types unique in the catalogue',
  N02: 'every node used in an example',
  D01: 'at most 6 dependencies',
  D02: 'no known-bad dependencies',
  D03: 'dependencies at their latest version',
};

const root = resolve(import.meta.dirname, '..');
const toolDir = join(root, '.ci', 'cache', 'node-red-dev');
const toolBin = join(toolDir, 'node_modules', 'node-red-dev', 'bin', 'run');
const keep = process.argv.includes('--keep');
const installOnly = process.argv.includes('--install-only');

if (!installOnly && !existsSync(join(root, 'dist', 'nodes'))) fail('dist/nodes is missing: run `npm run build` first');
if (!existsSync(toolBin)) {
  mkdirSync(toolDir, { recursive: true });
  writeFileSync(join(toolDir, 'package.json'), `${JSON.stringify({ name: 'ib-algo-node-red-dev', private: true }, null, 2)}\n`);
  console.log(`validate-scorecard: installing ${NODE_RED_DEV} into ${toolDir}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', NODE_RED_DEV], { cwd: toolDir, stdio: 'inherit' });
}
if (installOnly) process.exit(0);

const work = mkdtempSync(join(tmpdir(), 'ib-algo-scorecard-'));
try {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 }),
  );
  execFileSync('tar', ['-xzf', join(work, packed[0].filename), '-C', work]);
  const packageDir = join(work, 'package');

  const catalogueReachable = await reachable(CATALOGUE_URL);
  const catalogueFile = process.env.IB_ALGO_CATALOGUE;
  const stub = join(work, 'catalogue-stub.cjs');
  writeFileSync(stub, catalogueStub(catalogueReachable ? null : catalogueFile ?? null));

  const scorecardFile = join(work, 'scorecard.json');
  const run = spawnSync(process.execPath, ['--require', stub, toolBin, 'validate', '-p', packageDir, '-o', scorecardFile], {
    cwd: packageDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300000,
  });
  process.stdout.write(run.stdout ?? '');
  process.stderr.write(run.stderr ?? '');
  if (!existsSync(scorecardFile)) fail(`node-red-dev wrote no scorecard (exit ${run.status ?? run.signal})`);

  const scorecard = JSON.parse(readFileSync(scorecardFile, 'utf8'));
  const packageJson = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  // node-red-dev leaves a node whose .html it cannot parse out of its node checks without failing any:
  // count that as a failed check of its own.
  const unparsed = [...(run.stdout ?? '').matchAll(/Unable to parse\s+(\S+)/g)].map((m) => m[1]);
  scorecard.N00 = unparsed.length ? { test: false, files: unparsed } : { test: true };
  // N02 lists the nodes that have examples; name the ones that have none.
  if (scorecard.N02 && !scorecard.N02.test) {
    const withExamples = new Set(scorecard.N02.nodes ?? []);
    scorecard.N02 = { test: false, missing: Object.keys(packageJson['node-red'].nodes).filter((type) => type !== 'ib-connect' && !withExamples.has(type)) };
  } else if (scorecard.N02) {
    scorecard.N02 = { test: scorecard.N02.test };
  }

  const unchecked = catalogueReachable || catalogueFile ? [] : CATALOGUE_CHECKS;
  const failed = [];
  console.log('\nFlow Library scorecard');
  const checks = Object.entries(scorecard).filter(([id]) => /^[PND]\d\d$/.test(id));
  for (const [id, result] of checks.sort(([a], [b]) => a.localeCompare(b))) {
    const { test, ...details } = result;
    const verdict = unchecked.includes(id) ? 'not checked (catalogue unreachable)' : test ? 'pass' : 'FAIL';
    if (!test && !unchecked.includes(id)) failed.push(id);
    const extra = Object.keys(details).length ? ` ${JSON.stringify(details)}` : '';
    console.log(`  ${id.padEnd(4)} ${(CHECK_NAMES[id] ?? '').padEnd(40)} ${verdict}${extra}`);
  }
  if (keep) console.log(`\nkept: ${work}`);
  if (failed.length) fail(`failed checks: ${failed.join(', ')}`);
  console.log('\nvalidate-scorecard: every check passed');
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

/** A preload for node-red-dev answering the catalogue request when catalogue.nodered.org is unreachable. */
function catalogueStub(file) {
  return `// Written by scripts/validate-scorecard.mjs.
const { readFileSync } = require('node:fs');
const axios = require(require.resolve('axios', { paths: [${JSON.stringify(join(toolDir, 'node_modules', 'node-red-dev'))}] }));
const catalogueUrl = ${JSON.stringify(CATALOGUE_URL)};
const catalogueFile = ${JSON.stringify(file)};
const get = axios.get.bind(axios);
axios.get = (url, ...rest) => {
  if (url !== catalogueUrl) return get(url, ...rest);
  if (catalogueFile) return Promise.resolve({ data: JSON.parse(readFileSync(catalogueFile, 'utf8')) });
  return get(url, ...rest).catch(() => ({ data: { modules: [] } }));
};
`;
}

async function reachable(url) {
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    return response.ok;
  } catch {
    return false;
  }
}

function fail(message) {
  console.error(`validate-scorecard: ${message}`);
  process.exit(1);
}
