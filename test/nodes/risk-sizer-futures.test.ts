/**
 * ib-risk-sizer for a future in a real Node-RED runtime: the multiplier and price tick settings size
 * ES contracts at price x 50 and put the attached levels on the 0.25 tick (stop away from the entry,
 * take-profit toward it); batch gives the same; a bad multiplier is refused with the fix.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectMessages, helper, loadFlow, nextMessage, startServer, stopServer } from '../helpers/node-red';

const userDir = mkdtempSync(join(tmpdir(), 'ib-risk-sizer-fut-'));
const ES = 'ES:FUT:CME:USD:20261218';
const buy = { side: 'BUY', reason: 'test', time: 1 };
const sell = { side: 'SELL', reason: 'test', time: 2 };
const bar = (close: number, time = 1) => ({ time, open: close, high: close, low: close, close, volume: 1 });

function flow(sizer: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'rs', z: 'tab', type: 'ib-risk-sizer', wires: [['out']], ...sizer },
    { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

const esRisk = { method: 'risk', riskPercent: 1, stop: 'fixed', stopDistance: 7.3, takeProfit: 'r', tpMultiple: 2, direction: 'long-short', multiplier: 50, tick: 0.25 };

describe('ib-risk-sizer with a futures contract', () => {
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

  it('risk per trade on ES: stop 7.3 points rounds out to 7.5, 1% of 1,000,000 buys 26 contracts', async () => {
    await loadFlow(['ib-risk-sizer'], flow(esRisk));
    const got = collectMessages(helper.getNode('out'), 2);
    helper.getNode('rs').receive({ topic: ES, payload: bar(5000), signal: buy, account: { equity: 1_000_000 } });
    helper.getNode('rs').receive({ topic: ES, payload: bar(5001.25, 2), signal: sell, account: { equity: 1_000_000 } });
    const [long, short] = await got;
    // 10,000 / (7.5 points x 50) = 26.7 -> 26 contracts; take-profit 2R = 15 points.
    assert.deepEqual(long.order, { targetQuantity: 26, stopLoss: 4992.5, takeProfit: 5015 });
    // Short: the stop 5008.55 goes up to 5008.75 (7.5 points), the take-profit 4986.25 stays (on the tick).
    assert.deepEqual(short.order, { targetQuantity: -26, stopLoss: 5008.75, takeProfit: 4986.25 });
  });

  it('a batch gives the same orders as streaming', async () => {
    await loadFlow(['ib-risk-sizer'], flow(esRisk));
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('rs').receive({ topic: ES, payload: [bar(5000), bar(5003, 2), bar(5001.25, 3)], signal: [buy, null, sell], account: { equity: 1_000_000 } });
    assert.deepEqual((await out).order, [
      { targetQuantity: 26, stopLoss: 4992.5, takeProfit: 5015 },
      null,
      { targetQuantity: -26, stopLoss: 5008.75, takeProfit: 4986.25 },
    ]);
  });

  it('fixed notional counts price x 50 a contract; too little for one contract says what one is worth', async () => {
    await loadFlow(['ib-risk-sizer'], flow({ method: 'notional', notional: 600_000, multiplier: 50, tick: 0.25 }));
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('rs').receive({ topic: ES, payload: bar(5000), signal: buy });
    assert.deepEqual((await out).order, { targetQuantity: 2 });
    const error = nextMessage(helper.getNode('caught'));
    helper.getNode('rs').receive({ topic: ES, payload: bar(12_500), signal: buy });
    assert.match((await error).error.message, /notional 600000 is too small for one increment \(1\) of ES:FUT:CME:USD:20261218 at 12500 \(x50 = 625000 a contract\)/);
  });

  it('a multiplier that is not a positive number is refused with the fix', async () => {
    await loadFlow(['ib-risk-sizer'], flow({ method: 'fixed', shares: 1, multiplier: 'fifty' }));
    const error = nextMessage(helper.getNode('caught'));
    helper.getNode('rs').receive({ topic: ES, payload: bar(5000), signal: buy });
    assert.match((await error).error.message, /contract multiplier is NaN: use a number > 0 \(1 for stocks, 50 for ES, 100 for US equity options\)/);
  });
});
