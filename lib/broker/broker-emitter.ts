/**
 * The event side every socket-facing broker shares: an emitter of the Broker's events
 * (lib/messages/events.ts), so a misspelt event or a wrong payload fails to compile instead of going
 * unheard. IbBroker and GuardedBroker extend it.
 */
import { TypedEventEmitter } from '../messages/events';
import type { BrokerEvents } from '../orders/broker';

// Every order node of the connection listens (place-order and stop-order for orders and fills, one
// chain per symbol): the emitter takes any number of listeners (TypedEventEmitter's rule).
export class BrokerEmitter extends TypedEventEmitter<BrokerEvents> {}
