/**
 * The demo's Dashboard 2.0 pages in the browser, with the demo flows exactly as `npm start` deploys
 * them, checked for what a trader sees: the Backtest page's button runs the replay and fills the
 * metrics and trades tables, entries and exits are drawn as markers on the price; the Paper trading
 * page shows the account panel (PAPER badge, connection light, today's P&L, money with thousands
 * separators), price charts that move, fills as markers, and the kill switch, flatten and resume
 * buttons, each behind a confirmation, stopping and closing what the strategy holds. On both pages no
 * text is cut off by its box and every table shows its rows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { errorLines, screenshot, sleep, startDemo, type Demo } from './harness';

/** How long the strategy may take to see its first crossover (it needs 50 trades to warm up). */
const firstOrderTimeoutMs = 150000;

/** A dashboard group by the id its ui-group node has in flows/demo.json. */
function group(page: Page, groupId: string): Locator {
  return page.locator(`#nrdb-ui-group-${groupId}`);
}

/** The rows of a ui-table as objects column -> text (an empty table's "No data available" row is none). */
async function tableRows(table: Locator): Promise<Array<Record<string, string>>> {
  const rows = await table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => {
      const cells: Record<string, string> = {};
      for (const cell of Array.from((row as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('td[data-column-key]'))) {
        const td = cell as { getAttribute(name: string): string | null; textContent: string | null };
        cells[td.getAttribute('data-column-key') ?? ''] = (td.textContent ?? '').trim();
      }
      return cells;
    }),
  );
  return rows.filter((row) => Object.keys(row).length > 0);
}

async function waitFor<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const start = Date.now();
  let value = await read();
  while (!predicate(value)) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(value).slice(0, 400)}`);
    await sleep(500);
    value = await read();
  }
  return value;
}

const waitForRows = (table: Locator, predicate: (rows: Array<Record<string, string>>) => boolean, timeoutMs: number, what: string) =>
  waitFor(() => tableRows(table), predicate, timeoutMs, what);

/** The DOM the checks below use inside page.evaluate (the tests compile without the DOM library). */
interface Rect {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface El {
  tagName: string;
  className: unknown;
  id: string;
  parentElement: El | null;
  childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
  clientHeight: number;
  clientWidth: number;
  scrollHeight: number;
  scrollWidth: number;
  getBoundingClientRect(): Rect;
  querySelectorAll(selector: string): ArrayLike<El>;
  querySelector(selector: string): El | null;
}
interface Doc {
  querySelectorAll(selector: string): ArrayLike<El>;
  createRange(): { selectNodeContents(node: unknown): void; getBoundingClientRect(): Rect };
}
interface Win {
  document: Doc;
  getComputedStyle(el: El): { overflowX: string; overflowY: string; display: string; visibility: string };
}

/**
 * Text a person cannot read whole on the page: every text node inside the dashboard's groups whose
 * glyphs reach past the box of an ancestor that clips (overflow other than visible), or whose own
 * element clips its content (scrollHeight or scrollWidth beyond its box). As "text in its box".
 */
async function clippedTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as Win;
    const found: string[] = [];
    const clips = (el: El) => {
      const style = getComputedStyle(el);
      return style.overflowX !== 'visible' || style.overflowY !== 'visible';
    };
    for (const groupEl of Array.from(document.querySelectorAll('[id^="nrdb-ui-group-"]'))) {
      for (const el of Array.from(groupEl.querySelectorAll('*'))) {
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        for (const node of Array.from(el.childNodes)) {
          const text = (node.textContent ?? '').trim();
          if (node.nodeType !== 3 || !text) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          const box = range.getBoundingClientRect();
          if (box.width === 0 && box.height === 0) continue;
          const where = `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]} "${text.slice(0, 40)}"`;
          if (clips(el) && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)) {
            found.push(`${where}: its box is ${el.clientWidth}x${el.clientHeight}, the text needs ${el.scrollWidth}x${el.scrollHeight}`);
            continue;
          }
          for (let up: El | null = el; up && up !== groupEl.parentElement; up = up.parentElement) {
            if (!clips(up)) continue;
            const r = up.getBoundingClientRect();
            if (box.top < r.top - 1 || box.bottom > r.bottom + 1 || box.left < r.left - 1 || box.right > r.right + 1) {
              found.push(`${where}: cut off by ${up.tagName.toLowerCase()}.${String(up.className).split(' ')[0]} (text ${Math.round(box.left)},${Math.round(box.top)}-${Math.round(box.right)},${Math.round(box.bottom)}, box ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)})`);
              break;
            }
          }
        }
      }
    }
    return found;
  });
}

/** How many of a table's rows are in view inside the table's own box (not scrolled away, not cut). */
async function rowsInView(table: Locator): Promise<{ rows: number; inView: number }> {
  return table.evaluate((root) => {
    const el = root as unknown as El;
    const box = (el.querySelector('.v-table__wrapper') ?? el).getBoundingClientRect();
    const rows = Array.from(el.querySelectorAll('tbody tr'));
    const inView = rows.filter((row) => {
      const r = row.getBoundingClientRect();
      return r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    }).length;
    return { rows: rows.length, inView };
  });
}

/**
 * Marks of one colour on a chart's canvas, found as connected patches of pixels: a marker is a small
 * patch; a line joining fills would be one long one. The legend's symbol is a patch too.
 */
async function colourPatches(canvas: Locator, rgb: [number, number, number]): Promise<Array<{ width: number; height: number }>> {
  return canvas.evaluate((c, colour) => {
    const canvasEl = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
    const { width, height } = canvasEl;
    const data = canvasEl.getContext('2d').getImageData(0, 0, width, height).data;
    const near = (i: number) => Math.abs(data[i] - colour[0]) < 12 && Math.abs(data[i + 1] - colour[1]) < 12 && Math.abs(data[i + 2] - colour[2]) < 12 && data[i + 3] > 200;
    const seen = new Uint8Array(width * height);
    const patches: Array<{ width: number; height: number }> = [];
    for (let start = 0; start < width * height; start++) {
      if (seen[start] || !near(start * 4)) continue;
      let minX = width;
      let maxX = 0;
      let minY = height;
      let maxY = 0;
      let size = 0;
      const stack = [start];
      seen[start] = 1;
      while (stack.length) {
        const p = stack.pop() as number;
        const x = p % width;
        const y = (p - x) / width;
        size++;
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
        for (const q of [p - 1, p + 1, p - width, p + width]) {
          if (q < 0 || q >= width * height || seen[q] || Math.abs((q % width) - x) > 1) continue;
          if (near(q * 4)) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
      if (size >= 6) patches.push({ width: maxX - minX + 1, height: maxY - minY + 1 });
    }
    return patches;
  }, rgb);
}

const buyGreen: [number, number, number] = [0x16, 0xa3, 0x4a];
const sellRed: [number, number, number] = [0xdc, 0x26, 0x26];
/** Money as the dashboard shows it: thousands separators and two decimals, a sign where it is P&L. */
const moneyPattern = /^[+-]?\d{1,3}(,\d{3})*\.\d{2}$/;

describe('demo dashboard', { timeout: 420000 }, () => {
  let demo: Demo;
  // The whole log counts, start-up included.
  const logFrom = 0;

  before(async () => {
    demo = await startDemo();
  });

  after(async () => {
    await demo?.close();
  });

  it('Backtest page: the button runs the backtest, the tables show every row, entries and exits are markers', async () => {
    const { page, nodeRed } = demo;
    await page.goto(new URL('dashboard/backtest', nodeRed.url).toString());
    const metrics = group(page, 'demo-group-bt-metrics');
    await metrics.waitFor({ state: 'visible', timeout: 30000 });
    await page.getByRole('button', { name: 'Run backtest' }).click();

    const rows = await waitForRows(metrics, (r) => r.some((row) => row.metric === 'Final equity'), 60000, 'the metrics of the backtest');
    const value = (metric: string) => rows.find((row) => row.metric === metric)?.value;
    assert.equal(value('Start equity'), '100,000.00');
    assert.match(value('Final equity') ?? '', moneyPattern);
    for (const metric of ['Sharpe', 'Trades']) {
      assert.ok(Number.isFinite(Number(value(metric))), `${metric} is not a number: ${value(metric)}`);
    }
    assert.ok(Number(value('Trades')) > 0, 'the backtest made no trades');
    assert.match(value('Cumulative return') ?? '', /^-?\d+\.\d{2} %$/);
    assert.match(value('Max drawdown') ?? '', /^-?\d+\.\d{2} %$/);

    const trades = await tableRows(group(page, 'demo-group-bt-trades'));
    assert.ok(trades.length > 0, 'the trades table is empty');
    const price = group(page, 'demo-group-bt-price').locator('canvas').first();
    await price.waitFor({ state: 'visible' });
    await sleep(1500);

    for (const id of ['demo-group-bt-metrics', 'demo-group-bt-trades']) {
      const seen = await rowsInView(group(page, id));
      assert.equal(seen.inView, seen.rows, `${id}: only ${seen.inView} of ${seen.rows} rows in view`);
    }
    assert.equal((await rowsInView(metrics)).rows, 14, 'the metrics table does not show all 14 metrics on its page');
    // Entries (green triangles) and exits (red) as markers: small patches, the legend's symbol among them.
    const entries = await colourPatches(price, buyGreen);
    assert.ok(entries.length >= 2, `no entry marker on the price chart (patches: ${JSON.stringify(entries)})`);
    assert.ok(entries.every((p) => p.width <= 24 && p.height <= 24), `entries are not drawn as markers: ${JSON.stringify(entries)}`);
    const exits = await colourPatches(price, sellRed);
    assert.ok(exits.every((p) => p.width <= 24 && p.height <= 24), `exits are not drawn as markers: ${JSON.stringify(exits)}`);
    // The drawdown chart is a chart, not a strip.
    const drawdown = await group(page, 'demo-group-bt-equity').locator('canvas').nth(1).boundingBox();
    assert.ok(drawdown && drawdown.height >= 150, `the drawdown chart is ${drawdown?.height} px high`);

    assert.deepEqual(await clippedTexts(page), [], 'text cut off on the Backtest page');
    await screenshot(page, 'dashboard-backtest', true);
  });

  it('Paper trading page: account panel, moving charts, the strategy trades, fills are markers', async () => {
    const { page, nodeRed } = demo;
    await page.goto(new URL('dashboard/paper', nodeRed.url).toString());
    const chart = group(page, 'demo-group-aapl').locator('canvas').first();
    await chart.waitFor({ state: 'visible', timeout: 30000 });

    // A moving chart: the canvas is redrawn with new trades (compare two pictures a few seconds apart;
    // page.screenshot with a clip, as the chart never holds still long enough for an element shot).
    await sleep(2000);
    const box = await chart.boundingBox();
    assert.ok(box, 'the AAPL chart has no size');
    const before = await page.screenshot({ clip: box });
    await sleep(4000);
    const later = await page.screenshot({ clip: box });
    assert.notDeepEqual(later, before, 'the AAPL chart did not change in 4 s');

    const panel = group(page, 'demo-group-account');
    const text = (name: string) => panel.locator(`[data-test="${name}"]`).innerText();
    await waitFor(() => text('mode'), (t) => t === 'PAPER', 30000, 'the PAPER badge');
    await waitFor(() => text('connection'), (t) => t.startsWith('connected'), 30000, 'the connection to be shown as connected');
    const light = await panel.locator('[data-test="light"]').evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el as unknown as El) as unknown as { backgroundColor: string });
    assert.equal(light.backgroundColor, 'rgb(22, 163, 74)', 'the connection light is not green');
    await waitFor(() => text('net-liquidation'), (t) => moneyPattern.test(t), 30000, 'the net liquidation with thousands separators');
    assert.equal(await text('trading'), 'orders allowed');
    const headline = await panel.locator('[data-test="pnl-today"]').evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el as unknown as El) as unknown as { fontSize: string });
    assert.ok(Number.parseFloat(headline.fontSize) >= 24, `today's P&L is not a headline (${headline.fontSize})`);

    const orders = group(page, 'demo-group-log');
    const rows = await waitForRows(
      orders,
      (r) => r.some((row) => row.event === 'fill' && /^BUY \d+ @ \d{1,3}(,\d{3})*\.\d{2}$/.test(row.detail ?? '') && row.strategy.startsWith('sma-cross')),
      firstOrderTimeoutMs,
      'a BUY fill of the strategy in "Orders and fills"',
    );
    assert.ok(rows.some((row) => row.event === 'Filled' || row.event === 'fill'), JSON.stringify(rows));
    await waitForRows(
      group(page, 'demo-group-positions'),
      (r) => r.length > 0 && moneyPattern.test(r[0]['unrealized P&L'] ?? ''),
      30000,
      'the position with its unrealized P&L in "Positions and P&L"',
    );
    // TWS (and the simulator) send the account's P&L once it has something to say.
    await waitFor(() => text('pnl-today'), (t) => moneyPattern.test(t), 30000, "today's P&L as money");
    await waitForRows(group(page, 'demo-group-working'), (r) => r.length >= 2, 15000, "the bracket's stop-loss and take-profit in Working orders");
    await sleep(1500);

    // The BUY fill is a marker on its symbol's chart (the legend's symbol is the other green patch).
    const patches = [
      ...(await colourPatches(group(page, 'demo-group-aapl').locator('canvas').first(), buyGreen)),
      ...(await colourPatches(group(page, 'demo-group-msft').locator('canvas').first(), buyGreen)),
    ];
    assert.ok(patches.length >= 3, `no BUY marker on the price charts (patches: ${JSON.stringify(patches)})`);
    assert.ok(patches.every((p) => p.width <= 24 && p.height <= 24), `BUY fills are not drawn as markers: ${JSON.stringify(patches)}`);

    for (const id of ['demo-group-positions', 'demo-group-working', 'demo-group-log']) {
      const seen = await rowsInView(group(page, id));
      assert.equal(seen.inView, seen.rows, `${id}: only ${seen.inView} of ${seen.rows} rows in view`);
    }
    assert.deepEqual(await clippedTexts(page), [], 'text cut off on the Paper trading page');
    await screenshot(page, 'dashboard-paper-trading', true);
    assert.deepEqual(errorLines(nodeRed, logFrom), [], 'Node-RED logged errors while the demo ran');
    // The paper tab warms its strategy up on history: its risk-sizer (given the tab's connection through
    // the subflow's IB_CONNECTION property) ends that history as warm-up, so place-order never has to
    // turn it away with a warning meant for a backtest flow switched to a live connection.
    const historyWarnings = nodeRed.log().split('\n').filter((line) => /history is not traded/.test(line));
    assert.deepEqual(historyWarnings, [], 'the demo warned that its warm-up history is not traded');
  });

  it("Paper trading page: kill switch, flatten and resume ask first, then stop the strategy's orders and close its position", async () => {
    const { page, nodeRed } = demo;
    const panel = group(page, 'demo-group-account');
    const text = (name: string) => panel.locator(`[data-test="${name}"]`).innerText();
    const working = group(page, 'demo-group-working');
    const positions = group(page, 'demo-group-positions');
    const dialog = page.locator('.v-overlay--active .v-card');
    const logFromHere = nodeRed.log().length;

    // Cancel in the confirmation does nothing.
    await panel.locator('[data-test="kill"]').click();
    await dialog.waitFor({ state: 'visible', timeout: 10000 });
    await dialog.getByText('Cancel every working order of the account').waitFor();
    await dialog.locator('[data-test="cancel"]').click();
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });
    await sleep(1500);
    assert.equal(await text('trading'), 'orders allowed');
    assert.ok((await tableRows(working)).length > 0, 'the working orders went although the kill switch was cancelled');

    // Kill switch: every working order is cancelled and trading is halted.
    await panel.locator('[data-test="kill"]').click();
    await dialog.waitFor({ state: 'visible', timeout: 10000 });
    await screenshot(page, 'dashboard-kill-switch-confirm');
    await dialog.locator('[data-test="confirm"]').click();
    await waitFor(() => text('trading'), (t) => t.startsWith('halted'), 15000, 'the panel to say trading is halted');
    await waitForRows(working, (r) => r.length === 0, 20000, 'Working orders to empty after the kill switch');
    assert.ok((await tableRows(positions)).length > 0, 'the kill switch alone closed the position');
    await screenshot(page, 'dashboard-halted', true);

    // Flatten: the position is closed with a market order.
    await panel.locator('[data-test="flatten"]').click();
    await dialog.waitFor({ state: 'visible', timeout: 10000 });
    await dialog.getByText('close every position of the account').waitFor();
    await dialog.locator('[data-test="confirm"]').click();
    await waitForRows(positions, (r) => r.length === 0, 30000, 'Positions to empty after Flatten all');
    assert.ok(
      (await tableRows(group(page, 'demo-group-log'))).some((row) => row.event === 'fill' && /^SELL /.test(row.detail ?? '') && row.strategy === 'sma-cross'),
      'no SELL fill of the flatten in "Orders and fills"',
    );
    assert.match(await text('trading'), /^halted/);

    // Resume lifts the halt.
    await panel.locator('[data-test="resume"]').click();
    await dialog.waitFor({ state: 'visible', timeout: 10000 });
    await dialog.locator('[data-test="confirm"]').click();
    await waitFor(() => text('trading'), (t) => t === 'orders allowed', 15000, 'the panel to say orders are allowed again');
    await screenshot(page, 'dashboard-resumed', true);
    // While halted, a signal of the strategy is refused (an error by design); nothing else may fail.
    const unexpected = errorLines(nodeRed, logFromHere).filter((line) => !/trading halted/.test(line));
    assert.deepEqual(unexpected, [], 'Node-RED logged errors while the controls were used');
  });
});
