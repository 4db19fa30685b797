/**
 * What the order path costs: checking msg.order and planning a target (per message), a repeated
 * target that sends nothing (the per-bar common case), a guarded order decision with and without the
 * journal (over the backtest broker), and the time from placeOrder to the simulator's fill engine
 * through the real client, socket and simulator (p50/p99 of single orders).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from '@stoqey/ib';
import { createBacktestConnection } from '../lib/connection/backtest-connection';
import { createIbBroker, disposeBroker, guardBroker, type IbBroker } from '../lib/broker';
import { contractFromKey } from '../lib/messages/instrument';
import { IbSocketSession } from '../lib/ib/session';
import { buildOrder } from '../lib/orders/build';
import { planOrders, type PlanOrder } from '../lib/orders/plan';
import { StrategyOrders } from '../lib/orders/strategy-orders';
import { validateOrderIntent } from '../lib/orders/validate';
import { createSimulator } from '../lib/sim/server';
import { nsPerItem, report, type Row } from './report';

const contract: Contract = contractFromKey('AAPL');
const dir = mkdtempSync(join(tmpdir(), 'orders-bench-'));
let sink = 0;

function checkAndPlan(n: number): void {
  const working: PlanOrder[] = [{ orderId: 1, action: 'BUY', remaining: 50, role: 'entry', transmitted: true, cancelling: false }];
  for (let i = 0; i < n; i++) {
    const intent = validateOrderIntent({ targetQuantity: 100 + (i & 7), orderType: 'LMT', lmtPrice: 101.5, tif: 'DAY' });
    if (intent.kind === 'target') sink += planOrders({ target: intent.targetQuantity, position: 40, working }).entry?.quantity ?? 0;
  }
}

function backtestGuard(journal: boolean) {
  const connection = createBacktestConnection({ startingCash: 1e12, commission: 'none' });
  connection.replay().begin('bench', 'AAPL', null);
  connection.replay().onBar('AAPL', { time: Date.UTC(2024, 0, 2, 15), open: 100, high: 100, low: 100, close: 100, volume: 1 });
  const broker = guardBroker(connection.broker, { limits: { maxOrderQuantity: 1e9, maxOrderNotional: 1e15, maxPosition: 1e15, maxOrdersPerMinute: 1e9 }, journalPath: journal ? join(dir, `guard-${Date.now()}.jsonl`) : null });
  return broker;
}

async function decisions(journal: boolean, n: number): Promise<number> {
  const broker = backtestGuard(journal);
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const id = await broker.nextOrderId();
    // Placed and cancelled at once: every decision sees the same small book, as a live strategy does.
    broker.placeOrder(id, contract, buildOrder('BUY', 1, { orderType: 'LMT', lmtPrice: 1, tif: 'GTC', outsideRth: false }, 'bench'), { price: 100, dedupKey: `k${i}` });
    broker.cancelOrder(id);
  }
  const ns = Number(process.hrtime.bigint() - started) / n;
  broker.dispose();
  return ns;
}

async function repeatTargets(n: number): Promise<number> {
  const broker = backtestGuard(false);
  const strategy = new StrategyOrders(broker, { source: 'bench', orderRef: 'bench' });
  await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 100, orderType: 'LMT', lmtPrice: 1 }, price: 100 });
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const outcome = await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 100, orderType: 'LMT', lmtPrice: 1 }, price: 100 });
    if (outcome.kind !== 'nothing') throw new Error(`a repeated target sent an order: ${outcome.text}`);
  }
  const ns = Number(process.hrtime.bigint() - started) / n;
  broker.dispose();
  return ns;
}

async function wireLatency(n: number, warmup = 20): Promise<{ p50: number; p99: number; max: number; callP50: number }> {
  const sim = await createSimulator({ seed: 5 });
  const session = new IbSocketSession({ host: sim.host, port: sim.port, clientId: 77, allowLiveOrders: false, mode: 'simulator' });
  const broker = createIbBroker(session, { clientId: 77, allowLiveOrders: false, limits: {}, journalPath: join(dir, 'wire.jsonl'), statusProvider: () => session.status() });
  session.start();
  await session.whenConnected(5000);
  while (!(broker.inner as IbBroker).isReady()) await new Promise((r) => setTimeout(r, 5));
  const waiting = new Map<number, (at: bigint) => void>();
  sim.engine.on('order', (event) => {
    const resolve = waiting.get(event.orderId);
    if (resolve) {
      waiting.delete(event.orderId);
      resolve(process.hrtime.bigint());
    }
  });
  const samples: number[] = [];
  const calls: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const id = await broker.nextOrderId();
    const arrived = new Promise<bigint>((resolve) => waiting.set(id, resolve));
    const sentAt = process.hrtime.bigint();
    broker.placeOrder(id, contract, buildOrder('BUY', 1, { orderType: 'LMT', lmtPrice: 1, tif: 'GTC', outsideRth: false }, 'bench'));
    const returned = process.hrtime.bigint();
    const at = await arrived;
    if (i >= warmup) {
      samples.push(Number(at - sentAt) / 1e6);
      calls.push(Number(returned - sentAt) / 1e6);
    }
    // Stay under the 40 orders/s pace so the queue never holds one back: this measures the path.
    await new Promise((r) => setTimeout(r, 30));
  }
  disposeBroker(broker);
  await session.stop();
  await sim.close();
  samples.sort((a, b) => a - b);
  calls.sort((a, b) => a - b);
  return { p50: samples[Math.floor(n * 0.5)], p99: samples[Math.min(n - 1, Math.floor(n * 0.99))], max: samples[n - 1], callP50: calls[Math.floor(n * 0.5)] };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const planNs = nsPerItem(100_000, () => checkAndPlan(100_000));
  rows.push({ step: 'check msg.order + plan target', per: 'message', cost: `${(planNs / 1000).toFixed(2)} us` });
  const repeatNs = await repeatTargets(20_000);
  rows.push({ step: 'repeated target (nothing sent), guarded backtest broker', per: 'message', cost: `${(repeatNs / 1000).toFixed(2)} us` });
  const bare = await decisions(false, 5_000);
  rows.push({ step: 'guarded order decision + cancel, no journal (backtest broker)', per: 'order', cost: `${(bare / 1000).toFixed(2)} us` });
  const journaled = await decisions(true, 5_000);
  rows.push({ step: 'guarded order decision + cancel, journal lines written (backtest broker)', per: 'order', cost: `${(journaled / 1000).toFixed(2)} us` });
  const wire = await wireLatency(200);
  rows.push({ step: 'placeOrder -> simulator fill engine (real client, loopback)', per: 'order', cost: `p50 ${wire.p50.toFixed(3)} ms, p99 ${wire.p99.toFixed(3)} ms, max ${wire.max.toFixed(3)} ms` });
  rows.push({ step: 'of which the placeOrder call (guard, journal, queue, client encode + write)', per: 'order', cost: `p50 ${wire.callP50.toFixed(3)} ms` });
  report('orders', rows, { journalOverhead: journaled / bare, sink });
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
