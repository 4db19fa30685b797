/**
 * The batch backtest on the SMA-crossover fixture (test/fixtures/sma-cross-10k) (every trade and the agreed metrics), the backtest connection
 * and session fed bar by bar as a replay does (same numbers as batch, to the cent, with costs and with
 * close fills), and no look-ahead.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { runBatchBacktest } from '../../lib/broker/batch-backtest';
import { barsToColumns } from '../../lib/messages/bar-columns';
import type { BacktestRun } from '../../lib/backtest/session';
import type { BacktestOptions, BacktestSummary } from '../../lib/backtest/types';
import { contractFromKey } from '../../lib/messages/instrument';
import type { Bar, OrderIntent } from '../../lib/messages';
import { buildOrder } from '../../lib/orders/build';
import { fixturesDir } from '../helpers/paths';
import { replayTargets } from '../helpers/replay';
import { smaCrossTargets } from '../helpers/sma-cross';

const dir = join(fixturesDir, 'sma-cross-10k');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

function loadBars(): Bar[] {
  const lines = readFileSync(join(dir, 'bars.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [date, open, high, low, close, volume] = line.split(',');
    return { time: Date.parse(`${date}T00:00:00Z`), open: +open!, high: +high!, low: +low!, close: +close!, volume: +volume! };
  });
}

/** The fixture's strategy, written out plainly: SMA(20)/SMA(50) cross, 100 shares long-only. */
function smaCrossIntents(bars: Bar[]): Array<OrderIntent | null> {
  return smaCrossTargets(bars, 20, 50, 100, 0);
}

const bars = loadBars();
const intents = smaCrossIntents(bars);
const noCosts: BacktestOptions = { startingCash: 100_000, commission: 'none', fillAt: 'next-open' };

/** Replay the way the nodes do it (test/helpers/replay.ts). */
function replay(options: BacktestOptions, key = 'SPY'): BacktestSummary {
  return replayTargets({ key, bars, intents, options });
}

const cents = (x: number) => Math.round(x * 100);

describe('batch backtest on the SMA-crossover fixture (test/fixtures/sma-cross-10k)', () => {
  const summary = runBatchBacktest({ key: 'SPY', bars, orders: intents, options: noCosts });
  const m = summary.metrics;

  it('reproduces the agreed metrics', () => {
    assert.equal(cents(m.finalEquity), cents(expected.finalEquity));
    assert.equal(m.trades, expected.closedTrades);
    assert.equal(m.winningTrades, expected.winningTrades);
    assert.equal(m.openPosition, expected.openPositionAtEnd);
    assert.equal(m.maxDrawdownPct.toFixed(4), expected.maxDrawdownPct.toFixed(4));
    assert.equal(m.maxDrawdownBars, expected.maxDrawdownBars);
    assert.equal(m.sharpe!.toFixed(6), expected.sharpe.value.toFixed(6));
    assert.equal(m.profitFactor!.toFixed(6), expected.profitFactor.toFixed(6));
    assert.equal(m.exposurePct.toFixed(2), expected.exposurePct.toFixed(2));
    assert.equal(m.periodsPerYear, 252);
    assert.equal(m.bars, bars.length);
  });

  it('reproduces every trade of trades.csv', () => {
    const rows = readFileSync(join(dir, 'trades.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    assert.equal(summary.trades.length, rows.length);
    rows.forEach(([entryDate, exitDate, entryPx, exitPx, pnl], i) => {
      const t = summary.trades[i]!;
      assert.equal(new Date(t.entryTime).toISOString().slice(0, 10), entryDate, `trade ${i} entry date`);
      assert.equal(new Date(t.exitTime!).toISOString().slice(0, 10), exitDate, `trade ${i} exit date`);
      assert.equal(t.entryPrice.toFixed(4), Number(entryPx).toFixed(4));
      assert.equal(t.exitPrice!.toFixed(4), Number(exitPx).toFixed(4));
      assert.equal(cents(t.pnl), cents(Number(pnl)), `trade ${i} pnl`);
    });
  });

  it('a replay through the backtest connection gives the same trades and metrics to the cent', () => {
    const replayed = replay(noCosts);
    assert.deepEqual(replayed.trades, summary.trades);
    assert.deepEqual(replayed.metrics, summary.metrics);
  });

  it('bars as columns give the same trades, metrics and curve as bar objects', () => {
    const columnar = runBatchBacktest({ key: 'SPY', bars: barsToColumns(bars), orders: intents, options: noCosts });
    assert.deepEqual(columnar.trades, summary.trades);
    assert.deepEqual(columnar.metrics, summary.metrics);
    assert.deepEqual(Array.from(columnar.curve.equity), Array.from(summary.curve.equity));
  });

  it('columns: a missing price column or a length mismatch is named before anything runs', () => {
    const { open: _open, ...noOpen } = barsToColumns(bars);
    assert.throws(() => runBatchBacktest({ key: 'SPY', bars: noOpen, orders: intents, options: noCosts }), /msg\.payload\.open is missing: a backtest reads the open of every bar/);
    const short = { ...barsToColumns(bars), close: bars.slice(1).map((b) => b.close) };
    assert.throws(() => runBatchBacktest({ key: 'SPY', bars: short, orders: intents, options: noCosts }), /msg\.payload\.close has 9999 entries but msg\.payload\.time has 10000/);
  });

  it('the same holds with IB commissions, slippage and fills at the close', () => {
    const options: BacktestOptions = { startingCash: 100_000, commission: 'ib-fixed', slippage: { kind: 'ticks', amount: 1 }, fillAt: 'close' };
    const batch = runBatchBacktest({ key: 'SPY', bars, orders: intents, options });
    const replayed = replay(options);
    assert.deepEqual(replayed.metrics, batch.metrics);
    assert.deepEqual(replayed.trades, batch.trades);
    // 224 orders of 100 shares at USD 0.005 (minimum 1) each.
    assert.equal(cents(batch.metrics.commissions), cents(224 * 1));
    const t = batch.trades[0]!;
    const signalBar = bars.findIndex((b) => b.time === t.entryTime);
    assert.equal(t.entryPrice, +(bars[signalBar]!.close + 0.01).toFixed(4), 'close fill plus one tick of slippage');
    assert.ok(batch.metrics.finalEquity < m.finalEquity);
    // Commissions are settled on the bar they were paid: the equity curve ends on the final equity.
    assert.equal(batch.curve.equity[batch.curve.length - 1], batch.metrics.finalEquity);
  });

  it('orders fill on the next bar only: knowing the next gap earns nothing from it', () => {
    // Peek: buy before every gap up, sell before every gap down.
    const peek = bars.map((b, i) => (i + 1 < bars.length ? { targetQuantity: bars[i + 1]!.open > b.close ? 100 : 0 } : null));
    const result = runBatchBacktest({ key: 'SPY', bars, orders: peek, options: noCosts });
    const byTime = new Map(bars.map((b, i) => [b.time, i]));
    for (const ex of result.executions) {
      const i = byTime.get(ex.time)!;
      assert.equal(ex.price, bars[i]!.open, 'a market order placed on bar i-1 fills at the open of bar i');
    }
    // A fill at the signal bar's close would have pocketed every gap: tens of thousands here.
    let gapProfit = 0;
    for (let i = 0; i + 1 < bars.length; i++) if (bars[i + 1]!.open > bars[i]!.close) gapProfit += 100 * (bars[i + 1]!.open - bars[i]!.close);
    assert.ok(gapProfit > 50_000, `gap profit ${gapProfit}`);
    assert.ok(result.metrics.finalEquity - 100_000 < gapProfit / 10, `made ${result.metrics.finalEquity - 100_000}`);
  });

  it('rejects misaligned or missing orders with a message that says what to do', () => {
    assert.throws(() => runBatchBacktest({ key: 'SPY', bars, orders: intents.slice(1), options: noCosts }), /index-aligned/);
    assert.throws(() => runBatchBacktest({ key: 'SPY', bars, orders: undefined as never, options: noCosts }), /msg.order must be an array/);
    const bad = intents.map((o, i) => (i === 100 ? ({ targetQuantity: 'lots' } as never) : o));
    assert.throws(() => runBatchBacktest({ key: 'SPY', bars, orders: bad, options: noCosts }), /msg\.order\[100\]\.targetQuantity/);
    const badBar = bars.map((b, i) => (i === 7 ? { ...b, close: NaN } : b));
    assert.throws(() => runBatchBacktest({ key: 'SPY', bars: badBar, orders: intents, options: noCosts }), /no valid close/);
    assert.throws(() => runBatchBacktest({ key: 'SPY', bars, orders: intents, options: { ...noCosts, startingCash: 0 } }), /starting cash/);
  });
});

describe('backtest connection', () => {
  it('loads nothing that can open a socket: no IB client, only the engine, orders and backtest code', () => {
    const lib = join(__dirname, '..', '..', 'lib');
    const script = `const c = require(${JSON.stringify(join(lib, 'connection', 'backtest-connection.js'))}).createBacktestConnection({ startingCash: 1000, commission: 'none' });
      const loaded = Object.keys(require.cache).filter((k) => k.includes('node_modules') || k.startsWith(${JSON.stringify(lib)}));
      let live = 'a socket';
      try { c.liveData('quotes'); } catch (err) { live = err.name; }
      process.stdout.write(JSON.stringify({ loaded, live }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { loaded: string[]; live: unknown };
    assert.equal(out.live, 'CapabilityError', 'no live data: there is no socket');
    assert.ok(out.loaded.some((k) => k.includes('fill-engine')), 'the fill engine is among the modules seen');
    assert.deepEqual(out.loaded.filter((k) => k.includes('node_modules')), [], 'no package (no @stoqey/ib) is loaded');
    const allowed = /[\\/]lib[\\/](connection[\\/](backtest-connection|backtest-account-source|errors)|data[\\/](account-backtest|attribution)|backtest[\\/]|broker[\\/]backtest-broker|fills[\\/]|orders[\\/]|messages[\\/])/;
    assert.deepEqual(out.loaded.filter((k) => !allowed.test(k)), [], 'only backtest, engine and order code');
  });

  it('has no socket, a backtest broker, a paper-style account, and resets on each run', () => {
    const connection = createBacktestConnection(noCosts);
    assert.equal(connection.mode, 'backtest');
    assert.throws(() => connection.liveData('quotes'), /no live source on a backtest connection/);
    assert.equal(connection.broker.kind, 'backtest');
    assert.equal(connection.broker.orderBlock(), null);
    assert.match(connection.broker.account()!, /^D/);
    assert.equal(connection.status().live, false);
    const session: BacktestRun = connection.replay();
    assert.throws(() => session.onBar('SPY', bars[0]!), /no replay is running/);
    session.begin('a', 'SPY', 2);
    session.onBar('SPY', bars[0]!);
    connection.broker.placeOrder(1, contractFromKey('SPY'), buildOrder('BUY', 10, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'x'));
    assert.equal(connection.broker.workingOrders('SPY').length, 1);
    session.onBar('SPY', bars[1]!);
    assert.equal(connection.broker.position('SPY'), 10);
    session.end('a');
    assert.equal(session.summary().metrics.openPosition, 10);
    session.begin('b', 'SPY', 1);
    assert.equal(connection.broker.position('SPY'), 0, 'a new run starts flat');
    assert.equal(connection.broker.equity(), 100_000);
  });
});
