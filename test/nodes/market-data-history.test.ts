/**
 * market-data's "history ticks" (tick-by-tick numberOfTicks) in a real Node-RED runtime against the
 * simulator through the real @stoqey/ib client: the recent ticks leave first, oldest first, with
 * msg.history = true, then live ticks with msg.history = false; per-message msg.historyTicks; the
 * throttle does not swallow history; bad values (config and message) fail clearly; the editor refuses
 * them too.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';
import { repoRoot } from '../helpers/paths';
import { catalogTranslator } from '../../flow-runner/node-schema';

const TYPES = ['ib-connect', 'ib-market-data'];

function errorOf(timeoutMs = 8000) {
  return nextMessage(helper.getNode('caught'), timeoutMs).then((m) => String((m.error as { message: string }).message));
}

/** The status texts node `id` set (the helper's spy is shared by every node: keep this node's calls). */
function statusTexts(id: string): string[] {
  const node = helper.getNode(id);
  const spy = node.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: [{ text?: string }] }> };
  return spy.getCalls().filter((c) => c.thisValue === node).map((c) => c.args[0]?.text ?? '');
}

/** History first (all flagged), then live (flagged false), times ascending and not in the future. */
function assertHistoryThenLive(msgs: Array<Record<string, any>>, count: number, topic: string, type: string, notAfter: number): void {
  const history = msgs.slice(0, count);
  assert.ok(history.every((m) => m.history === true), 'the first messages are the history');
  assert.ok(msgs.slice(count).every((m) => m.history === false), 'then only live ticks');
  for (const m of msgs) {
    assert.equal(m.topic, topic);
    assert.equal(m.payload.type, type);
  }
  for (let i = 1; i < msgs.length; i++) assert.ok(msgs[i].payload.time >= msgs[i - 1].payload.time, `time order at ${i}`);
  assert.ok(history[count - 1].payload.time <= notAfter, 'history is not in the future (TWS times are whole seconds)');
}

describe('market-data history ticks', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 20 });

  it('a node with history ticks sends them before the live Last ticks, flagged msg.history, and says so in its status', async () => {
    const msgs: Array<Record<string, any>> = [];
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', symbol: 'AAPL', kind: 'Last', historyTicks: 25, wires: [['out']] }], 41));
    helper.getNode('out').on('input', (m: Record<string, any>) => msgs.push(m));
    await waitFor(() => msgs.length >= 30, 10_000, '25 history and 5 live ticks');
    assertHistoryThenLive(msgs, 25, 'AAPL', 'Last', Date.now());
    assert.ok(msgs.slice(0, 25).every((m) => m.payload.price > 0 && m.payload.size > 0));
    assert.ok(statusTexts('md').includes('AAPL 25 history ticks, now live'), JSON.stringify(statusTexts('md')));
  });

  it('msg.historyTicks asks for history per message (BidAsk); the throttle does not hold history back', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', kind: 'BidAsk', throttle: 500, wires: [['out']] }], 42));
    const msgs = listen(helper.getNode('out'));
    helper.getNode('md').receive({ topic: 'EUR:CASH:IDEALPRO:USD', historyTicks: 40 });
    await waitFor(() => msgs.length >= 41, 10_000, '40 history ticks and a live one');
    // The simulator takes "now" when the request reaches it, a little after receive(): the history can
    // end after the moment the test sent it, never after the moment it arrived.
    assertHistoryThenLive(msgs, 40, 'EUR:CASH:IDEALPRO:USD', 'BidAsk', Date.now());
    assert.ok(msgs.slice(0, 40).every((m) => m.payload.bid > 0 && m.payload.ask > m.payload.bid && m.payload.bidSize > 0));
  });

  it('after a reconnect the stream resumes without sending the history again', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', symbol: 'MSFT', kind: 'AllLast', historyTicks: 10, wires: [['out']] }], 45));
    const msgs = listen(helper.getNode('out'));
    await waitFor(() => msgs.length >= 13, 10_000, 'history and live ticks before the drop');
    suite.sim.dropConnections();
    await new Promise((r) => setTimeout(r, 200));
    const before = msgs.length;
    await waitFor(() => msgs.length >= before + 5, 15_000, 'live ticks after the reconnect');
    assert.equal(msgs.filter((m) => m.history === true).length, 10, 'history once');
    assert.ok(msgs.slice(10).every((m) => m.history === false && m.payload.type === 'AllLast'));
  });

  it('MidPoint with history 0 (the default) sends live ticks only', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'md', type: 'ib-market-data', connection: 'c', symbol: 'SPY', kind: 'MidPoint', wires: [['out']] }], 43));
    const msgs = listen(helper.getNode('out'));
    // A midpoint tick needs the quote to move: on a loaded machine (CI runs the suites side by side)
    // the first ones can take a while, so wait for two and allow 20 s.
    await waitFor(() => msgs.length >= 2, 20_000, 'live midpoints');
    assert.ok(msgs.every((m) => m.history === false && m.payload.mid > 0));
  });

  it('a bad history setting turns the status red and fails each message; a bad msg.historyTicks fails that message', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [
      { id: 'bad', type: 'ib-market-data', connection: 'c', symbol: 'AAPL', kind: 'Last', historyTicks: 5000, wires: [['out']] },
      { id: 'md', type: 'ib-market-data', connection: 'c', kind: 'Last', wires: [['out']] },
    ], 44));
    const msgs = listen(helper.getNode('out'));
    let error = errorOf();
    helper.getNode('bad').receive({});
    assert.match(await error, /history ticks must be a whole number from 0 to 1000 \(IB sends at most 1000\), not 5000; fix it in the node's settings/);
    error = errorOf();
    helper.getNode('md').receive({ topic: 'AAPL', historyTicks: -1 });
    assert.match(await error, /msg\.historyTicks: history ticks must be a whole number from 0 to 1000 .*not -1/);
    error = errorOf();
    helper.getNode('md').receive({ topic: 'AAPL', historyTicks: 'lots' });
    assert.match(await error, /not "lots"/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(msgs.length, 0, 'nothing subscribed on bad values');
    const texts = statusTexts('bad');
    assert.equal(texts[0], 'bad history ticks 5000: 0 to 1000', JSON.stringify(texts));
    assert.ok(!texts.some((t) => /^connect/.test(t)), `the connection's status does not cover the problem: ${JSON.stringify(texts)}`);
  });

  it('the editor validates history ticks: 0..1000 whole numbers only', () => {
    const html = readFileSync(join(repoRoot, 'nodes/ib-market-data/ib-market-data.html'), 'utf8');
    const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1];
    let definition: { defaults: Record<string, { value: unknown; validate?: (v: unknown) => unknown }> } | undefined;
    // The node's own registerType call, run with just enough of the editor's RED to capture it.
    runInNewContext(script, { RED: { nodes: { registerType: (_t: string, d: typeof definition) => (definition = d) }, validators: { number: () => () => true }, _: catalogTranslator(repoRoot) } });
    const field = definition!.defaults.historyTicks;
    assert.equal(field.value, 0);
    for (const ok of [0, '0', 250, '1000', '']) assert.equal(field.validate!(ok), true, `${ok} is valid`);
    for (const bad of [5000, '1001', -1, '-1', '2.5', 'abc']) assert.match(String(field.validate!(bad)), /whole number from 0 to 1000/, `${bad} is refused`);
  });
});
