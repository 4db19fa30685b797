/**
 * The small part of Node-RED's runtime API these nodes use, typed here so the nodes compile without
 * depending on the (1.3-era) community typings.
 */

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'dot' | 'ring';
  text?: string;
}

export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export type SendFunction = (msg: NodeMessage | null | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFunction = (err?: Error) => void;

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface Node {
  id: string;
  type: string;
  name?: string;
  z?: string;
  on(event: 'input', handler: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | null | Array<NodeMessage | NodeMessage[] | null>): void;
  status(status: NodeStatus): void;
  log(msg: unknown): void;
  warn(msg: unknown): void;
  error(msg: unknown, sourceMsg?: NodeMessage): void;
  debug(msg: unknown): void;
  trace(msg: unknown): void;
  context(): { get(key: string): unknown; set(key: string, value: unknown): void };
}

export interface NodeAPI {
  nodes: {
    createNode(node: Node, def: NodeDef): void;
    registerType(type: string, init: (this: Node, def: NodeDef) => void, opts?: { credentials?: Record<string, { type: string }>; settings?: Record<string, unknown> }): void;
    getNode(id: string): Node | null;
  };
  settings: Record<string, unknown> & { userDir?: string };
  hooks: {
    add(name: string, handler: (event: any) => unknown): void;
    remove(name: string): void;
  };
  httpAdmin: { get(path: string, ...handlers: unknown[]): void; post(path: string, ...handlers: unknown[]): void };
  auth: { needsPermission(permission: string): unknown };
  log: { info(m: unknown): void; warn(m: unknown): void; error(m: unknown): void; debug(m: unknown): void; trace(m: unknown): void };
  util: {
    getMessageProperty(msg: NodeMessage, prop: string): unknown;
    setMessageProperty(msg: NodeMessage, prop: string, value: unknown, createMissing?: boolean): boolean;
    evaluateNodeProperty(value: string, type: string, node: Node, msg: NodeMessage): unknown;
    cloneMessage<T>(msg: T): T;
  };
  _(key: string, substitutions?: Record<string, unknown>): string;
}
