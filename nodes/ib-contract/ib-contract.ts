/**
 * contract: looks contracts up through the connection. Actions: `details` (every contract that
 * matches, with conId, multiplier, trading hours...), `search` (symbol search), `chain` (the option
 * chains on an underlying: expiries and strikes) and `option` (one option of the chain by days to
 * expiry and delta or strike, e.g. the 30-delta call 30 days out, with its quote and greeks). The
 * contract comes from msg.contract, the node's fields or msg.topic; msg.action and msg.option override
 * the node's settings.
 */
import type { Contract } from '@stoqey/ib';
import { findContracts, pickOption, searchSymbols, optionChains, type OptionPick } from '../../lib/ib/contract-lookup';
import { describeContract, instrumentKey } from '../../lib/messages/instrument';
import { onInput, shortText, UserError } from '../common';
import { noConnectionError, useConnection } from '../connection';
import { configuredContract, messageContract } from '../contract-editor';
import { contractCacheFor } from '../../lib/ib/contracts';
import type { IbSession } from '../../lib/ib/connection';
import type { Node, NodeAPI, NodeDef } from '../red';
import { errorText, message, useMessageCatalogs } from '../i18n';

const ACTIONS = ['details', 'search', 'chain', 'option'] as const;

/** The contract fields a look-up sends to TWS: nothing else a message's contract may carry goes on the wire. */
const LOOKUP_FIELDS = ['conId', 'symbol', 'secType', 'lastTradeDateOrContractMonth', 'strike', 'right', 'multiplier', 'exchange', 'primaryExch', 'currency', 'localSymbol', 'tradingClass', 'secIdType', 'secId', 'includeExpired'] as const;

function lookupContract(contract: Contract): Contract {
  const clean: Record<string, unknown> = {};
  for (const field of LOOKUP_FIELDS) {
    const value = (contract as Record<string, unknown>)[field];
    if (value !== undefined && value !== null && value !== '') clean[field] = value;
  }
  return clean as Contract;
}
type Action = (typeof ACTIONS)[number];

function actionOf(value: unknown): Action {
  const text = String(value ?? '').trim().toLowerCase();
  if ((ACTIONS as readonly string[]).includes(text)) return text as Action;
  throw new UserError(message('ib-contract.errors.action', { action: JSON.stringify(value), actions: ACTIONS.join(', ') }));
}

/** The option to pick: the node's settings, then what msg.option gives. */
function optionPick(def: NodeDef, given: unknown): OptionPick {
  if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
    throw new UserError(message('ib-contract.errors.option'));
  }
  const o = (given ?? {}) as Record<string, unknown>;
  const right = String(o.right ?? def.optionRight ?? 'C').trim().toUpperCase();
  if (right !== 'C' && right !== 'P' && right !== 'CALL' && right !== 'PUT') throw new UserError(message('ib-contract.errors.right', { right: JSON.stringify(o.right ?? def.optionRight) }));
  const days = Number(o.days ?? def.optionDays ?? 30);
  if (!Number.isFinite(days) || days < 0) throw new UserError(message('ib-contract.errors.days', { days: JSON.stringify(o.days ?? def.optionDays) }));
  const pick: OptionPick = { right: right.startsWith('C') ? 'C' : 'P', days };
  if (o.strike !== undefined && o.strike !== '') {
    const strike = Number(o.strike);
    if (!(strike > 0)) throw new UserError(message('ib-contract.errors.strike', { strike: JSON.stringify(o.strike) }));
    pick.strike = strike;
    return pick;
  }
  const deltaSetting = o.delta ?? (def.optionDelta === '' || def.optionDelta === undefined ? undefined : def.optionDelta);
  if (deltaSetting !== undefined && deltaSetting !== null && deltaSetting !== '') {
    const delta = Math.abs(Number(deltaSetting));
    if (!(delta > 0 && delta < 1)) throw new UserError(message('ib-contract.errors.delta', { delta: JSON.stringify(deltaSetting) }));
    pick.delta = delta;
  }
  return pick;
}

/** The underlying qualified through the connection's cache (an error that says what to fix otherwise). */
async function qualify(session: IbSession, contract: Contract) {
  try {
    return await contractCacheFor(session).qualify(contract);
  } catch (err) {
    throw new UserError(errorText(err));
  }
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbContract(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const configured = configuredContract(def);
    const config = useConnection(RED, node, def.connection);
    const connection = config?.connection ?? null;
    if (configured.problem) node.status({ fill: 'red', shape: 'ring', text: shortText(configured.problem) });

    onInput(node, async (msg, send, done) => {
      if (!connection) throw noConnectionError('contract');
      const action = actionOf(msg.action ?? def.action ?? 'details');
      const session = connection.history();
      node.status({ fill: 'blue', shape: 'ring', text: message('ib-contract.status.asking', { action }) });
      if (action === 'search') {
        const pattern = typeof msg.payload === 'string' && msg.payload.trim() ? msg.payload.trim() : String(def.pattern ?? '').trim() || String(msg.topic ?? '').trim();
        if (!pattern) throw new UserError(message('ib-contract.errors.pattern'));
        const matches = await searchSymbols(session, pattern);
        node.status({ fill: 'green', shape: 'dot', text: shortText(message('ib-contract.status.found', { pattern, count: matches.length })) });
        send({ ...msg, payload: matches });
        done();
        return;
      }
      if (action === 'details') {
        const contract = lookupContract(messageContract(msg, configured));
        const found = await findContracts(session, contract);
        if (found.length === 0) throw new UserError(message('ib-contract.errors.noMatch', { contract: describeContract(contract) }));
        node.status({ fill: 'green', shape: 'dot', text: shortText(message('ib-contract.status.contracts', { count: found.length })) });
        const out: Record<string, unknown> = { ...msg, payload: found };
        // One match is a qualified contract the next node can use as it is.
        if (found.length === 1) {
          const only: Contract = { ...found[0]!.contract, exchange: contract.exchange || found[0]!.contract.exchange };
          out.contract = only;
          out.topic = instrumentKey(only);
        }
        send(out);
        done();
        return;
      }
      const pick = action === 'option' ? optionPick(def, msg.option) : null;
      const underlying = await qualify(session, lookupContract(messageContract(msg, configured)));
      if (action === 'chain') {
        const chains = await optionChains(session, underlying);
        if (chains.length === 0) throw new UserError(message('ib-contract.errors.noOptions', { underlying: underlying.key }));
        node.status({ fill: 'green', shape: 'dot', text: shortText(message('ib-contract.status.expiries', { underlying: underlying.key, count: chains[0]!.expirations.length })) });
        send({ ...msg, topic: underlying.key, payload: { underlying: underlying.contract, chains } });
        done();
        return;
      }
      try {
        const picked = await pickOption(connection.liveData('quotes'), underlying, pick!);
        const delta = picked.quote.delta === null ? '' : ` Δ${picked.quote.delta.toFixed(2)}`;
        node.status({ fill: 'green', shape: 'dot', text: shortText(`${picked.contract.localSymbol ?? picked.key}${delta}`) });
        send({
          ...msg,
          topic: picked.key,
          contract: picked.contract,
          payload: { contract: picked.contract, expiry: picked.expiry, days: picked.days, strike: picked.contract.strike, right: picked.contract.right, multiplier: Number(picked.contract.multiplier), ...picked.quote },
        });
        done();
      } catch (err) {
        throw err instanceof UserError ? err : new UserError(errorText(err));
      }
    });
  }
  RED.nodes.registerType('ib-contract', IbContract);
};
