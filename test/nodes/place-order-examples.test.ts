/**
 * The order example flows deploy as imported (each against its own simulator) and do what their
 * comment says; their inject buttons are pressed by sending the messages the injects would send.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, nodeModule, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';
import { examplesDir } from '../helpers/paths';
import type { Simulator } from '../../lib/sim/server/types';
import type { Connection } from '../../lib/connection/types';

const TYPES = ['ib-connect', 'ib-place-order', 'ib-stop-order', 'ib-market-data'];
const dir = mkdtempSync(join(tmpdir(), 'order-examples-'));

type FlowNode = Record<string, any>;
let injects = new Map<string, FlowNode>();
let connectionId = '';

/** Loads an example: injects kept aside to be "pressed", debug nodes become helpers, journal in a temp dir. */
async function loadExample(file: string): Promise<void> {
  const example = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as FlowNode[];
  assert.ok(example.some((n) => n.type === 'comment'), `${file} has a comment saying what it shows`);
  injects = new Map(example.filter((n) => n.type === 'inject').map((n) => [n.id, n]));
  const nodes = example
    .filter((n) => n.type !== 'inject' && n.type !== 'comment')
    .map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper' } : n))
    .map((n) => (n.type === 'ib-connect' ? { ...n, journalPath: join(dir, `${n.id}.jsonl`) } : { ...n, z: 'tab' }));
  connectionId = example.find((n) => n.type === 'ib-connect')!.id;
  // The examples use Node-RED's change node too.
  const modules = [...TYPES.map(nodeModule), require(require.resolve('@node-red/nodes/core/function/15-change.js'))];
  await new Promise<void>((resolve, reject) => helper.load(modules, [{ id: 'tab', type: 'tab' }, ...nodes], {}, (err?: Error) => (err ? reject(err) : resolve())));
  await waitFor(() => connection().status().state === 'connected' && connection().broker.orderBlock() === null, 8000, `${file}: ready for orders`);
}

/** Sends what the inject `id` would send to the nodes it is wired to. */
function press(id: string): void {
  const inject = injects.get(id);
  assert.ok(inject, `inject ${id}`);
  const msg: Record<string, unknown> = {};
  for (const prop of inject.props as Array<{ p: string; v?: string; vt?: string }>) {
    if (prop.p === 'topic') msg.topic = inject.topic;
    else if (prop.p === 'payload') msg.payload = inject.payloadType === 'date' ? Date.now() : inject.payloadType === 'json' ? JSON.parse(inject.payload) : inject.payload;
    else msg[prop.p] = prop.vt === 'json' ? JSON.parse(prop.v as string) : prop.vt === 'bool' ? prop.v === 'true' : prop.v;
  }
  for (const target of inject.wires[0] as string[]) helper.getNode(target).receive({ ...msg });
}

const connection = (): Connection => (helper.getNode(connectionId) as unknown as { connection: Connection }).connection;
const sim = (): Simulator => (connection() as unknown as { simulator(): Simulator }).simulator();

function listen(id: string): Array<Record<string, any>> {
  const msgs: Array<Record<string, any>> = [];
  (helper.getNode(id) as TestNode).on('input', (m: Record<string, any>) => msgs.push(m));
  return msgs;
}

describe('order example flows', () => {
  before(startServer);
  after(async () => {
    await stopServer();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => helper.unload());

  it('ib-place-order.json: market buy, flatten by target, a resting limit, cancel all', async () => {
    await loadExample('ib-place-order.json');
    const events = listen('po-events');
    const fills = listen('po-fills');
    press('po-buy');
    await waitFor(() => sim().engine.position('AAPL')?.quantity === 100 && fills.length === 1, 5000, 'BUY 100 filled');
    press('po-flat');
    await waitFor(() => sim().engine.position('AAPL')?.quantity === 0, 5000, 'flattened');
    press('po-flat');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sim().engine.executions().length, 2, 'the same target again sends nothing');
    press('po-limit');
    await waitFor(() => sim().engine.openOrders().length === 1, 5000, 'the resting limit');
    press('po-cancel');
    await waitFor(() => sim().engine.openOrders().length === 0, 5000, 'cancelled');
    // The engine cancels first; the Cancelled status then crosses the socket to the flow.
    await waitFor(() => events.some((m) => m.payload.status === 'Cancelled'), 5000, 'the Cancelled event in the flow');
  });

  it('ib-stop-order.json: a bracket from the current quote, then protection moves', async () => {
    await loadExample('ib-stop-order.json');
    const events = listen('so-events');
    press('so-go');
    await waitFor(() => sim().engine.position('AAPL')?.quantity === 100 && sim().engine.openOrders().length === 2, 15_000, 'entry filled, two exits working');
    const exits = sim().engine.openOrders().map((o) => o.order);
    assert.deepEqual(exits.map((o) => o.orderType).sort(), ['LMT', 'STP']);
    assert.equal(new Set(exits.map((o) => o.ocaGroup)).size, 1);
    press('so-move');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sim().engine.openOrders().length, 2, 'still one stop and one take-profit');
    assert.ok(events.length >= 5);
  });

  it('orders/market-order.json: the seed\'s MarketOrder, and a malformed one caught', async () => {
    await loadExample('orders/market-order.json');
    const errors = listen('om-errors');
    press('om-buy');
    await waitFor(() => sim().engine.position('AAPL')?.quantity === 100, 5000, 'BUY 100');
    press('om-bad');
    await waitFor(() => errors.length === 1, 5000, 'the caught error');
    assert.match(String(errors[0].error.message), /msg\.order\.totalQuantity must be a positive number of shares, got -5/);
    assert.equal(sim().engine.executions().length, 1);
  });

  it('orders/bracket.json: levels computed from the quote ride on msg.order', async () => {
    await loadExample('orders/bracket.json');
    press('ob-go');
    await waitFor(() => sim().engine.position('AAPL')?.quantity === 50 && sim().engine.openOrders().length === 2, 15_000, 'the bracket');
    const [tp, stop] = ['LMT', 'STP'].map((t) => sim().engine.openOrders().find((o) => o.order.orderType === t)!.order);
    assert.ok(stop.auxPrice! < tp.lmtPrice!, `stop ${stop.auxPrice} below take-profit ${tp.lmtPrice}`);
  });

  it('orders/two-strategies.json: two strategies on one symbol, each to its own target', async () => {
    await loadExample('orders/two-strategies.json');
    const account = () => sim().engine.position('AAPL')?.quantity ?? 0;
    press('ts-trend-100');
    await waitFor(() => account() === 100, 5000, 'trend holds 100');
    press('ts-meanrev-50');
    await waitFor(() => account() === 150, 5000, 'meanrev adds its 50');
    press('ts-meanrev-0');
    await waitFor(() => account() === 100, 5000, 'meanrev flat');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(account(), 100, 'trend keeps its 100');
    assert.deepEqual([connection().broker.strategyPosition?.('trend', 'AAPL'), connection().broker.strategyPosition?.('meanrev', 'AAPL')], [100, 0]);
  });

  it('orders/trailing-stop.json: the fill attaches a trailing stop', async () => {
    await loadExample('orders/trailing-stop.json');
    press('ot-buy');
    await waitFor(() => sim().engine.openOrders().some((o) => o.order.orderType === 'TRAIL'), 5000, 'the trailing stop');
    const trail = sim().engine.openOrders()[0].order;
    assert.deepEqual([trail.action, trail.totalQuantity, trail.trailingPercent], ['SELL', 100, 1]);
  });

  it('orders/kill-switch.json: KILL cancels and refuses until resume', async () => {
    await loadExample('orders/kill-switch.json');
    const refusals = listen('ok-errors');
    press('ok-orders');
    press('ok-orders');
    await waitFor(() => sim().engine.openOrders().length === 2, 5000, 'two resting orders');
    press('ok-kill');
    await waitFor(() => sim().engine.openOrders().length === 0, 5000, 'all cancelled');
    press('ok-orders');
    await waitFor(() => refusals.length === 1, 5000, 'the refusal');
    assert.match(String(refusals[0].error.message), /trading halted: kill switch pressed/);
    press('ok-resume');
    await new Promise((r) => setTimeout(r, 100));
    press('ok-orders');
    await waitFor(() => sim().engine.openOrders().length === 1, 5000, 'trading again');
  });
});
