/**
 * Wire-test harness: starts the simulator on a free loopback port and connects the real @stoqey/ib
 * clients to it, capturing every error, info and decoder complaint so tests can assert there are none.
 */
import { EventName, IBApi, IBApiNext, ConnectionState } from '@stoqey/ib';
import type { Logger } from '@stoqey/ib/dist/api-next/common/logger';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator, SimulatorOptions } from '../../lib/sim/server';

export interface Captured {
  /** ERR_MSG with a request id, and client-side errors (decoder underruns, "unprocessed data"). */
  errors: Array<{ message: string; code: number; reqId: number }>;
  /** ERR_MSG with id -1 (farm notices and the like). */
  infos: Array<{ message: string; code: number }>;
}

export interface ApiClient extends Captured {
  api: IBApi;
  serverVersion: number;
  nextValidId: number;
  accounts: string;
  disconnect(): void;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return createSimulator({ seed: 7, ...options });
}

/** Connects an IBApi and resolves once NEXT_VALID_ID and MANAGED_ACCTS have arrived. */
export function connectApi(sim: Simulator, clientId: number, timeoutMs = 5000): Promise<ApiClient> {
  const api = new IBApi({ host: sim.host, port: sim.port, clientId });
  const client: ApiClient = {
    api,
    errors: [],
    infos: [],
    serverVersion: 0,
    nextValidId: 0,
    accounts: '',
    disconnect: () => api.disconnect(),
  };
  api.on(EventName.error, (error: Error, code: number, reqId: number) => {
    client.errors.push({ message: error.message, code, reqId });
  });
  api.on(EventName.info, (message: string, code: number) => client.infos.push({ message, code }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no NEXT_VALID_ID within ${timeoutMs} ms; errors: ${JSON.stringify(client.errors)}`)), timeoutMs);
    let gotAccounts = false;
    let gotId = false;
    const done = () => {
      if (gotAccounts && gotId) {
        clearTimeout(timer);
        client.serverVersion = api.serverVersion;
        resolve(client);
      }
    };
    api.once(EventName.managedAccounts, (accounts: string) => {
      client.accounts = accounts;
      gotAccounts = true;
      done();
    });
    api.once(EventName.nextValidId, (id: number) => {
      client.nextValidId = id;
      gotId = true;
      done();
    });
    api.connect();
  });
}

/** A logger that records warnings and errors of IBApiNext. */
export function capturingLogger(): Logger & { problems: string[] } {
  const problems: string[] = [];
  return {
    problems,
    debug: () => {},
    info: () => {},
    warn: (tag, ...args) => problems.push(`warn ${tag}: ${args.map(String).join(' ')}`),
    error: (tag, ...args) => problems.push(`error ${tag}: ${args.map(String).join(' ')}`),
  };
}

export interface NextClient {
  ib: IBApiNext;
  logger: ReturnType<typeof capturingLogger>;
  errors: Array<{ message: string; code: number; reqId: number }>;
  disconnect(): void;
}

/** Connects an IBApiNext and resolves once it reports Connected. */
export function connectNext(sim: Simulator, clientId: number, timeoutMs = 5000): Promise<NextClient> {
  const logger = capturingLogger();
  const ib = new IBApiNext({ host: sim.host, port: sim.port, logger });
  const client: NextClient = { ib, logger, errors: [], disconnect: () => ib.disconnect() };
  ib.errorSubject.subscribe((e) => client.errors.push({ message: e.error.message, code: e.code, reqId: e.reqId }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`IBApiNext not connected within ${timeoutMs} ms`)), timeoutMs);
    const subscription = ib.connectionState.subscribe((state) => {
      if (state === ConnectionState.Connected) {
        clearTimeout(timer);
        queueMicrotask(() => subscription.unsubscribe());
        resolve(client);
      }
    });
    ib.connect(clientId);
  });
}

/** Waits for `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `predicate` holds, polling every 5 ms; rejects after `timeoutMs` naming `what`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** Server versions the wire tests run at: both ends of the range and a few layout changes between. */
export const VERSIONS = [176, 178, 183, 187, 192, 193] as const;
