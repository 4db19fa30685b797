/**
 * Two strategies on one account: each plans against its own position, and the account's limits count
 * the account's. With a max position of 150, strategy beta (flat itself) cannot buy 100 while alpha
 * holds 100: the account would hold 200. Fifty fit. The account's position is the sum of both.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBacktestConnection } from '../../lib/connection/backtest-connection';
import { guardBroker } from '../../lib/broker';
import { contractFromKey } from '../../lib/messages/instrument';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { randomWalkBars } from '../../bench/synthetic-bars';

describe('account limits over strategies', () => {
  it("a strategy's target is its own, the max position is the account's", async () => {
    const connection = createBacktestConnection({ startingCash: 1_000_000, commission: 'none', fillAt: 'next-open' });
    const session = connection.replay();
    let now = 0;
    session.on('bar', (_key, bar) => {
      now = bar.time;
    });
    const broker = guardBroker(connection.broker, {
      limits: { maxPosition: 150 },
      journalPath: null,
      clock: () => now,
    });
    const alpha = new StrategyOrders(broker, { source: 'place-order', orderRef: 'alpha' });
    const beta = new StrategyOrders(broker, { source: 'place-order', orderRef: 'beta' });
    const bars = randomWalkBars(6, 3);
    const contract = contractFromKey('AAPL');
    const refusals: string[] = [];
    const plan: Record<number, Array<[StrategyOrders, number]>> = {
      0: [[alpha, 100]],
      2: [[beta, 100]],
      3: [[beta, 50]],
      4: [[alpha, 100]],
    };
    session.begin('src', 'AAPL', bars.length);
    for (let i = 0; i < bars.length; i++) {
      const bar = bars[i]!;
      await session.offer('src', 'AAPL', bar, async () => {
        for (const [strategy, target] of plan[i] ?? []) {
          try {
            await strategy.submit({ key: 'AAPL', contract, order: { targetQuantity: target }, price: bar.close });
          } catch (err) {
            refusals.push(`${i}: ${(err as Error).message}`);
          }
        }
      });
    }
    session.end('src');
    assert.equal(refusals.length, 1, refusals.join('\n'));
    assert.match(
      refusals[0]!,
      /^2: max position: BUY 100 AAPL would make the position \(with working orders\) 200, over the limit of 150/,
    );
    assert.equal(broker.strategyPosition?.('alpha', 'AAPL'), 100);
    assert.equal(broker.strategyPosition?.('beta', 'AAPL'), 50);
    assert.equal(broker.position('AAPL'), 150);
    // alpha's repeated target of 100 sent nothing: it already holds 100 of its own.
    assert.equal(connection.replay().summary().executions.length, 2);
    broker.dispose();
  });
});
