/**
 * Clients that do not speak the protocol (garbage, bad lengths, unknown ids, truncated fields) get a
 * closed connection and a log line, and the simulator keeps serving everyone else. Also the standalone
 * `ib-sim` binary: listens, serves, stops on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EventName } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor } from './harness';
import { createSimulator } from '../../lib/sim/server';
import { repoRoot } from '../helpers/paths';

function frame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

function handshake(): Buffer {
  return Buffer.concat([Buffer.from('API\0'), frame('v100..193')]);
}

/** Sends bytes on a raw socket; resolves with what came back once the server closes it. */
function rawExchange(port: number, chunks: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server did not close the connection'));
    }, 3000);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (data) => received.push(data));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(received));
    });
  });
}

const CASES: Array<[string, Buffer[]]> = [
  ['garbage instead of the handshake', [Buffer.from('GET / HTTP/1.1\r\n\r\n')]],
  ['an oversized frame length', [handshake(), Buffer.from([0x7f, 0xff, 0xff, 0xff])]],
  ['a zero frame length', [handshake(), Buffer.from([0, 0, 0, 0])]],
  ['a frame without its terminator', [handshake(), frame('71\u00002\u000099\u0000\u0000'), frame('49\u00001')]],
  ['an unknown message id', [handshake(), frame('71\u00002\u000099\u0000\u0000'), frame('999\u00001\u0000')]],
  ['a message before START_API', [handshake(), frame('49\u00001\u0000')]],
  ['a truncated request', [handshake(), frame('71\u00002\u000099\u0000\u0000'), frame('9\u00008\u00001\u0000')]],
  ['a non-numeric field', [handshake(), frame('71\u00002\u000099\u0000\u0000'), frame('9\u00008\u0000abc\u0000')]],
];

test('bad frames close the offending connection with an error, never the simulator', async () => {
  const lines: string[] = [];
  const sim = await startSimulator({ log: (line) => lines.push(line) });
  try {
    const bystander = await connectApi(sim, 1);
    for (const [name, chunks] of CASES) {
      const before = lines.length;
      const answer = await rawExchange(sim.port, chunks);
      assert.ok(lines.slice(before).some((l) => /bad|closing|refus|error/i.test(l)), `${name}: a log line says what was wrong`);
      if (chunks[0].subarray(0, 4).toString() === 'API\0' && name !== 'a message before START_API') {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the wire protocol separates fields with NUL
        assert.match(answer.toString('utf8'), /4\u00002\u0000-?\d+\u0000320\u0000Error reading request/, `${name}: ERR_MSG 320 before closing`);
      }
    }
    // The well-behaved client never noticed.
    const time = await new Promise<number>((resolve) => {
      bystander.api.once(EventName.currentTime, resolve);
      bystander.api.reqCurrentTime();
    });
    assert.ok(time > 0);
    assert.equal(sim.clientCount(), 1);
    assert.deepEqual(bystander.errors, []);
    bystander.disconnect();
  } finally {
    await sim.close();
  }
});

test('a client that sends bytes one at a time is served', async () => {
  const sim = await createSimulator();
  try {
    const bytes = Buffer.concat([handshake(), frame('71\u00002\u00004\u0000\u0000'), frame('49\u00001\u0000')]);
    const socket = net.connect(sim.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    for (const byte of bytes) socket.write(Buffer.from([byte]));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the wire protocol separates fields with NUL
    await waitFor(() => /49\u00001\u0000\d{9,}\u0000/.test(Buffer.concat(received).toString('utf8')), 'CURRENT_TIME');
    socket.destroy();
  } finally {
    await sim.close();
  }
});

test('ib-sim binary: prints one line when listening, serves a client, stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'bin', 'ib-sim.js'), '--port=0', '--seed', '5', '--account', 'DU9990001', '--max-version', '180'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => /listening on 127\.0\.0\.1:\d+/.test(output), 'the listening line');
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(output)![1]);
    const client = await connectApi({ host: '127.0.0.1', port } as Parameters<typeof connectApi>[0], 1);
    assert.equal(client.serverVersion, 180);
    assert.equal(client.accounts, 'DU9990001');
    client.disconnect();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(output, /stopped \(SIGTERM\)/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('ib-sim --help says how to present a live account and a login with several accounts', async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'bin', 'ib-sim.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0);
  assert.match(output, /--account A\[,B\.\.\.\]/);
  assert.match(output, /U7654321\) presents a\s+live account/);
  assert.match(output, /Several ids present a login with several accounts/);
});

test('ib-sim --help lists every option on one line each; a bad option or value exits 2 naming it', async () => {
  const run = (...args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [join(repoRoot, 'dist', 'bin', 'ib-sim.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => resolve({ code, out, err }));
    });
  const help = await run('--help');
  const lines = help.out.split('\n');
  for (const option of ['--port', '--seed', '--account', '--max-version', '--ticks-per-second', '--clock-speed', '--no-pacing', '--partial-fills', '--cash-account', '--verbose', '--help']) {
    const line = lines.find((l) => l.trimStart().startsWith(`${option} `) || l.trim() === option);
    assert.ok(line && line.trim().length > option.length + 5, `${option} has no line of its own: ${help.out}`);
    assert.ok(line.length <= 110, `${option}'s line is too long: ${line}`);
  }
  for (const [args, text] of [[['--colour'], /unknown option --colour/], [['--port=abc'], /--port needs a number from 0 to 65535, got abc/], [['--max-version', '200'], /--max-version needs a number from 176 to 193/], [['--seed'], /--seed needs a value/]] as const) {
    const result = await run(...args);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.err, text);
    assert.equal(result.out, '');
  }
});
