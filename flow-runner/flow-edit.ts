/**
 * Edits of a flow file before a headless run: node properties set by node name, the combinations of a
 * sweep, bar files made absolute or cut into walk-forward parts, dashboard nodes left out (no editor,
 * no dashboard in a headless run).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { UsageError, type Assignment, type SweepSpec } from './args';
import { propertyProblem, type NodeSchema } from './node-schema';

export type FlowNode = Record<string, unknown> & { id: string; type: string; name?: string; z?: string; d?: boolean };

export interface ResolvedTarget {
  node: FlowNode;
  property: string;
}

export function readFlow(file: string): FlowNode[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read flow ${file}: ${(err as Error).message}`);
  }
  // An export is an array of nodes; a flows file with credentials is {flows: [...]}.
  const nodes = Array.isArray(parsed) ? parsed : (parsed as { flows?: unknown })?.flows;
  if (!Array.isArray(nodes) || nodes.some((n) => !n || typeof n !== 'object' || typeof (n as FlowNode).id !== 'string')) {
    throw new UsageError(`${file} is not a Node-RED flow: expected a JSON array of nodes (Export > JSON)`);
  }
  return nodes as FlowNode[];
}

/** "NODE NAME.property": the node whose name (or id) is the longest prefix before a dot. */
export function resolveTarget(flow: readonly FlowNode[], target: string): ResolvedTarget {
  let best: ResolvedTarget | null = null;
  let bestLength = -1;
  let ambiguous: FlowNode[] = [];
  for (const node of flow) {
    for (const label of [node.name, node.id]) {
      if (typeof label !== 'string' || !label || !target.startsWith(`${label}.`)) continue;
      if (label.length > bestLength) {
        best = { node, property: target.slice(label.length + 1) };
        bestLength = label.length;
        ambiguous = [node];
      } else if (label.length === bestLength && best && best.node !== node) {
        ambiguous.push(node);
      }
    }
  }
  if (!best?.property) {
    const names = flow.filter((n) => typeof n.name === 'string' && n.name).map((n) => `"${n.name}"`);
    throw new UsageError(`no node named in '${target}': use NODE NAME.property with one of ${names.join(', ') || '(no named nodes)'} or a node id`);
  }
  if (ambiguous.length > 1) throw new UsageError(`'${target}': ${ambiguous.length} nodes are named "${target.slice(0, bestLength)}": rename them or use the node id`);
  return best;
}

/** Command-line text to a property value: JSON where it parses (numbers, booleans, quoted), else the text. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface ParamValue {
  target: string;
  value: unknown;
}

/**
 * A deep copy of the flow with the assignments made. With the node types' schemas, an assignment the
 * node's editor would refuse (no such property, a value its check rejects) is a UsageError naming the
 * node, the property and what it takes.
 */
export function applyParams(flow: readonly FlowNode[], params: readonly Assignment[], schemas?: ReadonlyMap<string, NodeSchema>): { flow: FlowNode[]; values: ParamValue[] } {
  const copy = JSON.parse(JSON.stringify(flow)) as FlowNode[];
  const values: ParamValue[] = [];
  for (const { target, value } of params) {
    const { node, property } = resolveTarget(copy, target);
    const parsed = parseValue(value);
    const schema = schemas?.get(node.type);
    const problem = schema ? propertyProblem(schema, node, property, parsed) : null;
    if (problem) throw new UsageError(`'${target}=${value}': node "${node.name || node.id}" (${node.type}): ${problem}`);
    node[property] = parsed;
    values.push({ target, value: parsed });
  }
  return { flow: copy, values };
}

/** Every combination of the sweeps (the first sweep varies slowest), or one empty combination. */
export function combinations(sweeps: readonly SweepSpec[]): Assignment[][] {
  let combos: Assignment[][] = [[]];
  for (const sweep of sweeps) {
    const next: Assignment[][] = [];
    for (const combo of combos) for (const value of sweep.values) next.push([...combo, { target: sweep.target, value }]);
    combos = next;
  }
  return combos;
}

/** The combinations of a shard K/N: the K-th of N contiguous slices, as equal as whole numbers allow. */
export function shardSlice<T>(all: readonly T[], shard: { index: number; count: number } | null): { items: T[]; first: number } {
  if (!shard) return { items: [...all], first: 0 };
  const first = Math.floor(((shard.index - 1) * all.length) / shard.count);
  const end = Math.floor((shard.index * all.length) / shard.count);
  return { items: all.slice(first, end), first };
}

function enabledTabs(flow: readonly FlowNode[]): (node: FlowNode) => boolean {
  const disabled = new Set(flow.filter((n) => n.type === 'tab' && (n as { disabled?: boolean }).disabled).map((n) => n.id));
  return (node) => node.d !== true && !(node.z && disabled.has(node.z));
}

export function reportNodes(flow: readonly FlowNode[]): FlowNode[] {
  const enabled = enabledTabs(flow);
  return flow.filter((n) => n.type === 'ib-backtest-report' && enabled(n));
}

export function barFileNodes(flow: readonly FlowNode[]): FlowNode[] {
  const enabled = enabledTabs(flow);
  return flow.filter((n) => n.type === 'ib-historical-bars' && n.source === 'file' && typeof n.file === 'string' && n.file && enabled(n));
}

/**
 * Relative bar files that exist next to the flow file or in the working directory become absolute; so do
 * paths into this package as installed in a user directory (node_modules/<name>/...), the examples' form.
 */
export function resolveBarFiles(flow: FlowNode[], baseDirs: readonly string[], installed?: { name: string; root: string }): void {
  for (const node of barFileNodes(flow)) {
    const file = String(node.file);
    if (isAbsolute(file)) continue;
    const prefix = installed ? `node_modules/${installed.name}/` : null;
    const candidates = baseDirs.map((dir) => resolve(dir, file));
    if (installed && prefix && file.replace(/\\/g, '/').startsWith(prefix)) candidates.push(resolve(installed.root, file.slice(prefix.length)));
    const found = candidates.find((path) => existsSync(path));
    if (found) node.file = found;
  }
}

/** Dashboard widgets and their config nodes cannot run headless: they are left out, wires to them dropped. */
export function stripDashboard(flow: readonly FlowNode[]): { flow: FlowNode[]; removed: string[] } {
  const removedIds = new Set(flow.filter((n) => /^ui[-_]/.test(n.type)).map((n) => n.id));
  const kept = flow
    .filter((n) => !removedIds.has(n.id))
    .map((n) => (Array.isArray(n.wires) ? { ...n, wires: (n.wires as string[][]).map((port) => port.filter((id) => !removedIds.has(id))) } : n));
  const removed = flow.filter((n) => removedIds.has(n.id)).map((n) => n.type);
  return { flow: kept, removed: [...new Set(removed)] };
}

/**
 * Cuts every bar file of the flow into `parts` consecutive parts of equal bar count (header kept), written
 * to `dir`; returns one flow per part using that part's files.
 */
export function splitBarFiles(flow: readonly FlowNode[], parts: number, dir: string): FlowNode[][] {
  const nodes = barFileNodes(flow);
  if (nodes.length === 0) {
    throw new UsageError('--walk-forward needs an ib-historical-bars node reading a CSV file (source "file") to split');
  }
  const flows: FlowNode[][] = Array.from({ length: parts }, () => JSON.parse(JSON.stringify(flow)) as FlowNode[]);
  for (const node of nodes) {
    const file = String(node.file);
    if (!isAbsolute(file) || !existsSync(file)) throw new UsageError(`--walk-forward: bar file ${file} of node "${node.name || node.id}" not found`);
    if (extname(file).toLowerCase() !== '.csv') throw new UsageError(`--walk-forward splits CSV bar files; ${file} is not .csv`);
    const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
    const [header, ...rows] = lines;
    if (rows.length < parts * 2) throw new UsageError(`--walk-forward: ${file} has ${rows.length} bars, too few for ${parts} parts`);
    for (let p = 0; p < parts; p++) {
      const from = Math.floor((p * rows.length) / parts);
      const to = Math.floor(((p + 1) * rows.length) / parts);
      // Same file name in a folder per part: historical-bars names the instrument after the file.
      const partDir = join(dir, `part${p + 1}`);
      mkdirSync(partDir, { recursive: true });
      const out = join(partDir, basename(file));
      writeFileSync(out, `${[header, ...rows.slice(from, to)].join('\n')}\n`);
      const target = flows[p]!.find((n) => n.id === node.id)!;
      target.file = out;
    }
  }
  return flows;
}
