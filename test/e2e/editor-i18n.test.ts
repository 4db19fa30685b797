/**
 * The editor speaks the package's message catalogs (each node's locales/<lang>/<type>.json and .html):
 * the help sidebar shows every node's help, and no edit dialog of the demo shows a message key where
 * its text belongs (a key that is missing from the catalog, or a catalog Node-RED did not find, shows
 * as the key itself).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/paths';
import { openEditor, packageJson, screenshot, startDemo, type Demo } from './harness';

/** The editor globals these checks use (the tests compile without the DOM library). */
interface HelpWindow {
  RED: {
    sidebar: { help: { show(type: string): void } };
    nodes: {
      eachNode(callback: (node: { id: string; type: string }) => void): void;
      eachConfig(callback: (node: { id: string; type: string }) => void): void;
      node(id: string): unknown;
    };
    editor: { edit(node: unknown): void; editConfig(name: string, type: string, id: string): void };
    workspaces: { active(): string };
    view: { importNodes(nodes: unknown[], options: { generateIds: boolean }): void };
  };
  document: { querySelectorAll(selector: string): ArrayLike<{ innerText: string; getAttribute(name: string): string | null; offsetParent: unknown }> };
}

const types = Object.keys(packageJson['node-red'].nodes);

/** The first sentence of a node's help page in `lang`, as text (tags dropped, spaces collapsed). */
export function helpOpening(type: string, lang: string): string {
  const html = readFileSync(join(repoRoot, 'nodes', type, 'locales', lang, `${type}.html`), 'utf8');
  const first = /<p>([\s\S]*?)<\/p>/.exec(html)![1]!;
  return first.replace(/<[^>]+>/g, '').replace(/&[a-z]+;/g, ' ').replace(/\s+/g, ' ').trim().split(/[.:;]/)[0]!.slice(0, 40).trim();
}

/** The text the help sidebar shows for `type`. */
export async function shownHelp(page: Page, type: string): Promise<string> {
  await page.evaluate((t) => (globalThis as unknown as HelpWindow).RED.sidebar.help.show(t), type);
  const help = page.locator('#red-ui-sidebar-content .red-ui-help').filter({ visible: true }).first();
  await help.waitFor({ state: 'visible', timeout: 10000 });
  return (await help.innerText()).replace(/\s+/g, ' ');
}

/** Texts of the open edit tray (labels, spans, options, placeholders, titles) that look like message keys. */
export async function keysShown(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as HelpWindow;
    const key = /(^|\s)(ib-[a-z-]+|ib-algo|node-red-contrib-ib-algo\/[a-z-]+:[\w.-]+)\.[\w-]+\.[\w.-]+/;
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll('.red-ui-tray label, .red-ui-tray span, .red-ui-tray option, .red-ui-tray div.form-tips, .red-ui-tray input, .red-ui-tray select'))) {
      for (const text of [el.innerText ?? '', el.getAttribute('placeholder') ?? '', el.getAttribute('title') ?? '']) if (key.test(text)) found.push(text.trim());
    }
    return [...new Set(found)];
  });
}

/**
 * Opens one node of each of the package's types (the workspace's, else one dropped on it for the
 * check) and returns the keys its tray showed, as "type: key".
 */
export async function keysInEditDialogs(page: Page): Promise<{ opened: Set<string>; keys: string[] }> {
  const nodes = await page.evaluate((all) => {
    const { RED } = globalThis as unknown as HelpWindow;
    const present = new Set<string>();
    RED.nodes.eachNode((n) => {
      present.add(n.type);
    });
    RED.nodes.eachConfig((n) => {
      present.add(n.type);
    });
    const missing = all.filter((type) => !present.has(type)).map((type, i) => ({ id: `i18n-check-${i}`, type, x: 200, y: 80 + 40 * i, z: RED.workspaces.active() }));
    if (missing.length) RED.view.importNodes(missing, { generateIds: false });
    const list: Array<{ id: string; type: string; config: boolean }> = [];
    // A callback that returns false stops the editor's iteration: these return nothing.
    // The package's types (ib-..., and its dashboard widgets ui-ib-...).
    RED.nodes.eachNode((n) => {
      if (all.includes(n.type)) list.push({ id: n.id, type: n.type, config: false });
    });
    RED.nodes.eachConfig((n) => {
      if (all.includes(n.type)) list.push({ id: n.id, type: n.type, config: true });
    });
    return list;
  }, types);
  const opened = new Set<string>();
  const keys: string[] = [];
  for (const node of nodes) {
    if (opened.has(node.type)) continue;
    opened.add(node.type);
    await page.evaluate(({ id, type, config }) => {
      const { RED } = globalThis as unknown as HelpWindow;
      if (config) RED.editor.editConfig('', type, id);
      else RED.editor.edit(RED.nodes.node(id));
    }, node);
    const cancel = page.locator(node.config ? '#node-config-dialog-cancel' : '#node-dialog-cancel');
    await cancel.waitFor({ state: 'visible', timeout: 10000 });
    await page.waitForTimeout(300);
    for (const key of await keysShown(page)) keys.push(`${node.type}: ${key}`);
    await screenshot(page, `edit-${node.type}`);
    await cancel.click();
    await cancel.waitFor({ state: 'detached', timeout: 10000 }).catch(() => undefined);
  }
  return { opened, keys };
}

describe('editor in English: help and labels from locales/en-US', { timeout: 180000 }, () => {
  let demo: Demo;

  before(async () => {
    demo = await startDemo('en-US');
    await openEditor(demo.page, demo.nodeRed.url);
  });

  after(async () => {
    await demo?.close();
  });

  for (const type of types) {
    it(`shows the help of ${type}`, async () => {
      const text = await shownHelp(demo.page, type);
      assert.ok(text.includes(helpOpening(type, 'en-US')), `${type}'s help shows "${text.slice(0, 200)}", not its locales/en-US help`);
    });
  }

  it('shows no message key in the edit dialog of any node of the demo', async () => {
    const { opened, keys } = await keysInEditDialogs(demo.page);
    assert.deepEqual([...opened].sort(), [...types].sort(), 'node types opened');
    assert.deepEqual(keys, []);
  });
});


describe('editor in German (the browser language de): help and labels from locales/de', { timeout: 180000 }, () => {
  let demo: Demo;

  before(async () => {
    demo = await startDemo('de');
    await openEditor(demo.page, demo.nodeRed.url);
  });

  after(async () => {
    await demo?.close();
  });

  for (const type of types) {
    it(`shows the German help of ${type}`, async () => {
      const text = await shownHelp(demo.page, type);
      assert.ok(text.includes(helpOpening(type, 'de')), `${type}'s help shows "${text.slice(0, 200)}", not its locales/de help`);
    });
  }

  it("shows sma's and risk-sizer's edit dialogs with German labels, options and checks", async () => {
    const { page } = demo;
    const texts = await page.evaluate(() => {
      const { RED, document } = globalThis as unknown as HelpWindow & { RED: { nodes: { eachNode(cb: (n: { id: string; type: string }) => void): void } } };
      let sma: { id: string } | undefined;
      RED.nodes.eachNode((n) => {
        if (n.type === 'ib-sma' && !sma) sma = n;
      });
      RED.editor.edit(RED.nodes.node(sma!.id));
      void document;
      return sma!.id;
    });
    assert.ok(texts);
    const cancel = page.locator('#node-dialog-cancel');
    await cancel.waitFor({ state: 'visible', timeout: 10000 });
    await page.waitForTimeout(300);
    const tray = page.locator('.red-ui-tray').last();
    assert.equal((await tray.locator('label[for="node-input-period"]').innerText()).trim(), 'Periode');
    assert.equal((await tray.locator('label[for="node-input-source"]').innerText()).trim(), 'Quelle');
    assert.equal((await tray.locator('#node-input-source option[value="close"]').innerText()).trim(), 'Schluss');
    // Node-RED's own common label, in its own German catalog.
    assert.equal((await tray.locator('label[for="node-input-name"]').innerText()).trim(), 'Name');
    await screenshot(page, 'edit-ib-sma-de');
    assert.deepEqual(await keysShown(page), []);
    await cancel.click();
    await cancel.waitFor({ state: 'detached', timeout: 10000 }).catch(() => undefined);
    // A check's message comes from the catalog in the editor's language too.
    const verdict = await page.evaluate(() => {
      const { RED } = globalThis as unknown as { RED: { nodes: { getType(type: string): { defaults: Record<string, { validate: (this: unknown, v: unknown, opt: unknown) => unknown }> } } } };
      return RED.nodes.getType('ib-sma').defaults.period.validate.call({}, 'abc', {});
    });
    assert.equal(verdict, 'Periode: eine ganze Zahl von Bars, mindestens 1');
  });

  it("shows crossover's band levels as typedInputs, a number or where to read it, with German checks", async () => {
    const { page } = demo;
    await page.evaluate(() => {
      const { RED } = globalThis as unknown as HelpWindow;
      const band = { id: 'i18n-band', type: 'ib-crossover', mode: 'band', fast: 'indicators.rsi14', fastType: 'msg', lower: 30, upper: 'RSI_UPPER', upperType: 'env', emit: 'cross', x: 300, y: 600, z: RED.workspaces.active() };
      RED.view.importNodes([band], { generateIds: false });
      RED.editor.edit(RED.nodes.node('i18n-band'));
    });
    const cancel = page.locator('#node-dialog-cancel');
    await cancel.waitFor({ state: 'visible', timeout: 10000 });
    await page.waitForTimeout(300);
    const tray = page.locator('.red-ui-tray').last();
    const band = tray.locator('.ib-crossover-band');
    assert.equal(await band.locator('.red-ui-typedInput-container').count(), 2, 'lower and upper are typedInputs');
    // A flow saved before the levels had a type shows its number as a number; the upper one reads the environment.
    assert.equal(await tray.locator('#node-input-lowerType').inputValue(), 'num');
    assert.equal(await tray.locator('#node-input-upperType').inputValue(), 'env');
    assert.equal(await tray.locator('#node-input-upper').inputValue(), 'RSI_UPPER');
    await screenshot(page, 'edit-ib-crossover-band-de');
    assert.deepEqual(await keysShown(page), []);
    await cancel.click();
    await cancel.waitFor({ state: 'detached', timeout: 10000 }).catch(() => undefined);
    const verdicts = await page.evaluate(() => {
      const { RED } = globalThis as unknown as { RED: { nodes: { getType(type: string): { defaults: Record<string, { validate: (this: unknown, v: unknown, opt: unknown) => unknown }> } } } };
      const level = RED.nodes.getType('ib-crossover').defaults.level.validate;
      return [level.call({ mode: 'level', levelType: 'flow' }, 'rsiLevel', {}), level.call({ mode: 'level' }, 'abc', {}), level.call({ mode: 'level' }, 50, {})];
    });
    assert.deepEqual(verdicts, [true, 'Niveau: eine Zahl, oder eine Nachrichteneigenschaft, der Name einer Flow-, Global- oder Umgebungsvariable, aus der es gelesen wird', true]);
  });

  it('shows no message key in the edit dialog of any node', async () => {
    const { keys } = await keysInEditDialogs(demo.page);
    assert.deepEqual(keys, []);
  });
});
