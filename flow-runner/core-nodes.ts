/**
 * Which of Node-RED's core node files a flow needs, found without loading any of them: each core node
 * file's .html registers its node types with `RED.nodes.registerType('type', ...)` (true for every file
 * of Node-RED 4.1 and 5, except core/common/05-junction whose .html registers nothing). A headless
 * runtime then leaves the other files out with Node-RED's `nodesExcludes` setting (file names), which
 * saves their modules' memory (mqtt, websocket, http, parsers, exec ...).
 *
 * Files are kept whenever their types cannot be told (no literal registerType in the .html), and every
 * file of core/common is kept: they are cheap and catch/status/complete/link/junction are everywhere.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';

export interface CoreNodeFile {
  /** The file name Node-RED's nodesExcludes matches (e.g. "10-mqtt.js"). */
  name: string;
  /** Path under the core nodes directory (e.g. "core/network/10-mqtt.js"). */
  path: string;
  /** Node types its .html registers; null when the .html does not say (the file is then always kept). */
  types: string[] | null;
}

/** Folders Node-RED does not scan for node files (registry/lib/localfilesystem.js). */
const SKIPPED_DIRS = /^(\..*|lib|icons|node_modules|test|locales)$/;
const NODE_FILE = /\.c?js$/;
const ANY_REGISTER = /RED\.nodes\.registerType\s*\(/g;
const LITERAL_REGISTER = /RED\.nodes\.registerType\s*\(\s*(['"])([^'"]+)\1/g;

/** Node types a node's .html registers, or null when some registration is not a plain string literal. */
export function typesRegisteredIn(html: string): string[] | null {
  const calls = html.match(ANY_REGISTER)?.length ?? 0;
  const types = [...html.matchAll(LITERAL_REGISTER)].map((m) => m[2]!);
  if (calls === 0 || types.length !== calls) return null;
  return [...new Set(types)];
}

/** Node files (a .js or .cjs with an .html beside it) under a directory, walked as Node-RED walks it. */
export function nodeFilesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) continue;
    if (stats.isDirectory()) {
      if (!SKIPPED_DIRS.test(name)) files.push(...nodeFilesUnder(path));
    } else if (NODE_FILE.test(name) && statSync(path.replace(NODE_FILE, '.html'), { throwIfNoEntry: false })?.isFile()) {
      files.push(path);
    }
  }
  return files;
}

/** Every core node file of a Node-RED's core nodes directory (the @node-red/nodes package folder) and the types it registers. */
export function coreNodeFiles(coreNodesDir: string): CoreNodeFile[] {
  return nodeFilesUnder(coreNodesDir).map((file) => ({
    name: basename(file),
    path: relative(coreNodesDir, file).split(sep).join('/'),
    types: typesRegisteredIn(readFileSync(file.replace(NODE_FILE, '.html'), 'utf8')),
  }));
}

function isCommon(file: CoreNodeFile): boolean {
  return file.path.split('/').slice(0, -1).includes('common');
}

/** Node types a flow uses: its nodes', its config nodes' and those inside its subflows (all one flat array). */
export function typesOfFlow(flow: readonly unknown[]): Set<string> {
  const types = new Set<string>();
  for (const node of flow) {
    const type = (node as { type?: unknown } | null)?.type;
    if (typeof type === 'string') types.add(type);
  }
  return types;
}

export interface CoreNodeSelection {
  /** File names for Node-RED's nodesExcludes setting. */
  excludes: string[];
  /** Node type -> the left-out file that registers it (to explain a later deploy that needs one). */
  leftOut: Map<string, CoreNodeFile>;
}

/**
 * The core node files a runtime can leave out for flows using `usedTypes`. `keepNames` are file names
 * that must stay loadable: nodesExcludes matches file names in every local node folder (also nodesDir),
 * so a name shared with someone else's node file is never excluded.
 */
export function selectCoreNodeFiles(files: readonly CoreNodeFile[], usedTypes: ReadonlySet<string>, keepNames: ReadonlySet<string> = new Set()): CoreNodeSelection {
  const needed = (file: CoreNodeFile) => file.types === null || isCommon(file) || file.types.some((t) => usedTypes.has(t));
  const kept = new Set(files.filter(needed).map((f) => f.name));
  const leftOut = new Map<string, CoreNodeFile>();
  const excludes: string[] = [];
  for (const file of files) {
    if (kept.has(file.name) || keepNames.has(file.name)) continue;
    excludes.push(file.name);
    for (const type of file.types!) leftOut.set(type, file);
  }
  return { excludes: [...new Set(excludes)], leftOut };
}
