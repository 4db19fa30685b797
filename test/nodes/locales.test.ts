/**
 * Every node's help and messages live in its locales/ folder, as Node-RED reads them (help in
 * locales/<lang>/<type>.html, messages in locales/<lang>/<type>.json, beside the node's .js): each
 * message key the editor files (data-i18n, this._, RED._) and the runtime code use is in en-US, and
 * no node's .html keeps its help inline (inline help would win over every translation).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';
import { MODULE } from '../../nodes/i18n';
import { ENGLISH, type TextCode } from '../../lib/messages/texts';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; 'node-red': { nodes: Record<string, string> } };
const types = Object.keys(packageJson['node-red'].nodes);
/** The package's shared texts (the contract rows, the common statuses) are in ib-connect's catalog. */
const SHARED = 'ib-algo';

export function catalog(type: string, lang: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot, 'nodes', type, 'locales', lang, `${type}.json`), 'utf8')) as Record<string, unknown>;
}

/** The value at a dotted key, or undefined. */
function lookup(tree: unknown, key: string): unknown {
  let found = tree;
  for (const part of key.split('.')) found = found && typeof found === 'object' ? (found as Record<string, unknown>)[part] : undefined;
  return found;
}

/** The node set a key in `type`'s files belongs to: its own, ib-connect's for shared texts, or the one it names. */
function resolve(type: string, key: string): { set: string; key: string } | null {
  const named = new RegExp(`^${packageJson.name}/([\\w-]+):(.+)$`).exec(key);
  if (named) return { set: named[1]!, key: named[2]! };
  if (key.includes(':')) return null; // another module's (node-red:common.label.name)
  if (key.startsWith(`${SHARED}.`)) return { set: 'ib-connect', key };
  return { set: type, key };
}

/**
 * Message keys written literally in a source file: data-i18n values and the first argument of _(...)
 * and text(...) in the editor files; in the runtime's TypeScript every string that has a key's shape
 * ('ib-sma.errors.period', 'ib-algo.status.stopped': nodes/i18n.ts message()).
 */
function keysIn(file: string, text: string): string[] {
  const keys: string[] = [];
  if (file.endsWith('.ts')) {
    for (const m of text.matchAll(/'((?:ib-[a-z-]+|ib-algo)\.[A-Za-z][\w.-]*)'/g)) keys.push(m[1]!);
    return keys;
  }
  for (const m of text.matchAll(/data-i18n="([^"]+)"/g)) for (const part of m[1]!.split(';')) keys.push(part.replace(/^\[[a-z]+\]/, ''));
  for (const m of text.matchAll(/\b(?:_|text)\(\s*'([^'\s]+)'/g)) keys.push(m[1]!);
  return keys;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.(ts|html|js)$/.test(f) && !f.includes('locales')).map((f) => join(dir, f));
}

describe('locales', () => {
  it("the runtime's catalog namespace is the package's name", () => {
    assert.equal(MODULE, packageJson.name);
  });

  it('every node has its help and messages in locales/en-US, and no inline help', () => {
    for (const type of types) {
      const dir = join(repoRoot, 'nodes', type);
      assert.ok(existsSync(join(dir, 'locales', 'en-US', `${type}.json`)), `${type}: no locales/en-US/${type}.json`);
      const help = readFileSync(join(dir, 'locales', 'en-US', `${type}.html`), 'utf8');
      assert.match(help, new RegExp(`<script type="text/html" data-help-name="${type}">`), `${type}: locales/en-US/${type}.html is not its help`);
      assert.ok(catalog(type, 'en-US')[type], `${type}: its catalog has no "${type}" section`);
      assert.doesNotMatch(readFileSync(join(dir, `${type}.html`), 'utf8'), /data-help-name/, `${type}.html keeps its help inline`);
    }
  });

  it('every message key the editor and the runtime use is in en-US', () => {
    const missing: string[] = [];
    let checked = 0;
    const check = (type: string, file: string) => {
      for (const raw of keysIn(file, readFileSync(file, 'utf8'))) {
        const at = resolve(type, raw);
        if (!at) continue;
        checked++;
        const texts = catalog(at.set, 'en-US');
        const value = lookup(texts, at.key.replace(/\.$/, ''));
        // A key ending in '.' is completed in code ('ib-contract.node.' + action): a group must be there.
        // A count picks a plural form (i18next: key_one, key_other).
        const ok = at.key.endsWith('.') ? Boolean(value) && typeof value === 'object' : typeof value === 'string' || (typeof lookup(texts, `${at.key}_one`) === 'string' && typeof lookup(texts, `${at.key}_other`) === 'string');
        if (!ok) missing.push(`${file.slice(repoRoot.length + 1)}: ${raw}`);
      }
    };
    for (const type of types) for (const file of sourceFiles(join(repoRoot, 'nodes', type))) check(type, file);
    for (const file of readdirSync(join(repoRoot, 'nodes')).filter((f) => f.endsWith('.ts'))) check('ib-connect', join(repoRoot, 'nodes', file));
    check('ib-connect', join(repoRoot, 'resources', 'contract-editor.js'));
    assert.ok(checked > 400, `only ${checked} keys found`);
    assert.deepEqual(missing, []);
  });
  it('the German translation (locales/de) has exactly en-US\'s keys, the same placeholders, and every help page', () => {
    const flatten = (tree: unknown, prefix = ''): Map<string, string> => {
      const out = new Map<string, string>();
      for (const [key, value] of Object.entries(tree as Record<string, unknown>)) {
        if (value && typeof value === 'object') for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
        else out.set(`${prefix}${key}`, String(value));
      }
      return out;
    };
    const placeholders = (text: string) => [...text.matchAll(/__(\w+?)__/g)].map((m) => m[1]).sort();
    for (const type of types) {
      const en = flatten(catalog(type, 'en-US'));
      const de = flatten(catalog(type, 'de'));
      assert.deepEqual([...de.keys()].sort(), [...en.keys()].sort(), `${type}: locales/de/${type}.json keys`);
      for (const [key, text] of en) assert.deepEqual(placeholders(de.get(key)!), placeholders(text), `${type}: ${key} placeholders in de`);
      const help = readFileSync(join(repoRoot, 'nodes', type, 'locales', 'de', `${type}.html`), 'utf8');
      assert.match(help, new RegExp(`^<script type="text/html" data-help-name="${type}">`), `${type}: locales/de/${type}.html is not its help`);
    }
  });

  it("every text lib can raise is in ib-connect's catalogs: en-US word for word as lib has it, de with the same placeholders", () => {
    const placeholders = (text: string) => [...text.matchAll(/__(\w+?)__/g)].map((m) => m[1]).sort();
    const codes = Object.keys(ENGLISH) as TextCode[];
    assert.ok(codes.length > 40, `only ${codes.length} texts`);
    const en = lookup(catalog('ib-connect', 'en-US'), `${SHARED}.lib`);
    const de = lookup(catalog('ib-connect', 'de'), `${SHARED}.lib`);
    const problems: string[] = [];
    for (const code of codes) {
      if (lookup(en, code) !== ENGLISH[code]) problems.push(`${code}: en-US is ${JSON.stringify(lookup(en, code))}, lib says ${JSON.stringify(ENGLISH[code])}`);
      const german = lookup(de, code);
      if (typeof german !== 'string') problems.push(`${code}: no German text`);
      else if (placeholders(german).join() !== placeholders(ENGLISH[code]).join()) problems.push(`${code}: de has placeholders ${placeholders(german)}, lib ${placeholders(ENGLISH[code])}`);
    }
    // And no text lib no longer raises.
    const leaves = (tree: unknown, prefix = ''): string[] => Object.entries(tree as Record<string, unknown>).flatMap(([key, value]) => (typeof value === 'string' ? [`${prefix}${key}`] : leaves(value, `${prefix}${key}.`)));
    for (const code of leaves(en)) if (!(code in ENGLISH)) problems.push(`${code}: in en-US, not in lib/messages/texts.ts`);
    assert.deepEqual(problems, []);
  });

  it('every German help page says what the English one says: the same sections, paragraphs, entries and code', () => {
    // A translation keeps the page's shape and leaves names, values and examples alone, so a paragraph, a
    // property or a field added to one language and not the other shows as a difference here.
    const differences: string[] = [];
    for (const type of types) {
      const page = (lang: string) => helpOutline(readFileSync(join(repoRoot, 'nodes', type, 'locales', lang, `${type}.html`), 'utf8'));
      const en = page('en-US');
      const de = page('de');
      if (de.length !== en.length) differences.push(`${type}: ${de.length} sections in de, ${en.length} in en-US`);
      for (const [i, section] of en.entries()) {
        const other = de[i];
        if (!other) break;
        const where = `${type}, section ${i} (${section.heading || 'intro'} / ${other.heading || 'intro'})`;
        if (other.blocks !== section.blocks) differences.push(`${where}: blocks\n  en-US ${section.blocks}\n  de    ${other.blocks}`);
        if (other.entries !== section.entries) differences.push(`${where}: entries en-US [${section.entries}], de [${other.entries}]`);
        const missing = without(section.code, other.code);
        const extra = without(other.code, section.code);
        if (missing.length || extra.length) differences.push(`${where}: code missing in de ${JSON.stringify(missing)}, only in de ${JSON.stringify(extra)}`);
      }
    }
    assert.deepEqual(differences, []);
  });
});

/** A help page's parts as a translation must keep them, one per <h3> section (the first: before any). */
function helpOutline(html: string): { heading: string; blocks: string; entries: string; code: string[] }[] {
  return html.split(/<h3>/).map((section) => ({
    heading: /^([^<]*)<\/h3>/.exec(section)?.[1] ?? '',
    // The block elements in order: paragraphs, property lists and their entries, lists and their items.
    blocks: (section.match(/<(?:p|dl|dt|dd|ul|ol|li|pre|table|tr|h4)\b/g) ?? []).map((tag) => tag.slice(1)).join(' '),
    // The property names the entries describe (<dt>payload <span ...>): never translated.
    entries: [...section.matchAll(/<dt\b[^>]*>([^<]*)/g)].map((m) => m[1]!.trim()).join(', '),
    // Field names, values and examples (<code>): never translated.
    code: [...section.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) => m[1]!.replace(/\s+/g, ' ').trim()).sort(),
  }));
}

/** The items of `list` that `other` lacks, counting repeats (a multiset difference). */
function without(list: string[], other: string[]): string[] {
  const left = [...other];
  return list.filter((item) => {
    const at = left.indexOf(item);
    if (at < 0) return true;
    left.splice(at, 1);
    return false;
  });
}
