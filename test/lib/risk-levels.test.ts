/**
 * risk-sizer levels on the instrument's tick (stops away from the entry, take-profits toward it, risk
 * sized on the rounded stop) and sizing of contracts with a multiplier (ES: price x 50 a contract).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SIZER_CONFIG, sizePosition, validateSizerConfig, type SizerConfig, type SizingInput } from '../../lib/risk/sizing';
import { roundOnTick, roundToTick } from '../../lib/risk/levels-tick';
import { roundToTick as stopOrderRounding } from '../../lib/orders/levels';

const cfg = (over: Partial<SizerConfig> = {}): SizerConfig => ({ ...DEFAULT_SIZER_CONFIG, ...over });
const input = (over: Partial<SizingInput> = {}): SizingInput => ({
  side: 'BUY',
  price: 5000,
  equity: 1_000_000,
  position: null,
  labels: { price: 'msg.payload.close', equity: 'msg.account.equity', atr: 'msg.indicators.atr14', stopLevel: 'msg.stop' },
  instrument: 'ES:FUT:CME:USD:20261218',
  ...over,
});
const ES = { multiplier: 50, tick: 0.25 };

describe('tick rounding', () => {
  it('nearest, down and up; a price on the tick (up to binary noise) stays put', () => {
    assert.equal(roundOnTick(5000.1, 0.25, 'nearest'), 5000);
    assert.equal(roundOnTick(5000.1, 0.25, 'down'), 5000);
    assert.equal(roundOnTick(5000.1, 0.25, 'up'), 5000.25);
    assert.equal(roundOnTick(14.200000000000001, 0.01, 'up'), 14.2);
    assert.equal(roundOnTick(55.00000000000001, 0.01, 'down'), 55);
    assert.equal(roundOnTick(0.3, 0.1, 'down'), 0.3);
    assert.equal(roundOnTick(1.08507, 0.00005, 'down'), 1.08505);
    assert.equal(roundOnTick(1.08507, 0.00005, 'up'), 1.0851);
    assert.equal(roundOnTick(12.345, 0, 'up'), 12.345, 'tick 0: unrounded');
  });
  it('stop-order keeps its rounding: the same function, re-exported', () => {
    assert.equal(stopOrderRounding, roundToTick);
    assert.equal(roundToTick(0.1 + 0.2, 0.01), 0.3);
    assert.equal(roundToTick(5000.125, 0.25), 5000.25);
  });
});

describe('risk-sizer levels on the tick', () => {
  it('a long stop rounds down and a short stop up: away from the entry', () => {
    // 1.5% of 5000.25 = 75.00375: the long stop 4925.24625 goes down to 4925, the short's 5075.25375 up to 5075.5.
    const long = sizePosition(cfg({ ...ES, stop: { kind: 'percent', percent: 1.5 } }), input({ price: 5000.25 }));
    assert.equal(long.stopLoss, 4925);
    const short = sizePosition(cfg({ ...ES, direction: 'long-short', stop: { kind: 'percent', percent: 1.5 } }), input({ price: 5000.25, side: 'SELL' }));
    assert.equal(short.stopLoss, 5075.5);
  });
  it('a take-profit rounds toward the entry: down for a long, up for a short', () => {
    const long = sizePosition(cfg({ ...ES, takeProfit: { kind: 'fixed', distance: 10.1 } }), input());
    assert.equal(long.takeProfit, 5010);
    const short = sizePosition(cfg({ ...ES, direction: 'long-short', takeProfit: { kind: 'fixed', distance: 10.1 } }), input({ side: 'SELL' }));
    assert.equal(short.takeProfit, 4990);
  });
  it('risk per trade is sized on the rounded stop: the loss at the stop never exceeds the budget', () => {
    // 1% of 1,000,000 = 10,000 at risk; ATR 3.1 x 2 = 6.2 points -> the long stop 4993.8 goes to 4993.75 (6.25 points).
    const config = cfg({ ...ES, method: 'risk', riskPercent: 1, stop: { kind: 'atr', multiple: 2 }, takeProfit: { kind: 'r', multiple: 2 } });
    const order = sizePosition(config, input({ atr: 3.1 }));
    assert.equal(order.stopLoss, 4993.75);
    // 10,000 / (6.25 x 50) = 32 contracts (sized on 6.2 points it would be 32.26 -> 32 as well, but risk 32 x 6.25 x 50 = 10,000 exactly).
    assert.equal(order.targetQuantity, 32);
    assert.ok(order.targetQuantity! * (5000 - order.stopLoss!) * 50 <= 10_000);
    // 2R of the rounded 6.25-point stop = 12.5 points, already on the tick.
    assert.equal(order.takeProfit, 5012.5);
    // A stop that does not land on the tick: 7.3 points -> 7.5; 10,000 / (7.5 x 50) = 26.67 -> 26 contracts, risking 9,750.
    const wider = sizePosition(cfg({ ...ES, method: 'risk', riskPercent: 1, stop: { kind: 'fixed', distance: 7.3 } }), input());
    assert.equal(wider.stopLoss, 4992.5);
    assert.equal(wider.targetQuantity, 26);
  });
  it('a stop level from the message is put on the tick away from the entry too', () => {
    const order = sizePosition(cfg({ ...ES, direction: 'long-short', method: 'risk', stop: { kind: 'level' } }), input({ side: 'SELL', stopLevel: 5020.1 }));
    assert.equal(order.stopLoss, 5020.25);
    assert.equal(order.targetQuantity, -Math.floor(10_000 / (20.25 * 50)));
  });
  it('a take-profit within one tick of the entry is an error that says so', () => {
    assert.throws(
      () => sizePosition(cfg({ ...ES, takeProfit: { kind: 'fixed', distance: 0.2 } }), input()),
      /take-profit 5000\.2 is less than one tick \(0\.25\) from the entry 5000 \(msg\.payload\.close\): on the tick it would be at 5000; use a larger take-profit/,
    );
  });
  it('tick 0 leaves levels as the rule computes them', () => {
    const order = sizePosition(cfg({ tick: 0, stop: { kind: 'percent', percent: 1.5 } }), input({ price: 5000.25 }));
    assert.equal(order.stopLoss, 5000.25 - 5000.25 * 0.015);
  });
});

describe('contracts with a multiplier', () => {
  it('notional, percent of equity and the notional cap count price x multiplier per contract', () => {
    // One ES at 5000 is worth 250,000.
    assert.equal(sizePosition(cfg({ ...ES, method: 'notional', notional: 1_000_000 }), input()).targetQuantity, 4);
    assert.equal(sizePosition(cfg({ ...ES, method: 'percent', equityPercent: 60 }), input()).targetQuantity, 2);
    assert.equal(sizePosition(cfg({ ...ES, method: 'fixed', shares: 10, maxNotional: 760_000 }), input()).targetQuantity, 3);
    // Fixed counts contracts.
    assert.equal(sizePosition(cfg({ ...ES, method: 'fixed', shares: 3 }), input()).targetQuantity, 3);
  });
  it('too little for one contract says what a contract is worth', () => {
    assert.throws(
      () => sizePosition(cfg({ ...ES, method: 'notional', notional: 100_000 }), input()),
      /notional 100000 is too small for one increment \(1\) of ES:FUT:CME:USD:20261218 at 5000 \(x50 = 250000 a contract\): raise the notional/,
    );
  });
  it('a multiplier or tick that is not a positive number is refused with what to set', () => {
    assert.throws(() => validateSizerConfig(cfg({ multiplier: 0 })), /contract multiplier is 0: use a number > 0 \(1 for stocks, 50 for ES/);
    assert.throws(() => validateSizerConfig(cfg({ multiplier: NaN })), /contract multiplier is NaN/);
    assert.throws(() => validateSizerConfig(cfg({ tick: -0.01 })), /price tick is -0\.01: use the instrument's minimum tick/);
    validateSizerConfig(cfg({ tick: 0 }));
  });
  it('multiplier 1 sizes shares as before', () => {
    assert.equal(sizePosition(cfg({ method: 'notional', notional: 10_000 }), input({ price: 187.32 })).targetQuantity, 53);
  });
});
