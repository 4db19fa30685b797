/** Shared output for benchmarks: a printed table and bench/results/<name>.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Row = Record<string, string | number>;

export function report(name: string, rows: Row[], notes: Record<string, unknown> = {}): void {
  console.table(rows);
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, node: process.version, date: new Date().toISOString(), rows, ...notes }, null, 2));
  console.log(`wrote ${file}`);
}

/** Nanoseconds per item of `fn` over `items` items, best of `repeats` runs (after one warm-up). */
export function nsPerItem(items: number, fn: () => void, repeats = 3): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / items);
  }
  return best;
}
