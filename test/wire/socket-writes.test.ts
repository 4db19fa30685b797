/**
 * What a session writes to its socket, through the real @stoqey/ib client, the session and the broker
 * against the simulator: fields that cannot be encoded are refused with their name and the connection
 * stays up; nothing is written into a new connection before its handshake; orders go ahead of data
 * requests queued before them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventName, type Contract } from '@stoqey/ib';
import { createIbBroker, disposeBroker, type GuardedBroker } from '../../lib/broker';
import { IbSocketSession } from '../../lib/ib/session';
import { OrderRehearsal } from '../../lib/ib/order-rehearsal';
import { WireFieldError } from '../../lib/ib/wire-check';
import { buildOrder } from '../../lib/orders/build';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { readJournal } from '../../lib/journal/journal';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator, SimulatorOptions } from '../../lib/sim/server/types';
import { waitFor } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: 'STK' as Contract['secType'], exchange: 'SMART', currency: 'USD' };
const PLACE_ORDER = '3';
const REQ_CURRENT_TIME = '49';

interface Rig {
  sim: Simulator;
  session: IbSocketSession;
  broker: GuardedBroker;
  /** Every message the simulator read, by message id. */
  received: string[][];
  /** The simulator connection each of `received` came on. */
  connections: number[];
  /** Simulator log lines (bad frames ...). */
  lines: string[];
  /** How often the session lost its connection. */
  drops: () => number;
  journalPath: string;
  close(): Promise<void>;
}

async function rig(options: SimulatorOptions = {}, clientId = 5): Promise<Rig> {
  const received: string[][] = [];
  const connections: number[] = [];
  const lines: string[] = [];
  const sim = await createSimulator({ seed: 3, ...options, log: (l) => lines.push(l), probe: {
      messageRead: (connection, fields) => {
        received.push([...fields]);
        connections.push(connection);
      },
    },
  });
  const session = new IbSocketSession({ host: sim.host, port: sim.port, clientId, allowLiveOrders: false, mode: 'simulator', backoff: { initialMs: 50, maxMs: 200 } });
  const dir = mkdtempSync(join(tmpdir(), 'socket-writes-'));
  const journalPath = join(dir, 'journal.jsonl');
  const broker = createIbBroker(session, { clientId, allowLiveOrders: false, limits: {}, journalPath, statusProvider: () => session.status() });
  let drops = 0;
  session.api.on(EventName.disconnected, () => drops++);
  session.start();
  await session.whenConnected(5000);
  await waitFor(() => broker.orderBlock() === null, 'the broker to be ready');
  return {
    sim,
    session,
    broker,
    received,
    connections,
    lines,
    drops: () => drops,
    journalPath,
    async close() {
      disposeBroker(broker);
      await session.stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const market = (qty = 1) => buildOrder('BUY', qty, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'wire');

/** The refusal `fn` throws: a clear error (the wire check's, or the instrument key's), never a TypeError. */
function refusedField(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WireFieldError || (err instanceof Error && err.constructor === Error), `expected a refusal naming the field, got ${err}`);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('fields that cannot be encoded', () => {
  it('are refused with the field named, nothing is written, and the connection stays up', async () => {
    const r = await rig();
    try {
      const cases: Array<[string, Contract, ReturnType<typeof market>, RegExp]> = [
        ['NUL in the symbol', { ...AAPL, symbol: 'AA\u0000PL' }, market(), /^contract\.symbol contains a NUL byte/],
        ['NaN conId', { ...AAPL, conId: NaN }, market(), /^contract\.conId is NaN, not a whole number/],
        ['a number as exchange', { ...AAPL, exchange: 5 as unknown as string }, market(), /^contract\.exchange (is 5, not text|must be text such as "SMART", not 5)/],
        ['an object as currency', { ...AAPL, currency: {} as unknown as string }, market(), /^contract\.currency (is an object, not text|must be text such as "USD", not the object \{\})/],
        ['NUL in orderRef', AAPL, { ...market(), orderRef: 'a\u0000b' }, /^order\.orderRef contains a NUL byte/],
        ['Infinity as limit price', AAPL, { ...market(), orderType: 'LMT' as never, lmtPrice: Infinity }, /^order\.lmtPrice is Infinity/],
      ];
      for (const [name, contract, order, expected] of cases) {
        const id = await r.broker.nextOrderId();
        const err = refusedField(() => r.broker.placeOrder(id, contract, order));
        assert.match(err.message, expected, name);
      }
      // Raw requests too (market data, history): the check sits on the client itself.
      assert.match(refusedField(() => r.session.api.reqMktData(r.session.allocateReqId({ onRequestError() {} }), { ...AAPL, symbol: 'X\u0000' }, '', false, false)).message, /^contract\.symbol contains a NUL/);
      assert.match(refusedField(() => r.session.api.reqHistoricalData(7, AAPL, '20260101 00:00:00\u0000', '1 D', '1 min' as never, 'TRADES', 1, 1, false)).message, /^endDateTime contains a NUL/);
      assert.match(refusedField(() => r.session.api.placeOrder(999, AAPL, { ...market(), totalQuantity: 5n as unknown as number })).message, /^order\.totalQuantity is a BigInt/);
      assert.match(refusedField(() => r.session.api.reqContractDetails(8, { ...AAPL, strike: NaN })).message, /^contract\.strike is NaN/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(r.received.filter((f) => f[0] === PLACE_ORDER).length, 0, 'no order reached the simulator');
      assert.equal(r.drops(), 0, 'the connection never dropped');
      assert.deepEqual(r.lines.filter((l) => /bad|closing/.test(l)), []);
      // A good order still goes.
      const id = await r.broker.nextOrderId();
      r.broker.placeOrder(id, AAPL, market());
      await waitFor(() => r.sim.engine.executions().length === 1, 'the good order to fill');
      assert.equal(r.drops(), 0);
    } finally {
      await r.close();
    }
  });
});

describe('the order path rehearsal', () => {
  it('writes nothing: the dry runs at connect and every period reach no socket, and an order sent once is read once', async () => {
    const r = await rig({}, 7);
    try {
      const sentOrders: unknown[][] = [];
      r.session.api.on(EventName.sent, (tokens: unknown[]) => Number(tokens[0]) === 3 && sentOrders.push(tokens));
      // Its own dry runs, on the connected client, beside the broker's (at connect and every 20 ms).
      const rehearsal = new OrderRehearsal(r.session.api);
      rehearsal.setSample(AAPL, { ...market(7), account: 'DU0', orderId: 1, clientId: 7 });
      rehearsal.rehearse(200);
      assert.equal(rehearsal.runs, 200);
      assert.equal(rehearsal.framed, 200, 'each dry run encoded and framed the order');
      const id = await r.broker.nextOrderId();
      r.broker.placeOrder(id, AAPL, market(3));
      await waitFor(() => r.sim.engine.executions().length === 1, 'the order to fill');
      // Several periods of rehearsing the order just sent.
      await new Promise((resolve) => setTimeout(resolve, 450));
      rehearsal.rehearse(200);
      const placed = r.received.filter((f) => f[0] === PLACE_ORDER);
      assert.equal(placed.length, 1, 'one PLACE_ORDER read');
      assert.equal(placed[0][1], String(id));
      assert.equal(sentOrders.length, 1, 'one PLACE_ORDER written');
      assert.equal(r.sim.engine.executions().length, 1);
      assert.equal(r.drops(), 0);
    } finally {
      await r.close();
    }
  });
});

describe('the order path rehearsal of the layers above', () => {
  it("runs the strategy's decision and the account guard's checks and journal line with the client's, and they place, cancel and write nothing", async () => {
    const r = await rig({}, 8);
    try {
      let periods = 0;
      const stop = r.broker.keepWarm(() => periods++);
      const strategy = new StrategyOrders(r.broker, { source: 'rehearsed', orderRef: 'warm' });
      const outcome = await strategy.submit({ key: 'AAPL', contract: AAPL, order: { targetQuantity: 5 }, msgId: 'm1', price: 100 });
      assert.equal(outcome.kind, 'sent');
      await waitFor(() => r.sim.engine.executions().length === 1, 'the order to fill');
      // Rehearsed at once many times, and by the broker's period (twice every 20 ms).
      for (let i = 0; i < 200; i++) {
        strategy.rehearse();
        r.broker.rehearse();
      }
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.ok(periods >= 6, `the broker ran what was added to its rehearsal (${periods} runs)`);
      stop();
      const stopped = periods;
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal(periods, stopped, 'and no more once stopped');
      assert.equal(r.received.filter((f) => f[0] === PLACE_ORDER).length, 1, 'one PLACE_ORDER read');
      assert.equal(r.received.filter((f) => f[0] === '4').length, 0, 'no cancel');
      assert.equal(readJournal(r.journalPath).filter((e) => e.type === 'decision').length, 1, 'one decision journaled');
      assert.equal(r.sim.engine.executions().length, 1);
      strategy.dispose();
    } finally {
      await r.close();
    }
  });
});

describe('the order path rehearsal of many strategies', () => {
  it('takes one strategy of a group per dry run, in turn, and every rehearsal without a group each run', async () => {
    const r = await rig({}, 12);
    try {
      const rehearsal = new OrderRehearsal(r.session.api);
      const strategies = Array.from({ length: 50 }, () => 0);
      const stops = strategies.map((_, i) => rehearsal.add(() => strategies[i]++, 'strategy orders'));
      let guard = 0;
      rehearsal.add(() => guard++);
      let failing = 0;
      rehearsal.add(() => {
        failing++;
        throw new Error('its sample fails its checks');
      });
      rehearsal.rehearse(100);
      assert.deepEqual(strategies, Array.from({ length: 50 }, () => 2), 'each of the 50 twice in 100 runs, not 100 times');
      assert.equal(guard, 100);
      assert.equal(failing, 100, 'a failing rehearsal stops none of the others');
      assert.equal(rehearsal.runs, 100, "and the client's own dry runs ran");
      for (const stop of stops.slice(0, 49)) stop();
      rehearsal.rehearse(10);
      assert.equal(strategies[49], 12, 'the one left takes every run');
      assert.equal(strategies[0], 2, 'the others stopped');
    } finally {
      await r.close();
    }
  });
});

describe('after a reconnect', () => {
  it('nothing queued for the dropped connection is written into the new one; requests made while down go after the handshake', async () => {
    const r = await rig({}, 6);
    try {
      // A backlog the 40/s budget needs seconds to write: still queued when TWS goes away. Written
      // into the next connection, any of it could land before START_API, and the new connection
      // would be dropped again ("message 49 before START_API").
      for (let i = 0; i < 200; i++) r.session.api.reqCurrentTime();
      const before = r.drops();
      const restarted = r.sim.restart(300);
      await waitFor(() => r.drops() > before, 'the session to see the restart');
      const firstConnection = r.connections[r.connections.length - 1];
      let time = 0;
      r.session.api.once(EventName.currentTime, (t: number) => (time = t));
      r.session.api.reqCurrentTime();
      await restarted;
      await r.session.whenConnected(5000);
      const back = r.drops();
      await waitFor(() => time > 0, 'the request made while down to be answered after the handshake');
      // Long enough for a leftover backlog to have been written.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const later = r.received.filter((_f, i) => r.connections[i] !== firstConnection);
      assert.equal(later[0]?.[0], '71', 'START_API is the first message of the new connection');
      assert.equal(later.filter((f) => f[0] === '49').length, 1, 'only the request made while down reached the new connection');
      assert.deepEqual(r.lines.filter((l) => /before START_API|bad frame/.test(l)), []);
      assert.equal(r.drops(), back, 'no drop once connected again');
      assert.equal(r.session.status().state, 'connected');
    } finally {
      await r.close();
    }
  });
});

describe('the 40 messages/s budget', () => {
  it('sends an order ahead of the data requests queued before it', async () => {
    const r = await rig({}, 7);
    try {
      for (let i = 0; i < 200; i++) r.session.api.reqCurrentTime();
      const id = await r.broker.nextOrderId();
      r.broker.placeOrder(id, AAPL, market());
      await waitFor(() => r.received.some((f) => f[0] === PLACE_ORDER), 'the order to reach the simulator', 10000);
      // Counted, not timed (a loaded machine makes any time limit flaky): at 40 messages a second the
      // 200 requests take five seconds, and the order goes out among the first ones, not after them all.
      const ahead = r.received.findIndex((f) => f[0] === PLACE_ORDER);
      const requestsAhead = r.received.slice(0, ahead).filter((f) => f[0] === REQ_CURRENT_TIME).length;
      assert.ok(requestsAhead < 120, `${requestsAhead} of the 200 data requests queued before the order reached the simulator ahead of it`);
    } finally {
      await r.close();
    }
  });
});
