/**
 * Backtests of the very same flow in a real Node-RED runtime: ib-connect in backtest mode,
 * historical-bars replaying the fixture one bar per message (paced), sma, sma, crossover, risk-sizer,
 * place-order, backtest-report. The replay reproduces the fixture; the batch version of the flow gives
 * the same metrics and trades; a delay node in the path changes nothing; a strategy that tries to see
 * the next bar through flow context never does.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BacktestSummaryModel } from '../../lib/charts/backtest-summary';
import { fixturesDir } from '../helpers/paths';
import { collectMessages, helper, nextMessage, nodeModule, startServer, stopServer } from '../helpers/node-red';

const fixture = join(fixturesDir, 'sma-cross-10k');
const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8'));

const TYPES = ['ib-connect', 'ib-historical-bars', 'ib-sma', 'ib-crossover', 'ib-risk-sizer', 'ib-place-order', 'ib-backtest-report'];

function load(flow: unknown[], extra: unknown[] = []): Promise<void> {
  const modules = [...TYPES.map(nodeModule), require('@node-red/nodes/core/function/89-delay.js'), require('@node-red/nodes/core/function/10-function.js'), ...extra];
  // Flow nodes carry x/y as exported flows do (without them the runtime treats nodes as config nodes).
  const placed = flow.map((n) => ((n as { z?: string }).z ? { x: 100, y: 100, ...(n as object) } : n));
  return new Promise((resolve, reject) => helper.load(modules, placed, {}, (err?: Error) => (err ? reject(err) : resolve())));
}

const tab = { id: 'tab', type: 'tab', label: 'backtest' };
const connection = {
  id: 'bt',
  type: 'ib-connect',
  name: 'backtest',
  mode: 'backtest',
  btCash: 100000,
  btCommission: 'none',
  btSlippageKind: 'none',
  btSlippage: 0,
  btFillAt: 'next-open',
  maxOrdersPerMinute: 0,
};

/** The example's strategy: bars -> fast SMA -> slow SMA -> crossover -> risk-sizer -> [path] -> orders. */
function strategyFlow(file: string, output: 'each' | 'all' | 'columns', options: { beforeCross?: object[]; report?: object } = {}): object[] {
  const firstAfterSlow = options.beforeCross?.length ? (options.beforeCross[0] as { id: string }).id : 'crossNode';
  const flow: object[] = [
    tab,
    connection,
    { id: 'barsNode', z: 'tab', type: 'ib-historical-bars', name: 'bars', connection: 'bt', source: 'file', file, output, wires: [['fastSma']] },
    { id: 'fastSma', z: 'tab', type: 'ib-sma', name: 'fast SMA', period: 20, wires: [['slowSma']] },
    { id: 'slowSma', z: 'tab', type: 'ib-sma', name: 'slow SMA', period: 50, wires: [[firstAfterSlow]] },
    ...(options.beforeCross ?? []),
    { id: 'crossNode', z: 'tab', type: 'ib-crossover', fast: 'indicators.sma20', slow: 'indicators.sma50', mode: 'series', emit: 'cross', wires: [['sizerNode']] },
    { id: 'sizerNode', z: 'tab', type: 'ib-risk-sizer', direction: 'long-only', method: 'fixed', shares: 100, increment: 1, wires: [[output === 'each' ? 'orderNode' : 'reportNode']] },
    { id: 'reportNode', z: 'tab', type: 'ib-backtest-report', connection: 'bt', progressEvery: 2500, maxPoints: 200, wires: [['outNode'], ['equityNode'], ['drawdownNode'], ['priceNode']], ...options.report },
    { id: 'outNode', z: 'tab', type: 'helper' },
    { id: 'equityNode', z: 'tab', type: 'helper' },
    { id: 'drawdownNode', z: 'tab', type: 'helper' },
    { id: 'priceNode', z: 'tab', type: 'helper' },
  ];
  if (output === 'each') flow.push({ id: 'orderNode', z: 'tab', type: 'ib-place-order', name: 'market', connection: 'bt', orderType: 'MKT', tif: 'DAY', wires: [[], []] });
  return flow;
}

async function finalReport(timeoutMs: number): Promise<Record<string, any>> {
  const out = helper.getNode('outNode');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no final report')), timeoutMs);
    out.on('input', (msg: Record<string, any>) => {
      if (msg.complete) {
        clearTimeout(timer);
        resolve(msg);
      }
    });
  });
}

describe('backtest of the very same flow', () => {
  let replayed: Record<string, any>;
  let replayedProgress: Array<Record<string, any>> = [];
  const tmp = mkdtempSync(join(tmpdir(), 'ib-backtest-'));

  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('a paced replay reproduces the fixture: every trade, final equity, drawdown, Sharpe', async () => {
    await load(strategyFlow(join(fixture, 'bars.csv'), 'each'));
    const progress: Array<Record<string, any>> = [];
    helper.getNode('outNode').on('input', (msg: Record<string, any>) => msg.progress && progress.push(msg));
    const charts = collectMessages(helper.getNode('equityNode'), 2, 120_000);
    const report = finalReport(120_000);
    helper.getNode('barsNode').receive({});
    replayed = await report;
    const m = replayed.payload;
    assert.equal(Math.round(m.finalEquity * 100), Math.round(expected.finalEquity * 100));
    assert.equal(m.trades, expected.closedTrades);
    assert.equal(m.winningTrades, expected.winningTrades);
    assert.equal(m.openPosition, 0);
    assert.equal(m.maxDrawdownPct.toFixed(4), expected.maxDrawdownPct.toFixed(4));
    assert.equal(m.maxDrawdownBars, expected.maxDrawdownBars);
    assert.equal(m.sharpe.toFixed(6), expected.sharpe.value.toFixed(6));
    assert.equal(m.profitFactor.toFixed(6), expected.profitFactor.toFixed(6));
    assert.equal(m.exposurePct.toFixed(2), expected.exposurePct.toFixed(2));
    const csv = readFileSync(join(fixture, 'trades.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    assert.deepEqual(
      replayed.trades.map((t: any) => [t.entryDate.slice(0, 10), t.exitDate.slice(0, 10), t.entryPrice.toFixed(4), t.exitPrice.toFixed(4), (Math.round(t.pnl * 100) / 100).toFixed(2)]),
      csv.map(([a, b, c, d, e]) => [a, b, Number(c).toFixed(4), Number(d).toFixed(4), Number(e).toFixed(2)]),
    );
    assert.deepEqual(progress.map((p) => p.payload.bars), [2500, 5000, 7500, 10000]);
    assert.equal(progress[1]!.payload.percent, 50);
    replayedProgress = progress;
    const [equity, buyHold] = await charts;
    assert.equal(equity!.topic, 'equity');
    assert.equal(equity!.action, 'replace');
    assert.equal(equity!.payload.length, 200);
    assert.deepEqual(Object.keys(equity!.payload[0]), ['x', 'y']);
    assert.equal(buyHold!.topic, 'buy & hold');
  });

  it("the backtest summary widget shows the replay's messages as a trader reads them: progress, then the fixture's figures and trades, newest first", () => {
    const model = new BacktestSummaryModel({ summary: true, metrics: true, parts: true, trades: true }, 5);
    assert.equal(model.accept(replayedProgress[1]!), true);
    let view = model.view();
    assert.equal(view.phase, 'running');
    assert.match(view.state, /^replaying: 5,000 of 10,000 bars \(50 %\), [\d,]+ bars\/s$/);
    assert.equal(view.percent, 50);
    assert.equal(model.accept(replayed), true);
    view = model.view();
    assert.equal(view.phase, 'done');
    const figure = (label: string) => view.figures.find((f) => f.label === label)?.value;
    const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    assert.equal(figure('Final equity'), money.format(expected.finalEquity));
    assert.equal(figure('Return'), `+${((expected.finalEquity / 100_000 - 1) * 100).toFixed(2)} %`);
    assert.equal(figure('Trades'), String(expected.closedTrades));
    assert.equal(figure('Max drawdown'), `${expected.maxDrawdownPct.toFixed(2)} %`);
    assert.equal(figure('Sharpe'), expected.sharpe.value.toFixed(3));
    assert.equal(figure('Win rate'), `${((expected.winningTrades / expected.closedTrades) * 100).toFixed(2)} %`);
    const metric = (name: string) => view.metrics.rows.find((r) => r.metric === name)?.value;
    assert.equal(metric('Start equity'), '100,000.00');
    assert.equal(metric('Profit factor'), expected.profitFactor.toFixed(3));
    assert.equal(metric('Exposure'), `${expected.exposurePct.toFixed(2)} %`);
    // The newest five trades, the last of the fixture's first; the caption says what is left out.
    const csv = readFileSync(join(fixture, 'trades.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    assert.deepEqual(
      view.trades.rows.map((r) => [r.entry.slice(0, 10), r.exit.slice(0, 10), r['P&L']]),
      csv.slice(-5).reverse().map(([a, b, , , e]) => [a, b, `${Number(e) > 0 ? '+' : ''}${money.format(Number(e))}`]),
    );
    assert.equal(view.tradesNote, `the last 5 of ${expected.closedTrades} trades`);
    assert.deepEqual(view.parts.rows.map((r) => r.part), ['BARS', 'strategy: market']);
    assert.equal(view.parts.rows[0]!['P&L'], `+${money.format(expected.finalEquity - 100_000)}`);
    // The next run's first progress clears this report.
    model.accept(replayedProgress[0]!);
    assert.equal(model.view().phase, 'running');
    assert.deepEqual(model.view().trades.rows, []);
  });

  it('the batch version of the flow gives the same metrics and trades to the cent', async () => {
    await load(strategyFlow(join(fixture, 'bars.csv'), 'all'));
    const report = finalReport(60_000);
    helper.getNode('barsNode').receive({});
    const batch = await report;
    assert.deepEqual(batch.payload, replayed.payload);
    assert.deepEqual(batch.trades, replayed.trades);
  });

  it('the batch flow with the bars as columns gives the same metrics and trades to the cent', async () => {
    await load(strategyFlow(join(fixture, 'bars.csv'), 'columns'));
    const report = finalReport(60_000);
    helper.getNode('barsNode').receive({});
    const batch = await report;
    assert.deepEqual(batch.payload, replayed.payload);
    assert.deepEqual(batch.trades, replayed.trades);
  });

  it('a delay and an asynchronous function node in the path give the same trades', async () => {
    // 1200 bars keep the delays short.
    const lines = readFileSync(join(fixture, 'bars.csv'), 'utf8').trim().split('\n').slice(0, 1201);
    const file = join(tmp, 'short.csv');
    writeFileSync(file, lines.join('\n'));
    const run = async (beforeCross: object[] = []) => {
      await load(strategyFlow(file, 'each', { beforeCross }));
      const report = finalReport(60_000);
      helper.getNode('barsNode').receive({});
      const result = await report;
      await helper.unload();
      return result;
    };
    const direct = await run();
    const delayed = await run([
      { id: 'waitNode', z: 'tab', type: 'delay', pauseType: 'delay', timeout: '1', timeoutUnits: 'milliseconds', wires: [['laterNode']] },
      { id: 'laterNode', z: 'tab', type: 'function', func: 'setTimeout(() => { node.send(msg); node.done(); }, 1); return;', outputs: 1, wires: [['crossNode']] },
    ]);
    assert.ok(direct.trades.length >= 10, `${direct.trades.length} trades`);
    assert.deepEqual(delayed.trades, direct.trades);
    assert.deepEqual(delayed.payload, direct.payload);
  });

  it('a strategy that looks for the next bar in flow context never sees it', async () => {
    const lines = readFileSync(join(fixture, 'bars.csv'), 'utf8').trim().split('\n').slice(0, 401);
    const file = join(tmp, 'peek.csv');
    writeFileSync(file, lines.join('\n'));
    const flow = [
      tab,
      connection,
      { id: 'barsNode', z: 'tab', type: 'ib-historical-bars', connection: 'bt', source: 'file', file, output: 'each', wires: [['rememberNode', 'waitNode']] },
      // One branch stores the newest bar; the strategy reads it after a delay, hoping a later bar got there.
      { id: 'rememberNode', z: 'tab', type: 'function', func: 'flow.set("newest", msg.payload); return null;', outputs: 1, wires: [[]] },
      { id: 'waitNode', z: 'tab', type: 'delay', pauseType: 'delay', timeout: '2', timeoutUnits: 'milliseconds', wires: [['peekNode']] },
      {
        id: 'peekNode',
        z: 'tab',
        type: 'function',
        func: 'const newest = flow.get("newest"); if (newest.time > msg.payload.time) { flow.set("peeks", (flow.get("peeks") || 0) + 1); } msg.order = { targetQuantity: newest.close > msg.payload.close ? 100 : 0 }; return msg;',
        outputs: 1,
        wires: [['orderNode']],
      },
      { id: 'orderNode', z: 'tab', type: 'ib-place-order', name: 'market', connection: 'bt', orderType: 'MKT', tif: 'DAY', wires: [[], []] },
      { id: 'reportNode', z: 'tab', type: 'ib-backtest-report', connection: 'bt', progressEvery: 0, wires: [['outNode'], [], [], []] },
      { id: 'outNode', z: 'tab', type: 'helper' },
    ];
    await load(flow);
    const report = finalReport(60_000);
    helper.getNode('barsNode').receive({});
    const result = await report;
    assert.equal(result.payload.bars, 400);
    assert.equal(result.payload.trades, 0, 'no bar ever looked better than itself');
    assert.equal(result.payload.finalEquity, 100_000);
  });

  it('batch input without orders, or misaligned, ends in done(err) with what to fix', async () => {
    const flow = [
      tab,
      { id: 'reportNode', z: 'tab', type: 'ib-backtest-report', wires: [['outNode'], [], [], []] },
      { id: 'catcher', z: 'tab', type: 'catch', scope: ['reportNode'], uncaught: false, wires: [['caughtNode']] },
      { id: 'outNode', z: 'tab', type: 'helper' },
      { id: 'caughtNode', z: 'tab', type: 'helper' },
    ];
    await load(flow);
    const bars = [{ time: 0, open: 1, high: 1, low: 1, close: 1, volume: 0 }];
    let caught = nextMessage(helper.getNode('caughtNode'));
    helper.getNode('reportNode').receive({ payload: bars });
    assert.match((await caught).error.message, /msg\.order is missing: put a risk-sizer/);
    caught = nextMessage(helper.getNode('caughtNode'));
    helper.getNode('reportNode').receive({ payload: bars, order: [null, null] });
    assert.match((await caught).error.message, /index-aligned/);
    caught = nextMessage(helper.getNode('caughtNode'));
    helper.getNode('reportNode').receive({ payload: bars, order: [null], backtest: { commission: 'cheap' } });
    assert.match((await caught).error.message, /msg\.backtest\.commission must be one of/);
    // Without a connection: cash 100,000, no costs; a good batch reports at once.
    const out = nextMessage(helper.getNode('outNode'));
    helper.getNode('reportNode').receive({ topic: 'X', payload: [...bars, { ...bars[0]!, time: 86_400_000, open: 2, high: 2, close: 2 }], order: [{ targetQuantity: 10 }, null] });
    const report = await out;
    assert.equal(report.payload.instrument, 'X');
    assert.equal(report.payload.finalEquity, 100_000, 'bought at the open of 2 and marked at the close of 2');
    assert.equal(report.payload.openPosition, 10);
  });
});
