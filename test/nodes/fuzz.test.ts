/**
 * Malformed messages into every node type, in a real Node-RED runtime: once with a simulator
 * connection (the real client over a socket to the simulator) and once with a backtest connection.
 * Seeded, so a failure repeats. Every input ends in an output or in an error that says what was wrong
 * and names what was wrong with it; no raw exception (TypeError and the like) reaches the runtime, the
 * runtime keeps working, and every order the simulator (or the backtest's fill engine) receives is for
 * a finite, positive, whole quantity.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, loadFlow, waitFor, type TestNode } from '../helpers/node-red';
import { useSimulatorSuite } from '../helpers/simulator-flows';
import type { Connection } from '../../lib/connection/types';
import { FieldReader } from '../../lib/sim/server/fields';
import { readPlaceOrder } from '../../lib/sim/server/orders/place-order-reader';

/** Messages per node type and connection. */
const PER_NODE = 1000;
const SEED = 20261201;

/** mulberry32: small, seeded, good enough to pick cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function circular(): Record<string, unknown> {
  const o: Record<string, unknown> = { symbol: 'AAPL' };
  o.self = o;
  return o;
}

/** Values that are wrong somewhere: wrong types, non-finite and absurd numbers, NUL bytes, loops. */
function badValues(): unknown[] {
  return [
    undefined, null, '', ' ', 'AAPL', 'a\u0000b', 'x'.repeat(300), 0, -0, -1, 1, 100, 1.5, 1e-300, 1e21, 2 ** 53 + 2, Number.MAX_VALUE,
    NaN, Infinity, -Infinity, 10n, true, false, {}, [], [1, 2], { a: 1 }, Object.create(null), circular(), '10', 'NaN', '1e21',
    () => 1, new Date(0), [null, NaN], { toString: () => 'AAPL' },
  ];
}

function makeGenerator(seed: number) {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const chance = (p: number) => random() < p;
  const bad = badValues();
  const topics = ['AAPL', 'MSFT', 'aapl', 'A\u0000PL', '', 'AAPL:STK', 'ES:FUT:CME:USD', 'ES:FUT:CME:USD:202612', 'AAPL:OPT:SMART:USD:20261218:XYZ', 5, {}, [], null, undefined, 10n, circular(), Object.create(null)];
  const value = () => (chance(0.5) ? pick(bad) : random() * 200);
  const bar = () => {
    const close = chance(0.7) ? 100 + random() * 10 : value();
    const b: Record<string, unknown> = { time: chance(0.8) ? Date.now() - Math.floor(random() * 1e9) : value(), open: close, high: chance(0.8) ? 120 : value(), low: chance(0.8) ? 90 : value(), close, volume: chance(0.8) ? 1000 : value() };
    if (chance(0.1)) delete b[pick(['time', 'open', 'high', 'low', 'close', 'volume'])];
    return b;
  };
  const payload = () => {
    switch (Math.floor(random() * 7)) {
      case 0:
        return pick(bad);
      case 1:
        return bar();
      case 2:
        return Array.from({ length: Math.floor(random() * 5) }, () => (chance(0.8) ? bar() : pick(bad)));
      case 3:
        return { time: [1, 2, pick(bad)], open: [1, 2, 3], high: pick(bad), low: [1, 2], close: [1, pick(bad), 3], volume: [1, 2, 3] };
      case 4:
        return { time: Date.now(), bid: value(), ask: value(), last: value() };
      case 5:
        return 'stop';
      default:
        return value();
    }
  };
  const order = () => {
    if (chance(0.4)) return { targetQuantity: chance(0.3) ? Math.floor(random() * 200) - 100 : pick(bad) };
    if (chance(0.2)) return pick(bad);
    return {
      action: pick(['BUY', 'SELL', 'buy', 'HOLD', 5, null, '', 'SELL\u0000']),
      totalQuantity: chance(0.3) ? Math.ceil(random() * 10) : pick(bad),
      orderType: pick(['MKT', 'LMT', 'STP', 'STP LMT', 'TRAIL', 'X', 3, null]),
      lmtPrice: value(),
      auxPrice: value(),
      tif: pick(['DAY', 'GTC', 'XX', 1, null]),
      ...(chance(0.2) ? { orderRef: pick(bad) } : {}),
      ...(chance(0.1) ? { cancel: pick([true, 'all', 5, pick(bad)]) } : {}),
    };
  };
  const contract = () =>
    pick([
      { symbol: 'AAPL', secType: 'STK', exchange: pick(bad), currency: 'USD' },
      { symbol: pick(bad), secType: 'STK', exchange: 'SMART', currency: 'USD' },
      { symbol: 'AAPL', conId: pick(bad), secType: pick(bad) },
      { symbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD', multiplier: pick(bad), lastTradeDateOrContractMonth: pick(bad) },
      pick(bad),
    ]);
  return (): Record<string, unknown> => {
    const msg: Record<string, unknown> = {};
    if (chance(0.85)) msg.topic = pick(topics);
    if (chance(0.9)) msg.payload = payload();
    if (chance(0.35)) msg.contract = contract();
    if (chance(0.45)) msg.order = order();
    if (chance(0.3)) msg.signal = pick([{ side: 'BUY' }, { side: 'SELL', time: value() }, { side: pick(bad) }, pick(bad)]);
    if (chance(0.2)) msg.indicators = pick([{ atr: value(), sma: value() }, pick(bad)]);
    if (chance(0.15)) msg.stopLoss = value();
    if (chance(0.15)) msg.takeProfit = value();
    if (chance(0.05)) msg.reset = pick([true, pick(bad)]);
    if (chance(0.1)) msg.historyTicks = value();
    if (chance(0.05)) msg.backtest = pick(bad);
    if (chance(0.1)) msg.symbol = pick(bad);
    return msg;
  };
}

/** The node types under test with a setting that lets each do real work. */
const NODES: Array<Record<string, unknown>> = [
  { type: 'ib-sma', period: 3 },
  { type: 'ib-indicator', indicator: 'ema', params: { period: 3 } },
  { type: 'ib-crossover', mode: 'level', level: 100 },
  { type: 'ib-risk-sizer', method: 'fixed', shares: 10 },
  { type: 'ib-place-order', orderRef: 'fuzz' },
  { type: 'ib-stop-order', orderRef: 'fuzz-stop', stopType: 'percent', stopValue: 2 },
  { type: 'ib-backtest-report' },
  { type: 'ib-historical-bars', source: 'msg' },
  { type: 'ib-market-data', kind: 'quote', marketDataType: 'live', throttle: 0 },
  { type: 'ib-market-depth', rows: 3 },
  { type: 'ib-contract', action: 'details' },
  { type: 'ib-account', mode: 'request' },
];
const TYPES = ['ib-connect', ...new Set(NODES.map((n) => String(n.type)))];

/** What a raw exception looks like when it reaches a Catch node or the log. */
const RAW = /TypeError|RangeError|ReferenceError|SyntaxError|is not a function|Cannot read propert|Cannot convert|Cannot set propert|Cannot create propert|Do not know how to serialize|circular structure|is not iterable|is not a constructor|Maximum call stack/;
/** A message that says what was wrong names a field, a setting or the input. */
const NAMES_SOMETHING = /msg\.|payload|topic|contract|order|signal|quantity|symbol|instrument|setting|period|price|stop|bar|column|account|connection|time|history|field|target/i;

interface Run {
  errors: string[];
  outputs: number;
}

function errorText(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'message' in value) return String((value as { message: unknown }).message);
  return String(value);
}

async function fuzzFlow(connectionNode: Record<string, unknown>, seed: number): Promise<Map<string, Run>> {
  const flow: unknown[] = [
    { id: 'tab', type: 'tab' },
    { id: 'c', z: 'tab', type: 'ib-connect', ...connectionNode },
    ...NODES.map((n, i) => ({ id: `n${i}`, z: 'tab', connection: 'c', name: '', ...n, wires: [['out'], ['out']] })),
    { id: 'out', z: 'tab', type: 'helper' },
  ];
  await loadFlow(TYPES, flow);
  const connection = (helper.getNode('c') as unknown as { connection: Connection }).connection;
  await waitFor(() => connection.status().state === 'connected' && connection.broker.orderBlock() === null, 10_000, `the ${connectionNode.mode} connection ready`);
  const runs = new Map<string, Run>();
  const generate = makeGenerator(seed);
  NODES.forEach((n, i) => {
    const run: Run = { errors: [], outputs: 0 };
    runs.set(String(n.type), run);
    const node = helper.getNode(`n${i}`) as TestNode;
    node.on('call:error', (call: { args: unknown[] }) => run.errors.push(errorText(call.args[0])));
    node.on('call:send', () => run.outputs++);
  });
  for (let k = 0; k < PER_NODE; k++) {
    NODES.forEach((_n, i) => {
      helper.getNode(`n${i}`).receive(generate());
    });
    // Let the runtime breathe: deliveries are asynchronous.
    if (k % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  // Inputs still waiting (a subscription's grace period, a snapshot) finish or fail within seconds.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return runs;
}

function assertClean(runs: Map<string, Run>, where: string): void {
  const problems: string[] = [];
  for (const [type, run] of runs) {
    for (const e of new Set(run.errors.filter((e) => RAW.test(e)))) problems.push(`${type} raw: ${e}`);
    for (const e of new Set(run.errors.filter((e) => !RAW.test(e) && !NAMES_SOMETHING.test(e)))) problems.push(`${type} says nothing about what was wrong: ${e}`);
  }
  assert.deepEqual(problems.slice(0, 40), [], `${where}: ${problems.length} kinds of error that are raw exceptions or name nothing`);
}

/** A quantity an order may carry: finite, positive, whole, and under the order path's built-in ceiling. */
function sane(quantity: number): boolean {
  return Number.isFinite(quantity) && quantity > 0 && Number.isInteger(quantity) && quantity <= 10_000_000;
}

function assertSane(quantity: number, where: string): void {
  assert.ok(sane(quantity), `${where}: an order for ${quantity} shares`);
}

describe('fuzz: malformed messages into every node type', () => {
  const orders: Array<{ fields: string[] }> = [];
  const simLines: string[] = [];
  const suite = useSimulatorSuite({ ticksPerSecond: 2, log: (line) => simLines.push(line), probe: { placeOrderRead: (_c, fields) => orders.push({ fields: [...fields] }) } });
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));

  it('with a simulator connection: no raw exception, errors say what was wrong, every order sane, the runtime still works', async () => {
    try {
      const started = Date.now();
      const runs = await fuzzFlow({ mode: 'tws', host: '127.0.0.1', port: suite.sim.port, clientId: 91, journalPath: join(dir, 'sim.jsonl') }, SEED);
      assert.deepEqual(simLines.filter((l) => /bad|closing/.test(l)).slice(0, 10), [], 'the simulator read every message');
      assertClean(runs, 'simulator');
      const connection = (helper.getNode('c') as unknown as { connection: Connection }).connection;
      assert.equal(connection.status().state, 'connected', 'the connection stayed up');
      const version = connection.history().serverVersion();
      const quantities = orders.map((o) => readPlaceOrder(new FieldReader(o.fields.slice(1), 'PLACE_ORDER'), version).totalQuantity);
      assert.deepEqual([...new Set(quantities.filter((q) => !sane(q)))], [], 'simulator: orders whose quantity is not sane');
      // Still working: a good order goes and fills.
      const placed = orders.length;
      helper.getNode('n4').receive({ topic: 'MSFT', order: { action: 'BUY', totalQuantity: 3, orderType: 'MKT' } });
      await waitFor(() => orders.length > placed, 10_000, 'a good order after the fuzz to reach the simulator');
      const total = [...runs.values()].reduce((n, r) => n + r.errors.length + r.outputs, 0);
      assert.ok(total > 0);
      console.log(`fuzz (simulator): ${PER_NODE * NODES.length} messages, ${orders.length} orders on the wire, ${Date.now() - started} ms`);
    } finally {
      await helper.unload();
    }
  });

  it('with a backtest connection: no raw exception, errors say what was wrong, every order sane', async () => {
    try {
      const started = Date.now();
      const runs = await fuzzFlow({ mode: 'backtest', journalPath: join(dir, 'backtest.jsonl') }, SEED + 1);
      assertClean(runs, 'backtest');
      const connection = (helper.getNode('c') as unknown as { connection: Connection }).connection;
      for (const w of connection.broker.workingOrders()) assertSane(Number(w.order.totalQuantity), 'backtest');
      for (const p of connection.broker.positions()) assert.ok(Number.isFinite(p.quantity), `backtest: a position of ${p.quantity}`);
      // Still working: sma computes.
      const out = helper.getNode('out');
      const seen: Array<Record<string, any>> = [];
      out.on('input', (m: Record<string, any>) => seen.push(m));
      helper.getNode('n0').receive({ topic: 'ZZZ', payload: { time: 1, open: 1, high: 1, low: 1, close: 1, volume: 1 } });
      await waitFor(() => seen.some((m) => m.topic === 'ZZZ'), 5000, 'sma to answer after the fuzz');
      console.log(`fuzz (backtest): ${PER_NODE * NODES.length} messages, ${Date.now() - started} ms`);
    } finally {
      await helper.unload();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
