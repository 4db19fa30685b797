import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withBacktestOverride } from '../../lib/backtest/options';
import { engineOptions } from '../../lib/backtest/session';
import type { BacktestOptions } from '../../lib/backtest/types';

const BASE: BacktestOptions = { startingCash: 100_000, commission: 'ib-fixed' };

test('msg.backtest over the connection\'s options: each given option checked, the rest kept', () => {
  assert.deepEqual(withBacktestOverride(BASE, undefined), BASE);
  assert.deepEqual(withBacktestOverride(BASE, { startingCash: '5000', commission: 'percent', commissionPercent: 0.2, fillAt: 'close', slippage: { kind: 'ticks', amount: 1 }, accountType: 'reg-t' }), {
    startingCash: 5000,
    commission: 'percent',
    commissionPercent: 0.2,
    fillAt: 'close',
    slippage: { kind: 'ticks', amount: 1 },
    accountType: 'reg-t',
  });
  assert.throws(() => withBacktestOverride(BASE, 'cheap'), /msg\.backtest must be an object/);
  assert.throws(() => withBacktestOverride(BASE, { startingCash: 0 }), /msg\.backtest\.startingCash must be a positive amount, got 0/);
  assert.throws(() => withBacktestOverride(BASE, { commission: 'free' }), /msg\.backtest\.commission must be one of none, ib-fixed, ib-tiered, percent, got "free"/);
  assert.throws(() => withBacktestOverride(BASE, { fillAt: 'open' }), /msg\.backtest\.fillAt must be "next-open" or "close"/);
  assert.throws(() => withBacktestOverride(BASE, { accountType: 'margin' }), /msg\.backtest\.accountType must be one of cash, reg-t/);
});

test('msg.backtest refuses a negative commission percent and a slippage that is not {kind, amount}, which it used to pass on', () => {
  assert.throws(() => withBacktestOverride(BASE, { commissionPercent: -1 }), /msg\.backtest\.commissionPercent must be a percentage of 0 or more, got -1/);
  assert.throws(() => withBacktestOverride(BASE, { slippage: 2 }), /msg\.backtest\.slippage must be \{"kind": "none" \| "ticks" \| "bps"/);
  assert.throws(() => withBacktestOverride(BASE, { slippage: { kind: 'pips', amount: 1 } }), /msg\.backtest\.slippage must be/);
  assert.throws(() => withBacktestOverride(BASE, { slippage: { kind: 'bps', amount: -3 } }), /msg\.backtest\.slippage must be/);
});

test('the engine takes the same starting-cash rule', () => {
  assert.throws(() => engineOptions({ ...BASE, startingCash: Number.NaN }), /backtest starting cash must be a positive amount, got NaN/);
  assert.equal(engineOptions(BASE).startingCash, 100_000);
});
