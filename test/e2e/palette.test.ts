/**
 * The palette of the demo editor: every node of the package sits under its category with its plain
 * label and its own icon, and ib-connect is a configuration node (it appears in no palette category).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openEditor, packageJson, screenshot, startDemo, type Demo, type EditorWindow } from './harness';

/** The palette layout the package promises (categories and colours of the node conventions). */
const expectedCategories: Record<string, string[]> = {
  'IB data': ['ib-market-data', 'ib-market-depth', 'ib-contract', 'ib-historical-bars', 'ib-bars', 'ib-account'],
  'IB strategy': ['ib-sma', 'ib-indicator', 'ib-crossover', 'ib-risk-sizer'],
  'IB trading': ['ib-place-order', 'ib-stop-order', 'ib-backtest-report'],
  // Dashboard 2.0 widgets: ui-... as the dashboard's own, ib-... as the package's.
  'IB dashboard': ['ui-ib-account-panel', 'ui-ib-backtest-summary', 'ui-ib-price-chart'],
};

describe('palette', { timeout: 120000 }, () => {
  let demo: Demo;

  before(async () => {
    demo = await startDemo();
    await openEditor(demo.page, demo.nodeRed.url);
  });

  after(async () => {
    await demo?.close();
  });

  it('covers every node type of package.json', () => {
    const promised = [...Object.values(expectedCategories).flat(), 'ib-connect'].sort();
    assert.deepEqual(Object.keys(packageJson['node-red'].nodes).sort(), promised);
  });

  for (const [category, types] of Object.entries(expectedCategories)) {
    it(`shows ${types.join(', ')} under "${category}"`, async () => {
      const { page } = demo;
      const container = page.locator(`#red-ui-palette-container-${category.replace(/[^A-Za-z0-9-]/g, '_')}`);
      // Categories named in the settings' palette order exist from the start, hidden until a node joins.
      assert.ok(await container.isVisible(), `the palette shows no "${category}" category`);
      await container.scrollIntoViewIfNeeded();
      assert.equal((await container.locator('.red-ui-palette-header span').innerText()).trim(), category);
      for (const type of types) {
        const node = container.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
        assert.equal(await node.count(), 1, `${type} is not in the "${category}" palette category`);
        assert.ok(await node.isVisible(), `${type} is not visible in the palette`);
        // The palette breaks labels into words at spaces and hyphens: compare the words.
        const words = (text: string | null) => (text ?? '').split(/[\s-]+/).filter(Boolean).join(' ');
        const label = await node.locator('.red-ui-palette-label').textContent();
        assert.equal(words(label), words(type.replace(/^(ui-)?ib-/, '')), `${type} has the wrong palette label`);
        const icon = await node.locator('.red-ui-palette-icon-container').getAttribute('data-palette-icon');
        assert.equal(icon, `icons/${packageJson.name}/${type}.svg`, `${type} does not show its own icon`);
        const served = await page.request.get(new URL(icon, demo.nodeRed.url).toString());
        assert.equal(served.status(), 200, `icon of ${type}: HTTP ${served.status()}`);
      }
      await screenshot(container, `palette-${category.replace(/\W+/g, '-')}`);
    });
  }

  it('registers ib-connect as a configuration node', async () => {
    const category = await demo.page.evaluate(() => {
      const { RED } = globalThis as unknown as EditorWindow;
      return RED.nodes.getType('ib-connect')?.category ?? null;
    });
    assert.equal(category, 'config');
    await screenshot(demo.page, 'palette');
  });
});
