/**
 * The loopback floor of the live-latency benchmark: what one tick and one order crossing between two
 * Node processes on this machine cost with no client library, no Node-RED and no order logic. A writer
 * process (floor-writer.ts) sends a frame of a tick write's size every millisecond; this process reads
 * them and answers every `answerEvery`-th at once with a frame of a PLACE_ORDER's size. Stamped the
 * way the flow cases are (before the write, on the answer's arrival), so the flow's latency minus this
 * is what the client, the flow and the order path add.
 */
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface FloorOptions {
  runMs: number;
  /** Milliseconds between frames (1: a thousand writes a second, as the simulator at 1,000 ticks/s). */
  intervalMs: number;
  /** Answer every n-th frame (250 at one frame a millisecond: 4 answers a second, like the orders). */
  answerEvery: number;
  /** A tick write of the simulator at 1,000 ticks/s (a few tick frames) and one PLACE_ORDER frame. */
  frameBytes: number;
  answerBytes: number;
}

export async function measureFloor(options: FloorOptions): Promise<number[]> {
  const child = fork(join(__dirname, 'floor-writer.js'), [String(options.intervalMs), String(options.frameBytes), String(options.answerBytes)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`floor writer exited with ${code}`));
      child.once('exit', onExit);
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as T);
      };
      child.on('message', onMessage);
    });
  try {
    const { port } = await next<{ port: number }>('ready');
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const answer = Buffer.alloc(options.answerBytes, 0x42);
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => {
      // Frames are counted by bytes: TCP may join or split writes.
      const before = Math.floor(bytes / options.frameBytes);
      bytes += chunk.length;
      const after = Math.floor(bytes / options.frameBytes);
      for (let frame = before; frame < after; frame++) {
        if ((frame + 1) % options.answerEvery !== 0) continue;
        answer.writeUInt32BE(frame, 0);
        socket.write(answer);
      }
    });
    await new Promise((r) => setTimeout(r, options.runMs));
    const reportAnswer = next<{ latenciesUs: number[] }>('floor');
    child.send({ type: 'report' });
    const { latenciesUs } = await reportAnswer;
    socket.destroy();
    return latenciesUs;
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    }
  }
}
