/** The account feed of a tws or simulator connection: TWS's account subscriptions over the session. */
import { AccountFeed } from '../data/account';
import type { IbSession } from '../ib/connection';
import type { AccountFeedOptions, AccountSource, Connection, OpenAccountFeed } from './types';

/** P&L may never come for an empty account: the first snapshot stops waiting for it after this long. */
const PNL_GRACE_MS = 1500;
const LOAD_TIMEOUT_MS = 15_000;

/** TWS's account subscriptions; made again when the connection asks for it (reconnect, 1101). */
export class IbAccountSource implements AccountSource {
  constructor(
    private readonly session: IbSession,
    private readonly connection: Pick<Connection, 'status' | 'on' | 'off'>,
  ) {}

  async open(options: AccountFeedOptions): Promise<OpenAccountFeed> {
    await this.session.whenConnected(LOAD_TIMEOUT_MS).catch((err: Error) => {
      throw new Error(`account: not connected to TWS (${err.message})`);
    });
    const account = options.account || this.connection.status().account || '';
    if (!account) throw new Error('no account known yet: the connection has not reported its managed accounts; set "account" in the node or wait for the connection');
    const feed: AccountFeed = new AccountFeed(this.session, account, options.parts, {
      onChange: (part) => {
        if (feed.isLoaded()) options.onChange(part);
      },
      onError: options.onError,
    }, options.executionsSince ?? null);
    let pnlTimer: NodeJS.Timeout | null = null;
    const start = () => {
      feed.start();
      if (pnlTimer) clearTimeout(pnlTimer);
      pnlTimer = setTimeout(() => feed.settlePnl(), PNL_GRACE_MS);
    };
    const stop = () => {
      if (pnlTimer) clearTimeout(pnlTimer);
      this.connection.off('resubscribe', start);
      feed.stop();
    };
    start();
    this.connection.on('resubscribe', start);
    const started = Date.now();
    while (!feed.isLoaded()) {
      if (options.isClosed?.()) break;
      if (Date.now() - started > LOAD_TIMEOUT_MS) {
        stop();
        throw new Error(`account ${account}: TWS did not send ${[...options.parts].join(', ')} within ${LOAD_TIMEOUT_MS / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    // Live or paper is the connection's answer (the one the live interlock uses), asked at each snapshot:
    // TWS may report its managed accounts after the feed opened.
    return { snapshot: () => ({ ...feed.snapshot(), live: this.connection.status().live }), stop };
  }
}
