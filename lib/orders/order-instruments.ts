/**
 * What the order paths (place-order's strategy orders, stop-order's protection) ask the connection
 * about an instrument before an order leaves, in one place: the size rules its quantity is checked
 * against, and the contract ids its price conditions name. The connection answers both from TWS's
 * contract details (asked once per instrument) or a backtest's contracts table.
 */
import type { Contract } from '@stoqey/ib';
import type { InstrumentKey } from '../messages';
import { InstrumentSizeRules, orderSizeRules, type SizeRules } from '../messages/size-rules';
import type { Broker } from './broker';
import { conditionContractIds } from './algos-conditions';
import type { CheckedIntent } from './validate';

/** What a connection tells of an instrument (lib/connection's Connection answers both). */
export interface InstrumentFacts {
  sizeRules(contract: Contract): Promise<SizeRules | null>;
  contractId(contract: Contract): Promise<number | null>;
}

export class OrderInstruments {
  private readonly rules: InstrumentSizeRules | null;

  constructor(
    private readonly broker: Broker,
    private readonly facts: InstrumentFacts | undefined,
  ) {
    this.rules = facts ? new InstrumentSizeRules((contract) => facts.sizeRules(contract)) : null;
  }

  /**
   * The size rules of an order on `key` (orderSizeRules: the instrument's, else msg.contract's, else
   * whole units): at once once the connection answered for the instrument, else when it does. Not
   * asked while orders are refused anyway (not connected: the look-up would wait for the
   * connection, and the refusal says why at once).
   */
  sizeRules(key: InstrumentKey, contract: Contract): SizeRules | Promise<SizeRules> {
    if (!this.rules || !key || this.broker.orderBlock() !== null) return orderSizeRules(null, contract);
    const found = this.rules.of(key, contract);
    return found instanceof Promise ? found.then((rules) => orderSizeRules(rules, contract)) : orderSizeRules(found, contract);
  }

  /**
   * The intent with the contract id of every instrument its price conditions watch (TWS needs them),
   * a modification's new conditions too; the same intent, at once, when none is missing or new orders
   * are refused now. `contract` is the order's own instrument.
   */
  withConditionIds(intent: CheckedIntent, contract: Contract): CheckedIntent | Promise<CheckedIntent> {
    const conditions = intent.kind === 'modify' ? intent.changes.conditions : intent.conditions;
    if (!conditions?.some((c) => c.type === 'price' && c.conId === undefined)) return intent;
    // A new order is not looked up while orders are refused: the refusal says why at once, where a
    // look-up would wait for the connection. (A modification is held until the connection is back.)
    if (intent.kind !== 'modify' && this.broker.orderBlock() !== null) return intent;
    const facts = this.facts;
    return conditionContractIds(conditions, contract, facts ? (c) => facts.contractId(c) : undefined, 'msg.order').then((withIds) =>
      intent.kind === 'modify' ? { ...intent, changes: { ...intent.changes, conditions: withIds } } : { ...intent, conditions: withIds },
    );
  }
}
