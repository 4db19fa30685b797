/**
 * Per-instrument state, keyed by msg.topic (the instrument key), and the reset message
 * every strategy node understands: msg.reset === true clears the state of msg.topic, or of every
 * instrument when the message has no topic.
 */
import { describeValue } from './describe-value';

/**
 * The key a computing node keeps a message's state under: msg.topic as it is (messages without a topic
 * share the key ""). It is not parsed per message: the nodes that name instruments (market-data,
 * historical-bars, place-order ...) spell keys by the one rule in message-instrument.ts and send them in
 * msg.topic, so the state of an instrument is one key all the way down a flow.
 */
export function topicKey(msg: { topic?: unknown }): string {
  const topic = msg.topic;
  if (typeof topic === 'string') return topic;
  if (topic === undefined || topic === null) return '';
  if (typeof topic === 'number' && Number.isFinite(topic)) return String(topic);
  // An object, array, BigInt ... names no instrument: say so rather than key state under "[object Object]".
  throw new Error(`msg.topic must be text naming the instrument (such as "AAPL"), not ${describeValue(topic)}`);
}

export function isReset(msg: { reset?: unknown }): boolean {
  return msg.reset === true;
}

export class KeyedState<S> {
  private readonly states = new Map<string, S>();

  constructor(private readonly create: () => S) {}

  get(key: string): S {
    let state = this.states.get(key);
    if (state === undefined) {
      state = this.create();
      this.states.set(key, state);
    }
    return state;
  }

  set(key: string, state: S): void {
    this.states.set(key, state);
  }

  /** Clears one instrument (topic given and non-empty) or all of them. Returns how many were cleared. */
  reset(topic: unknown): number {
    if (typeof topic === 'string' && topic !== '') return this.states.delete(topic) ? 1 : 0;
    const count = this.states.size;
    this.states.clear();
    return count;
  }

  get size(): number {
    return this.states.size;
  }

  /** The keys held, in the order first seen. */
  keys(): string[] {
    return [...this.states.keys()];
  }
}
