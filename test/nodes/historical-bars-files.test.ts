/**
 * historical-bars with file and msg sources, in a real Node-RED runtime: all-in-one, a paced replay
 * into a backtest connection (each bar reaches the fill engine before the flow), and bad input (NaN in
 * a CSV row, a bad bar size, no file) ending in done(err) with a message naming what is wrong.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectMessages, helper, loadFlow, nextMessage, startServer, stopServer, waitFor } from '../helpers/node-red';
import { fixturesDir } from '../helpers/paths';
import type { ConnectionConfigNode } from '../../nodes/connection';

const dir = mkdtempSync(join(tmpdir(), 'ib-hist-'));
const csv = join(dir, 'bars.csv');
writeFileSync(csv, 'date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n2024-01-04,11,11.5,10.5,11.2,150\n');
const badCsv = join(dir, 'bad.csv');
writeFileSync(badCsv, 'date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,NaN,200\n');

/** Resolves with the error a node passed to done(err) (seen by a catch node). */
function caught(catchHelperId: string, timeoutMs = 5000) {
  return nextMessage(helper.getNode(catchHelperId), timeoutMs).then((m) => m.error as { message: string });
}

describe('historical-bars: files and msg', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('file source, all bars in one message, keyed by the node symbol', async () => {
    await loadFlow(['ib-historical-bars'], [
      { id: 'h', type: 'ib-historical-bars', source: 'file', file: csv, output: 'all', symbol: 'aapl', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const reply = nextMessage(helper.getNode('out'));
    helper.getNode('h').receive({});
    const msg = await reply;
    assert.equal(msg.topic, 'AAPL');
    assert.equal(msg.payload.length, 3);
    assert.deepEqual(msg.payload[0], { time: Date.UTC(2024, 0, 2), open: 10, high: 11, low: 9, close: 10.5, volume: 100 });
    assert.deepEqual(msg.contract, { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' }, 'the contract travels with the bars');
  });

  it('msg.contract travels with every bar of a replay (a future with its multiplier), keyed by the contract', async () => {
    await loadFlow(['ib-historical-bars'], [
      { id: 'h', type: 'ib-historical-bars', source: 'file', file: csv, output: 'each', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const got = collectMessages(helper.getNode('out'), 3);
    const es = { symbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '20261218', multiplier: '50' };
    helper.getNode('h').receive({ contract: es, topic: 'ignored when a contract is given' });
    const msgs = await got;
    assert.deepEqual(msgs.map((m) => m.topic), Array(3).fill('ES:FUT:CME:USD:20261218'));
    for (const m of msgs) assert.deepEqual(m.contract, es);
    assert.notEqual(msgs[0].contract, msgs[1].contract, 'each message has its own copy');
  });

  it('msg.topic without msg.contract names the bars as before, with no contract', async () => {
    await loadFlow(['ib-historical-bars'], [
      { id: 'h', type: 'ib-historical-bars', source: 'file', file: csv, output: 'all', symbol: 'aapl', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const reply = nextMessage(helper.getNode('out'));
    helper.getNode('h').receive({ topic: 'IBM' });
    const msg = await reply;
    assert.equal(msg.topic, 'IBM');
    assert.equal(msg.contract, undefined);
  });

  it('msg.topic keys the bars as place-order keys its orders: "ibm" and "IBM:STK:SMART:USD" are IBM', async () => {
    await loadFlow(['ib-historical-bars'], [
      { id: 'h', type: 'ib-historical-bars', source: 'file', file: csv, output: 'all', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    for (const topic of ['ibm', ' IBM:STK:SMART:USD ']) {
      const reply = nextMessage(helper.getNode('out'));
      helper.getNode('h').receive({ topic });
      assert.equal((await reply).topic, 'IBM', topic);
    }
  });

  it('msg source: an array of bars or CSV text, one message per bar in order', async () => {
    await loadFlow(['ib-historical-bars'], [
      { id: 'h', type: 'ib-historical-bars', source: 'msg', output: 'each', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const got = collectMessages(helper.getNode('out'), 2);
    helper.getNode('h').receive({ topic: 'MSFT', payload: [{ time: '2024-01-03', open: 2, high: 2, low: 2, close: 2 }, { date: 20240102, open: 1, high: 1, low: 1, close: 1, volume: 5 }] });
    const msgs = await got;
    assert.deepEqual(msgs.map((m) => [m.topic, m.payload.close]), [['MSFT', 1], ['MSFT', 2]]);
    const text = collectMessages(helper.getNode('out'), 2);
    helper.getNode('h').receive({ topic: 'IBM', payload: 'date,open,high,low,close\n2024-01-02,1,1,1,1\n2024-01-03,2,2,2,2\n' });
    assert.deepEqual((await text).map((m) => m.payload.close), [1, 2]);
  });

  it('bad input ends in done(err) naming the problem: NaN in a CSV row, bad bar size, no file, no bars', async () => {
    await loadFlow(['ib-historical-bars'], [
      { id: 'tab', type: 'tab' },
      { id: 'h', z: 'tab', type: 'ib-historical-bars', source: 'file', file: badCsv, output: 'all', wires: [['out']] },
      { id: 'm', z: 'tab', type: 'ib-historical-bars', source: 'msg', output: 'all', wires: [['out']] },
      { id: 'c', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    let error = caught('caught');
    helper.getNode('h').receive({});
    assert.match((await error).message, /bad.csv row 2 \(line 3\): close is "NaN", not a number/);
    error = caught('caught');
    helper.getNode('h').receive({ barSize: '7 mins' });
    assert.match((await error).message, /bar size "7 mins" is not one IB offers/);
    error = caught('caught');
    helper.getNode('h').receive({ filename: join(dir, 'missing.csv') });
    assert.match((await error).message, /cannot read bar file .*missing.csv: ENOENT/);
    error = caught('caught');
    helper.getNode('m').receive({ payload: { not: 'bars' } });
    assert.match((await error).message, /msg.payload must be an array of bars/);
    error = caught('caught');
    helper.getNode('m').receive({ payload: [{ time: 'x', open: 1, high: 1, low: 1, close: 1 }] });
    assert.match((await error).message, /msg.payload bar 1 \(index 0\): date "x" is not a time/);
  });

  it('backtest connection: a paced replay feeds every bar to the backtest before the flow sees it', async () => {
    await loadFlow(['ib-connect', 'ib-historical-bars'], [
      { id: 'bt', type: 'ib-connect', mode: 'backtest', btCash: 100000, btCommission: 'none' },
      { id: 'h', type: 'ib-historical-bars', connection: 'bt', source: 'file', file: join(fixturesDir, 'sma-cross-10k', 'bars.csv'), output: 'each', symbol: 'SPY', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const config = (helper.getNode('bt') as unknown as ConnectionConfigNode).connection;
    const session = config.replay();
    const seen: number[] = [];
    let fedBeforeSent = true;
    session.on('bar', (_key, bar) => seen.push(bar.time));
    let ended = false;
    session.on('end', () => (ended = true));
    let count = 0;
    helper.getNode('out').on('input', (msg: { payload: { time: number } }) => {
      count++;
      if (seen[seen.length - 1] !== msg.payload.time) fedBeforeSent = false;
    });
    helper.getNode('h').receive({});
    await waitFor(() => ended, 60_000, 'replay end');
    assert.ok(count >= 10_000, `${count} bars replayed`);
    assert.equal(seen.length, count);
    assert.ok(fedBeforeSent, 'each bar reached the backtest before the flow');
  });
});
