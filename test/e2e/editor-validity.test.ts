/**
 * The demo `npm start` runs, as a user meets it in the editor: no node of this package carries the
 * editor's red triangle when loaded, and none gets it after the user opens it and closes it with Done
 * (a node saved before a setting existed, or an edit dialog that writes a value its own check refuses,
 * would: the demo's stop-order without `tick` once did). The examples get the same check in
 * examples.test.ts, between their import and their deploy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { invalidNodes, openAndCloseEach, openEditor, screenshot, startDemo, type Demo } from './harness';

describe('no demo node is invalid in the editor, before or after opening it', { timeout: 180000 }, () => {
  let demo: Demo;

  before(async () => {
    demo = await startDemo();
  });

  after(async () => {
    await demo?.close();
  });

  it('flows/demo.json as npm start installs it', async () => {
    const { page, nodeRed } = demo;
    await openEditor(page, nodeRed.url);
    assert.deepEqual(await invalidNodes(page), [], 'invalid as loaded');
    await openAndCloseEach(page);
    const after = await invalidNodes(page);
    if (after.length) await screenshot(page, 'editor-validity-demo');
    assert.deepEqual(after, [], 'invalid after Done');
  });
});
