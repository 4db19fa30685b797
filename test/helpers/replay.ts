/**
 * A replay the way the nodes run one, without Node-RED: the backtest session sees each bar first, then
 * the strategy's target for that bar goes to the broker as place-order would send it. Tests compare it
 * with the batch backtest, which must agree to the cent.
 */
import type { Contract } from '@stoqey/ib';
import { createBacktestConnection, type BacktestConnectionOptions } from '../../lib/connection/backtest-connection';
import type { BacktestSummary } from '../../lib/backtest/types';
import { contractFromKey } from '../../lib/messages/instrument';
import type { Bar, OrderIntent } from '../../lib/messages';
import { buildOrder } from '../../lib/orders/build';
import { planTarget } from './plan-target';

export interface ReplayInput {
  key: string;
  bars: readonly Bar[];
  /** Index-aligned targets ({targetQuantity}), null for no change. */
  intents: ReadonlyArray<OrderIntent | null>;
  options: BacktestConnectionOptions;
  /** The contract orders go out with (default: the key's). */
  contract?: Contract;
}

export function replayTargets({ key, bars, intents, options, contract = contractFromKey(key) }: ReplayInput): BacktestSummary {
  const connection = createBacktestConnection(options);
  const session = connection.replay();
  const broker = connection.broker;
  session.begin('replay', key, bars.length);
  let nextId = 1;
  for (let i = 0; i < bars.length; i++) {
    session.onBar(key, bars[i]!);
    const intent = intents[i];
    if (!intent) continue;
    const working = broker.workingOrders(key).map((w) => ({ orderId: w.orderId, action: w.state.action, remaining: w.state.remaining }));
    const plan = planTarget(intent.targetQuantity!, broker.position(key), working);
    if (plan.send) broker.placeOrder(nextId++, contract, buildOrder(plan.send.action, plan.send.quantity, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'replay'));
  }
  session.end('replay');
  return session.summary();
}
