/**
 * The TWS / IB Gateway simulator: `createSimulator()` starts one on a loopback port and resolves once
 * it listens. Any IB API client can then connect to `host:port` as to TWS.
 */
import { Market } from '../market/market';
import { createEngines } from './engine-link';
import { registerContractDetailsHandlers, registerOptionChainHandlers } from './handlers/contract-details';
import { registerMarketDataHandlers } from './handlers/market-data';
import { registerHistoricalHandlers } from './handlers/historical';
import { orderDesk, registerOrderHandlers } from './handlers/orders';
import { registerAccountHandlers } from './handlers/account';
import { registerStartupHandlers } from './handlers/startup';
import { registerDepthHandlers } from './handlers/depth';
import { registerTickByTickHandlers } from './handlers/tick-by-tick';
import { registerRealTimeBarsHandlers } from './handlers/realtime-bars';
import { marketClock } from './market-clock';
import type { ResolvedOptions } from './context';
import type { HandlerRegistry } from './handler';
import { registerHandshakeHandlers } from './handshake';
import { ServerVersion } from './message-ids';
import { SimulatorServer } from './server';
import type { Simulator, SimulatorOptions } from './types';

export type { Simulator, SimulatorOptions } from './types';

export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const maxServerVersion = Math.min(
    ServerVersion.MAX_NEGOTIATED,
    Math.max(ServerVersion.MIN_NEGOTIATED, Math.floor(options.maxServerVersion ?? ServerVersion.MAX_NEGOTIATED)),
  );
  const accounts = options.accounts && options.accounts.length > 0 ? [...options.accounts] : ['DU1234567'];
  const baseCurrency = (options.baseCurrency ?? 'USD').toUpperCase();
  if (baseCurrency !== 'USD' && !(Number(options.exchangeRates?.USD) > 0)) {
    throw new Error(`simulator: a ${baseCurrency} account needs exchangeRates.USD (what one USD is worth in ${baseCurrency}): its money is kept in USD`);
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    seed: Math.floor(options.seed ?? 1),
    accounts,
    maxServerVersion,
    ticksPerSecond: options.ticksPerSecond !== undefined && options.ticksPerSecond > 0 ? options.ticksPerSecond : 4,
    clockSpeed: options.clockSpeed !== undefined && Number.isFinite(options.clockSpeed) ? Math.min(3600, Math.max(1, options.clockSpeed)) : 1,
    startingCash: options.startingCash ?? 1_000_000,
    accountType: options.accountType ?? 'reg-t',
    baseCurrency: baseCurrency,
    exchangeRates: { ...options.exchangeRates, [baseCurrency]: 1 },
    historicalPacing: options.historicalPacing ?? true,
    maxFillPerEvent: options.maxFillPerEvent,
    log: options.log ?? (() => {}),
    probe: options.probe,
    extraStocks: Math.max(0, Math.min(99, Math.floor(options.extraStocks ?? 0))),
    startTime: options.startTime !== undefined && Number.isFinite(options.startTime) ? options.startTime : Date.now(),
  };
}

/**
 * The market's clock: from `start` (now, or the past an option set) it runs `speed` times faster than
 * the wall clock, plus the time advanceClock skipped.
 */
function simulatorClock(start: number, speed: number): { now: () => number; advance: (ms: number) => void } {
  const wallStart = Date.now();
  let skipped = 0;
  return {
    now: () => start + (Date.now() - wallStart) * speed + skipped,
    advance: (ms) => {
      skipped += ms;
    },
  };
}

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const handlers: HandlerRegistry = new Map();
  registerHandshakeHandlers(handlers);
  registerContractDetailsHandlers(handlers);
  registerOptionChainHandlers(handlers);
  registerMarketDataHandlers(handlers);
  registerHistoricalHandlers(handlers);
  registerOrderHandlers(handlers);
  registerAccountHandlers(handlers);
  registerStartupHandlers(handlers);
  registerDepthHandlers(handlers);
  registerTickByTickHandlers(handlers);
  registerRealTimeBarsHandlers(handlers);
  const now = resolved.startTime;
  const market = new Market(resolved.seed, now, resolved.extraStocks);
  const clock = simulatorClock(now, resolved.clockSpeed);
  const engines = createEngines(resolved, market, clock.now);
  const server = new SimulatorServer(resolved, handlers, market, engines, clock.now, clock.advance);
  await server.listen();
  // The clock runs from the start: it feeds the fill engine even before anyone subscribes.
  marketClock(server).ensureRunning();
  // Orders placed straight on the engine (tests, tools) are reported like the clients' own.
  orderDesk(server);
  return server;
}
