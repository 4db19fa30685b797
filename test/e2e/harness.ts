/**
 * Browser test harness: the demo started exactly as `npm start` starts it (scripts/start.mjs, here on a
 * free port and a throw-away user directory), headless Debian chromium driven by playwright-core (no
 * downloaded browsers), screenshots into test-artifacts/e2e/, and the few editor moves the tests share.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/paths';
import { startNodeRedProcess, type NodeRedProcess } from '../package/node-red-process';

export const artifactsDir = join(repoRoot, 'test-artifacts', 'e2e');
const chromiumPath = process.env.IB_ALGO_CHROMIUM ?? '/usr/bin/chromium';

export const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  'node-red': { nodes: Record<string, string> };
};

/** A node as the editor holds it. */
export interface EditorNode {
  id: string;
  type: string;
  z?: string;
  status?: { fill?: string; shape?: string; text?: string };
  [key: string]: unknown;
}

/**
 * The globals of the editor page that the tests use inside page.evaluate (the tests compile without
 * the DOM library, so the page's globals are described here rather than taken from lib.dom).
 */
export interface EditorWindow {
  RED: {
    nodes: {
      version(): unknown;
      getType(type: string): { category?: string } | null;
      eachNode(callback: (node: EditorNode) => void): void;
      eachConfig(callback: (node: EditorNode) => void): void;
    };
    actions: { invoke(action: string): void };
  };
  document: { querySelectorAll(selector: string): ArrayLike<unknown> };
}

export interface Demo {
  nodeRed: NodeRedProcess;
  browser: Browser;
  page: Page;
  /** Stops the browser and Node-RED and removes the user directory. */
  close(): Promise<void>;
}

/**
 * Node-RED as `npm start` runs it (demo flows included), plus a browser page on its editor. `locale`:
 * the browser's language (navigator.language, from which the editor picks its language), en-US unless given.
 */
export async function startDemo(locale = 'en-US'): Promise<Demo> {
  const userDir = mkdtempSync(join(tmpdir(), 'ib-algo-e2e-'));
  const nodeRed = await startNodeRedProcess([join(repoRoot, 'scripts', 'start.mjs'), '--port', '0', '--user-dir', userDir], {
    cwd: repoRoot,
    timeoutMs: 60000,
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, locale });
    const openBrowser = browser;
    return {
      nodeRed,
      browser,
      page,
      async close() {
        await openBrowser.close().catch(() => undefined);
        await nodeRed.stop();
        rmSync(userDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await nodeRed.stop();
    rmSync(userDir, { recursive: true, force: true });
    throw err;
  }
}

/** Saves a screenshot of the page (the whole scrollable page with fullPage) or of one element as test-artifacts/e2e/<name>.png. */
export async function screenshot(target: Page | Locator, name: string, fullPage = false): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  if (!('goto' in target)) {
    await target.screenshot({ path });
    return;
  }
  const viewport = target.viewportSize();
  if (!fullPage || !viewport) {
    await target.screenshot({ path });
    return;
  }
  // The whole page as a person scrolling it sees it: Playwright's fullPage option resizes the viewport
  // only while it captures, and Dashboard 2.0's navigation drawer reacts to that resize by sliding in
  // over the page's left side. A viewport as tall as the page, given time to lay out, shows it as is.
  const height = await target.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight);
  await target.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await sleep(600);
  try {
    await target.screenshot({ path });
  } finally {
    await target.setViewportSize(viewport);
  }
}

/** Opens the editor and waits until the palette is drawn and the flows are loaded. */
export async function openEditor(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl);
  await page.waitForFunction(
    () => {
      const { RED, document } = globalThis as unknown as EditorWindow;
      return Boolean(RED?.nodes?.version?.()) && document.querySelectorAll('#red-ui-palette-container .red-ui-palette-node').length > 0;
    },
    undefined,
    { timeout: 30000 },
  );
  // The loading overlay fades out after the flows arrive.
  await page.locator('#red-ui-loading-progress').waitFor({ state: 'hidden', timeout: 30000 }).catch(() => undefined);
}

/**
 * Presses Deploy and waits for the editor's verdict. Rejects when the editor asks for confirmation
 * (unconfigured or invalid nodes, unknown types, unused config) or reports a failed deploy.
 */
export async function deploy(page: Page): Promise<void> {
  // The notifications already showing are marked, not counted: one (the import's) may fade and leave
  // while the deploy's appears, which put the deploy's at an index already skipped.
  await page.evaluate(() => {
    const { document } = globalThis as unknown as EditorWindow;
    for (const el of Array.from(document.querySelectorAll('.red-ui-notification') as ArrayLike<{ setAttribute(name: string, value: string): void }>)) el.setAttribute('data-before-deploy', '1');
  });
  // The editor ignores Deploy while the header is shaded (an edit tray still closing) or the button is
  // disabled (a change not yet registered): wait for both, and click again if no verdict came and the
  // workspace is still undeployed. A second click after a deploy that went through finds nothing to do.
  const verdictText = () =>
    page
      .waitForFunction(
        () => {
          const { document } = globalThis as unknown as EditorWindow;
          const texts = Array.from(document.querySelectorAll('.red-ui-notification:not([data-before-deploy])') as ArrayLike<{ innerText: string }>).map((el) => el.innerText.trim());
          return texts.find((text) => /Successfully deployed|Confirm deploy|deploy|error/i.test(text)) ?? false;
        },
        undefined,
        { timeout: 15000 },
      )
      .then((handle) => handle.jsonValue() as Promise<string>, () => undefined);
  let text: string | undefined;
  for (let attempt = 0; attempt < 3 && text === undefined; attempt++) {
    const state = await page.waitForFunction(
      (retry) => {
        const { document, RED } = globalThis as unknown as EditorWindow & { RED: { nodes: { dirty(): boolean } } };
        // After a click whose notification was missed, a clean workspace means that deploy went through.
        if (retry && !RED.nodes.dirty()) return 'deployed';
        const shade = document.querySelectorAll('#red-ui-header-shade')[0] as { offsetParent: unknown } | undefined;
        const button = document.querySelectorAll('#red-ui-header-button-deploy:not(.disabled)')[0];
        return (!shade || shade.offsetParent === null) && button !== undefined ? 'ready' : false;
      },
      attempt > 0,
      { timeout: 15000 },
    );
    if ((await state.jsonValue()) === 'deployed') return;
    await page.locator('#red-ui-header-button-deploy').click();
    text = await verdictText();
  }
  if (text === undefined) throw new Error('deploy: no notification after three clicks on Deploy');
  if (!/Successfully deployed/i.test(text)) throw new Error(`deploy did not succeed: ${text}`);
}

/** Replaces the running flows with `flow` through the admin API (what Deploy > Full does). */
export async function setFlows(baseUrl: string, flow: unknown[]): Promise<void> {
  const response = await fetch(new URL('flows', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flow),
  });
  if (!response.ok) throw new Error(`POST /flows: HTTP ${response.status} ${await response.text()}`);
}

/** Node statuses the editor shows with a red fill, as "type id: text". */
export async function redStatuses(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { RED } = globalThis as unknown as EditorWindow;
    const red: string[] = [];
    RED.nodes.eachNode((node) => {
      if (node.status?.fill === 'red') red.push(`${node.type} ${node.id}: ${node.status.text ?? ''}`);
    });
    return red;
  });
}

/** Log lines at error level that appeared after `from` characters of the Node-RED log. */
export function errorLines(nodeRed: NodeRedProcess, from: number): string[] {
  return nodeRed
    .log()
    .slice(from)
    .split('\n')
    .filter((line) => /\[error\]/.test(line));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A node as the editor validates it. */
interface ValidatedNode {
  id: string;
  type: string;
  name?: string;
  valid?: boolean;
  validationErrors?: string[];
}

/** The editor globals the validity checks use (the tests compile without the DOM library). */
interface ValidityWindow {
  RED: {
    nodes: {
      eachNode(callback: (node: ValidatedNode) => void): void;
      eachConfig(callback: (node: ValidatedNode) => void): void;
      node(id: string): ValidatedNode | null;
    };
    editor: {
      validateNode(node: ValidatedNode): boolean;
      edit(node: ValidatedNode): void;
      editConfig(name: string, type: string, id: string): void;
    };
  };
}

/** This package's nodes the editor shows as invalid, as "type "name" (id): the properties it refuses". */
export async function invalidNodes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { RED } = globalThis as unknown as ValidityWindow;
    const invalid: string[] = [];
    const check = (node: ValidatedNode) => {
      if (!node.type.startsWith('ib-')) return;
      RED.editor.validateNode(node);
      if (node.valid === false) invalid.push(`${node.type} "${node.name ?? ''}" (${node.id}): ${(node.validationErrors ?? []).join(', ') || 'invalid'}`);
    };
    RED.nodes.eachNode(check);
    RED.nodes.eachConfig(check);
    return invalid;
  });
}

/** Opens each of this package's nodes in its edit tray and closes it with Done, as a user would. */
export async function openAndCloseEach(page: Page): Promise<void> {
  const nodes = await page.evaluate(() => {
    const { RED } = globalThis as unknown as ValidityWindow;
    const list: Array<{ id: string; type: string; config: boolean }> = [];
    RED.nodes.eachNode((n: ValidatedNode) => {
      if (n.type.startsWith('ib-')) list.push({ id: n.id, type: n.type, config: false });
    });
    RED.nodes.eachConfig((n: ValidatedNode) => {
      if (n.type.startsWith('ib-')) list.push({ id: n.id, type: n.type, config: true });
    });
    return list;
  });
  for (const node of nodes) {
    await page.evaluate(({ id, type, config }) => {
      const { RED } = globalThis as unknown as ValidityWindow;
      if (config) RED.editor.editConfig('', type, id);
      else RED.editor.edit(RED.nodes.node(id)!);
    }, node);
    const done = page.locator(node.config ? '#node-config-dialog-ok' : '#node-dialog-ok');
    await done.waitFor({ state: 'visible', timeout: 10000 });
    // The tray slides in; its edit-prepare code runs before Done is pressed, as for a user.
    await page.waitForTimeout(150);
    await done.click();
    await done.waitFor({ state: 'detached', timeout: 10000 }).catch(() => undefined);
  }
}
