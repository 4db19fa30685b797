/**
 * historical-bars from IB: the simulator through the real @stoqey/ib client in a real Node-RED runtime.
 * All bars of a range, a long range in paced chunks with the on-disk cache, a storm of 100 requests
 * (all answered, none refused with 162), keep-up-to-date across a dropped connection, unknown symbol.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventName } from '@stoqey/ib';
import { helper, loadFlow, nextMessage, startServer, stopServer, waitFor } from '../helpers/node-red';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';
import type { ConnectionConfigNode } from '../../nodes/connection';
import { examplesDir } from '../helpers/paths';
import type { BacktestRun } from '../../lib/backtest/session';
import type { OrderEvent } from '../../lib/messages';

const TYPES = ['ib-connect', 'ib-historical-bars'];

function flow(sim: Simulator, nodes: Array<Record<string, unknown>>, clientId: number) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'c', z: 'tab', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId },
    ...nodes.map((n) => ({ z: 'tab', ...n })),
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

/** Every TWS error code the session's socket receives (to prove no request was refused). */
function errorCodes(): number[] {
  const codes: number[] = [];
  const connection = (helper.getNode('c') as unknown as ConnectionConfigNode).connection;
  connection.history().api.on(EventName.error, (_err: Error, code: number) => codes.push(Number(code)));
  return codes;
}

function statusTexts(id: string): string[] {
  return (helper.getNode(id).status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
}

describe('historical-bars from IB', () => {
  let sim: Simulator;
  before(async () => {
    await startServer();
    sim = await createSimulator({ port: 0, ticksPerSecond: 10 });
  });
  after(async () => {
    await stopServer();
    await sim.close();
  });
  afterEach(() => helper.unload());

  it('one message with all bars of the range, oldest first, in the bar shape', async () => {
    await loadFlow(
      TYPES,
      flow(
        sim,
        [
          {
            id: 'h',
            type: 'ib-historical-bars',
            connection: 'c',
            source: 'ib',
            symbol: 'AAPL',
            duration: '1 M',
            barSize: '1 day',
            whatToShow: 'TRADES',
            useRTH: true,
            output: 'all',
            wires: [['out']],
          },
        ],
        41,
      ),
    );
    const reply = nextMessage(helper.getNode('out'), 10_000);
    helper.getNode('h').receive({});
    const msg = await reply;
    assert.equal(msg.topic, 'AAPL');
    assert.equal(msg.contract.symbol, 'AAPL', 'the qualified contract travels with the bars');
    assert.ok(msg.contract.conId > 0, 'qualified: it has the conId TWS gave');
    const bars = msg.payload as Array<Record<string, number>>;
    assert.ok(bars.length >= 18 && bars.length <= 23, `${bars.length} daily bars in a month`);
    for (let i = 0; i < bars.length; i++) {
      const b = bars[i];
      assert.ok(
        Number.isFinite(b.time) && b.high >= b.low && b.high >= Math.max(b.open, b.close) && b.volume >= 0,
        JSON.stringify(b),
      );
      if (i) assert.ok(b.time > bars[i - 1].time);
    }
  });

  it('a long range in paced chunks, progress in status, served from the disk cache the second time', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'ib-hist-cache-'));
    const end = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await loadFlow(
      TYPES,
      flow(
        sim,
        [
          {
            id: 'h',
            type: 'ib-historical-bars',
            connection: 'c',
            source: 'ib',
            symbol: 'MSFT',
            endTime: end,
            duration: '20 D',
            barSize: '5 mins',
            whatToShow: 'TRADES',
            useRTH: true,
            output: 'all',
            cache: true,
            cacheDir,
            wires: [['out']],
          },
        ],
        42,
      ),
    );
    const codes = errorCodes();
    let reply = nextMessage(helper.getNode('out'), 20_000);
    helper.getNode('h').receive({});
    const first = await reply;
    const bars = first.payload as Array<{ time: number }>;
    assert.ok(bars.length > 500, `${bars.length} five-minute bars`);
    assert.ok(
      bars.every((b, i) => i === 0 || b.time > bars[i - 1].time),
      'ascending, no duplicates across chunks',
    );
    assert.ok(
      statusTexts('h').some((t) => /MSFT \d+\/\d+ chunks/.test(t)),
      `chunk progress in ${JSON.stringify(statusTexts('h'))}`,
    );
    assert.ok(readdirSync(cacheDir).length >= 3, 'complete chunks cached');
    assert.ok(!codes.includes(162), 'no pacing violation');
    reply = nextMessage(helper.getNode('out'), 20_000);
    helper.getNode('h').receive({});
    const second = await reply;
    assert.deepEqual(second.payload, first.payload, 'the cached history is the same history');
  });

  it('a pacing storm of 100 requests: all answered, none refused with 162', async () => {
    // A simulator of its own: TWS paces per TWS, so requests of the tests before would count.
    const stormSim = await createSimulator({ port: 0 });
    after(() => stormSim.close());
    await loadFlow(
      TYPES,
      flow(
        sim,
        [
          {
            id: 'h',
            type: 'ib-historical-bars',
            connection: 'c',
            source: 'ib',
            duration: '5 D',
            barSize: '1 hour',
            whatToShow: 'TRADES',
            useRTH: true,
            output: 'all',
            wires: [['out']],
          },
        ],
        43,
      ).map((n: Record<string, unknown>) => (n.id === 'c' ? { ...n, port: stormSim.port } : n)),
    );
    const codes = errorCodes();
    const answers: Array<Record<string, any>> = [];
    helper.getNode('out').on('input', (m: Record<string, any>) => answers.push(m));
    const errors: unknown[] = [];
    helper.getNode('caught').on('input', (m: Record<string, any>) => errors.push(m.error));
    const symbols = ['AAPL', 'MSFT', 'SPY', 'TSLA', 'NVDA'];
    // 20 requests per contract (5 symbols): IB allows 5 per contract in 2 s, so the queue must wait.
    for (let i = 0; i < 100; i++) {
      helper.getNode('h').receive({ topic: symbols[i % 5], duration: `${1 + Math.floor(i / 5)} D` });
    }
    await waitFor(() => answers.length + errors.length >= 100, 60_000, '100 answers');
    assert.deepEqual(
      errors.map((e) => String((e as { message?: string }).message)),
      [],
    );
    assert.equal(answers.length, 100);
    assert.ok(answers.every((m) => Array.isArray(m.payload) && m.payload.length > 0));
    assert.deepEqual(
      codes.filter((c) => c === 162),
      [],
      'TWS never refused a request for pacing',
    );
  });

  it('a pacing storm on a starved event loop (a loaded machine): still none refused with 162', async () => {
    // What failed in CI on a busy 2-core machine: @stoqey/ib's send throttle drains on timers that fire
    // late, so requests leave the client up to seconds after the pacing queue released them. Here the
    // test itself hogs the event loop (busy for 150 ms of every 200 ms) while 60 requests (5 contracts, 12
    // each) go out; windows measured from release instead of from the write let 6 arrive within 2 s
    // (6 or 7 refusals in each of 4 runs before the fix).
    const stormSim = await createSimulator({ port: 0 });
    after(() => stormSim.close());
    await loadFlow(
      TYPES,
      flow(
        stormSim,
        [
          {
            id: 'h',
            type: 'ib-historical-bars',
            connection: 'c',
            source: 'ib',
            duration: '5 D',
            barSize: '1 hour',
            whatToShow: 'TRADES',
            useRTH: true,
            output: 'all',
            wires: [['out']],
          },
        ],
        47,
      ),
    );
    const codes = errorCodes();
    const answers: Array<Record<string, any>> = [];
    helper.getNode('out').on('input', (m: Record<string, any>) => answers.push(m));
    const errors: unknown[] = [];
    helper.getNode('caught').on('input', (m: Record<string, any>) => errors.push(m.error));
    const hog = setInterval(() => {
      const until = Date.now() + 150;
      while (Date.now() < until);
    }, 50);
    try {
      const symbols = ['AAPL', 'MSFT', 'SPY', 'TSLA', 'NVDA'];
      for (let i = 0; i < 60; i++)
        helper.getNode('h').receive({ topic: symbols[i % 5], duration: `${1 + Math.floor(i / 5)} D` });
      await waitFor(() => answers.length + errors.length >= 60, 90_000, '60 answers');
    } finally {
      clearInterval(hog);
    }
    assert.deepEqual(
      errors.map((e) => String((e as { message?: string }).message)),
      [],
    );
    assert.equal(answers.length, 60);
    assert.deepEqual(
      codes.filter((c) => c === 162),
      [],
      'TWS never refused a request for pacing',
    );
  });

  it('keep up to date: history, then forming bars; it resumes after the connection drops', async () => {
    await loadFlow(
      TYPES,
      flow(
        sim,
        [
          {
            id: 'h',
            type: 'ib-historical-bars',
            connection: 'c',
            source: 'ib',
            symbol: 'SPY',
            duration: '3600 S',
            barSize: '1 min',
            whatToShow: 'TRADES',
            useRTH: false,
            output: 'live',
            formingBars: true,
            wires: [['out']],
          },
        ],
        44,
      ),
    );
    const msgs: Array<Record<string, any>> = [];
    helper.getNode('out').on('input', (m: Record<string, any>) => msgs.push(m));
    helper.getNode('h').receive({});
    await waitFor(
      () => msgs.some((m) => m.history) && msgs.filter((m) => m.forming).length >= 3,
      10_000,
      'history and updates',
    );
    const history = msgs.find((m) => m.history)!;
    assert.ok(Array.isArray(history.payload) && history.payload.length > 10);
    const update = msgs.find((m) => m.forming)!;
    assert.equal(update.topic, 'SPY');
    assert.ok(update.payload.time >= history.payload[history.payload.length - 1].time);
    sim.dropConnections();
    const before = msgs.length;
    // The same request again: IB's 15 s rule for identical requests applies, so the queue may wait.
    await waitFor(
      () => msgs.slice(before).some((m) => m.history) && msgs.slice(before).filter((m) => m.forming).length >= 2,
      30_000,
      'history and updates again after the reconnect',
    );
    helper.getNode('h').receive({ payload: 'stop' });
  });

  it('unknown symbol, bad bar size, bad duration: done(err) naming it', async () => {
    await loadFlow(
      TYPES,
      flow(
        sim,
        [
          {
            id: 'h',
            type: 'ib-historical-bars',
            connection: 'c',
            source: 'ib',
            duration: '1 M',
            barSize: '1 day',
            output: 'all',
            wires: [['out']],
          },
        ],
        45,
      ),
    );
    const error = () => nextMessage(helper.getNode('caught'), 8000).then((m) => String(m.error.message));
    let e = error();
    helper.getNode('h').receive({ topic: 'NOSUCHSYM' });
    assert.match(await e, /unknown contract NOSUCHSYM STK SMART USD/);
    e = error();
    helper.getNode('h').receive({ topic: 'AAPL', barSize: '3 days' });
    assert.match(await e, /bar size "3 days" is not one IB offers/);
    e = error();
    helper.getNode('h').receive({ topic: 'AAPL', duration: 'forever' });
    assert.match(await e, /duration "forever" is not valid/);
    e = error();
    helper.getNode('h').receive({});
    assert.match(await e, /no contract/);
  });
});

describe('historical-bars: backtest drawing IB history from a data connection, and the example flow', () => {
  let sim: Simulator;
  before(async () => {
    await startServer();
    sim = await createSimulator({ port: 0 });
  });
  after(async () => {
    await stopServer();
    await sim.close();
  });
  afterEach(() => helper.unload());

  it('replays IB bars from the data connection into the backtest, one paced bar per message', async () => {
    await loadFlow(TYPES, [
      { id: 'tab', type: 'tab' },
      { id: 'data', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 46 },
      { id: 'bt', type: 'ib-connect', mode: 'backtest', btCash: 100000, btCommission: 'none', dataConnection: 'data' },
      {
        id: 'h',
        z: 'tab',
        type: 'ib-historical-bars',
        connection: 'bt',
        source: 'ib',
        symbol: 'AAPL',
        duration: '6 M',
        barSize: '1 day',
        whatToShow: 'TRADES',
        useRTH: true,
        output: 'each',
        wires: [['out']],
      },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const session = connectionOf('bt').replay();
    let fed = 0;
    let ended = false;
    session.on('bar', () => fed++);
    session.on('end', () => (ended = true));
    const got: number[] = [];
    helper.getNode('out').on('input', (m: Record<string, any>) => got.push(m.payload.time));
    helper.getNode('h').receive({});
    await waitFor(() => ended, 30_000, 'end of the replay');
    assert.ok(got.length > 100, `${got.length} bars`);
    assert.equal(fed, got.length);
    assert.ok(got.every((t, i) => i === 0 || t > got[i - 1]));
    assert.ok(
      statusTexts('h').some((t) => /AAPL 100% \d+ bars/.test(t)),
      JSON.stringify(statusTexts('h').slice(-3)),
    );
  });

  it("the instrument's terms in TWS's contract details reach the backtest: BTC on PAXOS by its tick of 0.25, not a stock's 0.01", async () => {
    const BTC = 'BTC:CRYPTO:PAXOS:USD';
    await loadFlow(TYPES, [
      { id: 'tab', type: 'tab' },
      { id: 'data', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: sim.port, clientId: 47 },
      { id: 'bt', type: 'ib-connect', mode: 'backtest', btCash: 100000, btCommission: 'none', dataConnection: 'data' },
      {
        id: 'h',
        z: 'tab',
        type: 'ib-historical-bars',
        connection: 'bt',
        source: 'ib',
        symbol: 'BTC',
        secType: 'CRYPTO',
        exchange: 'PAXOS',
        currency: 'USD',
        duration: '1 M',
        barSize: '1 day',
        whatToShow: 'MIDPOINT',
        useRTH: false,
        output: 'each',
        wires: [['out']],
      },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const session = connectionOf('bt').replay() as unknown as BacktestRun;
    let ended = false;
    session.on('end', () => (ended = true));
    helper.getNode('h').receive({});
    await waitFor(() => ended, 30_000, 'end of the replay');
    const engine = session.engine();
    const refused: OrderEvent[] = [];
    engine.on('order', (e) => {
      if (e.status === 'Inactive') refused.push(e);
    });
    const price = session.lastPrice(BTC)!;
    assert.ok(price > 1000, `BTC at ${price}`);
    const onTick = Math.round(price / 0.25) * 0.25;
    engine.submit({
      orderId: 901,
      symbol: BTC,
      action: 'BUY',
      totalQuantity: 0.01,
      orderType: 'LMT',
      lmtPrice: onTick + 0.1,
      tif: 'GTC',
    });
    engine.submit({
      orderId: 902,
      symbol: BTC,
      action: 'BUY',
      totalQuantity: 0.01,
      orderType: 'LMT',
      lmtPrice: onTick - 0.25,
      tif: 'GTC',
    });
    // onTick + 0.10 is on a stock's 0.01 grid but not on BTC's 0.25: refused as TWS refuses it.
    assert.deepEqual(
      refused.map((e) => e.orderId),
      [901],
    );
    assert.match(refused[0]!.reason ?? '', /does not conform to the minimum price variation/);
  });

  it('a backtest connection without a data connection refuses an IB source clearly', async () => {
    await loadFlow(TYPES, [
      { id: 'tab', type: 'tab' },
      { id: 'bt', type: 'ib-connect', mode: 'backtest' },
      {
        id: 'h',
        z: 'tab',
        type: 'ib-historical-bars',
        connection: 'bt',
        source: 'ib',
        symbol: 'AAPL',
        output: 'each',
        wires: [['out']],
      },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const e = nextMessage(helper.getNode('caught'), 5000);
    helper.getNode('h').receive({});
    assert.match(String((await e).error.message), /no data connection to fetch IB history from/);
  });

  it('examples/ib-historical-bars.json deploys against its simulator and answers', async () => {
    const example = JSON.parse(readFileSync(join(examplesDir, 'ib-historical-bars.json'), 'utf8')) as Array<
      Record<string, any>
    >;
    // Debug nodes become helper nodes (to read what reaches them); inject and comment nodes are not
    // loaded in the test runtime, so the test sends what the inject would.
    const flowNodes = example
      .filter((n) => n.type !== 'inject' && n.type !== 'comment')
      .map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper' } : n))
      .map((n) => (n.type === 'ib-connect' ? n : { ...n, z: 'tab' }));
    await loadFlow(TYPES, [{ id: 'tab', type: 'tab' }, ...flowNodes]);
    const reply = nextMessage(helper.getNode('hist-debug-daily'), 20_000);
    helper.getNode('hist-daily').receive({ payload: Date.now() });
    const msg = await reply;
    assert.equal(msg.topic, 'AAPL');
    assert.ok(msg.payload.length > 200, `${msg.payload.length} daily bars in a year`);
  });
});

function connectionOf(id: string) {
  return (helper.getNode(id) as unknown as ConnectionConfigNode).connection;
}
