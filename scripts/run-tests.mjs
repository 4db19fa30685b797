#!/usr/bin/env node
// Runs the compiled node:test suites. `node --test <dir>` would also pick up every helper module under
// a `test/` folder (its default patterns match `**/test/**/*.js`), so the files are listed explicitly.
// Usage: node scripts/run-tests.mjs [suite ...]   suites: lib wire nodes flow package e2e (default: all but e2e)
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
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
// Files run side by side: most of a test's time is spent waiting (on sockets, Node-RED, the browser,
// 5-second bars), not computing, and node's default (one file fewer than the cores: one at a time on a
// 2-core machine) left npm test at 250 s where 4 at a time take 100 s. The browser suites each start a
// Node-RED and a chromium of their own, so fewer of them share the machine. IB_ALGO_TEST_CONCURRENCY
// (or a --test-concurrency of your own) overrides it.
const concurrency = process.env.IB_ALGO_TEST_CONCURRENCY ?? (suites.includes('e2e') ? '3' : '4');
const ownConcurrency = passThrough.some((a) => a.startsWith('--test-concurrency'));
const args = ['--test', ...(ownConcurrency ? [] : [`--test-concurrency=${concurrency}`]), ...passThrough, ...files];
// Several checkouts of this repository on one machine (git worktrees) run their suites one after
// another, not on top of each other: the tests that watch time (pacing, reconnects, 5-second bars)
// flake when a 2-core machine runs three suites at once, and each suite then takes five times as long.
// The lock is util-linux's flock on a file in the temp folder; without flock, or with
// IB_ALGO_TEST_LOCK=0, the suite runs at once.
const lock = join(tmpdir(), 'ib-algo-test-run.lock');
const useLock = process.env.IB_ALGO_TEST_LOCK !== '0' && spawnSync('flock', ['-n', lock, 'true']).error === undefined;
if (useLock && spawnSync('flock', ['-n', lock, 'true']).status !== 0) {
  console.error(`waiting for another test run on this machine to end (lock ${lock}; IB_ALGO_TEST_LOCK=0 skips the wait)`);
}
const result = useLock
  ? spawnSync('flock', [lock, process.execPath, ...args], { stdio: 'inherit' })
  : spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
