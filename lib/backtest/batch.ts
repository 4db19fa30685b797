/**
 * The batch (vectorized) backtest: a whole array of bars and an index-aligned array of order intents
 * (what risk-sizer writes in batch mode: `{targetQuantity}` per bar, null for no change) run through the
 * very same session, fill engine and order rules as a replay. Bar i is fed to the engine first (fills of
 * earlier orders, mark at its close), then intent i is acted on, exactly as in a replay where the bar
 * reaches place-order only after the session has seen it. So batch and replay agree to the cent.
 *
 * Intents follow place-order's rules (lib/orders): a target sends only the difference from position
 * plus working orders, cancelling working orders that go the wrong way; explicit orders go as given.
 */
import type { Contract } from '@stoqey/ib';
import type { Bar, InstrumentKey, OrderEvent, OrderIntent } from '../messages';
import { batchLength, columnsBarAt, isBarBatch, requireColumn, type BarBatch, type BarColumns } from '../messages/bar-columns';
import { BacktestBroker } from '../broker/backtest-broker';
import { contractFromKey, instrumentKey } from '../messages/instrument';
import { buildOrder } from '../orders/build';
import { planTarget } from '../orders/target';
import { validateOrderIntent } from '../orders/validate';
import { FillEngine } from '../fills/fill-engine';
import { isBuyingPowerRejection } from '../fills/margin';
import { BacktestRun, type EngineFactory } from './session';
import type { BacktestOptions, BacktestSummary, SummaryOptions } from './types';

export interface BatchBacktestInput {
  key: InstrumentKey;
  /** An array of bar objects, or columns ({time, open, high, low, close, volume} arrays). */
  bars: BarBatch;
  /** Index-aligned with bars; null/undefined = no change on that bar. */
  orders: ReadonlyArray<OrderIntent | null | undefined>;
  options: BacktestOptions;
  /** Terms every intent starts from (place-order's configured defaults); msg fields win. */
  orderDefaults?: Partial<OrderIntent>;
  /** The contract orders go out with (msg.contract: a future's multiplier, say); else the key's. */
  contract?: Contract;
  /** orderRef of the orders sent (place-order uses its node id). */
  orderRef?: string;
  summary?: SummaryOptions;
  createEngine?: EngineFactory;
}

export function runBatchBacktest(input: BatchBacktestInput): BacktestSummary {
  const { bars, orders } = input;
  if (!isBarBatch(bars)) {
    throw new Error('batch backtest: msg.payload must be an array of bars {time, open, high, low, close, volume}, or columns {time: [...], open: [...], high: [...], low: [...], close: [...], volume: [...]}');
  }
  const n = batchLength(bars);
  // Columns are read as bar objects one at a time: short-lived, so the batch never holds a million of them.
  const columns = Array.isArray(bars) ? null : (bars as BarColumns);
  if (columns) for (const field of ['open', 'high', 'low'] as const) requireColumn(columns, field, 'a backtest');
  const list = columns ? null : (bars as readonly Bar[]);
  if (!Array.isArray(orders)) {
    throw new Error('batch backtest: msg.order must be an array of order intents index-aligned with msg.payload (risk-sizer writes one in batch mode)');
  }
  if (orders.length !== n) {
    throw new Error(`batch backtest: msg.order has ${orders.length} entries but msg.payload has ${n} bars: they must be index-aligned`);
  }
  const contract = input.contract ?? contractFromKey(input.key);
  // The engine books orders under their contract's key: the bars go in under the same one, so a topic
  // spelled differently ("aapl", or "ES" beside a full futures msg.contract) still meets its orders.
  const key = instrumentKey(contract);
  const run = new BacktestRun(input.options, input.createEngine ?? ((o) => new FillEngine(o)), n);
  const broker = new BacktestBroker(run);
  const orderRef = input.orderRef ?? 'batch';
  const sourceId = 'batch';
  // A refused order must not pass silently: the batch would report a run with trades missing.
  let refused: OrderEvent | null = null;
  broker.on('order', (event) => {
    // What the account could not pay for is a result (counted in rejectedOrders), not a broken batch.
    if (event.status === 'Inactive' && refused === null && !isBuyingPowerRejection(event.reason)) refused = event;
  });
  run.begin(sourceId, key, n);
  for (let i = 0; i < n; i++) {
    run.onBar(key, list ? list[i]! : columnsBarAt(columns!, i));
    const intent = orders[i];
    if (intent === null || intent === undefined) continue;
    act(broker, key, contract, intent, input.orderDefaults ?? {}, orderRef, i);
    if (refused !== null) {
      const { orderId, reason } = refused as OrderEvent;
      throw new Error(`batch backtest: the order for msg.order[${i}] (order ${orderId}) was refused: ${reason ?? 'no reason given'}`);
    }
  }
  run.end(sourceId);
  // The run is not reused: its curve buffers can be handed out as they are.
  return run.summary(input.summary, false);
}

function act(
  broker: BacktestBroker,
  key: InstrumentKey,
  contract: ReturnType<typeof contractFromKey>,
  intent: OrderIntent,
  defaults: Partial<OrderIntent>,
  orderRef: string,
  index: number,
): void {
  const checked = validateOrderIntent(intent, defaults, `msg.order[${index}]`);
  if (checked.kind === 'modify') {
    throw new Error(`msg.order[${index}] modifies order ${checked.orderId}: a batch backtest takes targets or new orders only`);
  }
  if (checked.kind === 'explicit') {
    broker.placeOrder(broker.reserveOrderId(), contract, buildOrder(checked.action, checked.totalQuantity, checked, orderRef));
    return;
  }
  const working = broker.workingOrders(key).map((w) => ({ orderId: w.orderId, action: w.state.action, remaining: w.state.remaining }));
  const plan = planTarget(checked.targetQuantity, broker.position(key), working);
  for (const orderId of plan.cancel) broker.cancelOrder(orderId);
  if (plan.send) broker.placeOrder(broker.reserveOrderId(), contract, buildOrder(plan.send.action, plan.send.quantity, checked, orderRef));
}
