/**
 * The simulator side of the live-latency benchmark, in its own process (as TWS is): createSimulator
 * with a WireProbe that stamps every tick frame written to a client and every PLACE_ORDER read. Over
 * IPC it answers "cpu" (its CPU so far) and "report" (the reference strategy run over the frames it
 * wrote, paired with the orders it read). Usage: node simulator.js <ticksPerSecond per symbol> <seed> [extra stocks].
 */
import { createSimulator } from '../../lib/sim/server';
import { runModel, type StrategyShape } from './strategy-model';
import type { ReportRequest, SimulatorReport, SimulatorReply } from './protocol';

const ticksPerSecond = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 7);
/** Made-up stocks beside the real five, for many symbols at once. */
const extraStocks = Number(process.argv[4] ?? 0);

interface ConnectionLog {
  frames: Buffer[];
  /** Stamp of each frame (frames of one write share it). */
  stamps: bigint[];
  writes: number;
  orders: Array<{ orderId: number; action: string; at: bigint }>;
}

const connections = new Map<number, ConnectionLog>();
function log(connection: number): ConnectionLog {
  let entry = connections.get(connection);
  if (!entry) connections.set(connection, (entry = { frames: [], stamps: [], writes: 0, orders: [] }));
  return entry;
}

function reply(message: SimulatorReply): void {
  process.send!(message);
}

function report(request: ReportRequest): SimulatorReport {
  // The client is the connection that placed orders (else the one that got the most ticks).
  const ranked = [...connections.entries()].sort((a, b) => b[1].orders.length - a[1].orders.length || b[1].frames.length - a[1].frames.length);
  if (ranked.length === 0) throw new Error('no client received ticks');
  const [, entry] = ranked[0];
  const shape: StrategyShape = { period: request.period, lower: request.lower, upper: request.upper };
  const model = runModel(entry.frames, shape, request.serverVersion, request.topic);
  const start = BigInt(request.windowStart);
  const end = BigInt(request.windowEnd);
  let framesInWindow = 0;
  let firstInWindow = -1;
  let lastInWindow = -1;
  for (let i = 0; i < entry.stamps.length; i++) {
    if (entry.stamps[i] < start || entry.stamps[i] > end) continue;
    framesInWindow++;
    if (firstInWindow < 0) firstInWindow = i;
    lastInWindow = i;
  }
  const quotesInWindow = firstInWindow < 0 ? 0 : model.quotesThrough[lastInWindow] - (firstInWindow > 0 ? model.quotesThrough[firstInWindow - 1] : 0);
  return {
    type: 'report',
    tickFrames: entry.frames.length,
    framesInWindow,
    quotesInWindow,
    quotes: model.quotes,
    signals: model.signals,
    frameStamps: request.frames.map((f) => (f >= 0 && f < entry.stamps.length ? String(entry.stamps[f]) : null)),
    expected: model.orders.map((o) => ({ side: o.side, at: String(entry.stamps[o.frame]), frame: o.frame })),
    orders: entry.orders.map((o) => ({ orderId: o.orderId, action: o.action, at: String(o.at) })),
  };
}

async function main(): Promise<void> {
  const sim = await createSimulator({
    port: 0,
    seed,
    ticksPerSecond,
    extraStocks,
    probe: {
      ticksWritten(connection, frames, at) {
        const entry = log(connection);
        entry.writes++;
        for (const frame of frames) {
          entry.frames.push(frame);
          entry.stamps.push(at);
        }
      },
      placeOrderRead(connection, fields, at) {
        // PLACE_ORDER (server version >= 145): id, orderId, conId, symbol, ..., then action after the contract.
        const orderId = Number(fields[1]);
        const action = fields.find((f) => f === 'BUY' || f === 'SELL' || f === 'SSHORT') ?? '?';
        log(connection).orders.push({ orderId, action, at });
      },
    },
  });
  process.on('message', (message: { type: 'cpu' } | ReportRequest) => {
    try {
      if (message.type === 'cpu') reply({ type: 'cpu', usage: process.cpuUsage() });
      else if (message.type === 'report') reply(report(message));
    } catch (error) {
      reply({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
  process.on('disconnect', () => {
    void sim.close().then(() => process.exit(0));
  });
  reply({ type: 'ready', port: sim.port });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
