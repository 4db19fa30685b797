/**
 * The package's one style of typed events: a Node EventEmitter whose on/off/emit take only the events
 * of one map, each with its own listener type (`{status: (status: ConnectionStatus) => void}`), so a
 * misspelt event or a wrong payload fails to compile instead of going unheard. Classes extend it; an
 * interface that lists its events declares `on<E extends keyof Events>(event: E, listener: Events[E])`,
 * which these methods satisfy. (The fill engine keeps its own small emitter: copy-on-write listener
 * lists, one argument, on its per-bar path.)
 */
import { EventEmitter } from 'node:events';

// A map of listeners of any shape; each event keeps its own type.
type Listeners<Events> = { [K in keyof Events]: (...args: any[]) => void };

/** EventEmitter without its untyped on/once/off/emit, which the class below declares typed. */
type UntypedRest = Omit<EventEmitter, 'on' | 'once' | 'off' | 'emit'>;
const Base = EventEmitter as unknown as new () => UntypedRest;
const untyped = EventEmitter.prototype;

export class TypedEventEmitter<Events extends Listeners<Events>> extends Base {
  constructor() {
    super();
    // Every node on a connection listens (a status, a broker's orders, a replay's bars): ten
    // historical-bars nodes are eleven listeners, not a leak, and Node's warning at 11 misled users.
    this.setMaxListeners(0);
  }

  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    untyped.on.call(this, event as string | symbol, listener);
    return this;
  }

  once<E extends keyof Events>(event: E, listener: Events[E]): this {
    untyped.once.call(this, event as string | symbol, listener);
    return this;
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    untyped.off.call(this, event as string | symbol, listener);
    return this;
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): boolean {
    return untyped.emit.call(this, event as string | symbol, ...args);
  }
}
