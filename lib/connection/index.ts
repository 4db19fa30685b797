/**
 * The connection floor: what a node gets from ib-connect (history source, live data, account feed,
 * broker, replay clock), built from the config node's settings; the tws, simulator and backtest
 * connections implement it (ib-connection.ts, backtest-connection.ts). Stands on broker, backtest, ib,
 * data and sim; nothing below imports it.
 */
export type { AccountFeedOptions, AccountSource, Connection, ConnectionEvents, ConnectionStatus, LiveDataUse, OpenAccountFeed, OpenableConnection, ReplayClock } from './types';
export { CapabilityError } from './errors';
export { buildConnection, type BuildContext } from './build';
export { readConnectionConfig, type ConnectionConfig } from './config';
export { DEFAULT_BACKTEST_OPTIONS } from './pacing-clock';
export { replayBars, type ReplayMessage, type ReplayProgress } from './replay';
