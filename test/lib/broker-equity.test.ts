/**
 * The IB broker's equity between two refreshes of TWS's account values, through the real client and
 * session against the simulator: NetLiquidation comes on a fill and every 3 minutes, the account's P&L
 * every second, and equity() is NetLiquidation marked with the P&L since, so it follows the
 * positions' prices (the daily-loss lock, risk-sizer and the live equity curve read it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventName, type Contract } from '@stoqey/ib';
import { createIbBroker, disposeBroker } from '../../lib/broker';
import { IbSocketSession } from '../../lib/ib/session';
import { createSimulator } from '../../lib/sim/server';
import { buildOrder } from '../../lib/orders/build';

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** TWS's PNL message id. */
const PNL = 94;
const AAPL: Contract = { symbol: 'AAPL', secType: 'STK' as Contract['secType'], exchange: 'SMART', currency: 'USD' };

test("equity() is NetLiquidation marked with the account's P&L since: it follows the prices between TWS's refreshes", async () => {
  // At 20x the market moves 84 s in the 4.2 s watched, and its 3 minutes between refreshes take 9 s.
  // The simulator's own equity when it sends each P&L message, by the message's request id and daily
  // P&L. Read when the client reads the message instead, it may already be at the next quote: on a
  // loaded machine the quote timer can run first, and at 20x a tick after a 300 ms stall is 6 s of
  // market later (the broker's equity was then "$14 off" a truth that had moved on).
  const truthAtSend = new Map<string, number>();
  const pnlKey = (reqId: unknown, daily: unknown) => `${Number(reqId)}:${Number(daily)}`;
  const probe = {
    messageSent: (_connection: number, fields: readonly (string | number)[]) => {
      if (Number(fields[0]) === PNL) truthAtSend.set(pnlKey(fields[1], fields[2]), sim.engine.equity());
    },
  };
  const sim = await createSimulator({ port: 0, seed: 21, startingCash: 100_000, ticksPerSecond: 10, clockSpeed: 20, probe });
  const dir = mkdtempSync(join(tmpdir(), 'broker-equity-'));
  const session = new IbSocketSession({ host: sim.host, port: sim.port, clientId: 31, allowLiveOrders: false, mode: 'simulator', backoff: { initialMs: 50, maxMs: 200 } });
  const broker = createIbBroker(session, { clientId: 31, allowLiveOrders: false, limits: {}, journalPath: join(dir, 'journal.jsonl'), statusProvider: () => session.status() });
  try {
    session.start();
    await session.whenConnected(5000);
    await waitFor(() => broker.equity() !== null && session.status().account !== null, 5000, 'the equity');
    assert.equal(broker.equity(), 100_000);
    const id = await broker.nextOrderId();
    broker.placeOrder(id, AAPL, buildOrder('BUY', 200, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'equity'));
    await waitFor(() => broker.position('AAPL') === 200, 5000, 'the buy');

    // At each P&L message (the broker's listener runs first), the broker's equity against the
    // simulator's own (cash + positions at its last quotes) when it sent that message.
    const samples: Array<{ equity: number; truth: number | undefined }> = [];
    session.api.on(EventName.pnl, (reqId: number, daily: number) => samples.push({ equity: broker.equity()!, truth: truthAtSend.get(pnlKey(reqId, daily)) }));
    let refreshes = 0;
    session.api.on(EventName.accountSummary, (_reqId: number, _account: string, tag: string) => tag === 'NetLiquidation' && refreshes++);
    await new Promise((r) => setTimeout(r, 4200));
    assert.equal(refreshes, 0, 'no NetLiquidation came meanwhile');
    assert.ok(samples.length >= 3, `the P&L every second (${samples.length} in 4.2 s)`);
    assert.ok(new Set(samples.map((s) => s.equity.toFixed(2))).size >= 2, `equity moved with the prices between refreshes: ${JSON.stringify(samples)}`);
    for (const s of samples) assert.ok(s.truth !== undefined && Math.abs(s.equity - s.truth) < 0.01, `equity ${s.equity} is the simulator's ${s.truth} (${JSON.stringify(samples)})`);
  } finally {
    disposeBroker(broker);
    await session.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
