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
 *
 * lib's own texts (lib/messages/texts.ts: a refusal, a setting or a bar it cannot take) reach a node as
 * errors carrying a code and its values; they are in ib-connect's catalog under `ib-algo.lib.<code>`,
 * and errorText / localized say them in the runtime's language, in English where a catalog has none.
 */
import { ENGLISH, fillText, isSaid, saidBy, type Said, type TextValue } from '../lib/messages/texts';
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
 * nodes registered, the namespaced key itself; for a key no catalog has, i18next answers the key.
 */
export function message(key: string, values?: Record<string, unknown>): string {
  const full = catalogKey(key);
  return translate ? translate(full, values) : full;
}

/** lib's text `what` in the runtime's language: its catalog's text, else its English (values said likewise). */
export function say(what: Said): string {
  const values: Record<string, TextValue> = {};
  for (const [name, value] of Object.entries(what.values)) values[name] = isSaid(value) ? say(value) : value;
  const key = `${SHARED}.lib.${what.code}`;
  const text = message(key, values);
  // No text: before the catalogs registered, message() answers the namespaced key; i18next, the key.
  return text === catalogKey(key) || text === key ? fillText(ENGLISH[what.code], values, String) : text;
}

/** What `err` tells the user, in the runtime's language: one of lib's texts through the catalog, any other error's message as it is. */
export function errorText(err: unknown): string {
  const what = saidBy(err);
  if (what) return say(what);
  return err instanceof Error ? err.message : String(err);
}

/**
 * `err` as a node reports it (done(err), node.error): an error of the same name whose message is its text
 * in the runtime's language, the original as its cause; `err` itself when that is what it says already.
 */
export function localized(err: Error): Error {
  const text = errorText(err);
  if (text === err.message) return err;
  const shown = new Error(text, { cause: err });
  shown.name = err.name;
  return shown;
}
