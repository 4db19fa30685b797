/**
 * The writer side of the live-latency benchmark's loopback floor, in its own process as the simulator
 * is: it writes a small frame to its one client every `intervalMs` (stamped just before the write, as
 * the simulator stamps tick frames) and stamps each answer as it arrives (as the simulator stamps a
 * PLACE_ORDER). An answer names the frame that caused it. Over IPC: {type:'ready', port} once
 * listening; on {type:'report'} it answers {type:'floor', latenciesUs}.
 * Usage: node floor-writer.js <intervalMs> <frameBytes> <answerBytes>.
 */
import { createServer, type Socket } from 'node:net';

const intervalMs = Number(process.argv[2] ?? 1);
const frameBytes = Number(process.argv[3] ?? 100);
const answerBytes = Number(process.argv[4] ?? 175);

const stamps: bigint[] = [];
const latenciesUs: number[] = [];
let timer: NodeJS.Timeout | undefined;

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  const frame = Buffer.alloc(frameBytes, 0x41);
  timer = setInterval(() => {
    stamps.push(process.hrtime.bigint());
    socket.write(frame);
  }, intervalMs);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    const at = process.hrtime.bigint();
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= answerBytes) {
      const frameIndex = pending.readUInt32BE(0);
      pending = pending.subarray(answerBytes);
      const writtenAt = stamps[frameIndex];
      if (writtenAt !== undefined) latenciesUs.push(Number(at - writtenAt) / 1e3);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => clearInterval(timer));
}

const server = createServer(serve);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send!({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'report') process.send!({ type: 'floor', latenciesUs });
});
process.on('disconnect', () => {
  clearInterval(timer);
  server.close();
  process.exit(0);
});
