/**
 * `npm run bench`: runs every compiled bench/*.bench.js in its own process (so memory figures are not
 * polluted by the previous benchmark), each prints its table and writes bench/results/<name>.json.
 * Pass names to run a subset: `npm run bench -- sma replay`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const only = process.argv.slice(2);
const files = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n## ${file.replace('.bench.js', '')}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(__dirname, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
