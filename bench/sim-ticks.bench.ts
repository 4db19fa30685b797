/**
 * How many market-data ticks the simulator pushes to one real IBApi client, and what decoding them
 * costs the client. The simulator runs as `ib-sim` in a child process (so the client's CPU figures are
 * its own); the client subscribes to AAPL quotes at each rate and counts wire messages and tick events
 * for a fixed window. Decode cost is measured apart: the recorded frames replayed through @stoqey/ib's
 * decoder alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { EventName, IBApi, SecType } from '@stoqey/ib';
import { Decoder } from '@stoqey/ib/dist/core/io/decoder';
import { report, type Row } from './report';

const RATES = [1_000, 10_000, 50_000];
const WINDOW_MS = 3_000;

function startSimulator(rate: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'ib-sim.js'), '--port', '0', '--ticks-per-second', String(rate)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`ib-sim exited with ${code} before listening`)));
  });
}

function connect(port: number): Promise<IBApi> {
  const api = new IBApi({ host: '127.0.0.1', port, clientId: 1 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no NEXT_VALID_ID from ib-sim')), 5000);
    api.once(EventName.nextValidId, () => {
      clearTimeout(timer);
      resolve(api);
    });
    api.connect();
  });
}

/** ns per message of the client's decoder alone, over recorded frames. */
function decodeCost(frames: string[][], serverVersion: number): number {
  let events = 0;
  const decoder = new Decoder({
    serverVersion,
    emitEvent: () => {
      events++;
    },
    emitError: (message: string) => {
      throw new Error(`decoder error while replaying: ${message}`);
    },
    emitInfo: () => {},
  });
  const rounds = Math.max(1, Math.ceil(200_000 / Math.max(1, frames.length)));
  const run = () => {
    for (let r = 0; r < rounds; r++) {
      // One message at a time, as the socket hands them over (the queue grows by concat).
      for (const tokens of frames) {
        decoder.enqueueMessage(tokens);
        decoder.process();
      }
    }
  };
  run();
  const start = process.hrtime.bigint();
  run();
  const elapsed = Number(process.hrtime.bigint() - start);
  if (events === 0) throw new Error('the decoder emitted nothing');
  return elapsed / (rounds * frames.length);
}

async function measure(rate: number): Promise<Row> {
  const { child, port } = await startSimulator(rate);
  try {
    const api = await connect(port);
    let messages = 0;
    let ticks = 0;
    const frames: string[][] = [];
    api.on(EventName.received, (tokens: string[]) => {
      messages++;
      if (frames.length < 20_000) frames.push(tokens.slice());
    });
    api.on(EventName.tickPrice, () => ticks++);
    api.on(EventName.tickSize, () => ticks++);
    api.reqMktData(1, { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' }, '', false, false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    messages = 0;
    ticks = 0;
    frames.length = 0;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMicros = cpu.user + cpu.system;
    const received = messages;
    api.cancelMktData(1);
    api.disconnect();
    return {
      'requested ticks/s': rate,
      'messages/s': Math.round(received / seconds),
      'tick events/s': Math.round(ticks / seconds),
      'client CPU %': Number(((cpuMicros / 1e6 / seconds) * 100).toFixed(1)),
      'client CPU us/msg': Number((cpuMicros / Math.max(1, received)).toFixed(2)),
      'decode ns/msg': Math.round(decodeCost(frames.filter((f) => f[0] === '1' || f[0] === '2'), api.serverVersion)),
    };
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const rate of RATES) rows.push(await measure(rate));
  report('sim-ticks', rows, { windowMs: WINDOW_MS, instrument: 'AAPL', note: 'ib-sim in a child process, one IBApi client, one reqMktData stream' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
