/**
 * The instrument key of a contract TWS reports (positions, executions, orders of a previous run).
 * Positions and executions name the primary or executing exchange (NASDAQ, ISLAND ...) or none, while
 * orders route through SMART: a stock is one holding whatever the venue, so it gets the SMART key
 * orders use. A contract id seen on an order keeps the key that order was placed under.
 */
import type { Contract } from '@stoqey/ib';
import { instrumentKey } from '../messages/instrument';
import type { InstrumentKey } from '../messages';

export class ReportedKeys {
  private readonly byConId = new Map<number, InstrumentKey>();

  keyOf(contract: Contract): InstrumentKey {
    const known = contract.conId ? this.byConId.get(contract.conId) : undefined;
    if (known !== undefined) return known;
    const secType = String(contract.secType ?? 'STK').toUpperCase();
    const exchange = secType === 'STK' ? 'SMART' : contract.exchange || (secType === 'CASH' ? 'IDEALPRO' : undefined);
    const key = instrumentKey({ ...contract, exchange });
    if (contract.conId) this.byConId.set(contract.conId, key);
    return key;
  }

  /** TWS's contract id of an order of ours: its later reports use the order's key. */
  remember(conId: number | undefined, key: InstrumentKey): void {
    if (conId) this.byConId.set(conId, key);
  }
}
