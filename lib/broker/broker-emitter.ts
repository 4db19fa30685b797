/**
 * The event side every socket-facing broker shares: an emitter of the Broker's events
 * (lib/messages/events.ts), so a misspelt event or a wrong payload fails to compile instead of going
 * unheard. IbBroker and GuardedBroker extend it.
 */
import { TypedEventEmitter } from '../messages/events';
import type { BrokerEvents } from '../orders/broker';

export class BrokerEmitter extends TypedEventEmitter<BrokerEvents> {
  constructor() {
    super();
    // Every order node of the connection listens (place-order and stop-order for orders and fills,
    // one chain per symbol): fifty symbols are a hundred listeners, not a leak. Node's warning at 11
    // would name one in the log of every flow that trades more than five symbols.
    this.setMaxListeners(0);
  }
}
