/**
 * The two-instrument portfolio examples in a real Node-RED runtime, on their bundled data (BBB has
 * holidays and a halt AAA trades through): two historical-bars replays on one backtest connection make
 * one clock (equity points = distinct dates, bars of a date before any of the next), and the batch
 * version (the two instruments' arrays gathered by backtest-report on the same connection, no join node)
 * gives the same report to the cent.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, examplesDir } from '../helpers/paths';
import { helper, nodeModule, startServer, stopServer } from '../helpers/node-red';

const TYPES = ['ib-connect', 'ib-historical-bars', 'ib-sma', 'ib-crossover', 'ib-risk-sizer', 'ib-place-order', 'ib-backtest-report'];

/** An example flow with its data read from data/ and its debug node swapped for a helper. */
function example(file: string): { flow: Array<Record<string, any>>; bars: string[] } {
  const flow = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as Array<Record<string, any>>;
  const kept = flow.filter((n) => n.type !== 'inject' && n.type !== 'comment');
  for (const n of kept) {
    if (n.type === 'ib-historical-bars') n.file = join(dataDir, String(n.file).split('/').pop()!);
    if (n.type === 'debug') {
      n.type = 'helper';
      delete n.complete;
    }
  }
  return { flow: kept, bars: kept.filter((n) => n.type === 'ib-historical-bars').map((n) => n.id) };
}

function load(flow: unknown[]): Promise<void> {
  const modules = TYPES.map(nodeModule);
  return new Promise((resolve, reject) => helper.load(modules, flow, {}, (err?: Error) => (err ? reject(err) : resolve())));
}

async function run(file: string): Promise<Record<string, any>> {
  const { flow, bars } = example(file);
  await load(flow);
  const out = helper.getNode(flow.find((n) => n.type === 'helper')!.id);
  const result = new Promise<Record<string, any>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no report from ${file}`)), 60_000);
    out.on('input', (msg: Record<string, any>) => {
      if (!msg.complete) return;
      clearTimeout(timer);
      resolve(msg);
    });
  });
  // One inject starts both, as in the example.
  for (const id of bars) helper.getNode(id).receive({});
  return result;
}

function dates(file: string): string[] {
  return readFileSync(join(dataDir, file), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]!);
}

describe('two-instrument portfolio backtest', () => {
  before(startServer);
  after(stopServer);
  afterEach(() => helper.unload());
  let replayed: Record<string, any>;

  it('two replays on one backtest connection run on one clock: one equity point per distinct date', async () => {
    replayed = await run('portfolio-backtest.json');
    const m = replayed.payload;
    const distinct = new Set([...dates('portfolio-aaa.csv'), ...dates('portfolio-bbb.csv')]).size;
    assert.equal(m.bars, distinct, 'equity points = distinct timestamps');
    assert.equal(replayed.topic, 'AAA,BBB');
    const symbols = new Set(replayed.trades.map((t: any) => t.symbol));
    assert.deepEqual([...symbols].sort(), ['AAA', 'BBB']);
    assert.ok(m.trades > 10, `${m.trades} trades`);
  });

  it('the batch version gives the same report to the cent', async () => {
    const batch = await run('portfolio-batch.json');
    assert.equal(batch.topic, 'AAA,BBB');
    assert.deepEqual(batch.payload, replayed.payload);
    assert.deepEqual(batch.trades, replayed.trades);
  });

  it('a batch source that fails stops the portfolio instead of reporting the other instruments alone', async () => {
    const { flow, bars } = example('portfolio-batch.json');
    await load(flow);
    const report = helper.getNode(flow.find((n) => n.type === 'ib-backtest-report')!.id);
    const out = helper.getNode(flow.find((n) => n.type === 'helper')!.id);
    const reports: Array<Record<string, any>> = [];
    out.on('input', (msg: Record<string, any>) => reports.push(msg));
    const errors: string[] = [];
    report.on('call:error', (call: { args: unknown[] }) => errors.push(String(call.args[0])));
    const [aaa, bbb] = bars.map((id) => helper.getNode(id));
    // Both started together; BBB's file is not there, so AAA's bars, in first, wait for it.
    aaa!.receive({});
    bbb!.receive({ filename: join(dataDir, 'no-such-file.csv') });
    const deadline = Date.now() + 20_000;
    while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(reports.length, 0, 'no report of AAA alone');
    assert.match(errors[0] ?? '', /portfolio batch was not run: historical-bars BBB could not load its bars: cannot read bar file .*no-such-file\.csv/);
    // The next round, both started together with both files there, runs both.
    const next = new Promise<Record<string, any>>((resolve) => out.on('input', resolve));
    bbb!.receive({});
    aaa!.receive({});
    const both = await next;
    assert.equal(both.topic, 'AAA,BBB');
    assert.equal(reports.length, 1);
  });
});
