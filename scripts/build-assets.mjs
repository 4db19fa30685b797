#!/usr/bin/env node
// After tsc: put every editor asset where Node-RED looks for it. Node-RED reads a node's .html, its
// locales/ and icons/ only from the folder of the node's compiled .js, so each node folder in dist/
// gets its .html, its locales and a copy of the shared icons.
import { cpSync, existsSync, readdirSync, chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const nodesSrc = join(root, 'nodes');
const nodesOut = join(root, 'dist', 'nodes');

for (const name of readdirSync(nodesSrc)) {
  const src = join(nodesSrc, name);
  if (!statSync(src).isDirectory()) continue;
  const out = join(nodesOut, name);
  for (const entry of readdirSync(src)) {
    if (entry.endsWith('.ts')) continue;
    cpSync(join(src, entry), join(out, entry), { recursive: true });
  }
  cpSync(join(root, 'icons'), join(out, 'icons'), { recursive: true });
}

const binOut = join(root, 'dist', 'bin');
if (existsSync(binOut)) {
  for (const f of readdirSync(binOut)) if (f.endsWith('.js')) chmodSync(join(binOut, f), 0o755);
}
