/**
 * Safety of the order path, through the real client and session against the real simulator: the live
 * interlock, every account limit, the daily-loss lock, duplicate keys (also across a restart), a
 * connection dropped between send and ack, and a restart with a working order.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from '@stoqey/ib';
import { createIbBroker, disposeBroker, type GuardedBroker, type IbBroker } from '../../lib/broker';
import { IbSocketSession } from '../../lib/ib/session';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator, SimulatorOptions } from '../../lib/sim/server/types';
import type { OrderEvent } from '../../lib/messages';
import { buildOrder } from '../../lib/orders/build';
import { OrderRefusedError } from '../../lib/orders/errors';
import { planTarget } from '../helpers/plan-target';
import type { RiskLimits } from '../../lib/risk-controls/limits';

const AAPL: Contract = { symbol: 'AAPL', secType: 'STK' as Contract['secType'], exchange: 'SMART', currency: 'USD' };
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Connected {
  session: IbSocketSession;
  broker: GuardedBroker;
  inner: IbBroker;
  events: OrderEvent[];
  logs: string[];
  close(): Promise<void>;
}

function journalFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'broker-safety-'));
  dirs.push(dir);
  return join(dir, 'journal.jsonl');
}

async function connect(sim: Simulator, options: { limits?: RiskLimits; journalPath?: string; clientId?: number; allowLiveOrders?: boolean } = {}): Promise<Connected> {
  const clientId = options.clientId ?? 9;
  const allow = options.allowLiveOrders ?? false;
  const session = new IbSocketSession({ host: sim.host, port: sim.port, clientId, allowLiveOrders: allow, mode: 'simulator', backoff: { initialMs: 50, maxMs: 200 } });
  const logs: string[] = [];
  const log = { debug: (m: string) => logs.push(m), info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };
  const broker = createIbBroker(session, { clientId, allowLiveOrders: allow, limits: options.limits ?? {}, journalPath: options.journalPath ?? journalFile(), statusProvider: () => session.status(), log });
  const inner = broker.inner as IbBroker;
  const events: OrderEvent[] = [];
  broker.on('order', (e) => events.push(e));
  session.start();
  await session.whenConnected(5000);
  await waitFor(() => inner.isReady() && session.status().account !== null, 'the broker to be ready');
  return {
    session,
    broker,
    inner,
    events,
    logs,
    async close() {
      disposeBroker(broker);
      await session.stop();
    },
  };
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function priceNow(c: Connected): Promise<number> {
  const ticks = await c.session.next.getMarketDataSnapshot(AAPL, '', false);
  const last = ticks.get(4)?.value ?? ticks.get(1)?.value;
  assert.ok(typeof last === 'number' && last > 0);
  return last;
}

async function withSim(options: SimulatorOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await createSimulator({ seed: 11, ...options });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

const mkt = (action: 'BUY' | 'SELL', qty: number) => buildOrder(action, qty, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'safety');
const lmt = (action: 'BUY' | 'SELL', qty: number, price: number) => buildOrder(action, qty, { orderType: 'LMT', lmtPrice: price, tif: 'GTC', outsideRth: false }, 'safety');

function refusal(fn: () => void): OrderRefusedError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof OrderRefusedError, `expected a refusal, got ${err}`);
    return err;
  }
  assert.fail('expected the order to be refused');
}

describe('the live interlock', () => {
  it('sends nothing to a live account unless "allow live orders" is ticked', async () => {
    await withSim({ accounts: ['U1234567'] }, async (sim) => {
      const c = await connect(sim);
      try {
        assert.equal(c.session.status().live, true);
        const id = await c.broker.nextOrderId();
        const err = refusal(() => c.broker.placeOrder(id, AAPL, mkt('BUY', 1)));
        assert.equal(err.rule, 'interlock');
        assert.match(err.message, /live account U1234567.*"allow live orders" is not ticked/);
        assert.match(c.broker.orderBlock() ?? '', /live account U1234567/);
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(sim.engine.openOrders().length, 0);
        assert.equal(sim.engine.executions().length, 0);
        assert.deepEqual(c.events, []);
      } finally {
        await c.close();
      }
      // Ticked (on the session and the broker): the order goes.
      const live = await connect(sim, { allowLiveOrders: true, clientId: 10 });
      try {
        const id = await live.broker.nextOrderId();
        live.broker.placeOrder(id, AAPL, mkt('BUY', 1));
        await waitFor(() => sim.engine.executions().length === 1, 'the live order to fill');
      } finally {
        await live.close();
      }
    });
  });
});

describe('the journal', () => {
  it('opens its file when the broker is made; one that cannot be opened is a warning, and every order is then refused, never sent unrecorded', async () => {
    await withSim({}, async (sim) => {
      const journalPath = journalFile();
      const c = await connect(sim, { journalPath });
      try {
        assert.equal(readFileSync(journalPath, 'utf8'), '', 'the journal exists before the first order');
      } finally {
        await c.close();
      }
      // A journal under a regular file cannot be opened, now or later.
      const blocked = join(journalPath, 'journal.jsonl');
      const d = await connect(sim, { journalPath: blocked, clientId: 12 });
      try {
        assert.ok(d.logs.some((l) => l.includes(`order journal ${blocked} cannot be opened`)), `warned at creation: ${d.logs.join(' | ')}`);
        const id = await d.broker.nextOrderId();
        const err = refusal(() => d.broker.placeOrder(id, AAPL, mkt('BUY', 1)));
        assert.equal(err.rule, 'journal');
        assert.match(err.message, /cannot be written .*no order is sent unrecorded/);
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(sim.engine.openOrders().length, 0);
        assert.equal(sim.engine.executions().length, 0);
      } finally {
        await d.close();
      }
    });
  });
});

describe('account limits', () => {
  it('refuses each breach with a message naming the limit, and sends nothing', async () => {
    await withSim({}, async (sim) => {
      const journalPath = journalFile();
      const c = await connect(sim, { limits: { maxOrderQuantity: 100, maxOrderNotional: 20_000, maxPosition: 150, maxOrdersPerMinute: 3 }, journalPath });
      try {
        const price = await priceNow(c);
        const quantityRefused = refusal(() => c.broker.placeOrder(-1, AAPL, mkt('BUY', 101)));
        assert.equal(quantityRefused.rule, 'max order quantity');
        assert.match(quantityRefused.message, /^max order quantity: BUY 101 AAPL is over the limit of 100/);
        const big = lmt('BUY', 100, Math.round(price * 3));
        const notional = refusal(() => c.broker.placeOrder(-2, AAPL, big));
        assert.equal(notional.rule, 'max order notional');
        const id1 = await c.broker.nextOrderId();
        c.broker.placeOrder(id1, AAPL, mkt('BUY', 100), { price });
        await waitFor(() => c.broker.position('AAPL') === 100, 'the first fill');
        const position = refusal(() => c.broker.placeOrder(-3, AAPL, mkt('BUY', 60), { price }));
        assert.equal(position.rule, 'max position');
        assert.match(position.message, /would make the position \(with working orders\) 160, over the limit of 150/);
        // Closing is never blocked by the position limit.
        const id2 = await c.broker.nextOrderId();
        c.broker.placeOrder(id2, AAPL, mkt('SELL', 50), { price });
        const id3 = await c.broker.nextOrderId();
        c.broker.placeOrder(id3, AAPL, mkt('SELL', 50), { price });
        const rate = refusal(() => c.broker.placeOrder(-4, AAPL, mkt('SELL', 1), { price }));
        assert.equal(rate.rule, 'max orders per minute');
        assert.match(rate.message, /^max orders per minute: 3 orders were sent in the last minute, the limit is 3/);
        await waitFor(() => c.broker.position('AAPL') === 0, 'flat again');
        assert.equal(sim.engine.executions().length, 3, 'only the three accepted orders reached the simulator');
        const decisions = readFileSync(journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'decision');
        assert.deepEqual(decisions.map((d) => d.result), ['refused', 'refused', 'sent', 'refused', 'sent', 'sent', 'refused']);
        assert.deepEqual(decisions.filter((d) => d.result === 'refused').map((d) => d.rule), ['max order quantity', 'max order notional', 'max position', 'max orders per minute']);
        assert.ok(decisions[2].checks.every((check: { ok: boolean }) => check.ok) && decisions[2].checks.length === 4, 'each sent order records its four checks');
      } finally {
        await c.close();
      }
    });
  });

  it('locks after the max daily loss: cancels working orders, refuses new ones until resumed', async () => {
    await withSim({}, async (sim) => {
      const c = await connect(sim, { limits: { maxDailyLoss: 0.5 } });
      try {
        const price = await priceNow(c);
        const restingId = await c.broker.nextOrderId();
        c.broker.placeOrder(restingId, AAPL, lmt('BUY', 10, Math.round(price * 0.7)));
        await waitFor(() => c.events.some((e) => e.orderId === restingId && e.status === 'Submitted'), 'the resting order');
        // A round trip of 100 shares loses the spread and two commissions of at least 0.35, whatever the
        // prices do meanwhile and however often TWS refreshes the account: a loss over 0.50. The lock
        // may already come after the buy, as the position is marked at once.
        const locked = () => (c.broker.orderBlock() ?? '').startsWith('max daily loss');
        const buy = await c.broker.nextOrderId();
        c.broker.placeOrder(buy, AAPL, mkt('BUY', 100));
        await waitFor(() => c.broker.position('AAPL') === 100, 'the buy');
        const sell = await c.broker.nextOrderId();
        let sold = false;
        try {
          // The guard measures the loss again as an order comes: the sell itself may find the lock.
          if (!locked()) {
            c.broker.placeOrder(sell, AAPL, mkt('SELL', 100));
            sold = true;
          }
        } catch (err) {
          assert.equal((err as OrderRefusedError).rule, 'max daily loss', `the sell refused by the lock only (${err})`);
        }
        if (sold) await waitFor(() => c.broker.position('AAPL') === 0, 'the sell');
        await waitFor(locked, 'the daily-loss lock');
        const held = c.broker.position('AAPL');
        await waitFor(() => c.events.some((e) => e.orderId === restingId && e.status === 'Cancelled'), 'the resting order cancelled by the lock');
        const id = await c.broker.nextOrderId();
        const err = refusal(() => c.broker.placeOrder(id, AAPL, mkt('BUY', 1)));
        assert.equal(err.rule, 'max daily loss');
        assert.match(err.message, /^max daily loss: the loss since the session began is [\d.]+, at or over the limit of 0.5/);
        c.broker.resume();
        assert.equal(c.broker.orderBlock(), null);
        c.broker.placeOrder(id, AAPL, mkt('BUY', 1));
        await waitFor(() => c.broker.position('AAPL') === held + 1, 'an order after the reset');
      } finally {
        await c.close();
      }
    });
  });

  it('halts on the kill switch: every working order cancelled, nothing new until resume', async () => {
    await withSim({}, async (sim) => {
      const c = await connect(sim);
      try {
        const price = await priceNow(c);
        const ids = [await c.broker.nextOrderId(), await c.broker.nextOrderId()];
        c.broker.placeOrder(ids[0], AAPL, lmt('BUY', 10, Math.round(price * 0.7)));
        c.broker.placeOrder(ids[1], AAPL, lmt('SELL', 10, Math.round(price * 1.3)));
        await waitFor(() => sim.engine.openOrders().length === 2, 'two working orders');
        c.broker.halt('kill switch pressed');
        await waitFor(() => sim.engine.openOrders().length === 0, 'all cancelled');
        const id = await c.broker.nextOrderId();
        assert.equal(refusal(() => c.broker.placeOrder(id, AAPL, mkt('BUY', 1))).rule, 'halt');
        c.broker.resume();
        c.broker.placeOrder(id, AAPL, mkt('BUY', 1));
        await waitFor(() => c.broker.position('AAPL') === 1, 'trading again');
      } finally {
        await c.close();
      }
    });
  });
});

describe('order quantities', () => {
  it("checks every order against the size rules its caller gives (the instrument's, TWS's contract details), else msg.contract's", async () => {
    await withSim({}, async (sim) => {
      const c = await connect(sim);
      try {
        const rules = { increment: 1, minSize: 10 };
        const under = refusal(() => c.broker.placeOrder(-1, AAPL, mkt('BUY', 5), { sizeRules: rules }));
        assert.equal(under.rule, 'order quantity');
        assert.match(under.message, /totalQuantity 5 is below the instrument's minimum size 10/);
        const off = refusal(() => c.broker.placeOrder(-2, AAPL, mkt('BUY', 0.3), { sizeRules: { increment: 0.25, minSize: 0.25 } }));
        assert.match(off.message, /totalQuantity 0\.3 is not a whole number of the instrument's size increment 0\.25/);
        const lot = refusal(() => c.broker.placeOrder(-3, { ...AAPL, sizeIncrement: 100 } as Contract, mkt('BUY', 50)));
        assert.match(lot.message, /totalQuantity 50 is not a whole number of the instrument's size increment 100/, "msg.contract's lot without rules from the caller");
        const id = await c.broker.nextOrderId();
        c.broker.placeOrder(id, AAPL, mkt('BUY', 10), { sizeRules: rules });
        await waitFor(() => c.broker.position('AAPL') === 10, 'the order at the minimum size filled');
        assert.equal(sim.engine.executions().length, 1);
      } finally {
        await c.close();
      }
    });
  });
});

describe('never twice', () => {
  it('refuses a second order under the same dedup key, also after a restart', async () => {
    await withSim({}, async (sim) => {
      const journalPath = journalFile();
      const c = await connect(sim, { journalPath });
      const id = await c.broker.nextOrderId();
      c.broker.placeOrder(id, AAPL, mkt('BUY', 5), { dedupKey: 'node1:msg-abc:entry' });
      const again = await c.broker.nextOrderId();
      const err = refusal(() => c.broker.placeOrder(again, AAPL, mkt('BUY', 5), { dedupKey: 'node1:msg-abc:entry' }));
      assert.equal(err.rule, 'duplicate');
      assert.equal(c.broker.placedFor('node1:msg-abc:entry'), id);
      await waitFor(() => c.broker.position('AAPL') === 5, 'the one fill');
      await c.close();
      // A new process over the same journal remembers the key, and never reuses the id.
      const d = await connect(sim, { journalPath });
      try {
        assert.equal(d.broker.placedFor('node1:msg-abc:entry'), id);
        const third = await d.broker.nextOrderId();
        assert.ok(third > again, `id ${third} is above every id used before (${again})`);
        assert.equal(refusal(() => d.broker.placeOrder(third, AAPL, mkt('BUY', 5), { dedupKey: 'node1:msg-abc:entry' })).rule, 'duplicate');
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(sim.engine.executions().length, 1);
        assert.equal(d.broker.position('AAPL'), 5, 'the position is rebuilt from TWS');
      } finally {
        await d.close();
      }
    });
  });

  for (const order of ['limit', 'market'] as const) {
    it(`a ${order} order whose ack is lost with the connection is one order after reconnect`, async () => {
      await withSim({}, async (sim) => {
        const c = await connect(sim);
        try {
          const price = await priceNow(c);
          const id = await c.broker.nextOrderId();
          sim.setLatency(400);
          c.broker.placeOrder(id, AAPL, order === 'limit' ? lmt('BUY', 10, Math.round(price * 0.7)) : mkt('BUY', 10));
          // The simulator has the order; its answer is still on the way when the connection drops.
          await waitFor(() => sim.engine.openOrders().length + sim.engine.executions().length > 0, 'the order at the simulator');
          sim.dropConnections();
          sim.setLatency(0);
          await waitFor(() => !c.inner.isReady(), 'the broker to notice the drop');
          await waitFor(() => c.inner.isReady(), 'the broker to rebuild after reconnect', 8000);
          await new Promise((r) => setTimeout(r, 300));
          if (order === 'limit') {
            assert.equal(sim.engine.openOrders().length, 1, 'one order at the simulator');
            assert.deepEqual(c.broker.workingOrders().map((w) => w.orderId), [id]);
          } else {
            assert.equal(sim.engine.executions().length, 1, 'one fill at the simulator');
            assert.equal(sim.engine.position('AAPL')?.quantity, 10);
            assert.equal(c.broker.position('AAPL'), 10);
            assert.equal(c.events.filter((e) => e.orderId === id).at(-1)?.status, 'Filled');
          }
          assert.ok(c.logs.some((l) => /1 confirmed after reconnect/.test(l)), `adopted, not re-sent: ${c.logs.filter((l) => l.startsWith('broker')).join(' / ')}`);
        } finally {
          await c.close();
        }
      });
    });
  }

  it('an order that never reached TWS is sent once, with the same id, after reconnect', async () => {
    await withSim({}, async (sim) => {
      const c = await connect(sim);
      try {
        const price = await priceNow(c);
        const id = await c.broker.nextOrderId();
        sim.refuseConnections(true);
        sim.dropConnections();
        // Placed while the drop is not yet noticed: it goes into a dead socket (or waits in the queue).
        c.broker.placeOrder(id, AAPL, lmt('BUY', 10, Math.round(price * 0.7)));
        await waitFor(() => !c.inner.isReady(), 'the broker to notice the drop');
        await new Promise((r) => setTimeout(r, 150));
        sim.refuseConnections(false);
        await waitFor(() => c.inner.isReady(), 'the broker to rebuild after reconnect', 8000);
        await waitFor(() => sim.engine.openOrders().length === 1, 'the order at the simulator');
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(sim.engine.openOrders().map((o) => o.order.orderId), [id]);
        assert.deepEqual(c.broker.workingOrders().map((w) => w.orderId), [id]);
        assert.ok(c.logs.some((l) => /1 re-sent with the same id/.test(l)), `re-sent once: ${c.logs.filter((l) => l.startsWith('broker')).join(' / ')}`);
      } finally {
        await c.close();
      }
    });
  });

  it('a restart with a working order adopts it, and the same target then sends nothing', async () => {
    await withSim({}, async (sim) => {
      const journalPath = journalFile();
      const first = await connect(sim, { journalPath });
      const price = await priceNow(first);
      const id = await first.broker.nextOrderId();
      first.broker.placeOrder(id, AAPL, lmt('BUY', 100, Math.round(price * 0.7)));
      await waitFor(() => first.events.some((e) => e.orderId === id && e.status === 'Submitted'), 'the working order');
      await first.close();
      const second = await connect(sim, { journalPath });
      try {
        const working = second.broker.workingOrders('AAPL');
        assert.deepEqual(working.map((w) => [w.orderId, w.order.orderRef, w.state.remaining]), [[id, 'safety', 100]]);
        const plan = planTarget(100, second.broker.position('AAPL'), working.map((w) => ({ orderId: w.orderId, action: w.order.action as string, remaining: w.state.remaining })));
        assert.equal(plan.send, null);
        assert.equal(sim.engine.openOrders().length, 1);
      } finally {
        await second.close();
      }
    });
  });
});
