/**
 * What a node type accepts, read from its editor definition (the `.html` beside its compiled `.js`), so
 * that `ib-flow run --set` refuses a typo or a bad value before the run instead of starting a run that
 * fails 10,000 times or ignores the setting. The editor's own `defaults` (with their `validate`
 * functions) and `<select>` options are the one place these rules live; nothing here restates them.
 *
 * The editor script is evaluated in a sandbox with a stand-in `RED` that only records
 * `RED.nodes.registerType`; jQuery and the editor's other globals are inert, since only `defaults` is read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';

type Validate = (this: Record<string, unknown>, value: unknown, options?: unknown) => unknown;

export interface PropertyRule {
  /** The value a new node gets in the editor. */
  defaultValue: unknown;
  validate?: Validate;
  /** The options of the editor's `<select>` for this property, when it is one. */
  options?: string[];
}

export interface NodeSchema {
  type: string;
  properties: Map<string, PropertyRule>;
}

/** Properties every node has, whatever its definition says. */
const COMMON_PROPERTIES = new Set(['id', 'type', 'z', 'name', 'x', 'y', 'w', 'h', 'g', 'd', 'l', 'wires', 'info']);

/** An object every property access, call and construction of which returns itself: stands in for jQuery. */
function inert(): unknown {
  // biome-ignore lint/complexity/useArrowFunction: the proxy is also constructed (`new $()`), which an arrow cannot be
  const target = function () {} as unknown as object;
  const proxy: unknown = new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

/**
 * Node-RED's `RED._` over a package's en-US message catalogs: each node set's
 * `<dir of its .js>/locales/en-US/<basename>.json`, under the namespace `<module>/<set>` as Node-RED's
 * registry registers it; `__name__` placeholders are filled from `values`. A key it does not find is
 * answered with the key itself, as i18next does.
 */
export function catalogTranslator(packageRoot: string, lang = 'en-US'): (key: string, values?: Record<string, unknown>) => string {
  const catalogs = new Map<string, Record<string, unknown>>();
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string; 'node-red'?: { nodes?: Record<string, string> } };
    for (const [set, file] of Object.entries(pkg['node-red']?.nodes ?? {})) {
      const catalog = join(packageRoot, dirname(file), 'locales', lang, `${file.split('/').pop()!.replace(/\.js$/, '')}.json`);
      if (existsSync(catalog)) catalogs.set(`${pkg.name}/${set}`, JSON.parse(readFileSync(catalog, 'utf8')) as Record<string, unknown>);
    }
  } catch {
    // No package.json or catalogs: every key is answered as itself.
  }
  return (key, values) => {
    const at = key.indexOf(':');
    let found: unknown = catalogs.get(key.slice(0, at));
    for (const part of key.slice(at + 1).split('.')) found = found && typeof found === 'object' ? (found as Record<string, unknown>)[part] : undefined;
    if (typeof found !== 'string') return key;
    return found.replace(/__(\w+?)__/g, (whole, name: string) => (values && name in values ? String(values[name]) : whole));
  };
}

function standInRed(registered: Map<string, Record<string, unknown>>, translate: (key: string) => string): unknown {
  // Node-RED 4's built-in validators: true, or their message when the editor passes options.
  const validators = {
    number: (blankAllowed?: boolean): Validate => (v, opt) => (blankAllowed && (v === '' || v === undefined)) || (String(v).trim() !== '' && !Number.isNaN(Number(v))) || (opt ? 'Invalid number' : false),
    regex: (re: RegExp, blankAllowed?: boolean): Validate => (v, opt) => (blankAllowed && (v === '' || v === undefined)) || re.test(String(v)) || (opt ? 'Invalid value' : false),
    // Typed inputs carry their type in another property: accepted as given.
    typedInput: (): Validate => () => true,
  };
  const red = {
    nodes: { registerType: (type: string, definition: Record<string, unknown>) => registered.set(type, definition) },
    validators,
    _: translate,
    settings: {},
  };
  return new Proxy(red, { get: (t, key) => (key in t ? (t as Record<string | symbol, unknown>)[key] : inert()) });
}

/** The options of `<select id="node-input-PROPERTY">` in the editor template. */
function selectOptions(html: string, property: string): string[] | undefined {
  const select = new RegExp(`<select[^>]*id=["']node-(?:input|config-input)-${property}["'][^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!select) return undefined;
  const options = [...select[1]!.matchAll(/<option[^>]*value=["']([^"']*)["']/g)].map((m) => m[1]!);
  return options.length ? options : undefined;
}

/** Every node type an editor `.html` registers, with its properties. */
export function readNodeSchemas(htmlFile: string, translate: (key: string) => string = (key) => key): NodeSchema[] {
  const html = readFileSync(htmlFile, 'utf8');
  const registered = new Map<string, Record<string, unknown>>();
  for (const m of html.matchAll(/<script type=["']text\/javascript["'][^>]*>([\s\S]*?)<\/script>/g)) {
    try {
      runInNewContext(m[1]!, { RED: standInRed(registered, translate), $: inert(), jQuery: inert(), window: inert(), document: inert(), console }, { timeout: 1000 });
    } catch {
      // A script that needs a real editor to run: its types stay unknown, so their --set is not checked.
    }
  }
  return [...registered].map(([type, definition]) => {
    const properties = new Map<string, PropertyRule>();
    const defaults = (definition.defaults ?? {}) as Record<string, { value?: unknown; validate?: Validate }>;
    for (const [name, rule] of Object.entries(defaults)) {
      properties.set(name, { defaultValue: rule?.value, validate: typeof rule?.validate === 'function' ? rule.validate : undefined, options: selectOptions(html, name) });
    }
    return { type, properties };
  });
}

/** The schemas of the node types a package declares in its package.json "node-red".nodes. */
export function packageNodeSchemas(packageRoot: string): Map<string, NodeSchema> {
  const schemas = new Map<string, NodeSchema>();
  let nodes: Record<string, string> = {};
  try {
    nodes = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { 'node-red'?: { nodes?: Record<string, string> } })['node-red']?.nodes ?? {};
  } catch {
    return schemas;
  }
  const translate = catalogTranslator(packageRoot);
  for (const file of Object.values(nodes)) {
    const html = join(packageRoot, dirname(file), `${file.split('/').pop()!.replace(/\.js$/, '')}.html`);
    if (!existsSync(html)) continue;
    for (const schema of readNodeSchemas(html, translate)) schemas.set(schema.type, schema);
  }
  return schemas;
}

/**
 * Why `node[property] = value` is not what the node's editor would accept, or null when it is. The
 * message names the property, what was given and what is allowed.
 */
export function propertyProblem(schema: NodeSchema, node: Record<string, unknown>, property: string, value: unknown): string | null {
  if (COMMON_PROPERTIES.has(property)) return null;
  const rule = schema.properties.get(property);
  if (!rule) {
    const known = [...schema.properties.keys()].filter((p) => p !== 'name');
    return `no property "${property}": its properties are ${known.join(', ')}`;
  }
  const shown = JSON.stringify(value);
  if (rule.options && !rule.options.includes(String(value))) return `"${property}" ${shown} is not one of ${rule.options.map((o) => JSON.stringify(o)).join(', ')}`;
  if (rule.validate) {
    let verdict: unknown;
    try {
      verdict = rule.validate.call({ ...node, [property]: value }, value, {});
    } catch {
      return null; // a check that needs the editor's form to run: leave it to the node at run time
    }
    if (verdict !== true) {
      const why = typeof verdict === 'string' && verdict ? ` (${verdict})` : '';
      return `"${property}" ${shown} is not accepted${why}; the editor's default is ${JSON.stringify(rule.defaultValue)}`;
    }
  }
  return null;
}
