#!/usr/bin/env node
// Runs the compiled node:test suites. `node --test <dir>` would also pick up every helper module under
// a `test/` folder (its default patterns match `**/test/**/*.js`), so the files are listed explicitly.
// Usage: node scripts/run-tests.mjs [suite ...]   suites: lib wire nodes flow package e2e (default: all but e2e)
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(import.meta.dirname, '..', 'dist', 'test');
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const suites = requested.length ? requested : ['lib', 'wire', 'nodes', 'flow', 'package'];

const files = suites.flatMap((suite) => {
  const dir = join(root, suite);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(dir, f));
});
if (files.length === 0) {
  console.error(`no compiled tests found for: ${suites.join(', ')} (run npm run build first)`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', ...passThrough, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
