/**
 * Contract qualification: every contract a node uses is asked of TWS once (reqContractDetails), and the
 * answer (with its conId) is cached for the session's life, so many nodes and many messages about the
 * same instrument cost one request. A future without an expiry is its front month. An unknown contract
 * (error 200 or no details) or an ambiguous one (several matches) is an error that names it and says
 * what to add.
 */
import type { Contract, ContractDetails } from '@stoqey/ib';
import type { InstrumentKey } from '../messages';
import { routerFor } from './ib-router';
import type { IbRequestError, IbSession } from './connection';
import { describeContract, instrumentKey } from '../messages/instrument';

export interface QualifiedContract {
  /** The instrument key (msg.topic) for this contract. */
  key: InstrumentKey;
  /** The contract as TWS knows it, with conId; the requested exchange is kept (e.g. SMART). */
  contract: Contract;
  details: ContractDetails;
}

export class ContractError extends Error {
  override name = 'ContractError';
}

const CACHE_FIELDS = ['conId', 'symbol', 'secType', 'exchange', 'primaryExch', 'currency', 'lastTradeDateOrContractMonth', 'strike', 'right', 'multiplier', 'localSymbol', 'tradingClass'] as const;

function cacheKey(contract: Contract): string {
  return CACHE_FIELDS.map((f) => String(contract[f] ?? '')).join('|');
}

export class ContractCache {
  private readonly cache = new Map<string, Promise<QualifiedContract>>();

  constructor(
    private readonly session: IbSession,
    private readonly timeoutMs = 10_000,
  ) {}

  /** The qualified contract for `contract`, from cache or from one reqContractDetails. */
  qualify(contract: Contract): Promise<QualifiedContract> {
    const key = cacheKey(contract);
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.request(contract);
      this.cache.set(key, entry);
      // Failures are not kept: the next message may come once TWS knows the contract (or is connected).
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }

  private async request(contract: Contract): Promise<QualifiedContract> {
    const name = describeContract(contract);
    await this.session.whenConnected(this.timeoutMs).catch((err: Error) => {
      throw new ContractError(`cannot look up ${name}: not connected to TWS (${err.message})`);
    });
    const found = await new Promise<ContractDetails[]>((resolve, reject) => {
      const list: ContractDetails[] = [];
      const router = routerFor(this.session.api);
      let reqId = -1;
      const finish = (err: Error | null) => {
        clearTimeout(timer);
        router.unroute(reqId);
        this.session.releaseReqId(reqId);
        if (err) reject(err);
        else resolve(list);
      };
      const timer = setTimeout(() => finish(new ContractError(`no answer from TWS about ${name} within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
      reqId = this.session.allocateReqId({
        onRequestError: (error: IbRequestError) => {
          if (error.code === 200) finish(new ContractError(`unknown contract ${name}: TWS has no security definition for it (200): check symbol, security type, exchange and currency`));
          else finish(new ContractError(`looking up ${name} failed: ${error.message} (${error.code})`));
        },
      });
      router.route(reqId, {
        contractDetails: (details) => list.push(details),
        contractDetailsEnd: () => finish(null),
      });
      this.session.api.reqContractDetails(reqId, contract);
    });
    if (found.length === 0) {
      throw new ContractError(`unknown contract ${name}: TWS has no security definition for it: check symbol, security type, exchange and currency`);
    }
    // A future named without its expiry is the front month, as TWS picks it for data and orders.
    const front = contract.lastTradeDateOrContractMonth ? undefined : frontMonth(found);
    if (front) found.splice(0, found.length, front);
    if (found.length > 1) {
      const candidates = found
        .slice(0, 5)
        .map((d) => `${describeContract(d.contract)}${d.contract.primaryExch ? ` (${d.contract.primaryExch})` : ''} conId ${d.contract.conId}`)
        .join('; ');
      throw new ContractError(
        `ambiguous contract ${name}: ${found.length} contracts match (${candidates}${found.length > 5 ? '; ...' : ''}): add the exchange, currency, expiry or conId`,
      );
    }
    const details = found[0];
    const qualified: Contract = { ...details.contract, exchange: contract.exchange || details.contract.exchange };
    // The key follows what was asked for (a topic "ES:FUT:CME:USD:202612" stays that), not TWS's spelling.
    return { key: instrumentKey(contract.symbol ? contract : qualified), contract: qualified, details };
  }

  /** Forgets everything (e.g. when the session's server changed). */
  clear(): void {
    this.cache.clear();
  }
}

/** The earliest of several futures of one symbol (undefined when they are not all that). */
function frontMonth(found: ContractDetails[]): ContractDetails | undefined {
  if (found.length < 2 || !found.every((d) => d.contract.secType === 'FUT' && d.contract.symbol === found[0]!.contract.symbol)) return undefined;
  const expiry = (d: ContractDetails) => d.realExpirationDate || d.contract.lastTradeDateOrContractMonth || '';
  return [...found].sort((a, b) => expiry(a).localeCompare(expiry(b)))[0];
}

const caches = new WeakMap<IbSession, ContractCache>();

/** The contract cache of one TWS session, shared by every node on that connection. */
export function contractCacheFor(session: IbSession): ContractCache {
  let cache = caches.get(session);
  if (!cache) {
    cache = new ContractCache(session);
    caches.set(session, cache);
  }
  return cache;
}

