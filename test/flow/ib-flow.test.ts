/**
 * bin/ib-flow as a user runs it: a child process on the example flows, printing JSON lines. The replay
 * example reproduces the shared fixture; --set changes a node by name; a sweep runs its combinations in
 * worker processes and sorts them; walk-forward reports in-sample and out-of-sample folds; bad command
 * lines say what is wrong. Core nodes the flow uses (function, change) run though the runtime loads
 * only their files; an unknown type is reported as such.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { examplesDir, fixturesDir, repoRoot } from '../helpers/paths';

const bin = join(repoRoot, 'dist', 'bin', 'ib-flow.js');
const replayFlow = join(examplesDir, 'sma-crossover-backtest.json');
const batchFlow = join(examplesDir, 'sma-crossover-batch.json');
const expected = JSON.parse(readFileSync(join(fixturesDir, 'sma-cross-10k', 'expected.json'), 'utf8'));

interface Run {
  code: number;
  lines: Array<Record<string, any>>;
  stderr: string;
}

function ibFlow(args: string[], timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      const lines = stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, any>);
      resolve({ code: typeof code === 'number' ? code : 1, lines, stderr });
    });
  });
}

/** The batch example with extra nodes, written to a temporary flow file for the duration of `use`. */
async function withBatchVariant(edit: (flow: Array<Record<string, any>>) => void, use: (file: string) => Promise<void>): Promise<void> {
  const flow = JSON.parse(readFileSync(batchFlow, 'utf8')) as Array<Record<string, any>>;
  edit(flow);
  const dir = mkdtempSync(join(tmpdir(), 'ib-flow-test-'));
  try {
    const file = join(dir, 'flow.json');
    writeFileSync(file, JSON.stringify(flow));
    await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ib-flow', () => {
  it('runs the replay example headless and prints the fixture result with its trade list', async () => {
    const run = await ibFlow(['run', replayFlow]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.lines.length, 1);
    const r = run.lines[0]!;
    assert.equal(r.report, 'report');
    assert.deepEqual(r.params, {});
    assert.equal(Math.round(r.finalEquity * 100), Math.round(expected.finalEquity * 100));
    assert.equal(r.trades, expected.closedTrades);
    assert.equal(r.winningTrades, expected.winningTrades);
    assert.equal(r.openPosition, 0);
    assert.equal(r.maxDrawdownPct.toFixed(4), expected.maxDrawdownPct.toFixed(4));
    assert.equal(r.maxDrawdownBars, expected.maxDrawdownBars);
    assert.equal(r.sharpe.toFixed(6), expected.sharpe.value.toFixed(6));
    assert.ok(typeof r.cumulativeReturn === 'number');
    assert.equal(r.tradeList.length, expected.closedTrades);
    assert.equal(r.tradeList[0].entryDate.slice(0, 10), '1901-01-31');
  });

  it('--set changes a node by name; a sweep runs every combination in workers, sorted by the metric', async () => {
    const run = await ibFlow(['run', batchFlow, '--set', 'slow SMA.period=100', '--sweep', 'fast SMA.period=10,30', '--sort', 'finalEquity', '--no-trades', '--parallel', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.lines.length, 2);
    assert.deepEqual(run.lines.map((l) => l.params).sort((a, b) => a['fast SMA.period'] - b['fast SMA.period']), [
      { 'slow SMA.period': 100, 'fast SMA.period': 10 },
      { 'slow SMA.period': 100, 'fast SMA.period': 30 },
    ]);
    assert.ok(run.lines[0]!.finalEquity >= run.lines[1]!.finalEquity, 'best first');
    assert.notEqual(run.lines[0]!.finalEquity, run.lines[1]!.finalEquity, 'the parameters reached the nodes');
    assert.equal(run.lines[0]!.tradeList, undefined);
    assert.match(run.stderr, /2 combinations/);
  });

  it('--walk-forward K reports in-sample and out-of-sample per fold, and their means', async () => {
    const run = await ibFlow(['run', batchFlow, '--walk-forward', '1', '--sweep', 'fast SMA.period=10,20', '--no-trades']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.lines.length, 3);
    const [inSample, outOfSample, summary] = run.lines as [Record<string, any>, Record<string, any>, Record<string, any>];
    assert.equal(inSample.sample, 'in-sample');
    assert.equal(outOfSample.sample, 'out-of-sample');
    assert.deepEqual(outOfSample.params, inSample.params, 'the in-sample choice is tested out of sample');
    assert.equal(inSample.bars, 5000);
    assert.equal(outOfSample.bars, 5000);
    assert.ok(outOfSample.startTime > inSample.endTime, 'out of sample comes after in sample');
    assert.equal(summary.walkForward, 1);
    assert.equal(summary.inSampleMean, inSample.sharpe);
    assert.equal(summary.outOfSampleMean, outOfSample.sharpe);
  });

  it("runs backtest-report's own example (dashboard nodes left out): IB fixed commissions from msg.backtest", async () => {
    const run = await ibFlow(['run', join(examplesDir, 'ib-backtest-report.json'), '--no-trades']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /left out dashboard nodes \(ui-chart/);
    const r = run.lines[0]!;
    assert.equal(r.trades, expected.closedTrades);
    assert.equal(Math.round(r.commissions * 100), 224 * 100, '224 orders at the USD 1 minimum');
    assert.equal(Math.round(r.finalEquity * 100), Math.round((expected.finalEquity - 224) * 100));
  });

  it('runs a flow with a function node and a change node (core files loaded because the flow uses them), also with --all-core-nodes', async () => {
    const addNodes = (flow: Array<Record<string, any>>) => {
      const tab = flow[0]!.id as string;
      const bars = flow.find((n) => n.type === 'ib-historical-bars')!;
      const [fastSma] = bars.wires[0] as string[];
      bars.wires = [['c0c0000000000001']];
      flow.push(
        { id: 'c0c0000000000001', type: 'change', z: tab, name: 'rename', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'CHANGED', tot: 'str' }], x: 0, y: 0, wires: [['c0c0000000000002']] },
        { id: 'c0c0000000000002', type: 'function', z: tab, name: 'tag', func: "msg.topic = msg.topic + '-FN';\nreturn msg;", outputs: 1, x: 0, y: 0, wires: [[fastSma]] },
      );
    };
    await withBatchVariant(addNodes, async (file) => {
      for (const extra of [[], ['--all-core-nodes']]) {
        const run = await ibFlow(['run', file, '--no-trades', ...extra]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.lines.length, 1);
        assert.equal(run.lines[0]!.instrument, 'CHANGED-FN', 'the change node, then the function node, handled the bars');
        assert.equal(run.lines[0]!.trades, expected.closedTrades);
      }
    });
  });

  it('reports node types the flow uses but nothing installed registers', async () => {
    const addUnknown = (flow: Array<Record<string, any>>) => flow.push({ id: 'c0c0000000000003', type: 'no-such-type', z: flow[0]!.id, x: 0, y: 0, wires: [] });
    await withBatchVariant(addUnknown, async (file) => {
      const run = await ibFlow(['run', file, '--no-trades'], 60_000);
      assert.equal(run.code, 1);
      assert.match(run.lines[0]!.error, /node types not installed here: no-such-type/);
      assert.match(run.stderr, /node types not installed here: no-such-type \(install their packages next to node-red\)/);
    });
  });

  it('says what is wrong with a command line', async () => {
    let run = await ibFlow(['run', batchFlow, '--set', 'no such node.period=3'], 30_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no node named in 'no such node\.period=3'|no node named in 'no such node.period'/);
    assert.match(run.stderr, /"fast SMA"/);
    run = await ibFlow(['run', batchFlow, '--sweep', 'fast SMA.period'], 30_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /is not NODE NAME\.property=value/);
    run = await ibFlow(['run'], 30_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no flow file/);
    run = await ibFlow(['run', join(fixturesDir, 'sma-cross-10k', 'expected.json')], 30_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /is not a Node-RED flow/);
  });
});
