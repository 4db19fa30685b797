/**
 * Live latency: a tick leaving the simulator to the PLACE_ORDER it causes reaching the simulator,
 * through the flow market-data (quotes, throttle off) -> sma (of the bid size) -> crossover (band) ->
 * risk-sizer -> place-order, in an embedded Node-RED runtime (no test helper, no debug node).
 * Goal: p50 under 0.5 ms, p99 under 2 ms at 1,000 ticks/s.
 *
 * - The simulator runs in its own process, as TWS does (bench/live-latency/simulator.ts). Its
 *   WireProbe stamps each tick frame when it is handed to the client socket and each PLACE_ORDER when
 *   its bytes arrive, with process.hrtime.bigint() (CLOCK_MONOTONIC: one clock for both processes).
 * - Pairing, by what the flow did: a Node-RED onSend hook notes which tick frame (counted as the
 *   client receives them) each market-data message came from; the order journal's decision line ties
 *   each order id to the message (its dedup key holds msg._msgid); the simulator reads the order id
 *   in each PLACE_ORDER. Pairing by position (i-th signal, i-th order) broke whenever the flow rightly
 *   sent no order for a signal (a reversal that only cancels a working order meets the target): every
 *   later pair shifted by one, which showed as a "backlog" of hundreds of ms with an idle CPU.
 * - Cross-check: the simulator replays the frames it wrote through the same code the flow runs
 *   (bench/live-latency/strategy-model.ts); "not predicted" counts orders whose frame and side the
 *   reference run does not name (a lost, doubled or reordered tick would show there).
 * - ticks/s: the simulator's clock instants per second (each moves bid, ask and last, so a few tick
 *   frames); frames/s and quote msgs/s are what reached the flow. dropped: tick frames written minus
 *   tick frames the client received, after the subscription is stopped and the pipe drained.
 * - Split of each latency at the moment place-order receives the message (a Node-RED onReceive hook,
 *   a few times a second, so it costs the ticks nothing): "to place-order" is the simulator's write,
 *   the wire, the client's decoding and the flow up to place-order; "order out" is place-order, the
 *   account guard, the journal line, @stoqey/ib's encoding, the socket write and the wire back.
 * - CPU: process CPU / wall time in the window, Node-RED process and simulator apart (100% = a core).
 * - Loopback floor (last row, LIVE_LATENCY_FLOOR=0 leaves it out): the same two crossings between two
 *   Node processes with nothing in between (bench/live-latency/floor.ts), measured in the same run: on
 *   a small virtual machine the process wake-ups alone take a good part of the goal.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventName } from '@stoqey/ib';
import type { ConnectionConfigNode } from '../nodes/connection';
import type { ReportRequest, SimulatorReply, SimulatorReport } from './live-latency/protocol';
import { readJournal } from '../lib/journal/journal';
import { measureFloor } from './live-latency/floor';
import { PATHS } from './live-latency/strategy-model';
import { report, type Row } from './report';

const RED = require('node-red');
const distDir = join(__dirname, '..');
const NODE_TYPES = ['ib-connect', 'ib-market-data', 'ib-sma', 'ib-crossover', 'ib-risk-sizer', 'ib-place-order'];
const WARMUP_MS = 3000;
const RUN_MS = Number(process.env.LIVE_LATENCY_MS ?? 25_000);
const SYMBOL = 'AAPL';
const HOOK = 'onSend.liveLatency';
const INPUT_HOOK = 'onReceive.liveLatency';

/**
 * The strategy: the SMA of the bid size crossing a band (up through `lower`: BUY, down through
 * `upper`: SELL), long-short 100 shares, market orders. Not a price average: the simulated price moves
 * smoothly within each second, so price averages cross about once a second, too rarely for a
 * percentile. Sizes are drawn afresh at every tick, so the averaged size crosses its band several
 * times a second at moments nothing in the flow can anticipate; the band's width keeps orders apart
 * (a few a second: TWS takes at most 50 messages/s, and an order still queued would be replaced
 * rather than sent). Period and band are set per rate (more messages: a longer average, a narrower
 * band, for about the same order rate).
 */
interface Case {
  ticksPerSecond: number;
  /** SMA period, in quote messages. */
  period: number;
  lower: number;
  upper: number;
}

const CASES: Case[] = process.env.LIVE_LATENCY_CASES
  ? process.env.LIVE_LATENCY_CASES.split(',').map((c) => {
      const [ticksPerSecond, period, lower, upper] = c.split(':').map(Number);
      return { ticksPerSecond, period, lower, upper };
    })
  : [
      { ticksPerSecond: 1000, period: 100, lower: 1300, upper: 1800 },
      { ticksPerSecond: 5000, period: 500, lower: 1440, upper: 1660 },
    ];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The simulator process and a request/answer channel to it. */
class SimulatorProcess {
  private waiting: Array<(reply: SimulatorReply) => void> = [];
  private constructor(readonly child: ChildProcess) {
    child.on('message', (reply: SimulatorReply) => this.waiting.shift()?.(reply));
  }

  static async start(ticksPerSecond: number): Promise<{ sim: SimulatorProcess; port: number }> {
    const child = fork(join(__dirname, 'live-latency', 'simulator.js'), [String(ticksPerSecond), '7'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const sim = new SimulatorProcess(child);
    const ready = await sim.next();
    if (ready.type !== 'ready') throw new Error(`simulator: ${JSON.stringify(ready)}`);
    return { sim, port: ready.port };
  }

  next(): Promise<SimulatorReply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`simulator exited with ${code}`));
      this.child.once('exit', onExit);
      this.waiting.push((reply) => {
        this.child.off('exit', onExit);
        if (reply.type === 'error') reject(new Error(`simulator: ${reply.message}`));
        else resolve(reply);
      });
    });
  }

  async cpu(): Promise<NodeJS.CpuUsage> {
    const answer = this.next();
    this.child.send({ type: 'cpu' });
    const reply = await answer;
    if (reply.type !== 'cpu') throw new Error('simulator: expected its CPU figure');
    return reply.usage;
  }

  async report(request: ReportRequest): Promise<SimulatorReport> {
    const answer = this.next();
    this.child.send(request);
    const reply = await answer;
    if (reply.type !== 'report') throw new Error('simulator: expected its report');
    return reply;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function flow(port: number, clientId: number, c: Case, journalPath: string): unknown[] {
  // Ids are prefixed: Node-RED takes any property value equal to a node id (e.g. emit: 'cross') for a reference.
  return [
    { id: 'n-tab', type: 'tab', label: 'live latency' },
    // Account limits off: every order is a sample. The broker still paces messages to TWS at 50/s.
    {
      id: 'n-conn', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port, clientId, journalPath,
      maxOrderQuantity: 0, maxOrderNotional: 0, maxPosition: 0, maxOrdersPerMinute: 0, maxDailyLoss: 0,
    },
    { id: 'n-md', z: 'n-tab', type: 'ib-market-data', connection: 'n-conn', symbol: SYMBOL, kind: 'quote', marketDataType: 'live', throttle: 0, autoStart: false, wires: [['n-sma']] },
    { id: 'n-sma', z: 'n-tab', type: 'ib-sma', period: c.period, source: 'property', sourceProperty: PATHS.source, output: PATHS.average, wires: [['n-cross']] },
    { id: 'n-cross', z: 'n-tab', type: 'ib-crossover', mode: 'band', fast: PATHS.average, lower: c.lower, upper: c.upper, emit: 'cross', wires: [['n-sizer']] },
    { id: 'n-sizer', z: 'n-tab', type: 'ib-risk-sizer', connection: 'n-conn', direction: 'long-short', method: 'fixed', shares: 100, wires: [['n-order']] },
    { id: 'n-order', z: 'n-tab', type: 'ib-place-order', connection: 'n-conn', orderType: 'MKT', tif: 'DAY', wires: [[], []] },
  ];
}

async function runCase(c: Case, clientId: number, userDir: string): Promise<Row> {
  const { sim, port } = await SimulatorProcess.start(c.ticksPerSecond);
  const journalPath = join(userDir, `journal-${clientId}.jsonl`);
  try {
    await RED.runtime.flows.setFlows({ flows: { flows: flow(port, clientId, c, journalPath) }, deploymentType: 'full' });
    const deadline = Date.now() + 15_000;
    let config: ConnectionConfigNode | null = null;
    while (!(config = RED.nodes.getNode('n-conn') as ConnectionConfigNode | null) || config.connection.status().state !== 'connected') {
      if (Date.now() > deadline) throw new Error('no connection to the simulator');
      await sleep(20);
    }
    const api = config.connection.liveData('quotes').api;
    // Tick frames the client received (TICK_PRICE, TICK_SIZE, TICK_GENERIC, TICK_STRING), counted
    // from before the subscription starts.
    let received = 0;
    const onReceived = (tokens: string[]) => {
      const id = tokens[0];
      if (id === '1' || id === '2' || id === '45' || id === '46') received++;
    };
    api.on(EventName.received, onReceived);
    // market-data sends while the client decodes a frame, so the frame is the last one counted.
    const frameOfMsg = new Map<string, number>();
    RED.hooks.add(HOOK, (events: Array<{ source: { id: string }; msg: { _msgid?: string } }>) => {
      for (const event of events) if (event.source.id === 'n-md' && event.msg._msgid) frameOfMsg.set(event.msg._msgid, received - 1);
    });
    // When each message reached place-order (only place-order's inputs: a few a second).
    const placeOrderInputAt = new Map<string, bigint>();
    RED.hooks.add(INPUT_HOOK, (event: { destination: { id: string }; msg: { _msgid?: string } }) => {
      if (event.destination.id === 'n-order' && event.msg._msgid) placeOrderInputAt.set(event.msg._msgid, process.hrtime.bigint());
    });
    const md = RED.nodes.getNode('n-md') as { receive(msg: object): void };
    md.receive({});
    await sleep(WARMUP_MS);
    const simCpu0 = await sim.cpu();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await sleep(RUN_MS);
    const t1 = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpu0);
    const simCpu1 = await sim.cpu();
    const wallMs = Number(t1 - t0) / 1e6;
    // Stop the stream and let everything in flight arrive before comparing counts.
    md.receive({ payload: 'stop' });
    await sleep(1500);
    api.off(EventName.received, onReceived);
    RED.hooks.remove(HOOK);
    RED.hooks.remove(INPUT_HOOK);
    // Order id -> the message that placed it (dedup key: `${node id}:${msg._msgid}:...`).
    const msgOfOrder = new Map<number, string>();
    for (const entry of readJournal(journalPath)) {
      if (entry.type === 'decision' && entry.result === 'sent' && typeof entry.orderId === 'number' && typeof entry.dedupKey === 'string') {
        msgOfOrder.set(entry.orderId, entry.dedupKey.split(':')[1]);
      }
    }
    const causes = new Map<number, number>();
    for (const [orderId, msgId] of msgOfOrder) {
      const frame = frameOfMsg.get(msgId);
      if (frame !== undefined) causes.set(orderId, frame);
    }
    const frames = [...new Set(causes.values())];
    const result = await sim.report({
      type: 'report', period: c.period, lower: c.lower, upper: c.upper, serverVersion: api.serverVersion, topic: SYMBOL,
      windowStart: String(t0), windowEnd: String(t1), frames,
    });
    const stampOfFrame = new Map(frames.map((f, i) => [f, result.frameStamps[i]]));
    const predicted = new Map(result.expected.map((e) => [e.frame, e.side]));
    let unpaired = 0;
    let notPredicted = 0;
    let impossible = 0;
    const latencies: number[] = [];
    const toPlaceOrder: number[] = [];
    const orderOut: number[] = [];
    for (const order of result.orders) {
      const frame = causes.get(order.orderId);
      const stamp = frame === undefined ? null : stampOfFrame.get(frame);
      if (frame === undefined || !stamp) {
        unpaired++;
        continue;
      }
      if (predicted.get(frame) !== order.action) notPredicted++;
      const tickAt = BigInt(stamp);
      if (tickAt < t0 || tickAt > t1) continue;
      const us = Number(BigInt(order.at) - tickAt) / 1e3;
      // An order read before its tick was written cannot be its effect: the pairing is broken there.
      if (us < 0) {
        impossible++;
        continue;
      }
      latencies.push(us);
      const inputAt = placeOrderInputAt.get(msgOfOrder.get(order.orderId) ?? '');
      if (inputAt !== undefined) {
        toPlaceOrder.push(Number(inputAt - tickAt) / 1e3);
        orderOut.push(Number(BigInt(order.at) - inputAt) / 1e3);
      }
    }
    latencies.sort((a, b) => a - b);
    toPlaceOrder.sort((a, b) => a - b);
    orderOut.sort((a, b) => a - b);
    const simCpuUs = simCpu1.user + simCpu1.system - (simCpu0.user + simCpu0.system);
    const seconds = wallMs / 1000;
    return {
      'ticks/s': c.ticksPerSecond,
      'sma / band': `${c.period} / ${c.lower}-${c.upper}`,
      'frames/s': Math.round(result.framesInWindow / seconds),
      'quote msgs/s': Math.round(result.quotesInWindow / seconds),
      'orders/s': Math.round((latencies.length / seconds) * 10) / 10,
      samples: latencies.length,
      'p50 us': Math.round(percentile(latencies, 50)),
      'p90 us': Math.round(percentile(latencies, 90)),
      'p99 us': Math.round(percentile(latencies, 99)),
      'max us': Math.round(latencies[latencies.length - 1] ?? NaN),
      'to place-order p50 us': Math.round(percentile(toPlaceOrder, 50)),
      'order out p50 us': Math.round(percentile(orderOut, 50)),
      dropped: result.tickFrames - received,
      'orders / predicted': `${result.orders.length} / ${result.expected.length}`,
      unpaired,
      'not predicted': notPredicted,
      'order before tick': impossible,
      'CPU NR %': Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
      'CPU sim %': Math.round((simCpuUs / 1000 / wallMs) * 100),
    };
  } finally {
    await RED.runtime.flows.setFlows({ flows: { flows: [] }, deploymentType: 'full' });
    await sim.stop();
  }
}

/** The loopback floor as a row: the flow cases' latency minus this is what client, flow and order path add. */
async function floorRow(): Promise<Row> {
  const latencies = await measureFloor({ runMs: RUN_MS, intervalMs: 1, answerEvery: 250, frameBytes: 100, answerBytes: 175 });
  latencies.sort((a, b) => a - b);
  return {
    'ticks/s': 1000,
    'sma / band': 'loopback floor (no flow)',
    samples: latencies.length,
    'p50 us': Math.round(percentile(latencies, 50)),
    'p90 us': Math.round(percentile(latencies, 90)),
    'p99 us': Math.round(percentile(latencies, 99)),
    'max us': Math.round(latencies[latencies.length - 1] ?? NaN),
  };
}

async function main(): Promise<void> {
  const userDir = mkdtempSync(join(tmpdir(), 'live-latency-bench-'));
  const server = createServer();
  RED.init(server, {
    userDir,
    flowFile: join(userDir, 'flows.json'),
    nodesDir: NODE_TYPES.map((type) => join(distDir, 'nodes', type)),
    httpAdminRoot: false,
    httpNodeRoot: false,
    uiPort: 0,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    telemetry: { enabled: false },
    externalModules: { autoInstall: false },
  });
  await RED.start();
  const rows: Row[] = [];
  let clientId = 90;
  for (const c of CASES) rows.push(await runCase(c, clientId++, userDir));
  await RED.stop();
  server.close();
  rmSync(userDir, { recursive: true, force: true });
  if (process.env.LIVE_LATENCY_FLOOR !== '0') rows.push(await floorRow());
  report('live-latency', rows, {
    runMs: RUN_MS,
    goal: 'p50 < 500 us, p99 < 2000 us at 1,000 ticks/s',
    latency: 'tick frame handed to the client socket by the simulator -> PLACE_ORDER bytes arriving at the simulator, for the ticks that caused orders',
    split: 'to place-order: tick written -> the message reaching place-order (wire, @stoqey/ib decoding, market-data, sma, crossover, risk-sizer); order out: place-order input -> PLACE_ORDER arriving (order logic, guard, journal, encoding, wire)',
    flow: 'market-data (quote, throttle off) -> sma of bidSize -> crossover (band, on cross) -> risk-sizer (long-short, 100 shares) -> place-order (MKT)',
    cpu: 'process CPU / wall in the window; Node-RED process and simulator process apart; 100% = one core',
    floor: 'loopback floor: a 100-byte write every ms from a second process, every 250th answered at once with 175 bytes; write (stamped before) -> answer arriving',
  });
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
