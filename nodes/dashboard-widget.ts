/**
 * What the package's Dashboard 2.0 widgets (price chart, account panel) share: the dashboard's ui-group
 * and ui-base as they use them, telling the dashboard where a widget's component is, and its store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red';

/** The package root, two folders up from dist/nodes. */
const packageRoot = join(__dirname, '..', '..');

/** Dashboard 2.0's ui-group and ui-base as the widgets use them. */
export interface DashboardGroup extends Node {
  register(node: Node, config: Record<string, unknown>, events: Record<string, unknown>): void;
  getBase(): DashboardBase;
}
export interface DashboardBase extends Node {
  /** Dashboard 2.0's record of third-party widgets by type (what it reads from package.json's "node-red-dashboard-2"). */
  uiShared?: { contribs?: Record<string, unknown> };
}

/** Dashboard 2.0's per-widget message store: what a page opened later loads. */
interface DataStore {
  save(base: DashboardBase, node: Node, msg: NodeMessage): void;
}

/**
 * The dashboard lists a package's widgets (package.json "node-red-dashboard-2") only for packages whose
 * name contains "node-red-dashboard-2-" in the user directory's package.json; this package is named for
 * the Node-RED library as node-red-contrib-ib-algo, so a widget adds itself to the same record the
 * dashboard would have made from package.json. false when this dashboard keeps no such record.
 */
function registerWidgetSource(base: DashboardBase, type: string): boolean {
  const contribs = base.uiShared?.contribs;
  if (!contribs) return false;
  if (!contribs[type]) {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string; 'node-red-dashboard-2': { widgets: Record<string, { output: string; component: string }> } };
    const widget = manifest['node-red-dashboard-2'].widgets[type]!;
    contribs[type] = { package: manifest.name, name: type, src: widget.output, path: packageRoot, component: widget.component };
  }
  return true;
}

/** The dashboard's own store module, the one its widgets save to (found from the dashboard's package), or null. */
export function dashboardDataStore(): DataStore | null {
  try {
    const dashboardManifest = require.resolve('@flowfuse/node-red-dashboard/package.json', { paths: [process.cwd(), ...(require.main?.paths ?? []), packageRoot] });
    return require(join(dashboardManifest, '..', 'nodes', 'store', 'data.js')) as DataStore;
  } catch {
    return null;
  }
}

/**
 * The Dashboard 2.0 group a widget node is set to and its base, with the widget's component made known
 * to the dashboard; null, after saying on the node's status and in its log what is missing and how to
 * fix it, when the group is not set or this dashboard does not take the package's widgets. `label`: the
 * widget as the palette names it (price chart, account panel, backtest summary).
 */
export function widgetGroup(RED: NodeAPI, node: Node, def: NodeDef, type: string, label: string): { group: DashboardGroup; base: DashboardBase } | null {
  const group = (typeof def.group === 'string' ? RED.nodes.getNode(def.group) : null) as DashboardGroup | null;
  // The type, not only a register method: other config nodes have one (ib-connect does).
  if (group?.type !== 'ui-group' || typeof group.register !== 'function' || typeof group.getBase !== 'function') {
    node.status({ fill: 'red', shape: 'ring', text: 'no dashboard group' });
    node.error(`${label} has no Dashboard 2.0 group: open the node and pick or add one under "Group" (needs @flowfuse/node-red-dashboard)`);
    return null;
  }
  const base = group.getBase();
  if (!registerWidgetSource(base, type)) {
    node.status({ fill: 'red', shape: 'ring', text: 'dashboard version not supported' });
    node.error(`${label}: this version of @flowfuse/node-red-dashboard does not take third-party widgets as 1.x does; install @flowfuse/node-red-dashboard 1.x`);
    return null;
  }
  return { group, base };
}
