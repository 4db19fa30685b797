/**
 * The account feed of a backtest connection: the same snapshot shape as TWS's account, read from the
 * current run's fill engine. Imports nothing that can open a socket.
 */
import { backtestAccountSnapshot } from '../data/account-backtest';
import type { BacktestRun } from '../backtest/session';
import type { Broker } from '../orders/broker';
import type { AccountFeedOptions, AccountSource, OpenAccountFeed } from './types';

/** The backtest's account: read from the current run's fill engine, changed by its orders and fills. */
export class BacktestAccountSource implements AccountSource {
  constructor(
    private readonly run: BacktestRun,
    private readonly broker: Broker,
  ) {}

  async open(options: AccountFeedOptions): Promise<OpenAccountFeed> {
    // Every order event, fill and run end can move any part of the account.
    const changed = () => {
      options.onChange('positions');
      options.onChange('orders');
      options.onChange('executions');
      options.onChange('summary');
    };
    this.broker.on('order', changed);
    this.broker.on('execution', changed);
    this.run.on('end', changed);
    return {
      snapshot: () => backtestAccountSnapshot(this.run.engine()),
      stop: () => {
        this.broker.off('order', changed);
        this.broker.off('execution', changed);
        this.run.off('end', changed);
      },
    };
  }
}
