/**
 * What the place-order node tests share: a flow of one ib-connect (`c`) and one place-order (`po`)
 * whose outputs go to helper nodes `events` and `fills`, a catch node sending to `caught`, a journal
 * file per flow in a temporary folder, and the connection, its simulator and a price of AAPL now.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, nextMessage, waitFor } from './node-red';
import type { Simulator } from '../../lib/sim/server/types';
import type { Connection } from '../../lib/connection/types';

export { listen } from './simulator-flows';

export const PLACE_ORDER_TYPES = ['ib-connect', 'ib-place-order'];

/** One journal file per flow, in a folder of the test file's own, removed with remove(). */
export class JournalFiles {
  private readonly dir: string;
  private count = 0;
  /** The journal of the flow made last. */
  last = '';

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  }

  next(): string {
    this.last = join(this.dir, `journal-${++this.count}.jsonl`);
    return this.last;
  }

  /** A file of the folder by name (a journal kept across two flows). */
  named(name: string): string {
    return join(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The flow: `connection` are the ib-connect's fields (mode, clientId ...) over a new journal, `node`
 * the place-order's over its wiring.
 */
export function placeOrderFlow(journals: JournalFiles, connection: Record<string, unknown>, node: Record<string, unknown> = {}): unknown[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'c', z: 'tab', type: 'ib-connect', journalPath: journals.next(), ...connection },
    { id: 'po', z: 'tab', type: 'ib-place-order', connection: 'c', wires: [['events'], ['fills']], ...node },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'fills', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

export function connectionOf(): Connection {
  return (helper.getNode('c') as unknown as { connection: Connection }).connection;
}

export function simOf(): Simulator {
  return (connectionOf() as unknown as { simulator(): Simulator }).simulator();
}

/** Connected, and the broker takes orders (its rebuild after connecting is done). */
export async function ready(): Promise<void> {
  await waitFor(() => connectionOf().status().state === 'connected' && connectionOf().broker.orderBlock() === null, 8000, 'the connection ready for orders');
}

/** The message of the next error the catch node sees. */
export function errorOf(timeoutMs = 5000): Promise<string> {
  return nextMessage(helper.getNode('caught'), timeoutMs).then((m) => String((m.error as { message: string }).message));
}

/** AAPL's last (or bid) now, from a snapshot on the connection. */
export async function priceNow(): Promise<number> {
  const ib = connectionOf().liveData('quotes');
  const ticks = await ib.next.getMarketDataSnapshot({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, '', false);
  return (ticks.get(4)?.value ?? ticks.get(1)?.value) as number;
}
