/**
 * historical-bars' columnar output in a real Node-RED runtime: for file, msg and IB sources (IB through
 * the real @stoqey/ib client to the simulator) the columns output is the `all` output put into columns
 * (barsToColumns), under the same msg.topic; bad data fails both outputs with the same error text; on a
 * backtest connection both send their one message and feed nothing to the backtest session.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsToColumns } from '../../lib/messages/bar-columns';
import type { Bar } from '../../lib/messages';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';
import type { ConnectionConfigNode } from '../../nodes/connection';
import { helper, loadFlow, nextMessage, startServer, stopServer, waitFor } from '../helpers/node-red';
import { fixturesDir } from '../helpers/paths';
import { exampleFlow } from '../helpers/simulator-flows';

const TYPES = ['ib-connect', 'ib-historical-bars'];
const FIXTURE = join(fixturesDir, 'sma-cross-10k', 'bars.csv');
const dir = mkdtempSync(join(tmpdir(), 'ib-hist-columns-'));
const badCsv = join(dir, 'bad.csv');
writeFileSync(badCsv, 'date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n\n2024-01-03,10.5,12,13,11,200\n');

/**
 * A tab with a node 'as-all' (output all) and a node 'as-columns' (output columns), both configured as `node`,
 * wired to helpers 'all-out' and 'columns-out'; a catch sends their errors to 'caught'.
 */
function twinFlow(node: Record<string, unknown>, extra: Array<Record<string, unknown>> = [], connections: [string, string] | null = null) {
  return [
    { id: 'tab', type: 'tab' },
    ...extra,
    { id: 'as-all', z: 'tab', type: 'ib-historical-bars', ...node, ...(connections ? { connection: connections[0] } : {}), output: 'all', wires: [['all-out']] },
    { id: 'as-columns', z: 'tab', type: 'ib-historical-bars', ...node, ...(connections ? { connection: connections[1] } : {}), output: 'columns', wires: [['columns-out']] },
    { id: 'all-out', z: 'tab', type: 'helper' },
    { id: 'columns-out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

/** Sends `msg` to both twins; resolves with what each sent. */
async function bothOutputs(msg: Record<string, unknown>, timeoutMs = 10_000) {
  const all = nextMessage(helper.getNode('all-out'), timeoutMs);
  const columns = nextMessage(helper.getNode('columns-out'), timeoutMs);
  helper.getNode('as-all').receive(structuredClone(msg));
  helper.getNode('as-columns').receive(structuredClone(msg));
  return { all: await all, columns: await columns };
}

/** The columns message is the all message with its bars put into columns. */
function assertColumnsOfAll(got: { all: Record<string, any>; columns: Record<string, any> }, minBars: number) {
  const bars = got.all.payload as Bar[];
  assert.ok(Array.isArray(bars) && bars.length >= minBars, `${bars.length} bars`);
  assert.equal(got.columns.topic, got.all.topic);
  assert.deepEqual(got.columns.contract, got.all.contract);
  assert.deepEqual(got.columns.payload, barsToColumns(bars));
  assert.deepEqual(Object.keys(got.columns.payload), ['time', 'open', 'high', 'low', 'close', 'volume']);
}

function connectionOf(id: string) {
  return (helper.getNode(id) as unknown as ConnectionConfigNode).connection;
}

function statusTexts(id: string): string[] {
  return (helper.getNode(id).status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
}

describe('historical-bars as columns: file and msg sources', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('file source: the columns output is the all output as columns, same topic, status with the count', async () => {
    await loadFlow(TYPES, twinFlow({ source: 'file', file: FIXTURE, symbol: 'spy' }));
    const got = await bothOutputs({});
    assertColumnsOfAll(got, 10_000);
    assert.equal(got.columns.topic, 'SPY');
    assert.ok(statusTexts('as-columns').includes('SPY 10k bars'), JSON.stringify(statusTexts('as-columns')));
    // msg.filename picks another file, as for all.
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'Date;Open;High;Low;Close\n2024-01-03;2;2;2;2\n2024-01-02;1;1;1;1\n');
    const again = await bothOutputs({ filename: other, topic: 'IBM' });
    assertColumnsOfAll(again, 2);
    assert.deepEqual(again.columns.payload.close, [1, 2]);
  });

  it('msg source: bar objects, columns, CSV text and JSON text give the all output as columns', async () => {
    await loadFlow(TYPES, twinFlow({ source: 'msg' }));
    const objects = [
      { time: '2024-01-03', open: 2, high: 2, low: 2, close: 2 },
      { date: '20240102', open: 1, high: 1.5, low: 0.5, close: 1, volume: 5, wap: 1.1, count: 4 },
    ];
    const fromObjects = await bothOutputs({ topic: 'MSFT', payload: objects });
    assertColumnsOfAll(fromObjects, 2);
    assert.equal(fromObjects.columns.topic, 'MSFT');
    assert.deepEqual(fromObjects.columns.payload.time, [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)]);
    // Columns in (newest first, one column a typed array): validated and ordered, in both outputs.
    const columnsIn = { time: [Date.UTC(2024, 0, 4), Date.UTC(2024, 0, 3)], open: new Float64Array([3, 2]), high: [3, 2], low: [3, 2], close: [3, 2], volume: [30, 20] };
    const fromColumns = await bothOutputs({ topic: 'MSFT', payload: columnsIn });
    assertColumnsOfAll(fromColumns, 2);
    assert.deepEqual(fromColumns.columns.payload.close, [2, 3]);
    const fromCsv = await bothOutputs({ payload: 'date,open,high,low,close\n2024-01-02,1,1,1,1\n2024-01-03,2,2,2,2\n' });
    assertColumnsOfAll(fromCsv, 2);
    assert.equal(fromCsv.columns.topic, 'bars');
    const fromJson = await bothOutputs({ topic: 'X', payload: JSON.stringify({ bars: objects }) });
    assertColumnsOfAll(fromJson, 2);
  });

  it('bad data fails both outputs with the same error text: a bad CSV row, bad msg bars, a missing column', async () => {
    await loadFlow(TYPES, [
      ...twinFlow({ source: 'file', file: badCsv }),
      { id: 'msg-all', z: 'tab', type: 'ib-historical-bars', source: 'msg', output: 'all', wires: [['all-out']] },
      { id: 'msg-columns', z: 'tab', type: 'ib-historical-bars', source: 'msg', output: 'columns', wires: [['columns-out']] },
    ]);
    const errorFrom = async (id: string, msg: Record<string, unknown>) => {
      const error = nextMessage(helper.getNode('caught'));
      helper.getNode(id).receive(msg);
      return String((await error).error.message);
    };
    const csvError = await errorFrom('as-all', {});
    // The catch node's msg.error.message is the error as a string (the UserError name in front).
    assert.match(csvError, /^UserError: bad.csv row 2 \(line 4\): high 12 is below low 13$/);
    assert.equal(await errorFrom('as-columns', {}), csvError);
    assert.ok(statusTexts('as-columns').some((t) => t.startsWith('bad.csv row 2')), JSON.stringify(statusTexts('as-columns')));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ payload: [{ time: 'x', open: 1, high: 1, low: 1, close: 1 }] }, /^UserError: msg.payload bar 1 \(index 0\): date "x" is not a time/],
      [{ payload: { not: 'bars' } }, /^UserError: msg.payload must be an array of bars/],
      [{ payload: 42 }, /^UserError: msg.payload must be an array of bars/],
      [{ payload: { time: [1, 2], close: [1, 2], high: [1, 2], low: [1, 2] } }, /^UserError: msg.payload: column open is missing/],
      [{ payload: 'date,open,high,low,close\n2024-01-02,1,x,1,1\n' }, /^UserError: msg.payload row 1 \(line 2\): high is "x", not a number$/],
      [{ filename: join(dir, 'missing.csv') }, /cannot read bar file/],
    ];
    for (const [msg, expected] of cases) {
      const [allNode, columnsNode] = 'filename' in msg ? ['as-all', 'as-columns'] : ['msg-all', 'msg-columns'];
      const fromAll = await errorFrom(allNode, msg);
      assert.match(fromAll, expected);
      assert.equal(await errorFrom(columnsNode, msg), fromAll);
    }
  });

  it('backtest connection: like all, one message and nothing fed to the backtest session', async () => {
    await loadFlow(TYPES, twinFlow({ source: 'file', file: FIXTURE, symbol: 'SPY' }, [
      { id: 'bt1', type: 'ib-connect', mode: 'backtest', btCash: 100000, btCommission: 'none' },
      { id: 'bt2', type: 'ib-connect', mode: 'backtest', btCash: 100000, btCommission: 'none' },
    ], ['bt1', 'bt2']));
    const events: string[] = [];
    for (const id of ['bt1', 'bt2']) {
      const session = connectionOf(id).replay();
      session.on('start', () => events.push(`${id} start`));
      session.on('bar', () => events.push(`${id} bar`));
      session.on('end', () => events.push(`${id} end`));
    }
    const sent = { all: 0, columns: 0 };
    helper.getNode('all-out').on('input', () => sent.all++);
    helper.getNode('columns-out').on('input', () => sent.columns++);
    const got = await bothOutputs({});
    assertColumnsOfAll(got, 10_000);
    // Give a stray replay time to show itself before counting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(sent, { all: 1, columns: 1 });
    assert.deepEqual(events, []);
    assert.equal(connectionOf('bt1').replay().barsDone(), 0);
    assert.equal(connectionOf('bt2').replay().barsDone(), 0);
    assert.equal(connectionOf('bt1').replay().running(), false);
    assert.equal(connectionOf('bt2').replay().running(), false);
  });
});

describe('historical-bars as columns: IB source through the simulator', () => {
  let sim: Simulator;
  before(async () => {
    await startServer();
    // Two connections ask the same request at once: TWS's 15 s rule for identical requests would hold
    // one of them back, so the simulator does not enforce pacing here (its bars are the same for a seed).
    sim = await createSimulator({ port: 0, historicalPacing: false });
  });
  after(async () => {
    await stopServer();
    await sim.close();
  });
  afterEach(() => helper.unload());

  const tws = (id: string, clientId: number) => ({ id, type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId });
  const request = { source: 'ib', symbol: 'AAPL', endTime: '2024-06-03T12:00:00Z', duration: '6 M', barSize: '1 day', whatToShow: 'TRADES', useRTH: true };

  it('the columns output is the all output as columns, same topic', async () => {
    await loadFlow(TYPES, twinFlow(request, [tws('c1', 61), tws('c2', 62)], ['c1', 'c2']));
    const got = await bothOutputs({}, 20_000);
    assertColumnsOfAll(got, 100);
    assert.equal(got.columns.topic, 'AAPL');
    assert.ok(got.columns.payload.time.every((t: number, i: number, all: number[]) => i === 0 || t > all[i - 1]!), 'oldest first');
  });

  it('a backtest connection drawing IB history from its data connection: like all, one message, no replay', async () => {
    await loadFlow(TYPES, twinFlow(request, [
      tws('d1', 63),
      tws('d2', 64),
      { id: 'bt1', type: 'ib-connect', mode: 'backtest', btCash: 100000, btCommission: 'none', dataConnection: 'd1' },
      { id: 'bt2', type: 'ib-connect', mode: 'backtest', btCash: 100000, btCommission: 'none', dataConnection: 'd2' },
    ], ['bt1', 'bt2']));
    let fed = 0;
    connectionOf('bt1').replay().on('bar', () => fed++);
    connectionOf('bt2').replay().on('bar', () => fed++);
    const got = await bothOutputs({}, 20_000);
    assertColumnsOfAll(got, 100);
    await waitFor(() => statusTexts('as-columns').includes(`AAPL ${got.columns.payload.time.length} bars`), 2000, 'the done status');
    assert.equal(fed, 0);
  });

  it('bad requests fail both outputs with the same error text: unknown symbol, bad bar size', async () => {
    await loadFlow(TYPES, twinFlow({ ...request, symbol: '' }, [tws('c1', 65), tws('c2', 66)], ['c1', 'c2']));
    const errorFrom = async (id: string, msg: Record<string, unknown>) => {
      const error = nextMessage(helper.getNode('caught'), 8000);
      helper.getNode(id).receive(msg);
      return String((await error).error.message);
    };
    for (const msg of [{ topic: 'NOSUCHSYM' }, { topic: 'AAPL', barSize: '3 days' }]) {
      const fromAll = await errorFrom('as-all', msg);
      assert.match(fromAll, /unknown contract NOSUCHSYM|bar size "3 days" is not one IB offers/);
      assert.equal(await errorFrom('as-columns', msg), fromAll);
    }
  });
});

describe('historical-bars as columns: the example flow', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());

  it('examples/ib-historical-bars.json: the columns node answers with five years of MSFT as columns', async () => {
    await loadFlow(TYPES, exampleFlow('ib-historical-bars'));
    const reply = nextMessage(helper.getNode('hist-debug-columns'), 45_000);
    helper.getNode('hist-columns').receive({ payload: Date.now() });
    const msg = await reply;
    assert.equal(msg.topic, 'MSFT');
    const columns = msg.payload as Record<string, number[]>;
    assert.deepEqual(Object.keys(columns), ['time', 'open', 'high', 'low', 'close', 'volume']);
    const n = columns.time!.length;
    assert.ok(n > 1000, `${n} daily bars in five years`);
    for (const column of Object.values(columns)) assert.ok(column.length === n && column.every(Number.isFinite));
    assert.ok(columns.time!.every((t, i, all) => i === 0 || t > all[i - 1]!), 'oldest first');
  });
});
