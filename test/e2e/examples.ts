/**
 * Every flow under examples/ as a user meets it: Import > Examples > node-red-contrib-ib-algo in the
 * editor, dropped on a new tab of an otherwise empty workspace, deployed with the Deploy button. The
 * deploy must succeed without the editor asking for confirmation (unknown types, unconfigured nodes),
 * and for a few seconds after it no node may turn red and Node-RED may log no error. Before the deploy,
 * no node of this package may carry the editor's red triangle, as imported nor after the user opens it
 * and closes it with Done (six risk-sizer nodes once turned invalid that way).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { examplesDir } from '../helpers/paths';
import {
  deploy,
  errorLines,
  invalidNodes,
  openAndCloseEach,
  openEditor,
  packageJson,
  redStatuses,
  screenshot,
  setFlows,
  sleep,
  startDemo,
  type Demo,
  type EditorWindow,
} from './harness';

/** How long a deployed example runs before its statuses and the log are read. */
const settleMs = 3000;

const allExamples = existsSync(examplesDir)
  ? readdirSync(examplesDir, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.json'))
      .sort()
  : [];

/**
 * The examples' test, in `of` parts: part `part` (1-based) takes every `of`-th example, in a Node-RED
 * and a browser of its own, so the parts (examples-1.test.ts, examples-2.test.ts) run side by side.
 */
export function describeExamples(part: number, of: number): void {
  const examples = allExamples.filter((_file, i) => i % of === part - 1);
  describe(`examples import from Import > Examples and deploy (part ${part} of ${of})`, {
    timeout: 60000 + examples.length * 45000,
  }, () => {
    let demo: Demo;

    before(async () => {
      demo = await startDemo();
    });

    after(async () => {
      await demo?.close();
    });

    if (part === 1)
      it('examples/ holds flows for every node type', () => {
        const used = new Set<string>();
        for (const file of allExamples) {
          for (const node of JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as Array<{ type: string }>)
            used.add(node.type);
        }
        const missing = Object.keys(packageJson['node-red'].nodes).filter((type) => !used.has(type));
        assert.deepEqual(missing, [], `node types in no example: ${missing.join(', ')}`);
      });

    for (const file of examples) {
      const entry = file.replace(/\.json$/, '').split(/[\\/]/);
      it(`${file}: says what it shows, imports and deploys cleanly`, async () => {
        const flow = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as Array<{ type: string }>;
        assert.ok(Array.isArray(flow) && flow.length > 0, `${file} is not a JSON array of nodes`);
        assert.ok(
          flow.some((node) => node.type === 'comment'),
          `${file} has no comment node saying what it shows`,
        );

        const { page, nodeRed } = demo;
        await setFlows(nodeRed.url, []);
        await openEditor(page, nodeRed.url);

        await page.evaluate(() =>
          (globalThis as unknown as EditorWindow).RED.actions.invoke('core:show-examples-import-dialog'),
        );
        const library = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
        const labelOf = (name: string) =>
          library
            .locator('.red-ui-treeList-label', {
              has: page.locator('.red-ui-treeList-label-text', {
                hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
              }),
            })
            .first();
        // A folder's label toggles it, and the dialog may keep a folder open from the last import (or
        // still be drawing it): click it, and when what is inside does not show, click it again.
        const path = [packageJson.name, ...entry];
        for (let i = 0; i < path.length; i++) {
          await labelOf(path[i]!).click({ timeout: 10000 });
          if (i === path.length - 1) break;
          const inside = labelOf(path[i + 1]!);
          const shown = await inside.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
          if (!shown) {
            await labelOf(path[i]!).click({ timeout: 10000 });
            await inside.waitFor({ state: 'visible', timeout: 10000 });
          }
        }
        // Import is enabled once the editor has fetched the selected flow. On a loaded machine a click
        // made while the tree was still opening the folder can select nothing: click the flow again.
        const importButton = page.locator('#red-ui-clipboard-dialog-ok');
        for (let attempt = 0; attempt < 4 && !(await importButton.isEnabled()); attempt++) {
          await importButton.waitFor({ state: 'visible' });
          if (await page.waitForFunction(() => !(globalThis as unknown as EditorWindow).document.querySelectorAll('#red-ui-clipboard-dialog-ok:disabled').length, undefined, { timeout: 5000 }).then(() => true, () => false)) break;
          await labelOf(entry.at(-1)!).click({ timeout: 10000 });
        }
        await page.locator('#red-ui-clipboard-dialog-import-opt-new').click();
        await importButton.click();
        // Imported nodes follow the mouse until a click drops them on the canvas.
        await page.locator('#red-ui-workspace-chart').click({ position: { x: 300, y: 200 } });
        // On a loaded machine the editor may still be adding them when the click returns.
        const expectedCount = flow.filter((node) => node.type !== 'tab').length;
        await page
          .waitForFunction(
            (count) => {
              const { RED } = globalThis as unknown as EditorWindow;
              let seen = 0;
              RED.nodes.eachNode(() => void seen++);
              RED.nodes.eachConfig(() => void seen++);
              return seen >= count;
            },
            expectedCount,
            { timeout: 20000 },
          )
          .catch(() => undefined);

        const imported = await page.evaluate(() => {
          const { RED } = globalThis as unknown as EditorWindow;
          const types: string[] = [];
          RED.nodes.eachNode((node) => types.push(node.type));
          RED.nodes.eachConfig((node) => types.push(node.type));
          return types.sort();
        });
        const inFile = flow
          .map((node) => node.type)
          .filter((type) => type !== 'tab')
          .sort();
        assert.deepEqual(imported, inFile, `the editor did not import every node of ${file}`);
        assert.deepEqual(await invalidNodes(page), [], `nodes of ${file} are invalid as imported`);
        await openAndCloseEach(page);
        assert.deepEqual(
          await invalidNodes(page),
          [],
          `nodes of ${file} are invalid after opening them and pressing Done`,
        );

        const logFrom = nodeRed.log().length;
        const name = `example-${entry.join('-')}`;
        try {
          await deploy(page);
        } catch (err) {
          await screenshot(page, `${name}-deploy-failed`);
          const tail = nodeRed.log().slice(logFrom).split('\n').slice(-30).join('\n');
          throw new Error(`${(err as Error).message}\nNode-RED log since the deploy:\n${tail}`);
        }
        await sleep(settleMs);
        await screenshot(page, name);
        assert.deepEqual(await redStatuses(page), [], `nodes of ${file} show an error status`);
        assert.deepEqual(errorLines(nodeRed, logFrom), [], `Node-RED logged errors running ${file}`);
      });
    }
  });
}
