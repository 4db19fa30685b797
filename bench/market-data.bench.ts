/**
 * Quotes through market-data into a sink, in an embedded Node-RED runtime (no test helper spies, no
 * debug node), at 1k, 10k and 50k price ticks per second: the simulator behind a proxy that adds ticks at
 * the rate (bench/market-data-feed.ts), in a child process so the CPU figure is the Node-RED side only
 * (client decode, routing, quote assembly, node, delivery).
 *
 * - ticks/s: TICK_PRICE / TICK_SIZE events the client decoded per second.
 * - expected: quote changes in those events (counted by a separate QuoteAssembler on the same events):
 *   with the throttle off, market-data must send exactly one message per change.
 * - dropped: expected - received at the sink (must be 0 with the throttle off).
 * - latency: from the client emitting the tick event to the sink's input handler, p50 / p99.
 * - CPU: process CPU time / wall time of the Node-RED process (100% = one core).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventName } from '@stoqey/ib';
import { QuoteAssembler } from '../lib/data/quote';
import type { ConnectionConfigNode } from '../nodes/connection';
import { report, type Row } from './report';

const RED = require('node-red');
const distDir = join(__dirname, '..');
const RUN_MS = 5000;
const WARMUP_MS = 1500;

interface SinkMessage {
  topic?: string;
  payload?: unknown;
}

const sink = { received: 0, arrivals: [] as bigint[], counting: false };
(globalThis as Record<string, unknown>).__marketDataBenchSink = (_msg: SinkMessage) => {
  if (!sink.counting) return;
  sink.received++;
  sink.arrivals.push(process.hrtime.bigint());
};

function writeSinkNode(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'bench-sink.js'),
    `module.exports = function (RED) {
  function BenchSink(config) {
    RED.nodes.createNode(this, config);
    const record = globalThis.__marketDataBenchSink;
    this.on('input', (msg, send, done) => { record(msg); done(); });
  }
  RED.nodes.registerType('bench-sink', BenchSink);
};
`,
  );
  writeFileSync(join(dir, 'bench-sink.html'), `<script type="text/javascript">RED.nodes.registerType('bench-sink',{category:'bench',defaults:{},inputs:1,outputs:0});</script>\n`);
}

/** The simulator with the tick-rate proxy in front (bench/market-data-feed), in a child process. */
function startSimulator(ticksPerSecond: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(__dirname, 'market-data-feed.js'), String(ticksPerSecond)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /PORT (\d+)/.exec(text);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runCase(ticksPerSecond: number, throttleMs: number, clientId: number): Promise<Row> {
  const { child, port } = await startSimulator(ticksPerSecond);
  try {
    await RED.runtime.flows.setFlows({
      flows: {
        flows: [
          { id: 'bench-tab', type: 'tab', label: 'bench' },
          { id: 'conn', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port, clientId },
          { id: 'md', z: 'bench-tab', type: 'ib-market-data', connection: 'conn', symbol: 'AAPL', kind: 'quote', marketDataType: 'live', throttle: throttleMs, autoStart: true, wires: [['sink']] },
          { id: 'sink', z: 'bench-tab', type: 'bench-sink', wires: [] },
        ],
      },
      deploymentType: 'full',
    });
    const deadline = Date.now() + 15_000;
    let config: ConnectionConfigNode | null = null;
    while (!(config = RED.nodes.getNode('conn') as ConnectionConfigNode | null) || config.connection.status().state !== 'connected') {
      if (Date.now() > deadline) throw new Error('no connection to the simulator');
      await sleep(20);
    }
    const api = config.connection.liveData('quotes').api;
    // Count what the client decoded, and which of those ticks change the quote (each must become one message).
    const assemblers = new Map<number, QuoteAssembler>();
    const counter = { ticks: 0, expected: 0, changeTimes: [] as bigint[], counting: false };
    const onTick = (reqId: number, tickType: number, value: number) => {
      let assembler = assemblers.get(reqId);
      if (!assembler) assemblers.set(reqId, (assembler = new QuoteAssembler()));
      const changed = assembler.apply(tickType, value, 0);
      if (!counter.counting) return;
      counter.ticks++;
      if (changed) {
        counter.expected++;
        counter.changeTimes.push(process.hrtime.bigint());
      }
    };
    api.on(EventName.tickPrice, onTick);
    api.on(EventName.tickSize, onTick as never);
    await sleep(WARMUP_MS);
    // Start counting on a quiet boundary: both counters flip in the same synchronous step.
    sink.received = 0;
    sink.arrivals = [];
    sink.counting = true;
    counter.counting = true;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await sleep(RUN_MS);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const ticksInWindow = counter.ticks;
    // Silence the source, let everything in flight reach the sink, then compare on a still stream.
    child.stdin!.write('quiet\n');
    const drainStart = Date.now();
    let lastCount = -1;
    while (Date.now() - drainStart < 30_000) {
      await sleep(throttleMs + 300);
      if (sink.received === lastCount) break;
      lastCount = sink.received;
    }
    counter.counting = false;
    sink.counting = false;
    api.off(EventName.tickPrice, onTick);
    api.off(EventName.tickSize, onTick as never);
    const received = sink.received;
    const latencies: number[] = [];
    if (throttleMs === 0) {
      const n = Math.min(received, counter.changeTimes.length);
      for (let i = 0; i < n; i++) latencies.push(Number(sink.arrivals[i] - counter.changeTimes[i]) / 1e3);
      latencies.sort((a, b) => a - b);
    }
    return {
      'ticks/s sent': ticksPerSecond,
      throttle: throttleMs ? `${throttleMs} ms` : 'off',
      'client tick events/s': Math.round(ticksInWindow / (wallMs / 1000)),
      'quote changes': counter.expected,
      'msgs at sink': received,
      dropped: throttleMs === 0 ? counter.expected - received : 'n/a (coalesced)',
      'p50 us': throttleMs === 0 ? Math.round(percentile(latencies, 50)) : '-',
      'p90 us': throttleMs === 0 ? Math.round(percentile(latencies, 90)) : '-',
      'p99 us': throttleMs === 0 ? Math.round(percentile(latencies, 99)) : '-',
      'CPU %': Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
    };
  } finally {
    await RED.runtime.flows.setFlows({ flows: { flows: [] }, deploymentType: 'full' });
    child.kill();
  }
}

async function main(): Promise<void> {
  const userDir = mkdtempSync(join(tmpdir(), 'md-bench-'));
  const sinkDir = join(userDir, 'bench-nodes');
  writeSinkNode(sinkDir);
  const server = createServer();
  RED.init(server, {
    userDir,
    flowFile: join(userDir, 'flows.json'),
    nodesDir: [join(distDir, 'nodes', 'ib-connect'), join(distDir, 'nodes', 'ib-market-data'), sinkDir],
    httpAdminRoot: false,
    httpNodeRoot: false,
    uiPort: 0,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    telemetry: { enabled: false },
    externalModules: { autoInstall: false },
  });
  await RED.start();
  const rows: Row[] = [];
  let clientId = 70;
  for (const rate of [1000, 10_000, 50_000]) rows.push(await runCase(rate, 0, clientId++));
  rows.push(await runCase(10_000, 100, clientId++));
  await RED.stop();
  server.close();
  report('market-data', rows, {
    runMs: RUN_MS,
    latency: 'client tick event -> sink input handler',
    cpu: 'Node-RED process only (simulator in a child process); 100% = one core',
  });
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
