/**
 * The runtime's texts (statuses, warnings, errors a node gives) come from the nodes' message catalogs,
 * `locales/<lang>/<type>.json` beside each node's .js, which Node-RED's registry registers under the
 * namespace `<module>/<type>` as it loads the node; `RED._` looks a key up in the runtime's language
 * (settings.lang, else the process's LANG) and falls back to en-US.
 *
 * A key names its node set by its first part (`ib-sma.errors.period` is in ib-sma's catalog); the
 * texts several nodes share are in ib-connect's catalog under `ib-algo` (`ib-algo.status.stopped`).
 * Node-RED's lookup is one for the whole process, so it is taken once, when the package's nodes
 * register.
 */
import type { NodeAPI } from './red';

/** The package's name, the first part of its catalogs' namespaces. */
export const MODULE = 'node-red-contrib-ib-algo';
/** The first part of the keys of the texts several nodes share. */
const SHARED = 'ib-algo';

type Translate = (key: string, values?: Record<string, unknown>) => string;

let translate: Translate | null = null;

/** Takes the runtime's message lookup; each node's register(RED) calls it. */
export function useMessageCatalogs(RED: NodeAPI): void {
  translate = (key, values) => RED._(key, values);
}

/** The namespaced key Node-RED knows `key` by: `<module>/<node set>:<key>`. */
export function catalogKey(key: string): string {
  const set = key.startsWith(`${SHARED}.`) ? 'ib-connect' : key.slice(0, key.indexOf('.'));
  return `${MODULE}/${set}:${key}`;
}

/**
 * The text of `key` in the runtime's language, `__name__` placeholders filled from `values`. Before the
 * nodes registered, or for a key no catalog has, the namespaced key itself (as i18next answers).
 */
export function message(key: string, values?: Record<string, unknown>): string {
  const full = catalogKey(key);
  return translate ? translate(full, values) : full;
}
