/**
 * The demo's Dashboard 2.0 pages in the browser, with the demo flows exactly as `npm start` deploys
 * them: the Backtest page's button runs the replay and fills the metrics table; the Paper trading page
 * shows price charts that move as the simulator trades and the strategy's orders as they happen.
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

/** The rows of a ui-table as objects column -> text. */
async function tableRows(table: Locator): Promise<Array<Record<string, string>>> {
  return table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => {
      const cells: Record<string, string> = {};
      for (const cell of Array.from((row as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('td[data-column-key]'))) {
        const td = cell as { getAttribute(name: string): string | null; textContent: string | null };
        cells[td.getAttribute('data-column-key') ?? ''] = (td.textContent ?? '').trim();
      }
      return cells;
    }),
  );
}

async function waitForRows(table: Locator, predicate: (rows: Array<Record<string, string>>) => boolean, timeoutMs: number, what: string): Promise<Array<Record<string, string>>> {
  const start = Date.now();
  let rows: Array<Record<string, string>> = [];
  while (Date.now() - start < timeoutMs) {
    rows = await tableRows(table);
    if (predicate(rows)) return rows;
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; rows: ${JSON.stringify(rows.slice(0, 5))}`);
}

describe('demo dashboard', { timeout: 300000 }, () => {
  let demo: Demo;
  // The whole log counts, start-up included.
  const logFrom = 0;

  before(async () => {
    demo = await startDemo();
  });

  after(async () => {
    await demo?.close();
  });

  it('Backtest page: the button runs the backtest and the metrics table appears', async () => {
    const { page, nodeRed } = demo;
    await page.goto(new URL('dashboard/backtest', nodeRed.url).toString());
    const metrics = group(page, 'demo-group-bt-metrics');
    await metrics.waitFor({ state: 'visible', timeout: 30000 });
    await page.getByRole('button', { name: 'Run backtest' }).click();

    const rows = await waitForRows(metrics, (r) => r.some((row) => row.metric === 'Final equity'), 60000, 'the metrics of the backtest');
    const value = (metric: string) => rows.find((row) => row.metric === metric)?.value;
    assert.equal(value('Start equity'), '100000');
    for (const metric of ['Final equity', 'Sharpe', 'Trades']) {
      assert.ok(Number.isFinite(Number(value(metric))), `${metric} is not a number: ${value(metric)}`);
    }
    assert.ok(Number(value('Trades')) > 0, 'the backtest made no trades');
    assert.match(value('Cumulative return') ?? '', /^-?\d+(\.\d+)? %$/);
    assert.match(value('Max drawdown') ?? '', /^-?\d+(\.\d+)? %$/);

    const trades = await tableRows(group(page, 'demo-group-bt-trades'));
    assert.ok(trades.length > 0, 'the trades table is empty');
    await page.locator('#nrdb-ui-group-demo-group-bt-equity canvas').first().waitFor({ state: 'visible' });
    await sleep(1000);
    await screenshot(page, 'dashboard-backtest', true);
  });

  it('Paper trading page: the price charts move and orders of the strategy appear', async () => {
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

    const connection = group(page, 'demo-group-account');
    await connection.getByText(/connected to the simulator, account DU/).waitFor({ timeout: 30000 });

    const orders = group(page, 'demo-group-log');
    const rows = await waitForRows(
      orders,
      (r) => r.some((row) => row.event === 'fill' && /^BUY \d+ @ \d/.test(row.detail ?? '') && row.strategy.startsWith('sma-cross')),
      firstOrderTimeoutMs,
      'a BUY fill of the strategy in "Orders and fills"',
    );
    assert.ok(rows.some((row) => row.event === 'Filled' || row.event === 'fill'), JSON.stringify(rows));
    await screenshot(page, 'dashboard-paper-trading', true);
    assert.deepEqual(errorLines(nodeRed, logFrom), [], 'Node-RED logged errors while the demo ran');
  });
});
