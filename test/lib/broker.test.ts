/**
 * The IB broker (inside its guard) through the real @stoqey/ib client and session against the real
 * simulator: every order type's lifecycle, partial fills, a rejection, modify, cancel, brackets with the
 * stop or the take-profit hit (the other child cancelled by OCA), and a trailing stop that moves.
 * Prices are driven by feeding quotes to the simulator's fill engine, as its market clock does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract, Order } from '@stoqey/ib';
import { createIbBroker, disposeBroker, type GuardedBroker, type IbBroker } from '../../lib/broker';
import { IbSocketSession } from '../../lib/ib/session';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator, SimulatorOptions } from '../../lib/sim/server/types';
import type { Execution, OrderEvent } from '../../lib/messages';
import { bracketOrders } from '../../lib/orders/bracket';
import { buildOrder } from '../../lib/orders/build';
import type { RiskLimits } from '../../lib/risk-controls/limits';

const AAPL: Contract = { symbol: 'AAPL', secType: 'STK' as Contract['secType'], exchange: 'SMART', currency: 'USD' };

interface Rig {
  sim: Simulator;
  session: IbSocketSession;
  broker: GuardedBroker;
  inner: IbBroker;
  events: OrderEvent[];
  fills: Execution[];
  journalPath: string;
  close(): Promise<void>;
}

const dirs: string[] = [];

async function rig(simOptions: SimulatorOptions = {}, limits: RiskLimits = {}, clientId = 5): Promise<Rig> {
  const sim = await createSimulator({ seed: 7, ...simOptions });
  const dir = mkdtempSync(join(tmpdir(), 'broker-'));
  dirs.push(dir);
  const journalPath = join(dir, 'journal.jsonl');
  const session = new IbSocketSession({ host: sim.host, port: sim.port, clientId, allowLiveOrders: false, mode: 'simulator', backoff: { initialMs: 50, maxMs: 200 } });
  const broker = createIbBroker(session, { clientId, allowLiveOrders: false, limits, journalPath, statusProvider: () => session.status() });
  const inner = broker.inner as IbBroker;
  const events: OrderEvent[] = [];
  const fills: Execution[] = [];
  broker.on('order', (e) => events.push(e));
  broker.on('execution', (e) => fills.push(e));
  session.start();
  await session.whenConnected(5000);
  await waitFor(() => inner.isReady(), 'the broker to rebuild from TWS');
  return {
    sim,
    session,
    broker,
    inner,
    events,
    fills,
    journalPath,
    async close() {
      disposeBroker(broker);
      await session.stop();
      await sim.close();
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

/** AAPL's price now, through the client like any market data. */
async function priceNow(r: Rig): Promise<number> {
  const ticks = await r.session.next.getMarketDataSnapshot(AAPL, '', false);
  const last = ticks.get(4)?.value ?? ticks.get(1)?.value;
  assert.ok(typeof last === 'number' && last > 0, 'a last price from the simulator');
  return last;
}

/** Sets AAPL's price in the simulator's engine (the market clock moves it back within 100 ms). */
function quote(sim: Simulator, last: number): void {
  sim.engine.onQuote('AAPL', { time: Date.now(), bid: last - 0.01, ask: last + 0.01, last });
}

function statuses(events: OrderEvent[], orderId: number): string[] {
  return events.filter((e) => e.orderId === orderId).map((e) => e.status);
}

async function place(r: Rig, order: Order, contract = AAPL): Promise<number> {
  const id = await r.broker.nextOrderId();
  r.broker.placeOrder(id, contract, order, { source: 'test' });
  return id;
}

const finalOf = (r: Rig, id: number) => r.events.filter((e) => e.orderId === id).at(-1);

after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('IbBroker lifecycles against the simulator', () => {
  let r: Rig;
  before(async () => {
    r = await rig();
  });
  after(async () => {
    await r.close();
  });

  it('fills a market order with its commission, position and journal lines', async () => {
    const id = await place(r, buildOrder('BUY', 100, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'lifecycle'));
    await waitFor(() => finalOf(r, id)?.status === 'Filled', 'the fill');
    const filled = finalOf(r, id)!;
    assert.deepEqual([filled.filled, filled.remaining, filled.orderRef, filled.symbol], [100, 0, 'lifecycle', 'AAPL']);
    assert.ok(filled.commission > 0, 'the Filled event carries the commission');
    assert.ok(filled.avgFillPrice > 100 && filled.permId > 0);
    assert.deepEqual(statuses(r.events, id).slice(0, 1), ['PendingSubmit']);
    assert.equal(statuses(r.events, id).filter((s) => s === 'Filled').length, 1, 'one Filled event');
    const fill = r.fills.find((f) => f.orderId === id)!;
    assert.deepEqual([fill.side, fill.shares, fill.account], ['BUY', 100, 'DU1234567']);
    assert.ok(fill.commission > 0);
    await waitFor(() => r.broker.position('AAPL') === 100, 'the position');
    assert.equal(r.broker.lastPrice('AAPL'), fill.price);
    const lines = readFileSync(r.journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const decision = lines.find((l) => l.type === 'decision' && l.orderId === id);
    assert.equal(decision.result, 'sent');
    assert.deepEqual(decision.order, { action: 'BUY', totalQuantity: 100, orderType: 'MKT', tif: 'DAY', outsideRth: false, orderRef: 'lifecycle', transmit: true });
    assert.ok(lines.some((l) => l.type === 'execution' && l.execution.execId === fill.execId && l.execution.commission > 0));
    assert.ok(lines.some((l) => l.type === 'order' && l.event.status === 'Filled' && l.orderId === id));
  });

  it('modifies and cancels a working limit order', async () => {
    const away = Math.round((await priceNow(r)) * 0.8);
    const id = await place(r, buildOrder('BUY', 10, { orderType: 'LMT', lmtPrice: away, tif: 'GTC', outsideRth: false }, 'lifecycle'));
    await waitFor(() => finalOf(r, id)?.status === 'Submitted', 'the limit order working');
    assert.deepEqual(r.broker.workingOrders('AAPL').map((w) => w.orderId), [id]);
    const working = r.broker.workingOrders('AAPL')[0];
    r.broker.placeOrder(id, AAPL, { ...working.order, lmtPrice: away + 1.5, totalQuantity: 20 });
    await waitFor(() => r.sim.engine.openOrders().some((o) => o.order.orderId === id && o.order.lmtPrice === away + 1.5 && o.order.totalQuantity === 20), 'the modification at the simulator');
    r.broker.cancelOrder(id);
    await waitFor(() => finalOf(r, id)?.status === 'Cancelled', 'the cancel');
    assert.ok(statuses(r.events, id).includes('PendingCancel'));
    assert.match(finalOf(r, id)!.reason ?? '', /202/);
    assert.deepEqual(r.broker.workingOrders('AAPL'), []);
    assert.equal(r.sim.engine.openOrders().length, 0);
  });

  it('reports a rejection by TWS (an account not of this login) and keeps nothing working', async () => {
    const order = buildOrder('BUY', 10, { orderType: 'MKT', tif: 'DAY', outsideRth: false, account: 'DU9999999' }, 'lifecycle');
    // Straight to the IB broker: the guard around it refuses such an order before TWS sees it.
    const id = await r.broker.nextOrderId();
    r.broker.inner.placeOrder(id, AAPL, order, { source: 'test' });
    await waitFor(() => finalOf(r, id)?.status === 'Inactive', 'the rejection');
    assert.match(finalOf(r, id)!.reason ?? '', /DU9999999.*IB 321/);
    assert.deepEqual(r.broker.workingOrders(), []);
  });

  it('takes stop, stop-limit, trailing, MOC and LOC orders; stops fill when the price gets there', async () => {
    const price = Math.round(await priceNow(r));
    const stop = price - 10;
    const stp = await place(r, buildOrder('SELL', 10, { orderType: 'STP', auxPrice: stop, tif: 'GTC', outsideRth: false }, 'lifecycle'));
    const stpLmt = await place(r, buildOrder('SELL', 10, { orderType: 'STP LMT', auxPrice: stop, lmtPrice: stop - 10, tif: 'GTC', outsideRth: false }, 'lifecycle'));
    const moc = await place(r, buildOrder('BUY', 5, { orderType: 'MOC', tif: 'DAY', outsideRth: false }, 'lifecycle'));
    const loc = await place(r, buildOrder('BUY', 5, { orderType: 'LOC', lmtPrice: price - 50, tif: 'DAY', outsideRth: false }, 'lifecycle'));
    await waitFor(() => [stp, stpLmt, moc, loc].every((id) => ['Submitted', 'PreSubmitted'].includes(finalOf(r, id)?.status ?? '')), 'all four working');
    quote(r.sim, stop - 2);
    await waitFor(() => finalOf(r, stp)?.status === 'Filled' && finalOf(r, stpLmt)?.status === 'Filled', 'both stops to fill');
    assert.ok(finalOf(r, stp)!.avgFillPrice <= stop && finalOf(r, stpLmt)!.avgFillPrice >= stop - 10);
    r.broker.cancelOrder(moc);
    r.broker.cancelOrder(loc);
    await waitFor(() => finalOf(r, moc)?.status === 'Cancelled' && finalOf(r, loc)?.status === 'Cancelled', 'MOC and LOC cancelled');
  });

  it('moves a trailing stop up with the price and fills it on the way down', async () => {
    const start = r.broker.position('AAPL');
    const id = await place(r, buildOrder('SELL', 10, { orderType: 'TRAIL', auxPrice: 2, tif: 'GTC', outsideRth: false }, 'lifecycle'));
    await waitFor(() => r.sim.engine.openOrders().some((o) => o.order.orderId === id && typeof o.order.trailStopPrice === 'number'), 'the trailing order working');
    const high = Math.round(await priceNow(r)) + 40;
    quote(r.sim, high);
    const moved = r.sim.engine.openOrders().find((o) => o.order.orderId === id)!.order.trailStopPrice;
    assert.equal(moved, high - 2, 'the stop follows the price up, 2 below it');
    // The market clock brings the price back to its walk, 40 lower: the stop is hit.
    await waitFor(() => finalOf(r, id)?.status === 'Filled', 'the trailing stop to fill');
    await waitFor(() => r.broker.position('AAPL') === start - 10, 'the position to drop by 10');
  });
});

describe('IbBroker partial fills and brackets', () => {
  it('reports a rejection (price off the tick) with IB\'s reason', async () => {
    const r = await rig();
    try {
    const id = await place(r, buildOrder('BUY', 10, { orderType: 'LMT', lmtPrice: Math.round((await priceNow(r)) * 0.8) + 0.003, tif: 'DAY', outsideRth: false }, 'lifecycle'));
    await waitFor(() => finalOf(r, id)?.status === 'Inactive', 'the rejection');
    assert.match(finalOf(r, id)!.reason ?? '', /minimum price variation.*IB 110/);
    assert.deepEqual(r.broker.workingOrders(), []);
    } finally {
      await r.close();
    }
  });


  it('reports each partial fill and the final fill', async () => {
    const r = await rig({ maxFillPerEvent: 30 });
    try {
      const id = await place(r, buildOrder('BUY', 100, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'partial'));
      await waitFor(() => finalOf(r, id)?.status === 'Filled', 'the full fill', 8000);
      const fills = r.fills.filter((f) => f.orderId === id);
      assert.deepEqual(fills.map((f) => f.shares), [30, 30, 30, 10]);
      const partial = r.events.filter((e) => e.orderId === id && e.status === 'Submitted' && e.filled > 0).map((e) => e.filled);
      assert.deepEqual(partial, [30, 60, 90]);
      assert.equal(r.broker.position('AAPL'), 100);
      const total = fills.reduce((s, f) => s + f.commission, 0);
      assert.ok(Math.abs(finalOf(r, id)!.commission - total) < 1e-9, 'the order carries the sum of its fills\' commissions');
    } finally {
      await r.close();
    }
  });

  for (const hit of ['stop-loss', 'take-profit'] as const) {
    it(`runs a bracket to its ${hit} and cancels the other child by OCA`, async () => {
      const r = await rig();
      try {
        const ids = [await r.broker.nextOrderId(), await r.broker.nextOrderId(), await r.broker.nextOrderId()];
        const entry = buildOrder('BUY', 50, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'bracket');
        const price = Math.round(await priceNow(r));
        const planned = bracketOrders(ids[0], entry, { positionSide: 'BUY', quantity: 50, stopLoss: price - 20, takeProfit: price + 20, tif: 'GTC', outsideRth: false, orderRef: 'bracket', ocaGroup: `oca-${ids[0]}` }, { takeProfit: ids[1], stopLoss: ids[2] });
        for (const p of planned) r.broker.placeOrder(p.orderId, AAPL, p.order, { source: 'test' });
        await waitFor(() => finalOf(r, ids[0])?.status === 'Filled', 'the entry to fill');
        await waitFor(() => ['Submitted', 'PreSubmitted'].includes(finalOf(r, ids[1])?.status ?? '') && ['Submitted', 'PreSubmitted'].includes(finalOf(r, ids[2])?.status ?? ''), 'both children working');
        assert.deepEqual(r.broker.workingOrders('AAPL').map((w) => [w.orderId, w.order.parentId, w.order.ocaGroup]), [
          [ids[1], ids[0], `oca-${ids[0]}`],
          [ids[2], ids[0], `oca-${ids[0]}`],
        ]);
        quote(r.sim, hit === 'stop-loss' ? price - 25 : price + 25);
        const [winner, loser] = hit === 'stop-loss' ? [ids[2], ids[1]] : [ids[1], ids[2]];
        await waitFor(() => finalOf(r, winner)?.status === 'Filled' && finalOf(r, loser)?.status === 'Cancelled', 'one child filled, the other cancelled');
        await waitFor(() => r.broker.position('AAPL') === 0, 'flat');
        assert.deepEqual(r.broker.workingOrders(), []);
      } finally {
        await r.close();
      }
    });
  }
});

describe('many nodes on one connection', () => {
  it('fifty place-order nodes listening to one broker raise no listener-leak warning', async () => {
    const sim = await createSimulator({ seed: 4 });
    const session = new IbSocketSession({ host: sim.host, port: sim.port, clientId: 31, allowLiveOrders: false, mode: 'simulator' });
    const dir = mkdtempSync(join(tmpdir(), 'broker-listeners-'));
    const broker = createIbBroker(session, { clientId: 31, allowLiveOrders: false, limits: {}, journalPath: join(dir, 'journal.jsonl'), statusProvider: () => session.status() });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      // Each place-order node listens to orders and executions (50 symbols, a chain each).
      for (let i = 0; i < 50; i++) {
        broker.on('order', () => {});
        broker.on('execution', () => {});
      }
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
    } finally {
      process.off('warning', onWarning);
      disposeBroker(broker);
      await session.stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
