/**
 * Batches of several instruments on one connection gathered into one portfolio (lib/backtest/batch-sources.ts):
 * a report holds the parts until every announced source has sent and each sent instrument is in hand, a
 * failed source fails the round, and a batch with no round open runs as it comes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchGathering, BatchSources } from '../../lib/backtest/batch-sources';

const part = (key: string, n = 1) => ({ key, n });

describe('batch sources and gathering', () => {
  it('runs a batch at once when no source announced one (no round open, or no connection)', () => {
    const sources = new BatchSources();
    assert.deepEqual(new BatchGathering(sources).add([part('AAA')]), { kind: 'complete', parts: [part('AAA')] });
    assert.deepEqual(new BatchGathering(null).add([part('AAA'), part('BBB')]), { kind: 'complete', parts: [part('AAA'), part('BBB')] });
  });

  it('holds the parts until every announced source has sent and each instrument sent is in hand', () => {
    const sources = new BatchSources();
    const gathering = new BatchGathering(sources);
    sources.announce('a');
    sources.announce('b');
    sources.announce('c');
    sources.sent('a', 'AAA');
    const first = gathering.add([part('AAA')]);
    assert.deepEqual(first, { kind: 'waiting', text: '1 of 3 instruments in, waiting for 2 still loading' });
    sources.sent('b', 'BBB');
    sources.sent('c', 'CCC');
    assert.deepEqual(gathering.add([part('CCC')]), { kind: 'waiting', text: '2 of 3 instruments in, waiting for BBB' });
    // An instrument sent again replaces its part.
    assert.deepEqual(gathering.add([part('BBB', 2)]), { kind: 'complete', parts: [part('AAA'), part('CCC'), part('BBB', 2)] });
    assert.equal(sources.open(), false, 'the round closed');
    assert.equal(gathering.size(), 0);
    // The next announcement opens the next round.
    sources.announce('a');
    assert.equal(gathering.add([part('XXX')]).kind, 'waiting');
  });

  it('fails the round when a source failed, once the parts the others sent are in: no partial portfolio', () => {
    const sources = new BatchSources();
    const gathering = new BatchGathering(sources);
    sources.announce('a');
    sources.announce('b');
    sources.failed('a', 'AAA: no such file');
    sources.sent('b', 'BBB');
    assert.equal(gathering.settle().kind, 'waiting', 'a report holding nothing leaves the round alone');
    assert.deepEqual(gathering.add([part('BBB')]), { kind: 'failed', message: 'AAA: no such file' });
    assert.equal(sources.open(), false);
    assert.equal(gathering.size(), 0, 'the parts are dropped');
  });

  it('a source that withdraws (its node closed) is no longer waited for', () => {
    const sources = new BatchSources();
    const gathering = new BatchGathering(sources);
    let changes = 0;
    const off = sources.onChange(() => changes++);
    sources.announce('a');
    sources.announce('b');
    sources.sent('a', 'AAA');
    assert.equal(gathering.add([part('AAA')]).kind, 'waiting');
    sources.withdraw('b');
    assert.deepEqual(gathering.settle(), { kind: 'complete', parts: [part('AAA')] });
    off();
    sources.announce('a');
    sources.sent('a', 'AAA');
    assert.equal(changes, 2, 'sent and withdrawn were told; nothing after unsubscribing');
  });

  it('names each part by its message when several messages make the portfolio', () => {
    const sources = new BatchSources();
    type Part = { key: string; where?: string };
    const gathering = new BatchGathering<Part>(sources, (p) => ({ ...p, where: `the ${p.key} message's msg` }));
    sources.announce('a');
    sources.sent('a', 'AAA');
    assert.deepEqual(gathering.add([{ key: 'AAA' }]), { kind: 'complete', parts: [{ key: 'AAA', where: "the AAA message's msg" }] });
  });
});
