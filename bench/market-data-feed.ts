/**
 * The tick source of the market-data benchmark, run in its own process: the real simulator behind a
 * frame-aware TCP proxy that adds TICK_PRICE frames for every market data subscription the client
 * opens, at a fixed rate. The simulator's own quotes change at most a few times a second (its sizes
 * are drawn per 250 ms); the proxy turns that into 1k..50k price changes per second without touching
 * the simulator. Whole frames are inserted between the simulator's frames, so the stream stays valid.
 *
 * Usage: node market-data-feed.js <ticksPerSecond>; prints "PORT <n>" when ready. A line "quiet" on
 * stdin stops every tick (injected and the simulator's own), so the benchmark can drain the pipeline
 * and compare counts on a still stream.
 */
import { createServer, connect, type Socket } from 'node:net';
import { createSimulator } from '../lib/sim/server';

const rate = Number(process.argv[2] ?? 1000);
let quiet = false;
process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString().includes('quiet')) quiet = true;
});
/** Server message ids of ticks: TICK_PRICE, TICK_SIZE, TICK_GENERIC, TICK_STRING. */
const TICK_MESSAGES = new Set(['1', '2', '45', '46']);

/** Splits a byte stream into length-prefixed frames (after an optional raw prefix). */
class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(
    private prefix: number,
    private readonly onFrame: (frame: Buffer) => void,
  ) {}
  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    if (this.prefix > 0) {
      if (this.buffer.length < this.prefix) return;
      this.buffer = this.buffer.subarray(this.prefix);
      this.prefix = 0;
    }
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + length) return;
      this.onFrame(this.buffer.subarray(0, 4 + length));
      this.buffer = this.buffer.subarray(4 + length);
    }
  }
}

function frame(fields: Array<string | number>): Buffer {
  const body = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

async function main(): Promise<void> {
  const sim = await createSimulator({ port: 0, seed: 7 });
  const proxy = createServer((client: Socket) => {
    client.setNoDelay(true);
    const upstream = connect(sim.port, sim.host);
    upstream.setNoDelay(true);
    const subscriptions = new Set<number>();
    let seq = 0;
    let sent = 0;
    const started = Date.now();
    // Client -> simulator: pass through, noting REQ_MKT_DATA (1) and CANCEL_MKT_DATA (2) request ids.
    const fromClient = new FrameReader(4, (f) => {
      const fields = f.subarray(4).toString('utf8').split('\0');
      if (fields[0] === '1') subscriptions.add(Number(fields[2]));
      if (fields[0] === '2') subscriptions.delete(Number(fields[2]));
    });
    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk);
      upstream.write(chunk);
    });
    // Simulator -> client: whole frames, so injected frames can go between them.
    const fromSim = new FrameReader(0, (f) => {
      if (quiet && TICK_MESSAGES.has(f.subarray(4, 8).toString('utf8').split('\0')[0])) return;
      client.write(f);
    });
    upstream.on('data', (chunk: Buffer) => fromSim.push(chunk));
    const timer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) * rate) / 1000);
      if (subscriptions.size === 0 || quiet) {
        sent = due;
        return;
      }
      const count = Math.min(due - sent, rate);
      sent = due;
      const frames: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        seq++;
        // Alternate bid and ask; the price moves every tick so every tick is a quote change.
        const price = (100 + (seq % 2000) / 100).toFixed(2);
        for (const reqId of subscriptions) frames.push(frame([1, 6, reqId, seq % 2 ? 1 : 2, price, 100, 1]));
      }
      if (frames.length) client.write(Buffer.concat(frames));
    }, 1);
    const close = () => {
      clearInterval(timer);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  proxy.listen(0, '127.0.0.1', () => {
    const address = proxy.address();
    process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
