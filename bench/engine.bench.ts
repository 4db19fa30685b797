/**
 * Fill engine cost per bar over 1M bars: with no orders (the batch-backtest common case), with one
 * resting stop that never triggers, and with a round trip (buy, then sell 50 bars later) every 100 bars.
 */
import type { Bar } from '../lib/messages';
import { FillEngine } from '../lib/fills/fill-engine';
import { ibFixed } from '../lib/fills/commission';
import { loadavg } from 'node:os';
import { nsPerItem, report, type Row } from './report';

const N = 1_000_000;
const SYMBOL = 'BENCH';

function makeBars(n: number): Bar[] {
  const bars: Bar[] = new Array(n);
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = Math.max(1, open * (1 + (random() - 0.5) * 0.002));
    const high = Math.max(open, close) * (1 + random() * 0.001);
    const low = Math.min(open, close) * (1 - random() * 0.001);
    bars[i] = { time: 1_500_000_000_000 + i * 60_000, open, high, low, close, volume: 1000 };
    price = close;
  }
  return bars;
}

const bars = makeBars(N);
const newEngine = () => new FillEngine({ account: 'DU1234567', startingCash: 1_000_000 });

let sink = 0;

function noOrders(): void {
  const engine = newEngine();
  for (let i = 0; i < N; i++) engine.onBar(SYMBOL, bars[i]);
  sink += engine.equity();
}

function noOrdersWithEquity(): void {
  const engine = newEngine();
  for (let i = 0; i < N; i++) {
    engine.onBar(SYMBOL, bars[i]);
    sink += engine.equity();
  }
}

function restingStop(): void {
  const engine = newEngine();
  engine.submit({ orderId: 1, symbol: SYMBOL, action: 'SELL', totalQuantity: 100, orderType: 'STP', auxPrice: 0.01, tif: 'GTC' });
  for (let i = 0; i < N; i++) engine.onBar(SYMBOL, bars[i]);
  if (engine.executions().length !== 0) throw new Error('the resting stop must not fill');
  sink += engine.equity();
}

function roundTrips(withCommission: boolean): () => void {
  return () => {
    const engine = new FillEngine({ account: 'DU1234567', startingCash: 1_000_000, commission: withCommission ? ibFixed() : undefined });
    let id = 1;
    for (let i = 0; i < N; i++) {
      engine.onBar(SYMBOL, bars[i]);
      const phase = i % 100;
      if (phase === 0) engine.submit({ orderId: id++, symbol: SYMBOL, action: 'BUY', totalQuantity: 100, orderType: 'MKT', tif: 'GTC' });
      else if (phase === 50) engine.submit({ orderId: id++, symbol: SYMBOL, action: 'SELL', totalQuantity: 100, orderType: 'MKT', tif: 'GTC' });
    }
    if (engine.executions().length !== (N / 100) * 2) throw new Error(`expected ${(N / 100) * 2} fills`);
    sink += engine.equity();
  };
}

const rows: Row[] = [
  ['no orders', noOrders],
  ['no orders + equity() each bar', noOrdersWithEquity],
  ['one resting stop (GTC, never hit)', restingStop],
  ['round trip every 100 bars (MKT)', roundTrips(false)],
  ['round trip every 100 bars, IB fixed', roundTrips(true)],
].map(([name, fn]) => {
  // CPU time beside wall time: on a shared machine other processes inflate wall time, not CPU time
  // (which does include V8's GC helper threads).
  let cpuBest = Infinity;
  const ns = nsPerItem(N, () => {
    const before = process.cpuUsage();
    (fn as () => void)();
    const used = process.cpuUsage(before);
    cpuBest = Math.min(cpuBest, ((used.user + used.system) * 1000) / N);
  }, 5);
  return {
    scenario: name as string,
    bars: N,
    'ns/bar': Number(ns.toFixed(1)),
    'cpu ns/bar': Number(cpuBest.toFixed(1)),
    'bars/s': Math.round(1e9 / ns),
  };
});

report('engine', rows, { checksum: sink > 0, loadavg1m: loadavg()[0] });
