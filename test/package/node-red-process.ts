/**
 * A Node-RED running in its own process, as a user runs it: started by a launcher script (Node-RED's
 * red.js, or scripts/start.mjs which wraps it), found through the "Server now running at" line of its
 * log, stopped with SIGTERM so its flows close cleanly. Used by the packaging and browser tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface NodeRedProcess {
  /** Base URL of the editor and admin API, with a trailing slash, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  /** Everything the process printed so far (stdout and stderr). */
  log(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the server to listen. */
  timeoutMs?: number;
}

/** Runs `node <args...>` and resolves once Node-RED listens. */
export function startNodeRedProcess(args: string[], options: StartOptions): Promise<NodeRedProcess> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopChild(child, exited);
      reject(new Error(`Node-RED did not start within ${options.timeoutMs ?? 30000} ms:\n${output}`));
    }, options.timeoutMs ?? 30000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const running = /Server now running at (http:\/\/\S+?)\/?\s*$/m.exec(output);
      if (running) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => (output += more.toString()));
        resolve({ url: `${running[1]}/`, log: () => output, stop: () => stopChild(child, exited) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited (${signal ?? code}) before it listened:\n${output}`));
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20000);
  await exited;
  clearTimeout(killer);
}

/** GET a JSON resource of the admin API. */
export async function getJson<T = unknown>(baseUrl: string, path: string): Promise<T> {
  const response = await fetch(new URL(path, baseUrl), { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
