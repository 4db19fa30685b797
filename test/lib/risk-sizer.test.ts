/**
 * Position sizing: every method with hand-computed quantities, stops and take-profits, rounding to
 * the increment, caps, hold, the equity/position precedence, batch identical to streaming, and every
 * refusal naming the field and the fix.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderIntent } from '../../lib/messages';
import { readValueSource } from '../../lib/messages/source';
import { RiskSizer, type AccountSource, type RiskSizerOptions } from '../../lib/risk/risk-sizer';
import { DEFAULT_SIZER_CONFIG, roundDownToIncrement, sizePosition, validateSizerConfig, type SizerConfig, type SizingInput } from '../../lib/risk/sizing';

const cfg = (over: Partial<SizerConfig> = {}): SizerConfig => ({ ...DEFAULT_SIZER_CONFIG, ...over });
const input = (over: Partial<SizingInput> = {}): SizingInput => ({
  side: 'BUY',
  price: 50,
  equity: 100_000,
  position: null,
  labels: { price: 'msg.payload.close', equity: 'msg.account.equity', atr: 'msg.indicators.atr14', stopLevel: 'msg.stop' },
  instrument: 'AAPL',
  ...over,
});

describe('sizing methods', () => {
  it('fixed shares (default 100); long-only SELL targets flat; long-short SELL targets the short', () => {
    assert.deepEqual(sizePosition(cfg(), input()), { targetQuantity: 100 });
    assert.deepEqual(sizePosition(cfg(), input({ side: 'SELL' })), { targetQuantity: 0 });
    assert.deepEqual(sizePosition(cfg({ direction: 'long-short' }), input({ side: 'SELL' })), { targetQuantity: -100 });
  });
  it('fixed notional: amount / price, rounded down', () => {
    assert.deepEqual(sizePosition(cfg({ method: 'notional', notional: 10_000 }), input({ price: 187.32 })), { targetQuantity: 53 });
  });
  it('percent of equity', () => {
    assert.deepEqual(sizePosition(cfg({ method: 'percent', equityPercent: 10 }), input({ price: 30 })), { targetQuantity: 333 });
  });
  it('risk per trade: equity x risk% / stop distance, with the stop level attached', () => {
    // 1% of 100k = 1000 at risk; stop 2.5 below 50 -> 400 shares, stop at 47.5
    const order = sizePosition(cfg({ method: 'risk', riskPercent: 1, stop: { kind: 'fixed', distance: 2.5 } }), input());
    assert.deepEqual(order, { targetQuantity: 400, stopLoss: 47.5 });
    // percent stop: 4% of 50 = 2 -> 500 shares
    assert.deepEqual(sizePosition(cfg({ method: 'risk', stop: { kind: 'percent', percent: 4 } }), input()), { targetQuantity: 500, stopLoss: 48 });
    // 2 x ATR 1.5 = 3 -> 333 shares; short: stop above
    assert.deepEqual(sizePosition(cfg({ method: 'risk', direction: 'long-short', stop: { kind: 'atr', multiple: 2 } }), input({ side: 'SELL', atr: 1.5 })), { targetQuantity: -333, stopLoss: 53 });
    // stop from the message: 46 -> distance 4 -> 250
    assert.deepEqual(sizePosition(cfg({ method: 'risk', stop: { kind: 'level' } }), input({ stopLevel: 46 })), { targetQuantity: 250, stopLoss: 46 });
  });
  it('take-profit: fixed, percent, multiple of the stop distance', () => {
    assert.equal(sizePosition(cfg({ takeProfit: { kind: 'fixed', distance: 5 } }), input()).takeProfit, 55);
    // 50 x 1.1 = 55.00000000000001 in binary: on the 0.01 tick it is 55.
    assert.equal(sizePosition(cfg({ takeProfit: { kind: 'percent', percent: 10 } }), input()).takeProfit, 55);
    const order = sizePosition(cfg({ direction: 'long-short', stop: { kind: 'fixed', distance: 2 }, takeProfit: { kind: 'r', multiple: 3 } }), input({ side: 'SELL' }));
    assert.deepEqual(order, { targetQuantity: -100, stopLoss: 52, takeProfit: 44 });
  });
  it('rounds down to the size increment without binary noise', () => {
    assert.equal(roundDownToIncrement(0.3, 0.1), 0.3);
    assert.equal(roundDownToIncrement(1.999, 0.01), 1.99);
    assert.equal(roundDownToIncrement(250, 100), 200);
    assert.equal(roundDownToIncrement(0.99, 1), 0);
    assert.deepEqual(sizePosition(cfg({ method: 'notional', notional: 1000, increment: 0.001 }), input({ price: 30000 })), { targetQuantity: 0.033 });
  });
  it('caps on position and notional apply before rounding', () => {
    assert.deepEqual(sizePosition(cfg({ shares: 1000, maxPosition: 250 }), input()), { targetQuantity: 250 });
    assert.deepEqual(sizePosition(cfg({ shares: 1000, maxNotional: 12_345 }), input()), { targetQuantity: 246 });
    assert.deepEqual(sizePosition(cfg({ direction: 'long-short', shares: 1000, maxPosition: 300 }), input({ side: 'SELL' })), { targetQuantity: -300 });
  });
  it('hold keeps a position already on the signal side, resizes otherwise', () => {
    assert.deepEqual(sizePosition(cfg({ hold: true }), input({ position: 60 })), { targetQuantity: 60 });
    assert.deepEqual(sizePosition(cfg({ hold: true, direction: 'long-short' }), input({ position: 60, side: 'SELL' })), { targetQuantity: -100 });
    assert.deepEqual(sizePosition(cfg({ hold: false }), input({ position: 60 })), { targetQuantity: 100 });
  });
});

describe('sizing refusals name the field and the fix', () => {
  it('price zero, negative or NaN', () => {
    assert.throws(() => sizePosition(cfg(), input({ price: 0 })), /price 0 \(msg\.payload\.close\) must be a number > 0/);
    assert.throws(() => sizePosition(cfg(), input({ price: -5 })), /price -5 \(msg\.payload\.close\)/);
    assert.throws(() => sizePosition(cfg(), input({ price: Number.NaN })), /price NaN/);
  });
  it('stop above the entry for a long, below for a short', () => {
    const level = cfg({ method: 'risk', stop: { kind: 'level' }, direction: 'long-short' });
    assert.throws(() => sizePosition(level, input({ stopLevel: 51 })), /stop 51 \(msg\.stop\) is at or above the entry 50 \(msg\.payload\.close\) for a long: a long's stop must be below the entry/);
    assert.throws(() => sizePosition(level, input({ stopLevel: 50 })), /at or above the entry/);
    assert.throws(() => sizePosition(level, input({ side: 'SELL', stopLevel: 49 })), /at or below the entry 50 .* for a short/);
    assert.throws(() => sizePosition(level, input({ stopLevel: undefined })), /msg\.stop is missing: set it to the stop price/);
    assert.throws(() => sizePosition(cfg({ stop: { kind: 'fixed', distance: 60 } }), input()), /stop distance 60 is not below the price 50/);
  });
  it('ATR warming up or invalid', () => {
    const atr = cfg({ method: 'risk', stop: { kind: 'atr', multiple: 2 } });
    assert.throws(() => sizePosition(atr, input({ atr: null })), /msg\.indicators\.atr14 is null \(still warming up\)/);
    assert.throws(() => sizePosition(atr, input({ atr: 0 })), /msg\.indicators\.atr14 is 0: the ATR must be a number > 0/);
  });
  it('equity missing, invalid, or too small for one share', () => {
    assert.throws(() => sizePosition(cfg({ method: 'percent' }), input({ equity: null })), /no equity to size percent of equity: configure a connection on the risk-sizer or set msg\.account\.equity/);
    assert.throws(() => sizePosition(cfg({ method: 'percent' }), input({ equity: -1 })), /equity -1 \(msg\.account\.equity\) must be a number > 0/);
    assert.throws(() => sizePosition(cfg({ method: 'risk', riskPercent: 1, stop: { kind: 'fixed', distance: 2 } }), input({ equity: 150 })), /equity 150 is too small for one increment \(1\) of AAPL at 50: raise the equity or the percent/);
    assert.throws(() => sizePosition(cfg({ method: 'percent', equityPercent: 10 }), input({ equity: 400 })), /equity 400 is too small/);
    assert.throws(() => sizePosition(cfg({ method: 'notional', notional: 40 }), input()), /notional 40 is too small for one increment/);
    assert.throws(() => sizePosition(cfg({ maxNotional: 20 }), input()), /the caps .* leave less than one increment/);
  });
  it('configuration', () => {
    assert.throws(() => validateSizerConfig(cfg({ method: 'risk' })), /risk-per-trade sizing needs a stop/);
    assert.throws(() => validateSizerConfig(cfg({ shares: 0 })), /fixed shares is 0: use a number > 0/);
    assert.throws(() => validateSizerConfig(cfg({ increment: 0 })), /size increment is 0/);
    assert.throws(() => validateSizerConfig(cfg({ takeProfit: { kind: 'r', multiple: 2 } })), /needs a stop/);
    assert.throws(() => validateSizerConfig(cfg({ stop: { kind: 'percent', percent: 100 } })), /stop percent is 100/);
  });
});

describe('risk-sizer messages', () => {
  const options = (over: Partial<RiskSizerOptions> = {}): RiskSizerOptions => ({ config: cfg(), price: readValueSource('close', ''), ...over });
  const bar = (close: number, extra: Record<string, unknown> = {}) => ({ time: 1, open: close, high: close, low: close, close, volume: 1, ...extra });
  const buy = { side: 'BUY', reason: 't', time: 1 };
  const sell = { side: 'SELL', reason: 't', time: 1 };

  it('signal -> msg.order; no signal -> dropped (or passed on)', () => {
    const sizer = new RiskSizer(options());
    const msg: Record<string, unknown> = { topic: 'AAPL', payload: bar(187.32), signal: buy };
    assert.equal(sizer.run(msg, null).kind, 'order');
    assert.deepEqual(msg.order, { targetQuantity: 100 });
    assert.deepEqual(sizer.run({ payload: bar(1), signal: null }, null), { kind: 'no-signal', send: false });
    assert.deepEqual(new RiskSizer(options({ passThrough: true })).run({ payload: bar(1) }, null), { kind: 'no-signal', send: true });
  });

  it('a multiplier on msg.contract wins over the node setting, streaming and batch', () => {
    const sizer = new RiskSizer(options({ config: cfg({ method: 'notional', notional: 1_000_000 }) }));
    const es = { symbol: 'ES', secType: 'FUT', multiplier: '50' };
    const plain: Record<string, unknown> = { topic: 'ES', payload: bar(5000), signal: buy };
    sizer.run(plain, null);
    assert.deepEqual(plain.order, { targetQuantity: 200 }, 'no contract: the node setting (1)');
    const withContract: Record<string, unknown> = { topic: 'ES2', payload: bar(5000), signal: buy, contract: es };
    sizer.run(withContract, null);
    assert.deepEqual(withContract.order, { targetQuantity: 4 }, '1,000,000 / (5000 x 50)');
    const batch: Record<string, unknown> = { topic: 'ES3', payload: [bar(5000), bar(4000)], signal: [buy, null], contract: es };
    sizer.run(batch, null);
    assert.deepEqual(batch.order, [{ targetQuantity: 4 }, null]);
  });

  it('equity and position: the connection first, then the message, then the last target', () => {
    const config = cfg({ method: 'percent', equityPercent: 50, hold: true });
    const sizer = new RiskSizer(options({ config }));
    const account: AccountSource = { equity: () => 20_000, position: () => 0 };
    const unknown: AccountSource = { equity: () => null, position: () => null };
    const run = (msg: Record<string, unknown>, acc: AccountSource | null) => {
      sizer.run(msg, acc);
      return (msg.order as OrderIntent).targetQuantity;
    };
    assert.equal(run({ topic: 'A', payload: bar(100), signal: buy, account: { equity: 1000 } }, account), 100, 'connection equity wins');
    assert.equal(run({ topic: 'B', payload: bar(100), signal: buy, account: { equity: 1000 } }, unknown), 5, 'msg equity when the connection does not know');
    assert.equal(run({ topic: 'B', payload: bar(100), signal: buy, account: { equity: 9000 } }, unknown), 5, 'holds its own last target');
    assert.equal(run({ topic: 'B', payload: bar(100), signal: buy, account: { equity: 9000 }, position: 0 }, unknown), 45, 'msg.position flat: sized again');
    assert.equal(run({ topic: 'B', payload: bar(100), signal: buy, account: { equity: 9000 }, position: { quantity: 7 } }, unknown), 7, 'msg.position {quantity}');
    sizer.run({ topic: 'B', reset: true }, null);
    assert.equal(run({ topic: 'B', payload: bar(100), signal: buy, account: { equity: 9000 } }, unknown), 45, 'reset forgot the last target');
    assert.throws(() => sizer.run({ topic: 'C', payload: bar(100), signal: buy, account: { equity: '9000' } }, null), /msg\.account\.equity is the string "9000", not a number/);
  });

  it('errors name the message field', () => {
    const sizer = new RiskSizer(options());
    assert.throws(() => sizer.run({ payload: bar(1, { close: 'abc' }), signal: buy }, null), /msg\.payload\.close is the string "abc", not a number/);
    assert.throws(() => sizer.run({ payload: { time: 1 }, signal: buy }, null), /msg\.payload\.close is missing/);
    assert.throws(() => sizer.run({ payload: bar(0), signal: buy }, null), /msg\.payload\.close is 0: a price must be > 0/);
    assert.throws(() => sizer.run({ payload: bar(-3), signal: buy }, null), /msg\.payload\.close is -3/);
    assert.throws(() => sizer.run({ payload: bar(10), signal: { side: 'buy' } }, null), /msg\.signal\.side is "buy": use "BUY" or "SELL"/);
    const atr = new RiskSizer(options({ config: cfg({ method: 'risk', stop: { kind: 'atr', multiple: 2 } }), atr: ['indicators', 'atr14'] }));
    assert.throws(() => atr.run({ payload: bar(10), signal: buy, account: { equity: 1e5 }, indicators: { atr14: 'x' } }, null), /msg\.indicators\.atr14 is the string "x"/);
    assert.throws(() => new RiskSizer(options({ config: cfg({ method: 'risk', stop: { kind: 'atr', multiple: 2 } }) })), /needs the ATR property/);
  });

  it('batch: index-aligned orders, identical to streaming', () => {
    const config = cfg({ method: 'risk', riskPercent: 1, direction: 'long-short', stop: { kind: 'atr', multiple: 2 }, takeProfit: { kind: 'r', multiple: 2 } });
    const bars = [10, 11, 12, 13, 12, 11].map((c) => bar(c));
    const signals = [null, buy, null, sell, null, buy];
    const atr = [null, 0.5, 0.5, 0.6, 0.6, 0.4];
    const streaming = new RiskSizer(options({ config, atr: ['indicators', 'atr14'] }));
    const streamed = bars.map((b, i) => {
      const msg: Record<string, unknown> = { topic: 'X', payload: b, signal: signals[i], indicators: { atr14: atr[i] }, account: { equity: 50_000 } };
      return streaming.run(msg, null).kind === 'order' ? msg.order : null;
    });
    const batch: Record<string, unknown> = { topic: 'X', payload: bars, signal: signals, indicators: { atr14: atr }, account: { equity: 50_000 } };
    const result = new RiskSizer(options({ config, atr: ['indicators', 'atr14'] })).run(batch, null);
    assert.equal(result.kind, 'batch');
    assert.deepEqual(batch.order, streamed);
    assert.deepEqual(streamed[1], { targetQuantity: 500, stopLoss: 10, takeProfit: 13 });
    assert.deepEqual(streamed[3], { targetQuantity: -416, stopLoss: 14.2, takeProfit: 10.6 });
    assert.throws(() => new RiskSizer(options()).run({ payload: bars, signal: buy }, null), /msg\.signal must be an array of 6 signals or nulls/);
    assert.throws(() => new RiskSizer(options()).run({ payload: [bar(1), bar(0)], signal: [null, buy] }, null), /msg\.payload\[1\]\.close is 0/);
  });
});

describe('risk-sizer batch path', () => {
  const buy = { side: 'BUY', reason: 't', time: 1 };
  const sell = { side: 'SELL', reason: 't', time: 1 };
  /** A seeded walk with signals on ~1 bar in 6, ATR and stop columns with nulls, and a price property. */
  function data(n: number) {
    let s = 5;
    const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
    let price = 40.17;
    const bars: Array<Record<string, number>> = [];
    const signals: Array<typeof buy | null> = [];
    const atr: Array<number | null> = [];
    const stop: Array<number | null> = [];
    const px: number[] = [];
    for (let i = 0; i < n; i++) {
      price *= 1 + (rnd() - 0.5) * 0.04;
      bars.push({ time: i, open: price, high: price * 1.01, low: price * 0.99, close: price, volume: 1 });
      const r = rnd();
      signals.push(i > 3 && r < 0.09 ? buy : i > 3 && r < 0.17 ? sell : null);
      atr.push(i < 3 ? null : price * 0.02 * (0.5 + rnd()));
      stop.push(i < 3 ? null : price * (1 + (signals[i] === sell ? 0.03 : -0.03)));
      px.push(price * 1.001);
    }
    return { bars, signals, atr, stop, px };
  }
  const configs: Array<[string, Partial<RiskSizerOptions>]> = [
    ['percent of equity, long-only', { config: cfg({ method: 'percent', equityPercent: 20 }) }],
    ['notional, long-short, hold, caps', { config: cfg({ method: 'notional', notional: 25_000, direction: 'long-short', hold: true, maxPosition: 550, maxNotional: 20_000 }) }],
    ['risk with ATR stop and R take-profit, fractional increment', { config: cfg({ method: 'risk', riskPercent: 1, direction: 'long-short', increment: 0.01, stop: { kind: 'atr', multiple: 2 }, takeProfit: { kind: 'r', multiple: 2 } }), atr: ['indicators', 'atr14'] }],
    ['risk with stop levels from the message, price from a property', { config: cfg({ method: 'risk', riskPercent: 0.5, direction: 'long-short', stop: { kind: 'level' }, takeProfit: { kind: 'percent', percent: 4 } }), stopLevel: ['stop'], price: readValueSource('property', 'px') }],
  ];
  for (const [what, over] of configs) {
    it(`${what}: batch equals streaming, and the state carries on`, () => {
      const d = data(500);
      const options: RiskSizerOptions = { config: cfg(), price: readValueSource('close', ''), ...over };
      const streaming = new RiskSizer(options);
      const streamed = d.bars.map((payload, i) => {
        const msg: Record<string, unknown> = { topic: 'X', payload, signal: d.signals[i], indicators: { atr14: d.atr[i] }, stop: d.stop[i], px: d.px[i], account: { equity: 80_000 } };
        return streaming.run(msg, null).kind === 'order' ? msg.order : null;
      });
      const head = 400;
      const sizer = new RiskSizer(options);
      const msg: Record<string, unknown> = { topic: 'X', payload: d.bars.slice(0, head), signal: d.signals.slice(0, head), indicators: { atr14: d.atr.slice(0, head) }, stop: d.stop.slice(0, head), px: d.px.slice(0, head), account: { equity: 80_000 } };
      const result = sizer.run(msg, null);
      assert.deepEqual(msg.order, streamed.slice(0, head));
      const orders = streamed.slice(0, head).filter((o) => o !== null);
      assert.ok(orders.length > 30, 'signals were sized');
      assert.deepEqual(result, { kind: 'batch', topic: 'X', count: head, orders: orders.length, last: orders.at(-1) });
      const tail = d.bars.slice(head).map((payload, k) => {
        const i = head + k;
        const live: Record<string, unknown> = { topic: 'X', payload, signal: d.signals[i], indicators: { atr14: d.atr[i] }, stop: d.stop[i], px: d.px[i], account: { equity: 80_000 } };
        return sizer.run(live, null).kind === 'order' ? live.order : null;
      });
      assert.deepEqual(tail, streamed.slice(head));
    });
  }

  const errorOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  const bars = [10, 11, 12, 13, 14, 15].map((close) => ({ time: 1, open: close, high: close, low: close, close, volume: 1 }));

  it('errors name the bar: side, price (bar field or property), ATR, stop level', () => {
    const plain = new RiskSizer({ config: cfg(), price: readValueSource('close', '') });
    assert.equal(errorOf(() => plain.run({ payload: bars, signal: [null, buy, null, { side: 'buy' }, null, null] }, null)), 'msg.signal[3].side is "buy": use "BUY" or "SELL" (upper case)');
    assert.equal(errorOf(() => plain.run({ payload: bars, signal: [null, 'BUY', null, null, null, null] }, null)), 'msg.signal[1] is string: expected {side: "BUY" | "SELL", reason, time} from a crossover node');
    const badClose = bars.map((b, i) => (i === 4 ? { ...b, close: -2 } : i === 2 ? { ...b, close: 'x' } : b));
    assert.match(errorOf(() => plain.run({ payload: badClose, signal: [null, null, null, null, buy, null] }, null)), /^msg\.payload\[4\]\.close is -2: a price must be > 0/);
    assert.equal(errorOf(() => plain.run({ payload: badClose, signal: [null, null, null, null, null, buy] }, null)), 'no error', 'a bad price on a bar without a signal is not read, as in streaming');
    const byProperty = new RiskSizer({ config: cfg(), price: readValueSource('property', 'px') });
    assert.match(errorOf(() => byProperty.run({ payload: bars, signal: [null, null, buy, null, null, null], px: [1, 2, 'x', 4, 5, 6] }, null)), /^msg\.px\[2\] is the string "x", not a number: the price must be a number > 0/);
    assert.equal(errorOf(() => byProperty.run({ payload: bars, signal: [null, null, null, null, null, null] }, null)), 'no error', 'the price property is read only for signals');
    const atr = new RiskSizer({ config: cfg({ method: 'risk', stop: { kind: 'atr', multiple: 2 } }), price: readValueSource('close', ''), atr: ['indicators', 'atr14'] });
    const signal = [null, null, buy, null, null, null];
    assert.match(errorOf(() => atr.run({ payload: bars, signal, account: { equity: 1e5 }, indicators: { atr14: [1, 1, null, 1, 1, 1] } }, null)), /^msg\.indicators\.atr14\[2\] is null \(still warming up\): an ATR stop needs the ATR/);
    // NaN is how a batch array marks a warm-up (indicators write it there): the same error as null.
    assert.match(errorOf(() => atr.run({ payload: bars, signal, account: { equity: 1e5 }, indicators: { atr14: [1, 1, NaN, 1, 1, 1] } }, null)), /^msg\.indicators\.atr14\[2\] is null \(still warming up\)/);
    assert.match(errorOf(() => atr.run({ payload: bars, signal, account: { equity: 1e5 }, indicators: { atr14: [1, 1, 'x', 1, 1, 1] } }, null)), /^msg\.indicators\.atr14\[2\] is the string "x", not a number: it must hold a number/);
    const level = new RiskSizer({ config: cfg({ method: 'risk', stop: { kind: 'level' } }), price: readValueSource('close', ''), stopLevel: ['stop'] });
    assert.equal(errorOf(() => level.run({ payload: bars, signal, account: { equity: 1e5 }, stop: [0, 0, 12.5, 0, 0, 0] }, null)), "stop 12.5 (msg.stop[2]) is at or above the entry 12 (msg.payload[2].close) for a long: a long's stop must be below the entry");
  });
});
