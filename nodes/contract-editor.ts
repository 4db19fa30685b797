/**
 * The runtime side of the contract editor every data node shares: the editor's fields read into a
 * contract, and the contract of a message (lib/messages/message-instrument.ts, the configured one first) qualified
 * through the connection's cache. Errors are UserErrors: they name the contract and say what to fix.
 */
import type { Contract } from '@stoqey/ib';
import type { IbSession } from '../lib/ib/connection';
import { contractCacheFor, type QualifiedContract } from '../lib/ib/contracts';
import { contractFromSettings, messageInstrument } from '../lib/messages/message-instrument';
import { UserError } from './common';
import { errorText } from './i18n';
import type { NodeDef, NodeMessage } from './red';

export interface ConfiguredContract {
  contract: Contract | null;
  /** Why the configured contract is unusable (shown in status; messages must then bring their own). */
  problem: string | null;
}

/** The contract set in the node's editor (symbol empty: none). */
export function configuredContract(def: NodeDef): ConfiguredContract {
  try {
    return {
      contract: contractFromSettings({
        symbol: def.symbol as string,
        secType: def.secType as string,
        exchange: def.exchange as string,
        currency: def.currency as string,
        expiry: def.expiry as string,
        strike: def.strike as string,
        right: def.right as string,
        multiplier: def.multiplier as string,
        conId: def.conId as string,
        primaryExch: def.primaryExch as string,
        tradingClass: def.tradingClass as string,
      }),
      problem: null,
    };
  } catch (err) {
    return { contract: null, problem: (err as Error).message };
  }
}

/** The contract a message asks for, unqualified (throws UserError when none or malformed). */
export function messageContract(msg: NodeMessage, configured: ConfiguredContract): Contract {
  if (configured.problem && msg.contract === undefined && !msg.topic) throw new UserError(configured.problem);
  try {
    return messageInstrument(msg, configured.contract, 'node').contract;
  } catch (err) {
    throw new UserError(errorText(err));
  }
}

/** The message's contract, qualified once per session (reqContractDetails) and cached. */
export async function qualifyMessageContract(session: IbSession, msg: NodeMessage, configured: ConfiguredContract): Promise<QualifiedContract> {
  const contract = messageContract(msg, configured);
  try {
    return await contractCacheFor(session).qualify(contract);
  } catch (err) {
    throw new UserError(errorText(err));
  }
}
