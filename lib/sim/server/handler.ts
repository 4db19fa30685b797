/**
 * What a feature handler sees: the session that sent a message, the message's fields, and the
 * simulator-wide context. Each feature (contracts, market data, orders...) registers its handlers.
 */
import type { FieldReader } from './fields';
import type { ClientSession } from './session';
import type { SimContext } from './context';

export type Handler = (session: ClientSession, reader: FieldReader, context: SimContext) => void;

export interface HandlerEntry {
  name: string;
  handle: Handler;
}

export type HandlerRegistry = Map<number, HandlerEntry>;

export function register(registry: HandlerRegistry, messageId: number, name: string, handle: Handler): void {
  if (registry.has(messageId)) throw new Error(`two handlers for message id ${messageId}`);
  registry.set(messageId, { name, handle });
}
