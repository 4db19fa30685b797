#!/usr/bin/env node
// The import rules of .dependency-cruiser.cjs over the whole tree, less the known violations listed in
// .dependency-cruiser-known.cjs. Fails on any other violation, and on a known one that is gone (so the
// list is trimmed as main gets clean).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const known = require(join(root, '.dependency-cruiser-known.cjs'));

const cruise = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', '--output-type', 'json',
    'lib', 'nodes', 'flow-runner', 'bin', 'test', 'bench'],
  { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
);
if (cruise.status !== 0 && !cruise.stdout.startsWith('{')) {
  process.stderr.write(cruise.stderr);
  process.exit(2);
}
const result = JSON.parse(cruise.stdout);
const same = (v, k) => v.rule.name === k.rule && v.from === k.from && v.to === k.to;
const fresh = result.summary.violations.filter((v) => !known.some((k) => same(v, k)));
const gone = known.filter((k) => !result.summary.violations.some((v) => same(v, k)));

for (const v of fresh) {
  const via = v.cycle ? ` (${[v.from, ...v.cycle.map((c) => c.name)].join(' -> ')})` : '';
  console.log(`${v.rule.name}: ${v.from} -> ${v.to}${via}`);
}
for (const k of gone) console.log(`known violation no longer occurs, remove it from .dependency-cruiser-known.cjs: ${k.rule} ${k.from} -> ${k.to}`);
const s = result.summary;
console.log(`${s.totalCruised} modules, ${s.totalDependenciesCruised} imports: ${fresh.length} violations, ${known.length - gone.length} known (${gone.length} gone)`);
process.exit(fresh.length > 0 || gone.length > 0 ? 1 : 0);
