/**
 * market-data in a real Node-RED runtime against the simulator through the real @stoqey/ib client:
 * streaming quotes, many instruments through one node, snapshot, throttle, stop, a reconnect in the
 * middle of a stream, unknown symbol, missing contract, and a backtest connection (no live source).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectMessages, helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { exampleFlow, listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';

const TYPES = ['ib-connect', 'ib-market-data'];

function errorOf(timeoutMs = 8000) {
  return nextMessage(helper.getNode('caught'), timeoutMs).then((m) => String((m.error as { message: string }).message));
}

describe('market-data', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 20 });

  it('streams quotes of the configured symbol from deploy, one message per change', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', symbol: 'AAPL', kind: 'quote', marketDataType: 'live', throttle: 0, wires: [['out']] }], 31));
    const msgs = await collectMessages(helper.getNode('out'), 10, 8000);
    for (const m of msgs) {
      assert.equal(m.topic, 'AAPL');
      assert.equal(m.contract.symbol, 'AAPL', 'the qualified contract travels with each quote');
      assert.ok(m.contract.conId > 0);
      assert.equal(typeof m.payload.time, 'number');
      for (const f of ['bid', 'ask', 'last', 'bidSize', 'askSize', 'lastSize', 'volume']) assert.ok(f in m.payload, `quote has ${f}`);
    }
    const last = msgs[msgs.length - 1].payload;
    assert.ok(last.bid > 0 && last.ask >= last.bid, `bid ${last.bid} ask ${last.ask}`);
    assert.notEqual(msgs[0].contract, msgs[1].contract, 'each message has its own copy');
  });

  it('many instruments through one node keyed by msg.topic; stop by topic; snapshot on request', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', kind: 'quote', marketDataType: 'live', throttle: 0, wires: [['out']] }], 32));
    const md = helper.getNode('md');
    const msgs = listen(helper.getNode('out'));
    md.receive({ topic: 'MSFT' });
    md.receive({ topic: 'EUR:CASH:IDEALPRO:USD' });
    await waitFor(() => msgs.some((m) => m.topic === 'MSFT') && msgs.some((m) => m.topic === 'EUR:CASH:IDEALPRO:USD'), 8000, 'both instruments');
    md.receive({ topic: 'MSFT', payload: 'stop' });
    await new Promise((r) => setTimeout(r, 300));
    const afterStop = msgs.length;
    await waitFor(() => msgs.length > afterStop + 3, 5000, 'EUR keeps streaming');
    assert.ok(msgs.slice(afterStop).every((m) => m.topic === 'EUR:CASH:IDEALPRO:USD'), 'no MSFT after its stop');
    md.receive({ payload: 'stop' });
    const snapshot = new Promise<Record<string, any>>((resolve) => helper.getNode('out').on('input', (m: Record<string, any>) => m.snapshot && resolve(m)));
    md.receive({ topic: 'NVDA', payload: 'snapshot' });
    const snap = await snapshot;
    assert.equal(snap.topic, 'NVDA');
    assert.ok(snap.payload.bid > 0 && snap.payload.ask > 0);
  });

  it('throttle: at most one message per interval per instrument, newest quote kept', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', symbol: 'TSLA', kind: 'quote', marketDataType: 'live', throttle: 300, wires: [['out']] }], 33));
    const arrivals: number[] = [];
    const msgs = listen(helper.getNode('out'));
    helper.getNode('out').on('input', () => arrivals.push(Date.now()));
    await waitFor(() => arrivals.length >= 6, 8000, '6 throttled quotes');
    // The simulator sends 20 updates/s (several ticks each); the node lets one through per 300 ms.
    for (let i = 1; i < arrivals.length; i++) assert.ok(arrivals[i] - arrivals[i - 1] >= 250, `gap ${arrivals[i] - arrivals[i - 1]} ms`);
    assert.ok(msgs.every((m) => m.topic === 'TSLA' && m.payload.bid > 0));
  });

  it('tick-by-tick: Last, BidAsk and MidPoint in their shapes', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [
      { id: 'last', type: 'ib-market-data', connection: 'c', symbol: 'AAPL', kind: 'Last', wires: [['out']] },
      { id: 'ba', type: 'ib-market-data', connection: 'c', symbol: 'MSFT', kind: 'BidAsk', wires: [['out']] },
      { id: 'mid', type: 'ib-market-data', connection: 'c', symbol: 'SPY', kind: 'MidPoint', wires: [['out']] },
    ], 36));
    const msgs = listen(helper.getNode('out'));
    await waitFor(() => ['Last', 'BidAsk', 'MidPoint'].every((t) => msgs.some((m) => m.payload.type === t)), 10_000, 'each tick-by-tick kind');
    const last = msgs.find((m) => m.payload.type === 'Last')!;
    assert.equal(last.topic, 'AAPL');
    assert.ok(last.payload.price > 0 && last.payload.size > 0 && typeof last.payload.exchange === 'string' && last.payload.time > 1e12);
    const ba = msgs.find((m) => m.payload.type === 'BidAsk')!;
    assert.equal(ba.topic, 'MSFT');
    assert.ok(ba.payload.bid > 0 && ba.payload.ask >= ba.payload.bid && ba.payload.bidSize > 0);
    const mid = msgs.find((m) => m.payload.type === 'MidPoint')!;
    assert.equal(mid.topic, 'SPY');
    assert.ok(mid.payload.mid > 0);
  });

  it('live data not permitted (354): falls back to delayed when ticked, fails naming it when not', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [
      { id: 'fb', type: 'ib-market-data', connection: 'c', kind: 'quote', marketDataType: 'live', fallbackDelayed: true, throttle: 0, wires: [['out']] },
      { id: 'strict', type: 'ib-market-data', connection: 'c', kind: 'quote', marketDataType: 'live', fallbackDelayed: false, throttle: 0, wires: [['out']] },
    ], 37));
    await waitFor(() => ((helper.getNode('c') as unknown as { connection: { status(): { state: string } } }).connection.status().state === 'connected'), 8000, 'connected');
    const msgs = listen(helper.getNode('out'));
    suite.sim.failNext({ messageId: 1 }, 354, 'Requested market data is not subscribed.');
    helper.getNode('fb').receive({ topic: 'NVDA' });
    await waitFor(() => msgs.some((m) => m.topic === 'NVDA' && m.payload.bid > 0), 10_000, 'delayed NVDA quotes');
    const texts = (helper.getNode('fb').status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
    assert.ok(texts.some((t) => /^NVDA delayed, no live permission \(354\)$/.test(t)), JSON.stringify(texts));
    suite.sim.failNext({ messageId: 1 }, 354, 'Requested market data is not subscribed.');
    const error = errorOf();
    helper.getNode('strict').receive({ topic: 'TSLA' });
    assert.match(await error, /market data for TSLA failed: .*\(354\): no market data permission/);
  });

  it('a reconnect in the middle of a stream: quotes resume on the new socket', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', symbol: 'SPY', kind: 'quote', marketDataType: 'live', throttle: 0, wires: [['out']] }], 34));
    const msgs = listen(helper.getNode('out'));
    await waitFor(() => msgs.length >= 5, 8000, 'quotes before the drop');
    suite.sim.dropConnections();
    await new Promise((r) => setTimeout(r, 200));
    const before = msgs.length;
    await waitFor(() => msgs.length >= before + 10, 15_000, 'quotes after the reconnect');
    assert.ok(msgs.slice(before).every((m) => m.topic === 'SPY'));
  });

  it('unknown symbol and a message without any contract end in done(err) naming the problem', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', kind: 'quote', marketDataType: 'live', throttle: 0, wires: [['out']] }], 35));
    let error = errorOf();
    helper.getNode('md').receive({ topic: 'NOSUCHSYM' });
    assert.match(await error, /unknown contract NOSUCHSYM STK SMART USD/);
    error = errorOf();
    helper.getNode('md').receive({ payload: 1 });
    assert.match(await error, /no contract: set a symbol in the node, or send msg.topic/);
    error = errorOf();
    helper.getNode('md').receive({ contract: { symbol: 'ES', secType: 'FOP', exchange: 'CME' } });
    assert.match(await error, /a FOP needs an expiry/);
    error = errorOf();
    helper.getNode('md').receive({ topic: 'AAPL:STK' });
    assert.match(await error, /instrument "AAPL:STK" is malformed/);
  });

  it('a backtest connection has no live source: status says so and messages fail clearly', async () => {
    await loadFlow(TYPES, [
      { id: 'tab', type: 'tab' },
      { id: 'bt', z: 'tab', type: 'ib-connect', mode: 'backtest' },
      { id: 'md', z: 'tab', type: 'ib-market-data', connection: 'bt', symbol: 'AAPL', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const md = helper.getNode('md');
    const texts = (md.status as { args: Array<[{ text?: string }]> }).args.map((a) => a[0]?.text ?? '');
    assert.ok(texts.includes('backtest: no live data'), `status ${JSON.stringify(texts)}`);
    const error = errorOf();
    md.receive({ topic: 'AAPL' });
    assert.match(await error, /market-data has no live source on a backtest connection/);
  });

  it('examples/ib-market-data.json deploys against its own simulator and streams AAPL', async () => {
    await loadFlow(TYPES, exampleFlow('ib-market-data'));
    const trades = collectMessages(helper.getNode('md-trades-debug'), 21, 15_000);
    const msg = await nextMessage(helper.getNode('md-debug'), 15_000);
    assert.equal(msg.topic, 'AAPL');
    assert.ok(msg.payload.bid > 0 || msg.payload.last > 0);
    // The tick-by-tick node: 20 recent MSFT trades first (msg.history), then live ones.
    const got = await trades;
    assert.deepEqual(got.map((m) => m.history), [...Array(20).fill(true), false]);
    assert.ok(got.every((m) => m.topic === 'MSFT' && m.payload.type === 'Last' && m.payload.price > 0));
  });
});

/** An example flow as the test runtime can load it: debug nodes become helpers, inject/comment dropped. */
