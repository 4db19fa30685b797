/**
 * ib-risk-sizer in a real Node-RED runtime: equity and position from a real ib-connect (backtest mode:
 * the fill engine's account) taking precedence over the message, sizing from the message without a
 * connection, batch identical to streaming, and bad input ending in done(err) naming the field.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectMessages, countCatalogLookups, helper, loadFlow, nextMessage, startServer, stopServer, waitFor, type TestNode } from '../helpers/node-red';

const userDir = mkdtempSync(join(tmpdir(), 'ib-risk-sizer-'));
const buy = { side: 'BUY', reason: 'test', time: 1 };
const sell = { side: 'SELL', reason: 'test', time: 2 };
const bar = (close: unknown, time = 1) => ({ time, open: close, high: close, low: close, close, volume: 1 });

function statusTexts(node: TestNode): string[] {
  return (node.status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
}

function flow(sizer: Record<string, unknown>, extra: unknown[] = []) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'rs', z: 'tab', type: 'ib-risk-sizer', wires: [['out']], ...sizer },
    { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'caught', z: 'tab', type: 'helper' },
    ...extra,
  ];
}

describe('ib-risk-sizer node', () => {
  before(async () => {
    helper.settings({ userDir });
    await startServer();
  });
  after(async () => {
    await stopServer();
    helper.settings({});
    rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(() => helper.unload());

  it("equity from the connection (a backtest's fill engine) wins over msg.account.equity", async () => {
    await loadFlow(
      ['ib-connect', 'ib-risk-sizer'],
      flow({ connection: 'bt', method: 'percent', equityPercent: 10 }, [{ id: 'bt', type: 'ib-connect', mode: 'backtest', btCash: 50000, btCommission: 'none' }]),
    );
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('rs').receive({ topic: 'AAPL', payload: bar(50), signal: buy, account: { equity: 1000 } });
    // 10% of the engine's 50,000 at 50 = 100 shares (msg.account.equity 1,000 would give 2)
    assert.deepEqual((await out).order, { targetQuantity: 100 });
    await waitFor(() => statusTexts(helper.getNode('rs')).includes('target 100 AAPL'), 2000, 'status "target 100 AAPL"');
  });

  it('without a connection: msg.account.equity, risk per trade from k x ATR with stop and take-profit levels', async () => {
    await loadFlow(['ib-risk-sizer'], flow({ method: 'risk', riskPercent: 1, stop: 'atr', atrMultiple: 2, atrProperty: 'indicators.atr14', takeProfit: 'r', tpMultiple: 3, direction: 'long-short' }));
    const got = collectMessages(helper.getNode('out'), 2);
    helper.getNode('rs').receive({ topic: 'MSFT', payload: bar(400), signal: buy, account: { equity: 200_000 }, indicators: { atr14: 5 } });
    helper.getNode('rs').receive({ topic: 'MSFT', payload: bar(380), signal: sell, account: { equity: 200_000 }, indicators: { atr14: 4 } });
    const [first, second] = await got;
    assert.deepEqual(first.order, { targetQuantity: 200, stopLoss: 390, takeProfit: 430 });
    assert.deepEqual(second.order, { targetQuantity: -250, stopLoss: 388, takeProfit: 356 });
  });

  it('messages without a signal are dropped; batch equals streaming; reset passed on', async () => {
    await loadFlow(['ib-risk-sizer'], flow({ method: 'notional', notional: 1000 }));
    const bars = [10, 20, 25, 40].map((c, i) => bar(c, i));
    const signals = [buy, null, sell, buy];
    const got = collectMessages(helper.getNode('out'), 5);
    bars.forEach((b, i) => {
      helper.getNode('rs').receive({ topic: 'X', payload: b, signal: signals[i] });
    });
    helper.getNode('rs').receive({ topic: 'X', reset: true });
    helper.getNode('rs').receive({ topic: 'X', payload: bars, signal: signals });
    const msgs = [...(await got)];
    assert.deepEqual(msgs.slice(0, 3).map((m) => m.order), [{ targetQuantity: 100 }, { targetQuantity: 0 }, { targetQuantity: 25 }]);
    assert.equal(msgs[3].reset, true);
    assert.deepEqual(msgs[4].order, [{ targetQuantity: 100 }, null, { targetQuantity: 0 }, { targetQuantity: 25 }]);
  });

  it('a burst of signals formats the status only for the statuses drawn, each after its order went on', async () => {
    await loadFlow(['ib-risk-sizer'], flow({ method: 'fixed', shares: 100, direction: 'long-short' }));
    const rs = helper.getNode('rs');
    const out = helper.getNode('out');
    // How many statuses risk-sizer had drawn when each order message reached the node after it.
    const drawnAtDelivery: number[] = [];
    out.on('input', () => drawnAtDelivery.push(rs.status.callCount));
    const lookups = countCatalogLookups();
    try {
      const got = collectMessages(out, 200);
      for (let i = 0; i < 200; i++) rs.receive({ topic: 'AAPL', payload: bar(100, i), signal: i % 2 ? sell : buy, account: { equity: 100_000 } });
      const msgs = await got;
      assert.deepEqual(msgs.at(-1)?.order, { targetQuantity: -100 });
      assert.equal(drawnAtDelivery[0], 0, 'the first order reached the next node before any status was drawn');
      await waitFor(() => statusTexts(rs).at(-1) === 'target -100 AAPL', 2000, 'the last target in the status');
      // One status at once, the newest when the 250 ms interval ends: two formatted, not 200.
      assert.ok(lookups.count() <= 3, `${lookups.count()} status texts formatted for 200 signals`);
      assert.equal(lookups.count(), statusTexts(rs).length);
    } finally {
      lookups.stop();
    }
  });

  it('bad input ends in done(err) naming the field and the fix', async () => {
    await loadFlow(['ib-risk-sizer'], flow({ method: 'percent', equityPercent: 10, stop: 'level', stopProperty: 'stop' }));
    const rs = helper.getNode('rs');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ payload: bar('187.3'), signal: buy, account: { equity: 1e5 }, stop: 180 }, /msg\.payload\.close is the string "187\.3", not a number/],
      [{ payload: { time: 1 }, signal: buy, account: { equity: 1e5 }, stop: 180 }, /msg\.payload\.close is missing/],
      [{ payload: bar(Number.NaN), signal: buy, account: { equity: 1e5 }, stop: 180 }, /msg\.payload\.close is NaN/],
      [{ payload: bar(0), signal: buy, account: { equity: 1e5 }, stop: 180 }, /msg\.payload\.close is 0: a price must be > 0/],
      [{ payload: bar(100), signal: buy, account: { equity: 1e5 }, stop: 101 }, /stop 101 \(msg\.stop\) is at or above the entry 100 \(msg\.payload\.close\) for a long/],
      [{ payload: bar(100), signal: buy, account: { equity: 900 }, stop: 99 }, /equity 900 is too small for one increment \(1\)/],
      [{ payload: bar(100), signal: buy, stop: 99 }, /no equity to size percent of equity: configure a connection on the risk-sizer or set msg\.account\.equity/],
    ];
    for (const [msg, pattern] of cases) {
      const error = nextMessage(helper.getNode('caught'));
      rs.receive({ topic: 'AAPL', ...msg });
      assert.match((await error).error.message, pattern);
    }
  });

  it('a connection that is configured but missing refuses orders', async () => {
    await loadFlow(['ib-risk-sizer'], flow({ connection: 'gone' }));
    const error = nextMessage(helper.getNode('caught'));
    helper.getNode('rs').receive({ payload: bar(10), signal: buy });
    assert.match((await error).error.message, /its ib-connect connection is missing/);
  });

  it('a bad setting shows "invalid configuration" and fails every message with the fix', async () => {
    await loadFlow(['ib-risk-sizer'], flow({ method: 'fixed', shares: 100, stop: 'sometimes' }));
    const rs = helper.getNode('rs');
    assert.deepEqual(statusTexts(rs), ['invalid configuration']);
    for (let i = 0; i < 2; i++) {
      const error = nextMessage(helper.getNode('caught'));
      rs.receive({ payload: bar(10), signal: buy, account: { equity: 1e5 } });
      assert.match((await error).error.message, /stop "sometimes" is unknown: use none, fixed, percent, atr or level/);
    }
  });
});
