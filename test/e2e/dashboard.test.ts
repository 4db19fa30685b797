/**
 * The demo's Dashboard 2.0 pages in the browser, with the demo flows exactly as `npm start` deploys
 * them, checked for what a trader sees: the Backtest page's button runs the replay and fills the
 * metrics and trades tables, the replayed bars are drawn as candles with both averages as lines and the entries and exits as arrows at their prices (the package's price chart widget, read back from its canvas); the Paper trading
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

/** A bar, a line point or a marker of the package's price chart as drawn: where it is and what is there. */
interface ChartPicture {
  topic: string | null;
  /** The pane's size (CSS px); x and y below are in it. */
  width: number;
  height: number;
  candles: Array<{ time: number; x: number; body: { top: number; bottom: number; colour: string; width: number }; wick: { top: number; bottom: number; found: boolean } }>;
  lines: Record<string, { colour: string; points: number; found: number; between: number; betweenFound: number }>;
  markers: Array<{ side: string; kind: string; price: number; time: number; x: number | null; y: number | null; pixels: number; box: { width: number; height: number; top: number; bottom: number } }>;
}

/**
 * What the price chart in `container` shows, read back from its canvases: for each visible bar, the
 * colour and width of the body between open and close and the wick up to the high and down to the low;
 * for each line, whether its colour is where its values are (and between them, so it is a line, not
 * dots); for each marker, the patch of its colour at its bar and price. Positions come from the chart
 * (time and price to pixels), the colours from the pixels a person sees.
 */
async function chartPicture(container: Locator): Promise<ChartPicture> {
  return container.evaluate((root: any) => {
    const api = root.ibPriceChart;
    const shown = api.shown();
    const rootBox = root.getBoundingClientRect();
    // Every canvas of the chart, its pixels once, to read a colour at a point of the pane.
    const layers = Array.from(root.querySelectorAll('canvas') as ArrayLike<any>).map((canvas: any) => {
      const r = canvas.getBoundingClientRect();
      const data = canvas.width && canvas.height ? canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data : null;
      return { left: r.left - rootBox.left, top: r.top - rootBox.top, width: r.width, height: r.height, sx: canvas.width / (r.width || 1), sy: canvas.height / (r.height || 1), w: canvas.width, data };
    });
    const pane = layers.reduce((a: any, b: any) => (b.width * b.height > a.width * a.height ? b : a));
    const rgbAt = (x: number, y: number): [number, number, number] | null => {
      let found: [number, number, number] | null = null;
      for (const l of layers) {
        const px = x + pane.left - l.left;
        const py = y + pane.top - l.top;
        if (!l.data || px < 0 || py < 0 || px >= l.width || py >= l.height) continue;
        const i = (Math.floor(py * l.sy) * l.w + Math.floor(px * l.sx)) * 4;
        if (l.data[i + 3] > 200) found = [l.data[i], l.data[i + 1], l.data[i + 2]];
      }
      return found;
    };
    const hex = (c: string) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));
    const near = (c: [number, number, number] | null, want: string) => {
      if (!c) return false;
      const w = hex(want);
      return Math.abs(c[0] - w[0]!) < 16 && Math.abs(c[1] - w[1]!) < 16 && Math.abs(c[2] - w[2]!) < 16;
    };
    const { up, down, buy, sell } = api.colors;
    const snap = (t: number) => {
      let at = -1;
      for (let i = 0; i < shown.time.length; i++) if (shown.time[i] <= t) at = i;
      return at;
    };
    const candles: any[] = [];
    for (let i = 0; i < shown.time.length; i++) {
      const x = api.toX(shown.time[i]);
      if (x === null || x < 4 || x > pane.width - 4) continue;
      const colour = shown.close[i] >= shown.open[i] ? up : down;
      const yo = api.toY(shown.open[i]);
      const yc = api.toY(shown.close[i]);
      const top = Math.min(yo, yc);
      const bottom = Math.max(yo, yc);
      // The body's width on the row of the body where it is widest (an average's line may cross a row).
      let width = 0;
      for (const row of [0.25, 0.5, 0.75].map((f) => Math.round(top + (bottom - top) * f))) {
        let w = 0;
        for (let dx = -8; dx <= 8; dx++) if (near(rgbAt(x + dx, row), colour)) w++;
        width = Math.max(width, w);
      }
      const yh = api.toY(shown.high[i]);
      const yl = api.toY(shown.low[i]);
      // The wick: the candle's colour on most rows between the body and the high, and the body and the low
      // (an average's line crossing it hides a few rows); x is the bar's centre, fractional: the 1 px wick
      // is within a pixel of it.
      const wickRows = (from: number, to: number) => {
        let rows = 0;
        let coloured = 0;
        for (let y = Math.ceil(from) + 1; y <= Math.floor(to) - 1; y++) {
          rows++;
          if ([-1, 0, 1].some((dx) => near(rgbAt(x + dx, y), colour))) coloured++;
        }
        return rows === 0 || coloured >= rows * 0.5;
      };
      // A wick an average's line runs across (drawn over the candles) is not judged.
      const lineYs = Object.values(shown.lines as Record<string, Array<number | null>>)
        .map((values) => values[i])
        .filter((v): v is number => v !== null && v !== undefined)
        .map((v) => api.toY(v) as number);
      const crossed = (from: number, to: number) => lineYs.some((y) => y >= from - 3 && y <= to + 3);
      const wickUp = yh < top - 2 && !crossed(yh, top) ? wickRows(yh, top) : true;
      const wickDown = yl > bottom + 2 && !crossed(bottom, yl) ? wickRows(bottom, yl) : true;
      candles.push({ time: shown.time[i], x, body: { top, bottom, colour, width }, wick: { top: yh, bottom: yl, found: wickUp && wickDown } });
    }
    const lines: Record<string, any> = {};
    for (const [name, values] of Object.entries(shown.lines as Record<string, Array<number | null>>)) {
      const colour = api.lineColor(name);
      const summary = { colour, points: 0, found: 0, between: 0, betweenFound: 0 };
      const hit = (x: number, y: number) => {
        for (let dy = -3; dy <= 3; dy++) for (let dx = -1; dx <= 1; dx++) if (near(rgbAt(x + dx, y + dy), colour)) return true;
        return false;
      };
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        const x = api.toX(shown.time[i]);
        if (v === null || x === null || x < 4 || x > pane.width - 4) continue;
        summary.points++;
        if (hit(x, api.toY(v))) summary.found++;
        const next = values[i + 1];
        const x2 = i + 1 < values.length ? api.toX(shown.time[i + 1]) : null;
        if (next !== null && next !== undefined && x2 !== null && x2 - x >= 4 && x2 < pane.width - 4) {
          summary.between++;
          if (hit(Math.round((x + x2) / 2), Math.round((api.toY(v) + api.toY(next)) / 2))) summary.betweenFound++;
        }
      }
      lines[name] = summary;
    }
    const markers = shown.markers.map((m: any) => {
      const at = snap(m.time);
      const x = at < 0 ? null : api.toX(shown.time[at]);
      const y = api.toY(m.price);
      const colour = m.side === 'BUY' ? buy : sell;
      let pixels = 0;
      let minX = Infinity;
      let maxX = -Infinity;
      let minY = Infinity;
      let maxY = -Infinity;
      if (x !== null && y !== null) {
        // An up arrow hangs under a BUY's price, a down arrow stands over a SELL's.
        for (let dy = -30; dy <= 30; dy++) {
          for (let dx = -12; dx <= 12; dx++) {
            if (!near(rgbAt(x + dx, y + dy), colour)) continue;
            pixels++;
            minX = Math.min(minX, dx);
            maxX = Math.max(maxX, dx);
            minY = Math.min(minY, dy);
            maxY = Math.max(maxY, dy);
          }
        }
      }
      return { side: m.side, kind: m.kind, price: m.price, time: m.time, x, y, pixels, box: { width: pixels ? maxX - minX + 1 : 0, height: pixels ? maxY - minY + 1 : 0, top: minY, bottom: maxY } };
    });
    return { topic: shown.topic, width: pane.width, height: pane.height, candles, lines, markers };
  });
}

/**
 * Each marker an arrow of its side's colour at its price: a BUY's up arrow just under the price, a
 * SELL's down arrow just over it, small (a marker, not a line joining the fills).
 */
function assertMarkersDrawn(markers: ChartPicture['markers'], what: string): void {
  for (const m of markers) {
    const where = `${what}: the ${m.side} ${m.kind} at ${m.price} (${new Date(m.time).toISOString()})`;
    assert.ok(m.x !== null && m.y !== null, `${where} has no place on the chart`);
    assert.ok(m.pixels >= 20, `${where} is not drawn at its bar and price (${m.pixels} pixels of its colour there)`);
    // An arrow (with a fill's BUY / SELL label beside it) is a small patch; a line joining fills is not.
    assert.ok(m.box.width <= 30 && m.box.height <= 40, `${where} is not a marker: ${JSON.stringify(m.box)}`);
    if (m.side === 'BUY') assert.ok(m.box.top >= -3, `${where}: the arrow is not under its price (${JSON.stringify(m.box)})`);
    else assert.ok(m.box.bottom <= 3, `${where}: the arrow is not over its price (${JSON.stringify(m.box)})`);
  }
}

/** Candles, lines and markers as a person should see them; the message says what is not. */
function assertChartLooksRight(picture: ChartPicture, what: string, lineNames: string[]): void {
  assert.ok(picture.candles.length >= 20, `${what}: only ${picture.candles.length} candles in view`);
  const thin = picture.candles.filter((c) => c.body.width < 3);
  assert.ok(thin.length <= picture.candles.length * 0.1, `${what}: ${thin.length} of ${picture.candles.length} candles have no body of their colour at least 3 px wide: ${JSON.stringify(thin.slice(0, 3))}`);
  const wickless = picture.candles.filter((c) => !c.wick.found);
  assert.ok(wickless.length <= picture.candles.length * 0.1, `${what}: ${wickless.length} of ${picture.candles.length} candles lack a wick to their high or low: ${JSON.stringify(wickless.slice(0, 3))}`);
  for (const name of lineNames) {
    const line = picture.lines[name];
    assert.ok(line && line.points >= 20, `${what}: no ${name} line in view (${JSON.stringify(line)})`);
    assert.ok(line.found >= line.points * 0.9, `${what}: ${name} is drawn at only ${line.found} of its ${line.points} values`);
    assert.ok(line.betweenFound >= line.between * 0.9, `${what}: ${name} is not a line (drawn between only ${line.betweenFound} of ${line.between} pairs of values)`);
  }
}

/**
 * The labels up a ui-chart's value axis, from the bottom, as drawn: Dashboard 2.0's chart is eCharts on a
 * canvas; the texts are read from its scene (what it painted, hidden labels left out) through the hook
 * the dashboard keeps for browser tests (window.uiCharts, set when window.Cypress is), the y-axis's being
 * those left of the plot, within its height.
 */
async function valueAxisLabels(page: Page, chartId: string): Promise<string[]> {
  return page.evaluate((id) => {
    const chart = (globalThis as any).uiCharts?.[id]?.chart;
    if (!chart) return [];
    const grid = chart.getModel().getComponent('grid').coordinateSystem.getRect();
    const labels: Array<{ text: string; y: number }> = [];
    for (const el of chart.getZr().storage.getDisplayList(true) as any[]) {
      if (!el.style || typeof el.style.text !== 'string' || !el.style.text || el.ignore || el.invisible) continue;
      const r = el.getBoundingRect().clone();
      if (el.transform) r.applyTransform(el.transform);
      const middle = r.y + r.height / 2;
      if (r.x + r.width <= grid.x + 1 && middle >= grid.y - 8 && middle <= grid.y + grid.height + 8) labels.push({ text: el.style.text, y: middle });
    }
    return labels.sort((a, b) => b.y - a.y).map((l) => l.text);
  }, chartId);
}

/** Axis labels a person reads as a scale: at least `min` of them, each a number (in `unit`), in equal steps. */
function assertEvenScale(labels: string[], what: string, unit: '' | ' %', min = 3): void {
  assert.ok(labels.length >= min, `${what}: ${labels.length} labels on its value axis (${JSON.stringify(labels)})`);
  const values = labels.map((label) => {
    assert.ok(label.endsWith(unit) && (unit === '' || !label.slice(0, -unit.length).includes('%')), `${what}: "${label}" is not in${unit || ' plain numbers'}`);
    // Money to the cent at most; a percentage as fine as the scale needs.
    const number = unit === '' ? /^-?\d{1,3}(,\d{3})*(\.\d{1,2})?$/ : /^-?\d{1,3}(,\d{3})*(\.\d+)?$/;
    assert.match(label.slice(0, label.length - unit.length), number, `${what}: "${label}" is not a number with thousands separators${unit === '' ? ', to the cent at most' : ''}`);
    return Number(label.slice(0, label.length - unit.length).replace(/,/g, ''));
  });
  const steps = values.slice(1).map((v, i) => v - values[i]!);
  assert.ok(steps.every((step) => step > 0 && Math.abs(step - steps[0]!) <= Math.abs(steps[0]!) * 1e-6), `${what}: labels ${JSON.stringify(labels)} are not evenly stepped`);
}

/** Money as the dashboard shows it: thousands separators and two decimals, a sign where it is P&L. */
const moneyPattern = /^[+-]?\d{1,3}(,\d{3})*\.\d{2}$/;

describe('demo dashboard', { timeout: 420000 }, () => {
  let demo: Demo;
  // The whole log counts, start-up included.
  const logFrom = 0;

  before(async () => {
    demo = await startDemo();
    // Dashboard 2.0 keeps its charts in window.uiCharts for browser tests when window.Cypress is set.
    await demo.page.addInitScript(() => {
      (globalThis as any).Cypress = {};
    });
  });

  after(async () => {
    await demo?.close();
  });

  it('Backtest page: the button runs the backtest, the tables show every row, entries and exits are markers', async () => {
    const { page, nodeRed } = demo;
    await page.goto(new URL('dashboard/backtest', nodeRed.url).toString());
    // The run card holds the button, the state and the metrics table under them.
    const metrics = group(page, 'demo-group-bt-run');
    await metrics.waitFor({ state: 'visible', timeout: 30000 });
    await page.getByRole('button', { name: 'Run backtest' }).click();

    // Five days of 5-minute bars, each through the strategy and onto the price chart, paced by the flow.
    // The run card's backtest summary: its state, headline figures and metrics table.
    const metricsTable = metrics.locator('[data-test="metrics"]');
    const rows = await waitForRows(metricsTable, (r) => r.some((row) => row.metric === 'Final equity' && row.value !== '-'), 120000, 'the metrics of the backtest');
    const value = (metric: string) => rows.find((row) => row.metric === metric)?.value;
    assert.equal(value('Start equity'), '100,000.00');
    assert.match(value('Final equity') ?? '', moneyPattern);
    for (const metric of ['Sharpe', 'Trades']) {
      assert.ok(Number.isFinite(Number(value(metric))), `${metric} is not a number: ${value(metric)}`);
    }
    assert.ok(Number(value('Trades')) > 0, 'the backtest made no trades');
    assert.match(value('Cumulative return') ?? '', /^[+-]?\d+\.\d{2} %$/);
    assert.match(value('Max drawdown') ?? '', /^\d+\.\d{2} %$/);
    assert.equal((await metrics.locator('[data-test="phase"]').textContent())?.trim(), 'done');
    assert.equal((await metrics.locator('[data-test="state"]').textContent())?.trim().startsWith(`done: ${value('Trades')} trades, return `), true, 'the state line does not say how the run ended');
    // The headline figures are the table's.
    assert.equal((await metrics.locator('[data-test="figure-Final equity"] .ib-value').textContent())?.trim(), value('Final equity'));
    assert.equal((await metrics.locator('[data-test="figure-Sharpe"] .ib-value').textContent())?.trim(), value('Sharpe'));

    // The trades card's backtest summary: the run per instrument and strategy, and the trades.
    const tradesCard = group(page, 'demo-group-bt-trades');
    const trades = await tableRows(tradesCard.locator('[data-test="trades"]'));
    assert.ok(trades.length > 0, 'the trades table is empty');
    assert.ok(trades.every((t) => moneyPattern.test(t['entry price'] ?? '') && /^[+-]?\d{1,3}(,\d{3})*\.\d{2}$/.test(t['P&L'] ?? '')), `trades not written as money: ${JSON.stringify(trades.slice(0, 3))}`);
    const parts = await tableRows(tradesCard.locator('[data-test="parts"]'));
    assert.deepEqual(parts.map((p) => p.part), ['AAPL', 'strategy: sma-cross'], `the run per instrument and strategy: ${JSON.stringify(parts)}`);
    assert.equal(parts[0]!.trades, value('Trades'));
    const price = group(page, 'demo-group-bt-price').locator('[data-test="chart"]');
    await price.waitFor({ state: 'visible' });
    await sleep(1500);

    for (const id of ['demo-group-bt-run', 'demo-group-bt-trades']) {
      const seen = await rowsInView(group(page, id));
      assert.equal(seen.inView, seen.rows, `${id}: only ${seen.inView} of ${seen.rows} rows in view`);
    }
    assert.equal((await rowsInView(metricsTable)).rows, 22, 'the metrics table does not show all 22 metrics');
    // The replayed bars as candles with both averages as lines; entries and exits as arrows at their
    // trade's price on its bar, one for each row of the trades table (an open trade has no exit).
    let picture = await chartPicture(price);
    assertChartLooksRight(picture, 'Backtest price chart', ['sma20', 'sma50']);
    const marks = picture.markers;
    assert.equal(marks.filter((m) => m.kind === 'entry').length, trades.length, `entries on the chart: ${JSON.stringify(marks)}`);
    assert.equal(marks.filter((m) => m.kind === 'exit').length, trades.filter((t) => t.exit !== 'open').length, `exits on the chart: ${JSON.stringify(marks)}`);
    // The first trade's entry, scrolled into view as a person would (the chart opens on the newest bars).
    await price.evaluate((el: any, time: number) => el.ibPriceChart.reveal(time), marks[0]!.time);
    await sleep(800);
    picture = await chartPicture(price);
    const inView = picture.markers.filter((m) => m.x !== null && m.x > 12 && m.x < picture.width - 12);
    assert.ok(inView.length >= 1, `no entry or exit in view after scrolling to the first: ${JSON.stringify(picture.markers)}`);
    assertMarkersDrawn(inView, 'Backtest price chart');
    assertChartLooksRight(picture, 'Backtest price chart, scrolled to the first entry', ['sma20', 'sma50']);
    await screenshot(group(page, 'demo-group-bt-price'), 'price-chart-backtest');
    // The drawdown chart is a chart, not a strip.
    const drawdown = await group(page, 'demo-group-bt-equity').locator('canvas').nth(1).boundingBox();
    assert.ok(drawdown && drawdown.height >= 150, `the drawdown chart is ${drawdown?.height} px high`);
    // The run card and the charts beside it fill their row: neither leaves an empty block under it.
    // The cards as drawn (a group's own box is stretched to its grid row's height).
    const card = await group(page, 'demo-group-bt-run').locator('> .v-card').boundingBox();
    const charts = await group(page, 'demo-group-bt-equity').locator('> .v-card').boundingBox();
    assert.ok(card && charts, 'the run card or the equity charts have no box');
    assert.ok(Math.abs(card.y - charts.y) <= 2 && card.x + card.width <= charts.x + 1, `the run card (${JSON.stringify(card)}) is not beside the equity charts (${JSON.stringify(charts)})`);
    const taller = Math.max(card.height, charts.height);
    assert.ok(taller - Math.min(card.height, charts.height) <= taller * 0.15, `an empty block beside the shorter of the run card (${Math.round(card.height)} px) and the equity charts (${Math.round(charts.height)} px)`);
    // Both value axes read as scales: even steps, equity in money, drawdown in %.
    assertEvenScale(await valueAxisLabels(page, 'demo-bt-equity'), 'Backtest equity axis', '');
    assertEvenScale(await valueAxisLabels(page, 'demo-bt-drawdown'), 'Backtest drawdown axis', ' %');

    assert.deepEqual(await clippedTexts(page), [], 'text cut off on the Backtest page');
    await screenshot(page, 'dashboard-backtest', true);
  });

  it('Paper trading page: account panel, moving charts, the strategy trades, fills are markers', async () => {
    const { page, nodeRed } = demo;
    await page.goto(new URL('dashboard/paper', nodeRed.url).toString());
    const chart = group(page, 'demo-group-aapl').locator('[data-test="chart"]');
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
    // The history and the live bars as candles, both averages as lines over them.
    for (const symbol of ['aapl', 'msft']) {
      const picture = await chartPicture(group(page, `demo-group-${symbol}`).locator('[data-test="chart"]'));
      assert.equal(picture.topic, symbol.toUpperCase());
      assertChartLooksRight(picture, `${symbol.toUpperCase()} chart`, ['sma20', 'sma50']);
    }

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
    // What the account is worth is what it holds: net liquidation is the cash plus the positions' market
    // value, all of one snapshot (it lagged by the day's P&L, so equity fell while today's P&L rose).
    const worth = await waitFor(
      async () => {
        const shown = await panel.evaluate((el) => {
          const read = (name: string) => (el as unknown as El).querySelector(`[data-test="${name}"]`);
          return { net: (read('net-liquidation') as unknown as { textContent: string }).textContent, cash: (read('cash') as unknown as { textContent: string }).textContent };
        });
        const values = (await tableRows(group(page, 'demo-group-positions'))).map((row) => row['market value'] ?? '');
        const amount = (t: string) => Number(t.replace(/,/g, ''));
        return { net: amount(shown.net), held: amount(shown.cash) + values.reduce((sum, v) => sum + amount(v), 0), shown, values };
      },
      (w) => Math.abs(w.net - w.held) <= 0.01,
      15000,
      'net liquidation to be cash plus market value',
    );
    assert.ok(Math.abs(worth.net - worth.held) <= 0.01, JSON.stringify(worth));

    // The BUY fill is an up arrow under its price, on the bar it came in, on its symbol's chart.
    const fills: ChartPicture['markers'] = [];
    for (const symbol of ['aapl', 'msft']) {
      const picture = await chartPicture(group(page, `demo-group-${symbol}`).locator('[data-test="chart"]'));
      fills.push(...picture.markers.filter((m) => m.kind === 'fill'));
      if (picture.markers.length) await screenshot(group(page, `demo-group-${symbol}`), `price-chart-paper-${symbol}`);
    }
    assert.ok(fills.some((m) => m.side === 'BUY'), `no BUY fill on the price charts: ${JSON.stringify(fills)}`);
    assertMarkersDrawn(fills, 'Paper trading price charts');

    for (const id of ['demo-group-positions', 'demo-group-working', 'demo-group-log']) {
      const seen = await rowsInView(group(page, id));
      assert.equal(seen.inView, seen.rows, `${id}: only ${seen.inView} of ${seen.rows} rows in view`);
    }
    // Each order event once in the log (a flatten's were listed twice, from two nodes).
    const logRows = await tableRows(orders);
    const events = logRows.filter((row) => row.event !== 'error').map((row) => `${row.order} ${row.event} ${row.detail}`);
    assert.deepEqual(events.filter((e, i) => events.indexOf(e) !== i), [], 'an order event listed twice in "Orders and fills"');
    // Equity and drawdown read as scales (the equity axis once showed a single label, the drawdown's
    // read -0.00005 / -0.0001 / -0.00014).
    assertEvenScale(await valueAxisLabels(page, 'demo-equity-chart'), 'Paper equity axis', '');
    assertEvenScale(await valueAxisLabels(page, 'demo-drawdown-chart'), 'Paper drawdown axis', ' %', 2);
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
    const log = await tableRows(group(page, 'demo-group-log'));
    const flattenFills = log.filter((row) => row.event === 'fill' && /^SELL /.test(row.detail ?? '') && row.strategy === 'sma-cross');
    assert.ok(flattenFills.length > 0, 'no SELL fill of the flatten in "Orders and fills"');
    // The flatten's order is the kill switch node's: its fill and events once, not also from the strategy's node.
    const closing = flattenFills[0]!.order;
    const ofClosing = log.filter((row) => row.order === closing).map((row) => `${row.event} ${row.detail}`);
    assert.deepEqual(ofClosing.filter((e, i) => ofClosing.indexOf(e) !== i), [], `the flatten's order ${closing} listed twice: ${JSON.stringify(ofClosing)}`);
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
