/**
 * The SMA(20)/SMA(50) crossover fixture (test/fixtures/sma-cross-10k, numbers backtrader, backtesting.py
 * and two independent implementations agree on) driven through the fill engine by a plain loop: every
 * trade and the final equity must match to the cent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bar } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import { fixturesDir } from '../helpers/paths';

const dir = join(fixturesDir, 'sma-cross-10k');

interface Row {
  date: string;
  bar: Bar;
}

function readBars(): Row[] {
  const lines = readFileSync(join(dir, 'bars.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [date, open, high, low, close, volume] = line.split(',');
    return {
      date,
      bar: { time: Date.parse(`${date}T00:00:00Z`), open: +open, high: +high, low: +low, close: +close, volume: +volume },
    };
  });
}

function readTrades(): Array<{ entryDate: string; exitDate: string; entryPx: number; exitPx: number; pnl: number }> {
  const lines = readFileSync(join(dir, 'trades.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [entryDate, exitDate, entryPx, exitPx, pnl] = line.split(',');
    return { entryDate, exitDate, entryPx: +entryPx, exitPx: +exitPx, pnl: +pnl };
  });
}

const toDate = (time: number) => new Date(time).toISOString().slice(0, 10);

test('SMA(20/50) crossover through the engine matches every fixture trade and the final equity', () => {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
    finalEquity: number;
    closedTrades: number;
    winningTrades: number;
  };
  const rows = readBars();
  const engine = new FillEngine({ account: 'DU1234567', startingCash: 100_000, minTick: () => 0.0001 });
  const symbol = 'SYNTH';
  const fast = 20;
  const slow = 50;
  const closes: number[] = [];
  let fastSum = 0;
  let slowSum = 0;
  let prevDiff = NaN;
  let nextId = 1;

  for (const { bar } of rows) {
    engine.onBar(symbol, bar); // fills what the last bar's decision ordered, at this bar's open
    closes.push(bar.close);
    const n = closes.length;
    fastSum += bar.close;
    slowSum += bar.close;
    if (n > fast) fastSum -= closes[n - 1 - fast];
    if (n > slow) slowSum -= closes[n - 1 - slow];
    if (n < slow) continue;
    const diff = fastSum / fast - slowSum / slow;
    const held = engine.position(symbol)?.quantity ?? 0;
    if (prevDiff === prevDiff) {
      if (prevDiff <= 0 && diff > 0 && held === 0) {
        engine.submit({ orderId: nextId++, symbol, action: 'BUY', totalQuantity: 100, orderType: 'MKT', tif: 'GTC' });
      } else if (prevDiff >= 0 && diff < 0 && held > 0) {
        engine.submit({ orderId: nextId++, symbol, action: 'SELL', totalQuantity: held, orderType: 'MKT', tif: 'GTC' });
      }
    }
    prevDiff = diff;
  }

  const fills = engine.executions();
  const trades = readTrades();
  assert.equal(fills.length, trades.length * 2, 'one entry and one exit per fixture trade');
  let wins = 0;
  trades.forEach((t, i) => {
    const entry = fills[2 * i];
    const exit = fills[2 * i + 1];
    assert.equal(entry.side, 'BUY');
    assert.equal(exit.side, 'SELL');
    assert.equal(toDate(entry.time), t.entryDate, `trade ${i + 1} entry date`);
    assert.equal(toDate(exit.time), t.exitDate, `trade ${i + 1} exit date`);
    assert.equal(entry.price, t.entryPx, `trade ${i + 1} entry price`);
    assert.equal(exit.price, t.exitPx, `trade ${i + 1} exit price`);
    assert.equal(entry.realizedPnl, null);
    assert.ok(Math.abs(exit.realizedPnl! - t.pnl) < 0.005, `trade ${i + 1} pnl ${exit.realizedPnl} vs ${t.pnl}`);
    if (exit.realizedPnl! > 0) wins++;
  });
  assert.equal(trades.length, expected.closedTrades);
  assert.equal(wins, expected.winningTrades);
  assert.equal(engine.position(symbol)?.quantity, 0);
  assert.equal(Math.round(engine.equity() * 100) / 100, expected.finalEquity);
  assert.equal(Math.round(engine.cash() * 100) / 100, expected.finalEquity);
  assert.equal(engine.commissionsPaid(), 0);
});
