/** Which strategy an order belongs to (kept with the messages, which every floor may read). */
export { strategyOfOrderRef } from '../messages/strategy';
