/**
 * The event side every socket-facing broker shares: an emitter of the Broker's events
 * (lib/messages/events.ts), so a misspelt event or a wrong payload fails to compile instead of going
 * unheard. IbBroker and GuardedBroker extend it.
 */
import { TypedEventEmitter } from '../messages/events';
import type { BrokerEvents } from '../orders/broker';

export class BrokerEmitter extends TypedEventEmitter<BrokerEvents> {}
