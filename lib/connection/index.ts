/**
 * The connection floor: what a node gets from ib-connect (history source, live data, account feed,
 * broker, replay clock), built from the config node's settings; the tws, simulator and backtest
 * connections implement it. Stands on broker, backtest, ib, data and sim; nothing below imports it.
 */
export type { AccountFeedOptions, AccountSource, Connection, ConnectionEvents, ConnectionMode, ConnectionState, ConnectionStatus, LiveDataUse, OpenAccountFeed, OpenableConnection, ReplayClock } from './types';
export { CapabilityError } from './errors';
export { buildConnection, journalPathFor, type BuildContext } from './build';
export { readConnectionConfig, type ConnectionConfig, type ConnectionFields, type RiskLimitsConfig } from './config';
export { BacktestConnection, createBacktestConnection, type BacktestConnectionOptions } from './backtest-connection';
export { IbConnection, type IbConnectionOptions } from './ib-connection';
export { PacingClock, DEFAULT_BACKTEST_OPTIONS } from './pacing-clock';
export { replayBars, compactCount, type ReplayInput, type ReplayMessage, type ReplayProgress } from './replay';
