/**
 * Where the broker's notes go (ib-connect passes the node's log). Its own file because every part of
 * the IB broker (order book, rebuild, event wiring) writes to it; a broker made without one is silent.
 */
export interface BrokerLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const silentLog: BrokerLog = { debug() {}, info() {}, warn() {} };
