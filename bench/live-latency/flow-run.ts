/**
 * One measured run of the live-latency flow, for one symbol (live-latency.bench.ts) or many at once
 * (live-latency-symbols.bench.ts): the simulator in its own process, an embedded Node-RED runtime with
 * one chain market-data -> sma -> crossover -> risk-sizer -> place-order per symbol on one connection,
 * and the pairing of each PLACE_ORDER with the tick frame that caused it (see live-latency.bench.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EventName } from '@stoqey/ib';
import type { ConnectionConfigNode } from '../../nodes/connection';
import type { ReportRequest, SimulatorReply, SimulatorReport } from './protocol';
import { readJournal } from '../../lib/journal/journal';
import type { Socket } from 'node:net';
import type { Contract } from '@stoqey/ib';
import { instrumentKey } from '../../lib/messages/instrument';
import { StrategyOrders } from '../../lib/orders/strategy-orders';
import { TargetOrders } from '../../lib/orders/target-orders';
import { measureFloor } from './floor';
import { NODE_STAGES, STAGE, newTrace, now, stageRows, type MessageTrace, type Stage } from './stages';
import { PATHS } from './strategy-model';
import type { Row } from '../report';

const RED = require('node-red');
const distDir = join(__dirname, '..', '..');
const NODE_TYPES = ['ib-connect', 'ib-market-data', 'ib-sma', 'ib-crossover', 'ib-risk-sizer', 'ib-place-order'];
const WARMUP_MS = 3000;
/**
 * monitorEventLoopDelay's timer period, ms (1 is its finest). Its figures are the time between the
 * timer's callbacks, so an idle loop reads about this much: the rows show what exceeds it.
 */
const LOOP_DELAY_RESOLUTION_MS = 1;
/** The simulator's five real stocks, then its made-up ones (SYM01 ...). */
const REAL_SYMBOLS = ['AAPL', 'MSFT', 'SPY', 'TSLA', 'NVDA'];

/**
 * The strategy: the SMA of the bid size crossing a band (up through `lower`: BUY, down through
 * `upper`: SELL), long-short 100 shares, market orders. Not a price average: the simulated price moves
 * smoothly within each second, so price averages cross about once a second, too rarely for a
 * percentile. Sizes are drawn afresh at every tick, so the averaged size crosses its band several
 * times a second at moments nothing in the flow can anticipate; the band's width keeps orders apart
 * (a few a second in all: TWS takes at most 50 messages/s, and an order still queued would be
 * replaced rather than sent). Period and band are set per rate (more messages per symbol: a longer
 * average, a narrower band, for about the same order rate).
 */
export interface Case {
  /** The simulator's clock instants per second, all symbols together (each moves bid, ask and last). */
  ticksPerSecond: number;
  /** SMA period, in quote messages. */
  period: number;
  lower: number;
  upper: number;
  /** Symbols streaming at once, one chain each. */
  symbols: number;
}

export function symbolsFor(count: number): string[] {
  const list = REAL_SYMBOLS.slice(0, count);
  for (let i = 1; list.length < count; i++) list.push(`SYM${String(i).padStart(2, '0')}`);
  return list;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The simulator process and a request/answer channel to it. */
class SimulatorProcess {
  private waiting: Array<(reply: SimulatorReply) => void> = [];
  private constructor(readonly child: ChildProcess) {
    child.on('message', (reply: SimulatorReply) => this.waiting.shift()?.(reply));
  }

  static async start(ticksPerSymbol: number, extraStocks: number): Promise<{ sim: SimulatorProcess; port: number }> {
    const child = fork(join(__dirname, 'simulator.js'), [String(ticksPerSymbol), '7', String(extraStocks)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function flow(port: number, clientId: number, c: Case, journalPath: string, symbols: string[]): unknown[] {
  // Ids are prefixed: Node-RED takes any property value equal to a node id (e.g. emit: 'cross') for a reference.
  const nodes: unknown[] = [
    { id: 'n-tab', type: 'tab', label: 'live latency' },
    // Account limits off: every order is a sample. The broker still paces messages to TWS at 40/s.
    {
      id: 'n-conn', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port, clientId, journalPath,
      maxOrderQuantity: 0, maxOrderNotional: 0, maxPosition: 0, maxOrdersPerMinute: 0, maxDailyLoss: 0,
    },
  ];
  symbols.forEach((symbol, i) => {
    nodes.push(
      { id: `n-md-${i}`, z: 'n-tab', type: 'ib-market-data', connection: 'n-conn', symbol, kind: 'quote', marketDataType: 'live', throttle: 0, autoStart: false, wires: [[`n-sma-${i}`]] },
      { id: `n-sma-${i}`, z: 'n-tab', type: 'ib-sma', period: c.period, source: 'property', sourceProperty: PATHS.source, output: PATHS.average, wires: [[`n-cross-${i}`]] },
      { id: `n-cross-${i}`, z: 'n-tab', type: 'ib-crossover', mode: 'band', fast: PATHS.average, lower: c.lower, upper: c.upper, emit: 'cross', wires: [[`n-sizer-${i}`]] },
      { id: `n-sizer-${i}`, z: 'n-tab', type: 'ib-risk-sizer', connection: 'n-conn', direction: 'long-short', method: 'fixed', shares: 100, wires: [[`n-order-${i}`]] },
      { id: `n-order-${i}`, z: 'n-tab', type: 'ib-place-order', connection: 'n-conn', orderType: 'MKT', tif: 'DAY', wires: [[], []] },
    );
  });
  return nodes;
}

/** A node of the chain, whose send and receive the benchmark wraps. */
interface RedNode {
  send(msg: unknown): void;
  receive(msg: unknown): void;
}

/** A message of the chain, with the benchmark's trace. */
interface TracedMsg {
  _msgid?: string;
  _liveLatency?: MessageTrace;
}

/** The account guard and what the benchmark reaches inside it (private fields, read for the stamps). */
interface PatchedGuard {
  placeOrder(...args: unknown[]): void;
  options: { journal: { append(...args: unknown[]): unknown } | null };
  inner: {
    placeOrder(...args: unknown[]): void;
    rehearsal?: { start(everyMs: number): void; stop(): void };
    session: { placeOrder(...args: unknown[]): void; writer: { send(tokens: unknown[]): void } | null };
  };
}

export interface FlowRunOptions {
  runMs: number;
  clientId: number;
  userDir: string;
}

/** A case's row, and where its orders' time went stage by stage (stages.ts). */
export interface CaseResult {
  row: Row;
  stages: Row[];
}

export async function runCase(c: Case, options: FlowRunOptions): Promise<CaseResult> {
  const symbols = symbolsFor(c.symbols);
  const ticksPerSymbol = c.ticksPerSecond / symbols.length;
  const { sim, port } = await SimulatorProcess.start(ticksPerSymbol, Math.max(0, symbols.length - REAL_SYMBOLS.length));
  const journalPath = join(options.userDir, `journal-${options.clientId}.jsonl`);
  try {
    await RED.runtime.flows.setFlows({ flows: { flows: flow(port, options.clientId, c, journalPath, symbols) }, deploymentType: 'full' });
    const deadline = Date.now() + 15_000;
    let config: ConnectionConfigNode | null = null;
    while (!(config = RED.nodes.getNode('n-conn') as ConnectionConfigNode | null) || config.connection.status().state !== 'connected') {
      if (Date.now() > deadline) throw new Error('no connection to the simulator');
      await sleep(20);
    }
    const api = config.connection.liveData('quotes').api;
    // Tick frames the client received (TICK_PRICE, TICK_SIZE, TICK_GENERIC, TICK_STRING), counted
    // from before the subscription starts, and when the last one was taken from its chunk.
    let received = 0;
    let frameAt = 0;
    const onReceived = (tokens: string[]) => {
      const id = tokens[0];
      if (id === '1' || id === '2' || id === '45' || id === '46') {
        received++;
        frameAt = now();
      }
    };
    api.on(EventName.received, onReceived);
    const controller = (api as unknown as { controller: { socket: { client: Socket } } }).controller;
    const socket = controller.socket.client;
    // When the chunk being decoded reached the socket (its data event, ahead of @stoqey/ib's listener).
    let chunkAt = 0;
    let framesBeforeChunk = 0;
    const onChunk = () => {
      chunkAt = now();
      framesBeforeChunk = received;
    };
    socket.prependListener('data', onChunk);
    const restore: Array<() => void> = [];
    const patch = <T extends object, K extends keyof T>(target: T, name: K, before: (args: unknown[]) => void, after?: () => void) => {
      const original = target[name] as unknown as (...args: unknown[]) => unknown;
      const own = Object.hasOwn(target, name);
      (target as Record<K, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
        before(args);
        try {
          return original.apply(this, args);
        } finally {
          after?.();
        }
      };
      restore.push(() => {
        if (own) (target as Record<K, unknown>)[name] = original;
        else delete (target as Record<K, unknown>)[name];
      });
    };
    // market-data sends while the client decodes a frame, so the frame is the last one counted. The
    // trace rides on the message (nothing kept per tick); place-order's inputs are kept, a few a second.
    // Stamps come from wrapping the chain's nodes' own send and receive, not from Node-RED hooks: with
    // one registered, every send and delivery of the runtime runs through its hook chain.
    const traceOfMsg = new Map<string, MessageTrace>();
    symbols.forEach((_symbol, i) => {
      patch(RED.nodes.getNode(`n-md-${i}`) as RedNode, 'send', (args) => {
        const msg = args[0] as TracedMsg | undefined;
        if (msg && !Array.isArray(msg)) msg._liveLatency = newTrace(received - 1, received - 1 - framesBeforeChunk, chunkAt, frameAt);
      });
      for (const [prefix, stage] of NODE_STAGES) {
        patch(RED.nodes.getNode(`${prefix}${i}`) as RedNode, 'receive', (args) => {
          const msg = args[0] as TracedMsg | undefined;
          const trace = msg?._liveLatency;
          if (!trace) return;
          trace.at[stage] = now();
          if (stage === STAGE['place-order received'] && msg._msgid) traceOfMsg.set(msg._msgid, trace);
        });
      }
    });
    // The order path's stages, stamped on the trace of the message being placed (all one synchronous
    // call from the account guard to the socket write). Writes the pacing queue held are left out.
    const broker = config.connection.broker as unknown as PatchedGuard;
    let placing: MessageTrace | null = null;
    const stampPlacing = (stage: number) => {
      if (placing !== null && placing.at[stage] === 0) placing.at[stage] = now();
    };
    patch(
      broker,
      'placeOrder',
      (args) => {
        const dedupKey = (args[3] as { dedupKey?: string } | undefined)?.dedupKey;
        placing = dedupKey ? (traceOfMsg.get(dedupKey.split(':')[1]) ?? null) : null;
        stampPlacing(STAGE['account guard (leg context)']);
      },
      () => {
        placing = null;
      },
    );
    // The strategy's decision, one at a time per instrument (its KeyedSerial): the message's trace by
    // instrument from the decision's start on.
    const deciding = new Map<string, MessageTrace>();
    const stampDeciding = (key: string, stage: number) => {
      const trace = deciding.get(key);
      if (trace && trace.at[stage] === 0) trace.at[stage] = now();
    };
    const strategyProto = StrategyOrders.prototype as unknown as Record<'submit' | 'run', (...args: unknown[]) => unknown>;
    const requestOf = (args: unknown[]) => args[0] as { key: string; msgId?: string };
    patch(strategyProto, 'submit', (args) => {
      const trace = traceOfMsg.get(requestOf(args).msgId ?? '');
      if (!trace) return;
      deciding.set(requestOf(args).key, trace);
      stampDeciding(requestOf(args).key, STAGE['strategy submit (history, instrument)']);
    });
    patch(strategyProto, 'run', (args) => stampDeciding(requestOf(args).key, STAGE['decision begins (order intent checked, queued)']));
    const targetProto = TargetOrders.prototype as unknown as Record<'moveTo' | 'sendAll', (...args: unknown[]) => unknown>;
    patch(targetProto, 'moveTo', (args) => stampDeciding(requestOf(args).key, STAGE['move to target (dedup keys, blocks)']));
    patch(targetProto, 'sendAll', (args) => stampDeciding(instrumentKey(args[0] as Contract), STAGE['legs placed (position, plan, order ids, legs)']));
    const journal = broker.options.journal;
    if (journal) patch(journal, 'append', () => stampPlacing(STAGE['journal line begun (limits, checks)']), () => stampPlacing(STAGE['journal line written']));
    patch(broker.inner, 'placeOrder', () => stampPlacing(STAGE['IB broker placeOrder']));
    patch(broker.inner.session, 'placeOrder', () => stampPlacing(STAGE['session placeOrder (order book, queue)']));
    // The writer takes both encoders' fields (the session's own PLACE_ORDER, @stoqey/ib's through controller.sendMsg).
    const writer = broker.inner.session.writer;
    if (writer) patch(writer, 'send', () => stampPlacing(STAGE['writer (check, encoding)']));
    patch(socket, 'write', () => {
      stampPlacing(STAGE['socket write (framing)']);
      placing = null;
    });
    // LIVE_LATENCY_REHEARSE=ms: the period of the order path's dry runs (0: none after the ones at
    // connect), to compare with the broker's default.
    const rehearseMs = process.env.LIVE_LATENCY_REHEARSE;
    if (rehearseMs !== undefined && rehearseMs !== '') {
      if (Number(rehearseMs) > 0) broker.inner.rehearsal?.start(Number(rehearseMs));
      else broker.inner.rehearsal?.stop();
    }
    const mds = symbols.map((_s, i) => RED.nodes.getNode(`n-md-${i}`) as { receive(msg: object): void });
    for (const md of mds) md.receive({});
    await sleep(WARMUP_MS);
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    const simCpu0 = await sim.cpu();
    const cpu0 = process.cpuUsage();
    loopDelay.enable();
    const t0 = process.hrtime.bigint();
    await sleep(options.runMs);
    const t1 = process.hrtime.bigint();
    loopDelay.disable();
    const cpu = process.cpuUsage(cpu0);
    const simCpu1 = await sim.cpu();
    const wallMs = Number(t1 - t0) / 1e6;
    // Stop the streams and let everything in flight arrive before comparing counts: a client that fell
    // behind still has frames in its socket, late but not lost ("drain ms" says how far behind it was).
    for (const md of mds) md.receive({ payload: 'stop' });
    const drainStart = Date.now();
    let lastCount = -1;
    let stillSince = Date.now();
    while (Date.now() - stillSince < 1000 && Date.now() - drainStart < 60_000) {
      await sleep(100);
      if (received !== lastCount) {
        lastCount = received;
        stillSince = Date.now();
      }
    }
    const drainMs = Math.max(0, stillSince - drainStart);
    await sleep(500);
    api.off(EventName.received, onReceived);
    socket.off('data', onChunk);
    for (const undo of restore.reverse()) undo();
    // Order id -> the message that placed it (dedup key: `${node id}:${msg._msgid}:...`).
    const msgOfOrder = new Map<number, string>();
    for (const entry of readJournal(journalPath)) {
      if (entry.type === 'decision' && entry.result === 'sent' && typeof entry.orderId === 'number' && typeof entry.dedupKey === 'string') {
        msgOfOrder.set(entry.orderId, entry.dedupKey.split(':')[1]);
      }
    }
    const causes = new Map<number, number>();
    for (const [orderId, msgId] of msgOfOrder) {
      const trace = traceOfMsg.get(msgId);
      if (trace) causes.set(orderId, trace.frame);
    }
    const frames = [...new Set(causes.values())];
    const result = await sim.report({
      type: 'report', period: c.period, lower: c.lower, upper: c.upper, serverVersion: api.serverVersion, topic: symbols[0],
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
    const planSpans: number[] = [];
    const sendSpans: number[] = [];
    const traces: MessageTrace[] = [];
    const span = (trace: MessageTrace, from: Stage, to: Stage, into: number[]) => {
      const a = trace.at[STAGE[from]];
      const b = trace.at[STAGE[to]];
      if (a > 0 && b > 0) into.push((b - a) / 1e3);
    };
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
      const trace = traceOfMsg.get(msgOfOrder.get(order.orderId) ?? '');
      if (!trace) continue;
      trace.at[STAGE['tick written (simulator)']] = Number(tickAt);
      trace.at[STAGE['PLACE_ORDER read (simulator)']] = Number(order.at);
      traces.push(trace);
      span(trace, 'tick written (simulator)', 'place-order received', toPlaceOrder);
      span(trace, 'place-order received', 'PLACE_ORDER read (simulator)', orderOut);
      span(trace, 'place-order received', 'account guard (leg context)', planSpans);
      span(trace, 'account guard (leg context)', 'socket write (framing)', sendSpans);
    }
    for (const list of [latencies, toPlaceOrder, orderOut, planSpans, sendSpans]) list.sort((a, b) => a - b);
    const simCpuUs = simCpu1.user + simCpu1.system - (simCpu0.user + simCpu0.system);
    const seconds = wallMs / 1000;
    // The histogram records the time between its timer's callbacks, every `resolution` ms when the
    // loop is idle: the delay is what exceeds the resolution.
    const delayUs = (p: number) => Math.max(0, Math.round(loopDelay.percentile(p) / 1e3 - LOOP_DELAY_RESOLUTION_MS * 1e3));
    const row: Row = {
      symbols: symbols.length,
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
      'frames ahead in chunk p50': percentile(traces.map((t) => t.ahead).sort((a, b) => a - b), 50),
      'to place-order p50 us': Math.round(percentile(toPlaceOrder, 50)),
      'order out p50 us': Math.round(percentile(orderOut, 50)),
      'plan p50 us': Math.round(percentile(planSpans, 50)),
      'guard+send p50 us': Math.round(percentile(sendSpans, 50)),
      'loop delay p50/p99 us': `${delayUs(50)} / ${delayUs(99)}`,
      dropped: result.tickFrames - received,
      'drain ms': drainMs,
      'orders / predicted': `${result.orders.length} / ${result.expected.length}`,
      unpaired,
      'not predicted': notPredicted,
      'order before tick': impossible,
      'CPU NR %': Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
      'CPU sim %': Math.round((simCpuUs / 1000 / wallMs) * 100),
    };
    return { row, stages: stageRows(traces) };
  } finally {
    await RED.runtime.flows.setFlows({ flows: { flows: [] }, deploymentType: 'full' });
    await sim.stop();
  }
}

/** The loopback floor as a row: the flow cases' latency minus this is what client, flow and order path add. */
export async function floorRow(runMs: number): Promise<Row> {
  const latencies = await measureFloor({ runMs, intervalMs: 1, answerEvery: 250, frameBytes: 100, answerBytes: 175 });
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

/** An embedded Node-RED runtime with the flow's node types (no editor, no HTTP nodes). */
export async function startRed(userDir: string): Promise<{ stop(): Promise<void> }> {
  const server: Server = createServer();
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
  return {
    async stop() {
      await RED.stop();
      server.close();
    },
  };
}
