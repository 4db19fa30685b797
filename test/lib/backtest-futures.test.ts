/**
 * Backtests of a futures series (ES, multiplier 50): the batch backtest and a replay through the
 * backtest connection agree to the cent, and trades, commissions and equity count points x 50 x
 * contracts. The multiplier reaches the engine as contract details a caller knows (the engine's
 * multiplier option) or on the orders' contract (msg.contract); a future without one is refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runBatchBacktest } from '../../lib/broker/batch-backtest';
import type { EngineFactory } from '../../lib/backtest/session';
import { randomWalkBars } from '../../bench/synthetic-bars';
import type { BacktestOptions, BacktestSummary } from '../../lib/backtest/types';
import { contractFromKey } from '../../lib/messages/instrument';
import type { Bar, OrderIntent } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import { replayTargets } from '../helpers/replay';
import { smaCrossTargets } from '../helpers/sma-cross';

const ES = 'ES:FUT:CME:USD:20261218';
const MULTIPLIER = 50;
const CONTRACTS = 2;

/** A random walk around 5000 on ES's 0.25 tick. */
const bars: Bar[] = randomWalkBars(3000, 7).map((b) => {
  const tick = (v: number) => Math.round(v * 50 * 4) / 4;
  return { ...b, open: tick(b.open), high: tick(b.high), low: tick(b.low), close: tick(b.close) };
});

/** SMA(10)/SMA(30) cross, long and short CONTRACTS contracts. */
function intents(): Array<OrderIntent | null> {
  return smaCrossTargets(bars, 10, 30, CONTRACTS, -CONTRACTS);
}

const orders = intents();
const esEngine: EngineFactory = (o) => new FillEngine({ ...o, multiplier: (symbol) => (symbol === ES ? MULTIPLIER : undefined) });

function replay(options: BacktestOptions): BacktestSummary {
  return replayTargets({ key: ES, bars, intents: orders, options: { ...options, createEngine: esEngine }, contract: { ...contractFromKey(ES), multiplier: MULTIPLIER } });
}

const cents = (x: number) => Math.round(x * 100);

describe('futures backtest (ES, multiplier 50)', () => {
  const options: BacktestOptions = { startingCash: 1_000_000, commission: 'ib-fixed', fillAt: 'next-open' };
  const batch = runBatchBacktest({ key: ES, bars, orders, options, createEngine: esEngine });

  it('batch and replay agree to the cent: trades, metrics and equity curve', () => {
    const replayed = replay(options);
    assert.ok(batch.trades.length > 20, `${batch.trades.length} trades`);
    assert.deepEqual(replayed.trades, batch.trades);
    assert.deepEqual(replayed.metrics, batch.metrics);
    assert.deepEqual(Array.from(replayed.curve.equity), Array.from(batch.curve.equity));
  });

  it('every trade earns (exit - entry) x contracts x 50, less USD 0.85 a contract', () => {
    let realized = 0;
    for (const t of batch.trades.filter((x) => !x.open)) {
      const points = (t.exitPrice! - t.entryPrice) * (t.direction === 'long' ? 1 : -1);
      assert.equal(t.quantity, CONTRACTS);
      assert.equal(t.multiplier, MULTIPLIER);
      assert.equal(cents(t.pnl), cents(points * CONTRACTS * MULTIPLIER - t.commission));
      assert.equal(cents(t.commission), cents(2 * CONTRACTS * 0.85), 'one entry and one exit of 2 contracts');
      realized += t.pnl;
    }
    const contractsTraded = batch.executions.reduce((sum, x) => sum + x.shares, 0);
    assert.equal(cents(batch.metrics.commissions), cents(contractsTraded * 0.85));
    // Equity at the end: starting cash + closed trades + the open trade marked at the last close.
    const open = batch.trades.find((t) => t.open)!;
    const last = bars.at(-1)!.close;
    const openGross = (last - open.entryPrice) * (open.direction === 'long' ? CONTRACTS : -CONTRACTS) * MULTIPLIER;
    assert.equal(cents(batch.metrics.finalEquity), cents(1_000_000 + realized + openGross - open.commission));
  });

  it('equity moves 50 x contracts per point while a position is held', () => {
    const first = batch.executions[0]!;
    const i = bars.findIndex((b) => b.time === first.time);
    const step = batch.curve.equity[i + 2]! - batch.curve.equity[i + 1]!;
    const points = bars[i + 2]!.close - bars[i + 1]!.close;
    assert.ok(batch.curve.exposed[i + 2] === 1);
    assert.equal(cents(step), cents(points * MULTIPLIER * CONTRACTS * (first.side === 'BUY' ? 1 : -1)));
  });

  it('the multiplier on the contract the orders go out with (msg.contract) gives the same run', () => {
    const contract = { ...contractFromKey(ES), multiplier: '50' } as never;
    const viaContract = runBatchBacktest({ key: ES, bars, orders, options, contract });
    assert.deepEqual(viaContract.trades, batch.trades);
    assert.deepEqual(viaContract.metrics, batch.metrics);
    // A topic spelled otherwise ("es") still meets the contract's orders: the bars go in under its key.
    const shortTopic = runBatchBacktest({ key: 'es', bars, orders, options, contract });
    assert.deepEqual(shortTopic.trades, batch.trades);
  });

  it('without a multiplier a future is refused, and the batch says so instead of reporting no trades', () => {
    assert.throws(() => runBatchBacktest({ key: ES, bars, orders, options }), /^Error: batch backtest: the order for msg\.order\[\d+\] \(order 1\) was refused: .*multiplier/);
  });
});
