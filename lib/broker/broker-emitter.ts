/**
 * The event side every socket-facing broker shares: an EventEmitter whose on/off/emit only take the
 * Broker's events with their own argument types, so a misspelt event or a wrong payload fails to
 * compile instead of going unheard. IbBroker and GuardedBroker extend it.
 */
import { EventEmitter } from 'node:events';
import type { BrokerEvents } from './types';

export class BrokerEmitter extends EventEmitter {
  override on<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): this {
    return super.off(event, listener);
  }

  override emit<E extends keyof BrokerEvents>(event: E, ...args: Parameters<BrokerEvents[E]>): boolean {
    return super.emit(event, ...args);
  }
}
