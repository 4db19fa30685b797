/**
 * Listeners on a session's IBApi that never throw into the socket's decoder loop (a failing handler
 * is logged, and the next message is still read) and are removed together when their owner goes.
 */
import type { EventName } from '@stoqey/ib';
import type { IbSession } from '../ib/connection';
import type { BrokerLog } from './log';

export class ApiListeners {
  private readonly attached: Array<[string, (...args: any[]) => void]> = [];

  constructor(
    private readonly api: IbSession['api'],
    private readonly log: BrokerLog,
  ) {}

  on(event: EventName, handler: (...args: any[]) => void): void {
    const safe = (...args: any[]) => {
      try {
        handler(...args);
      } catch (err) {
        this.log.warn(`broker: ${event} handler failed: ${(err as Error).stack ?? err}`);
      }
    };
    this.api.on(event as never, safe as never);
    this.attached.push([event, safe]);
  }

  removeAll(): void {
    for (const [event, handler] of this.attached) this.api.removeListener(event, handler);
    this.attached.length = 0;
  }
}
