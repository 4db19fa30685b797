#!/usr/bin/env node
// After tsc: put every editor asset where Node-RED looks for it. Node-RED reads a node's .html and its
// locales/ only from the folder of the node's compiled .js, so each node folder in dist/ gets its own.
// Icons are looked up module-wide: Node-RED's registry collects the icons/ folder beside each node's .js
// into one list for the package and serves any icon name from any of them, so the shared icons are
// copied once, beside the first node of package.json (ib-connect).
import { cpSync, existsSync, readdirSync, readFileSync, chmodSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
  // Copies a build before this one made in every folder.
  rmSync(join(out, 'icons'), { recursive: true, force: true });
}
const firstNode = Object.values(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))['node-red'].nodes)[0];
cpSync(join(root, 'icons'), join(root, dirname(firstNode), 'icons'), { recursive: true });

// Source maps are off (the package ships no .ts for them to point at); drop any a build before left.
// A compiled file whose .ts is gone (renamed, deleted) goes too: a renamed test would otherwise run
// twice in this working tree, and a deleted node would still be packed.
for (const entry of readdirSync(join(root, 'dist'), { recursive: true }).map(String)) {
  if (entry.endsWith('.js.map')) rmSync(join(root, 'dist', entry));
  else if (entry.endsWith('.js') && !existsSync(join(root, entry.replace(/\.js$/, '.ts')))) rmSync(join(root, 'dist', entry));
}

const binOut = join(root, 'dist', 'bin');
if (existsSync(binOut)) {
  for (const f of readdirSync(binOut)) if (f.endsWith('.js')) chmodSync(join(binOut, f), 0o755);
}
