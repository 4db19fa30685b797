/**
 * bin/ib-flow as a user runs it: a child process on the example flows, printing JSON lines (--json) or
 * a summary. The replay example reproduces the SMA-crossover fixture (test/fixtures/sma-cross-10k); --set changes a node by name and refuses
 * what the node's editor would refuse; a sweep runs its combinations in worker processes and sorts them,
 * and its shards merge into the same ranking; walk-forward reports in-sample and out-of-sample folds;
 * bad command lines say what is wrong; a large result reaches a pipe whole; node errors fail the run,
 * said once. Core nodes the flow uses (function, change) run though the runtime loads only their files;
 * an unknown type is reported as such.
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

interface TextRun {
  code: number;
  stdout: string;
  stderr: string;
}

function ibFlowText(args: string[], timeoutMs = 240_000): Promise<TextRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** ib-flow with --json after the command: its stdout as parsed JSON lines. */
async function ibFlow(args: string[], timeoutMs = 240_000): Promise<Run> {
  const withJson = args[0] === 'run' || args[0] === 'merge' ? [args[0], ...args.slice(1), '--json'] : args;
  const run = await ibFlowText(withJson, timeoutMs);
  const lines = run.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, any>);
  return { code: run.code, lines, stderr: run.stderr };
}

/** A random-walk daily bar file of `count` bars (seeded), as CSV. */
function writeBarFile(file: string, count: number): void {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows = ['date,open,high,low,close,volume'];
  let price = 100;
  for (let i = 0; i < count; i++) {
    const open = price;
    const close = Math.max(1, open * (1 + (random() - 0.5) * 0.04));
    price = close;
    const day = new Date(Date.UTC(1900, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    rows.push(`${day},${open.toFixed(2)},${(Math.max(open, close) * 1.005).toFixed(2)},${(Math.min(open, close) * 0.995).toFixed(2)},${close.toFixed(2)},1000`);
  }
  writeFileSync(file, rows.join('\n'));
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

  it('refuses a --set or --sweep the node would refuse, before the run: the node, the property and what it takes', async () => {
    let run = await ibFlowText(['run', batchFlow, '--set', 'fast SMA.period=abc'], 30_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /'fast SMA\.period=abc': node "fast SMA" \(ib-sma\): "period" "abc" is not accepted/);
    assert.equal(run.stdout, '', 'no result: the run never started');
    run = await ibFlowText(['run', batchFlow, '--set', 'fast SMA.periods=10'], 30_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no property "periods": its properties are period, source/);
    run = await ibFlowText(['run', batchFlow, '--sweep', 'fast SMA.source=close,bogus'], 30_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /"source" "bogus" is not one of "close"/);
  });

  it('--version, run --help and merge --help on stdout; --option=value works; unknown options are refused', async () => {
    let run = await ibFlowText(['--version'], 30_000);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^node-red-contrib-ib-algo \d+\.\d+\.\d+\n$/);
    run = await ibFlowText(['run', '--help'], 30_000);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--shard K\/N/);
    run = await ibFlowText(['merge', '--help'], 30_000);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /ranks them together/);
    run = await ibFlowText(['run', batchFlow, '--bogus'], 30_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Unknown option '--bogus'/);
    const json = await ibFlow(['run', batchFlow, '--no-trades', '--sweep=fast SMA.period=10,30', '--sort=finalEquity', '--parallel=2']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.lines.length, 2);
    assert.ok(json.lines[0]!.finalEquity >= json.lines[1]!.finalEquity);
  });

  it('prints a short summary by default: ISO dates, money to the cent with thousands separators', async () => {
    const run = await ibFlowText(['run', batchFlow, '--no-trades']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /report "report", SMA-CROSS-10K: 1900-01-01 to 1938-04-29, 10,000 bars/);
    assert.match(run.stdout, /final equity {2}112,270\.69 \(from 100,000\.00, return 12\.27%/);
    assert.match(run.stdout, /Sharpe {8}0\.166/);
    assert.match(run.stdout, /trades {8}112 \(won 42/);
  });

  it('hands every byte of a large result to a pipe before it exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ib-flow-pipe-'));
    try {
      const file = join(dir, 'bars-100k.csv');
      writeBarFile(file, 100_000);
      // A slow reader on the other end of the pipe: the writer must wait for it, not exit.
      const reader = `let n=0,chunks=[];process.stdin.on('data',(c)=>{chunks.push(c);n+=c.length;process.stdin.pause();setTimeout(()=>process.stdin.resume(),2)});process.stdin.on('end',()=>{const text=Buffer.concat(chunks).toString();const line=JSON.parse(text);process.stdout.write(JSON.stringify({bytes:n,trades:line.tradeList.length,bars:line.bars}))})`;
      const script = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} run ${JSON.stringify(replayFlow)} --json --set ${JSON.stringify(`bars.file=${file}`)} | ${JSON.stringify(process.execPath)} -e ${JSON.stringify(reader)}`;
      const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile('/bin/sh', ['-c', script], { timeout: 240_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
      });
      assert.equal(out.code, 0, out.stderr);
      const seen = JSON.parse(out.stdout) as { bytes: number; trades: number; bars: number };
      assert.equal(seen.bars, 100_000);
      assert.ok(seen.bytes > 65_536 * 2, `a result of ${seen.bytes} bytes, well past one pipe buffer, parsed whole`);
      assert.ok(seen.trades > 100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a run whose flow reports errors, saying the first one once with a count', async () => {
    const addFailing = (flow: Array<Record<string, any>>) => {
      const tab = flow[0]!.id as string;
      const bars = flow.find((n) => n.type === 'ib-historical-bars')!;
      (bars.wires[0] as string[]).push('c0c0000000000004');
      flow.push({ id: 'c0c0000000000004', type: 'function', z: tab, name: 'complains', func: "node.error('this bar is not to my liking', msg);\nreturn null;", outputs: 1, x: 0, y: 0, wires: [[]] });
    };
    const flow = JSON.parse(readFileSync(replayFlow, 'utf8')) as Array<Record<string, any>>;
    addFailing(flow);
    const dir = mkdtempSync(join(tmpdir(), 'ib-flow-test-'));
    try {
      const file = join(dir, 'flow.json');
      writeFileSync(file, JSON.stringify(flow));
      const run = await ibFlow(['run', file, '--no-trades']);
      assert.equal(run.code, 1, 'node errors fail the run');
      assert.equal(run.lines.length, 1, 'the result is still printed');
      const mentions = run.stderr.split('\n').filter((l) => l.includes('this bar is not to my liking'));
      assert.ok(mentions.length <= 3, `said a few times, not 10,000: ${mentions.length}`);
      assert.match(run.stderr, /the flow reported 10000 errors; the first, 10000 times: \[function:complains\] this bar is not to my liking/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--shard K/N runs the K-th slice of a sweep; merge ranks the shards as one sweep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ib-flow-shard-'));
    try {
      const sweep = ['--sweep', 'fast SMA.period=5,10,15,25,30', '--no-trades', '--sort', 'finalEquity', '--parallel', '2'];
      const files: string[] = [];
      let seen = 0;
      for (const shard of ['1/2', '2/2']) {
        const run = await ibFlow(['run', batchFlow, ...sweep, '--shard', shard]);
        assert.equal(run.code, 0, run.stderr);
        assert.ok(run.lines.every((l) => l.shard === shard));
        seen += run.lines.length;
        const file = join(dir, `shard-${shard.replace('/', 'of')}.jsonl`);
        writeFileSync(file, `${run.lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
        files.push(file);
      }
      assert.equal(seen, 5, 'the shards cover every combination once');
      const merged = await ibFlow(['merge', ...files, '--sort', 'finalEquity']);
      assert.equal(merged.code, 0, merged.stderr);
      assert.deepEqual(merged.lines.map((l) => l.combination).sort(), [1, 2, 3, 4, 5]);
      for (let i = 1; i < merged.lines.length; i++) assert.ok(merged.lines[i - 1]!.finalEquity >= merged.lines[i]!.finalEquity, 'ranked best first');
      const table = await ibFlowText(['merge', ...files, '--sort', 'finalEquity'], 30_000);
      assert.match(table.stdout, /fast SMA\.period=/);
      const bad = await ibFlowText(['run', batchFlow, ...sweep, '--shard', '3/2'], 30_000);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--shard '3\/2' is not K\/N/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
