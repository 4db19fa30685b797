/**
 * The price chart's model (lib/charts/price-chart.ts): the package's messages as candles, indicator lines
 * and trade markers, per instrument, as the dashboard widget draws them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PriceChartModel, type ChartUpdate } from '../../lib/charts/price-chart';

const MIN = 60_000;
const t0 = Date.UTC(2026, 0, 5, 14, 30);
const bar = (i: number, close = 100 + i) => ({ time: t0 + i * 5 * MIN, open: close - 0.5, high: close + 1, low: close - 1, close, volume: 1000 });

function update(u: ReturnType<PriceChartModel['accept']>): ChartUpdate {
  assert.ok(u && u.kind === 'update', `not an update: ${JSON.stringify(u)}`);
  return u;
}

describe('price chart model', () => {
  it('a history array with its indicator arrays: candles and lines, nulls while warming up', () => {
    const model = new PriceChartModel({ maxBars: 500, overlays: [] });
    const bars = [bar(0), bar(1), bar(2)];
    const u = update(model.accept({ topic: 'AAPL', payload: bars, indicators: { sma2: [null, 100.5, 101.5], rsi: [Number.NaN, 50, 60] } }));
    assert.equal(u.replace, true);
    assert.deepEqual(u.bars.map((b) => b.close), [100, 101, 102]);
    assert.deepEqual(u.lines.sma2!.map((p) => p.value), [null, 100.5, 101.5]);
    assert.deepEqual(u.lines.rsi!.map((p) => p.value), [null, 50, 60]);
    const s = model.snapshot().instruments.AAPL!;
    assert.deepEqual(s.close, [100, 101, 102]);
    assert.deepEqual(s.lines.sma2, [null, 100.5, 101.5]);
  });

  it('only the lines asked for; Bollinger Bands as one line per band', () => {
    const model = new PriceChartModel({ maxBars: 500, overlays: ['sma20', 'bb.upper', 'bb.lower'] });
    const u = update(model.accept({ topic: 'AAPL', payload: bar(0), indicators: { sma20: 99, rsi: 55, bb: { upper: 103, middle: 100, lower: 97 } } }));
    assert.deepEqual(Object.keys(u.lines).sort(), ['bb.lower', 'bb.upper', 'sma20']);
    assert.equal(u.lines['bb.upper']![0]!.value, 103);
  });

  it('one bar at a time: a forming bar revises the newest candle, the next bar appends, an older one is dropped', () => {
    const model = new PriceChartModel({ maxBars: 500, overlays: [] });
    model.accept({ topic: 'AAPL', payload: bar(0), indicators: { sma20: 1 } });
    model.accept({ topic: 'AAPL', payload: { ...bar(1), close: 150 }, forming: true, indicators: { sma20: 2 } });
    const revised = update(model.accept({ topic: 'AAPL', payload: bar(1), indicators: { sma20: 3 } }));
    assert.equal(revised.replace, false);
    assert.equal(revised.bars[0]!.close, 101);
    model.accept({ topic: 'AAPL', payload: bar(0) });
    const s = model.snapshot().instruments.AAPL!;
    assert.deepEqual(s.close, [100, 101]);
    assert.deepEqual(s.lines.sma20, [1, 3]);
  });

  it('fills as BUY and SELL markers at their price, at their own time inside the newest bar or, stamped behind the bars, on the newest', () => {
    const model = new PriceChartModel({ maxBars: 500, overlays: [] });
    model.accept({ topic: 'AAPL', payload: [bar(0), bar(1), bar(2)] });
    const buy = update(model.accept({ topic: 'AAPL', payload: { execId: 'e1', side: 'BUY', shares: 100, price: 101.25, time: t0 + 10 * MIN + 10_000, orderId: 3 } }));
    assert.deepEqual(buy.markers.map((m) => [m.side, m.price, m.time, m.text]), [['BUY', 101.25, t0 + 10 * MIN + 10_000, 'BUY 100 @ 101.25']]);
    // A fill stamped by a clock behind the bars' (the simulator's market runs faster than real time).
    const sell = update(model.accept({ topic: 'AAPL', payload: { execId: 'e2', side: 'SLD', shares: 100, price: 102.5, time: t0 - 3600_000 } }));
    assert.equal(sell.markers[0]!.side, 'SELL');
    assert.equal(sell.markers[0]!.time, bar(2).time);
    // The same execution again shows once; an order's status shows nothing.
    assert.deepEqual(update(model.accept({ topic: 'AAPL', payload: { execId: 'e1', side: 'BUY', shares: 100, price: 101.25, time: t0 } })).markers, []);
    assert.equal(model.accept({ topic: 'AAPL', payload: { orderId: 3, status: 'Filled', filled: 100 } }), null);
    assert.equal(model.snapshot().instruments.AAPL!.markers.length, 2);
  });

  it("a backtest's trades: entries and exits, replacing the last run's", () => {
    const model = new PriceChartModel({ maxBars: 500, overlays: [] });
    model.accept({ topic: 'AAPL', payload: [bar(0), bar(1), bar(2), bar(3)] });
    const trades = [{ symbol: 'AAPL', direction: 'long', quantity: 100, entryTime: bar(1).time, entryPrice: 101, exitTime: bar(3).time, exitPrice: 103, pnl: 199, open: false }];
    const u = update(model.accept({ topic: 'AAPL', complete: true, payload: {}, trades }));
    assert.deepEqual(u.markers.map((m) => [m.kind, m.side, m.price]), [['entry', 'BUY', 101], ['exit', 'SELL', 103]]);
    model.accept({ topic: 'AAPL', complete: true, payload: {}, trades: [{ ...trades[0], exitTime: null, exitPrice: null, open: true }] });
    assert.deepEqual(model.snapshot().instruments.AAPL!.markers.map((m) => m.kind), ['entry']);
  });

  it('keeps the newest bars of each instrument, and their markers', () => {
    const model = new PriceChartModel({ maxBars: 3, overlays: [] });
    model.accept({ topic: 'AAPL', payload: [bar(0), bar(1)] });
    model.accept({ topic: 'AAPL', payload: { execId: 'x', side: 'BUY', price: 100, time: bar(0).time } });
    for (let i = 2; i < 6; i++) model.accept({ topic: 'AAPL', payload: bar(i), indicators: { sma: i } });
    model.accept({ topic: 'MSFT', payload: bar(0, 400) });
    const { instruments } = model.snapshot();
    assert.deepEqual(instruments.AAPL!.close, [103, 104, 105]);
    assert.deepEqual(instruments.AAPL!.lines.sma, [3, 4, 5]);
    assert.deepEqual(instruments.AAPL!.markers, []);
    assert.deepEqual(instruments.MSFT!.close, [400]);
  });

  it('set to one instrument: the bars, fills and trades of others show nothing', () => {
    const model = new PriceChartModel({ maxBars: 500, overlays: [], instrument: 'MSFT' });
    assert.equal(model.accept({ topic: 'AAPL', payload: bar(0) }), null);
    assert.equal(model.accept({ payload: { execId: 'a', symbol: 'AAPL', side: 'BUY', price: 100, time: t0 } }), null);
    assert.equal(model.accept({ complete: true, payload: {}, trades: [{ symbol: 'AAPL', entryTime: t0, entryPrice: 100 }] }), null);
    update(model.accept({ topic: 'MSFT', payload: bar(0, 400) }));
    assert.deepEqual(Object.keys(model.snapshot().instruments), ['MSFT']);
  });

  it('numbers its updates in sequence, and the snapshot says how far it is', () => {
    const model = new PriceChartModel({ maxBars: 500, overlays: [] });
    const a = update(model.accept({ topic: 'AAPL', payload: bar(0) }));
    assert.equal(model.accept({ topic: 'AAPL', payload: { orderId: 1, status: 'Submitted' } }), null);
    const b = update(model.accept({ topic: 'AAPL', payload: bar(1) }));
    assert.deepEqual([a.seq, b.seq, b.run], [1, 2, a.run]);
    assert.deepEqual([model.snapshot().seq, model.snapshot().run], [2, a.run]);
    assert.notEqual(new PriceChartModel({ maxBars: 1, overlays: [] }).snapshot().run, a.run, 'a new model (a redeploy) is a new run');
  });

  it('says what is wrong with a bar that is not one, and clears on []', () => {
    const model = new PriceChartModel({ maxBars: 500, overlays: [] });
    assert.throws(() => model.accept({ topic: 'AAPL', payload: { ...bar(0), close: 'x' } }), /close is "x", not a number/);
    assert.throws(() => model.accept({ payload: bar(0) }), /without msg\.topic/);
    assert.throws(() => model.accept({ topic: 'AAPL', payload: [bar(1), bar(0)] }), /not after the bar before it/);
    model.accept({ topic: 'AAPL', payload: bar(0) });
    const clear = model.accept({ payload: [] });
    assert.equal(clear?.kind, 'clear');
    assert.deepEqual(model.snapshot().instruments, {});
    assert.throws(() => new PriceChartModel({ maxBars: 0, overlays: [] }), /at least 1/);
  });
});
