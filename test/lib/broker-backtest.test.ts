/**
 * The same order logic and account guard over the backtest broker (the fill engine, no socket): target
 * positions fill at the next bar's open and repeat targets send nothing, limits refuse on replay time,
 * a bracket's stop fills when a bar reaches it, and the daily-loss lock follows the replayed days.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { guardBroker } from '../../lib/broker';
import { contractFromKey } from '../../lib/messages/instrument';
import type { Bar } from '../../lib/messages';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { Protection } from '../../lib/orders/protection';
import { OrderRefusedError } from '../../lib/orders/errors';
import type { RiskLimits } from '../../lib/risk-controls/limits';

const dir = mkdtempSync(join(tmpdir(), 'broker-backtest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const start = Date.UTC(2024, 0, 2, 15, 0, 0);
const bar = (i: number, open: number, high: number, low: number, close: number, dayStep = false): Bar => ({ time: dayStep ? start + i * DAY : start + i * 60_000, open, high, low, close, volume: 1000 });

function setup(limits: RiskLimits, journal = false) {
  const connection = createBacktestConnection({ startingCash: 100_000, commission: 'none' });
  let replayTime = 0;
  connection.replay().on('bar', (_key, b) => {
    replayTime = b.time;
  });
  const journalPath = journal ? join(dir, `j-${Math.random().toString(36).slice(2)}.jsonl`) : null;
  const broker = guardBroker(connection.broker, { limits, journalPath, clock: () => replayTime });
  connection.replay().begin('test', 'AAPL', null);
  return { connection, broker, journalPath, feed: (b: Bar) => connection.replay().onBar('AAPL', b) };
}

describe('orders over the backtest broker', () => {
  it('a target fills at the next open and repeating it sends nothing', async () => {
    const { broker, feed } = setup({ maxOrderQuantity: 500 });
    const strategy = new StrategyOrders(broker, { source: 'n1', orderRef: 'bt' });
    const contract = contractFromKey('AAPL');
    feed(bar(0, 100, 101, 99, 100));
    const first = await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 100 }, price: 100 });
    assert.equal(first.kind, 'sent');
    for (let i = 0; i < 50; i++) assert.equal((await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 100 }, price: 100 })).kind, 'nothing');
    feed(bar(1, 102, 103, 101, 102));
    assert.equal(broker.position('AAPL'), 100);
    assert.equal(broker.positions()[0].avgCost, 102, 'filled at the next bar\'s open');
    assert.equal((await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 100 } })).kind, 'nothing');
    await assert.rejects(strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 700 }, price: 102 }), (err: unknown) => err instanceof OrderRefusedError && /^max order quantity: BUY 600 AAPL/.test(err.message));
    const flat = await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 0 } });
    assert.equal(flat.kind, 'sent');
    feed(bar(2, 104, 104, 103, 103));
    assert.equal(broker.position('AAPL'), 0);
  });

  it('the kill switch flattens at the next open: until then flatten names its closing order and what it closes', async () => {
    const { broker, feed } = setup({});
    const strategy = new StrategyOrders(broker, { source: 'n1', orderRef: 'bt' });
    feed(bar(0, 100, 101, 99, 100));
    await strategy.submit({ key: 'AAPL', contract: contractFromKey('AAPL'), order: { targetQuantity: 100 }, price: 100 });
    feed(bar(1, 102, 103, 101, 102));
    broker.halt('kill switch');
    const outcome = await broker.flatten('account');
    assert.deepEqual({ open: outcome.open, closing: outcome.closing, working: outcome.working }, { open: ['AAPL 100'], closing: outcome.orderIds, working: [] });
    assert.equal(outcome.orderIds.length, 1);
    feed(bar(2, 104, 104, 103, 103));
    assert.equal(broker.position('AAPL'), 0);
  });

  it('a bracket\'s stop fills when a bar reaches it and cancels the take-profit', async () => {
    const { broker, feed, journalPath } = setup({}, true);
    const protection = new Protection(broker, { source: 'n2', orderRef: 'br', stopLoss: { kind: 'distance', value: 2 }, takeProfit: { kind: 'distance', value: 4 }, trailing: null, tif: 'GTC', outsideRth: false, tightenOnly: true, tick: 0.01 });
    feed(bar(0, 100, 100.5, 99.5, 100));
    const outcome = await protection.handle({ key: 'AAPL', contract: contractFromKey('AAPL'), order: { action: 'BUY', totalQuantity: 10 }, price: 100, atr: null });
    assert.equal(outcome.orderIds.length, 3);
    feed(bar(1, 100, 101, 99.5, 100.5));
    assert.equal(broker.position('AAPL'), 10);
    assert.deepEqual(protection.exits('AAPL').map((w) => [w.order.orderType, w.order.auxPrice ?? w.order.lmtPrice]).sort(), [['LMT', 104], ['STP', 98]]);
    feed(bar(2, 99, 99.2, 97, 97.5));
    assert.equal(broker.position('AAPL'), 0);
    assert.deepEqual(protection.exits('AAPL'), [], 'the take-profit went with the stop (OCA)');
    await new Promise((r) => setImmediate(r)); // event lines are batched into the next turn
    const lines = readFileSync(journalPath!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.filter((l) => l.type === 'decision' && l.result === 'sent').length, 3);
    assert.ok(lines.some((l) => l.type === 'execution' && l.execution.price === 98));
  });

  it('a future\'s stop is placed from the entry price per unit (avgCost / multiplier), not from avgCost', async () => {
    const connection = createBacktestConnection({ startingCash: 1_000_000, commission: 'none' });
    const ES = 'ES:FUT:CME:USD:20261218';
    const contract = { ...contractFromKey(ES), multiplier: '50' } as never;
    const feed = (b: Bar) => connection.replay().onBar(ES, b);
    connection.replay().begin('test', ES, null);
    const strategy = new StrategyOrders(connection.broker, { source: 'f1', orderRef: 'es' });
    feed(bar(0, 5000, 5001, 4999, 5000));
    await strategy.submit({ key: ES, contract, order: { targetQuantity: 1 }, price: 5000 });
    feed(bar(1, 5002, 5004, 5001, 5003));
    const held = connection.broker.positions()[0]!;
    assert.deepEqual([held.quantity, held.avgCost, held.multiplier], [1, 5002 * 50, 50]);
    const protection = new Protection(connection.broker, { source: 'f2', orderRef: 'es-stop', stopLoss: { kind: 'distance', value: 10 }, takeProfit: null, trailing: null, tif: 'GTC', outsideRth: false, tightenOnly: true, tick: 0.25 });
    await protection.handle({ key: ES, contract, price: null, atr: null });
    assert.deepEqual(protection.exits(ES).map((w) => [w.order.orderType, w.order.auxPrice]), [['STP', 4992]]);
  });

  it('the daily-loss lock trips on replayed equity and lifts on the next replayed day', async () => {
    const { broker, feed } = setup({ maxDailyLoss: 500 });
    const strategy = new StrategyOrders(broker, { source: 'n3', orderRef: 'dl' });
    const contract = contractFromKey('AAPL');
    feed(bar(0, 100, 100, 100, 100, true));
    await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 1000 }, price: 100 });
    feed(bar(0, 100, 100, 99, 99.5, true));
    // Same replayed day, the price falls 1: a loss of 1,000 on 1,000 shares.
    feed(bar(0, 99, 99, 98.4, 98.5, true));
    await assert.rejects(strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 0 }, price: 98.5 }), /max daily loss: the loss since the session began is (500|1000|1500), at or over the limit of 500/);
    feed(bar(1, 98.5, 99, 98, 98.8, true));
    const next = await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: 0 }, price: 98.8 });
    assert.equal(next.kind, 'sent', 'a new replayed day unlocks');
  });
});
