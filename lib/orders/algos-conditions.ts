/**
 * IB's algos (algoStrategy with its algoParams) and order conditions (price and time), checked from
 * msg.order into the shapes IB takes, each failure naming the field. TWS runs algos and watches
 * conditions itself; the simulator and a backtest fill an algo order as its order type (MKT or LMT) and
 * watch the conditions in the fill engine (lib/fills/conditions.ts).
 */
import type { ConjunctionConnection, Contract, OrderCondition, TagValue, TriggerMethod } from '@stoqey/ib';
// The condition classes alone (two small files), not the client's index: a backtest loads this module
// and must load nothing of the client that could open a socket.
import { PriceCondition } from '@stoqey/ib/dist/api/order/condition/price-condition';
import { TimeCondition } from '@stoqey/ib/dist/api/order/condition/time-condition';
import type { OrderType } from '../messages';
import { parseIbDateTime } from '../messages/time-zones';
import { OrderInputError } from './errors';
import { describeValue } from '../messages/describe-value';
import { describeContract } from '../messages/instrument';
import { findMessageInstrument } from '../messages/message-instrument';

export type AlgoStrategy = 'Adaptive' | 'Vwap' | 'Twap';

type ParamCheck = (value: unknown) => string | null;

const oneOf =
  (...values: string[]): ParamCheck =>
  (v) => {
    const found = values.find((x) => typeof v === 'string' && x.toLowerCase() === v.trim().toLowerCase());
    return found ?? null;
  };
const flag: ParamCheck = (v) => (v === true || v === 1 || v === '1' || v === 'true' ? '1' : v === false || v === 0 || v === '0' || v === 'false' ? '0' : null);
const fraction: ParamCheck = (v) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 0.01 && n <= 0.5 ? String(n) : null;
};
/** "HH:mm:ss" with an optional zone ("09:30:00 US/Eastern"), or a whole IB date-time. */
const algoTime: ParamCheck = (v) => {
  if (typeof v !== 'string') return null;
  const text = v.trim();
  const m = /^(\d{2}):(\d{2}):(\d{2})(?: (\S+))?$/.exec(text);
  if (m) {
    const zone = m[4];
    if (Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) return null;
    return zone === undefined || !Number.isNaN(parseIbDateTime(`20260102 ${m[1]}:${m[2]}:${m[3]} ${zone}`, 'UTC')) ? text : null;
  }
  return Number.isNaN(parseIbDateTime(text, 'America/New_York')) ? null : text;
};

/** Each algo's parameters as IB names them, what each takes, and the order types the algo runs on. */
const ALGOS: Record<AlgoStrategy, { params: Record<string, { check: ParamCheck; takes: string }>; types: readonly OrderType[] }> = {
  Adaptive: {
    params: { adaptivePriority: { check: oneOf('Urgent', 'Normal', 'Patient'), takes: '"Urgent", "Normal" or "Patient"' } },
    types: ['MKT', 'LMT'],
  },
  Vwap: {
    params: {
      maxPctVol: { check: fraction, takes: 'a fraction of the volume from 0.01 to 0.5' },
      startTime: { check: algoTime, takes: '"HH:mm:ss" with an optional zone, or "yyyyMMdd HH:mm:ss [zone]"' },
      endTime: { check: algoTime, takes: '"HH:mm:ss" with an optional zone, or "yyyyMMdd HH:mm:ss [zone]"' },
      allowPastEndTime: { check: flag, takes: 'true or false' },
      noTakeLiq: { check: flag, takes: 'true or false' },
      speedUp: { check: flag, takes: 'true or false' },
    },
    types: ['MKT', 'LMT'],
  },
  Twap: {
    params: {
      strategyType: { check: oneOf('Marketable', 'Matching Midpoint', 'Matching Same Side', 'Matching Last'), takes: '"Marketable", "Matching Midpoint", "Matching Same Side" or "Matching Last"' },
      startTime: { check: algoTime, takes: '"HH:mm:ss" with an optional zone, or "yyyyMMdd HH:mm:ss [zone]"' },
      endTime: { check: algoTime, takes: '"HH:mm:ss" with an optional zone, or "yyyyMMdd HH:mm:ss [zone]"' },
      allowPastEndTime: { check: flag, takes: 'true or false' },
    },
    types: ['MKT', 'LMT'],
  },
};

/** Why `name` cannot run on an order of `type` (IB runs each algo on some order types only), or null. */
export function algoTypeProblem(name: AlgoStrategy, type: string): string | null {
  const types = ALGOS[name].types as readonly string[];
  return types.includes(type) ? null : `the ${name} algo runs on ${types.join(' or ')} orders, got ${type}`;
}

export interface CheckedAlgo {
  algoStrategy: AlgoStrategy;
  /** As TWS takes them: tag and text value, in the order given. */
  algoParams: TagValue[];
}

/**
 * msg.order.algoStrategy and algoParams: the algo's name (any case), and its parameters as TWS takes
 * them ([{tag, value}]) or as an object ({adaptivePriority: "Normal"}). Every tag is checked against
 * the algo's own; an unknown one is refused by name. `type` null: the order type is checked later
 * (a modification, against the working order's).
 */
export function checkAlgo(strategy: unknown, params: unknown, type: OrderType | null, where: string): CheckedAlgo {
  const name = (Object.keys(ALGOS) as AlgoStrategy[]).find((k) => typeof strategy === 'string' && k.toLowerCase() === strategy.trim().toLowerCase());
  if (name === undefined) {
    throw new OrderInputError(`${where}.algoStrategy`, `${where}.algoStrategy ${describeValue(strategy)} is not an algo this node sends: use ${Object.keys(ALGOS).join(', ')}, or "none" for no algo`);
  }
  const algo = ALGOS[name];
  const wrongType = type === null ? null : algoTypeProblem(name, type);
  if (wrongType) throw new OrderInputError(`${where}.orderType`, wrongType);
  const pairs: Array<[string, unknown]> = [];
  if (Array.isArray(params)) {
    params.forEach((p, i) => {
      if (!p || typeof p !== 'object' || typeof (p as TagValue).tag !== 'string') {
        throw new OrderInputError(`${where}.algoParams`, `${where}.algoParams[${i}] must be {"tag": "...", "value": "..."} as TWS takes it, got ${describeValue(p)}`);
      }
      pairs.push([(p as TagValue).tag, (p as TagValue).value]);
    });
  } else if (params && typeof params === 'object') {
    for (const [tag, value] of Object.entries(params)) pairs.push([tag, value]);
  } else if (params !== undefined && params !== null && params !== '') {
    throw new OrderInputError(`${where}.algoParams`, `${where}.algoParams must be a list of {"tag", "value"} (as TWS takes them) or an object such as {"adaptivePriority": "Normal"}, got ${describeValue(params)}`);
  }
  const algoParams: TagValue[] = [];
  const seen = new Set<string>();
  for (const [tag, value] of pairs) {
    const param = Object.hasOwn(algo.params, tag) ? algo.params[tag] : undefined;
    if (param === undefined) {
      throw new OrderInputError(`${where}.algoParams`, `${where}.algoParams: ${describeValue(tag)} is not a parameter of the ${name} algo: use ${Object.keys(algo.params).join(', ')}`);
    }
    if (seen.has(tag)) throw new OrderInputError(`${where}.algoParams`, `${where}.algoParams: ${tag} is given twice`);
    seen.add(tag);
    const text = param.check(value);
    if (text === null) throw new OrderInputError(`${where}.algoParams`, `${where}.algoParams: ${tag} of the ${name} algo takes ${param.takes}, got ${describeValue(value)}`);
    algoParams.push({ tag, value: text });
  }
  return { algoStrategy: name, algoParams };
}

/**
 * A price condition: the price of an instrument above or below `price`. TWS watches the instrument by
 * its contract id: `conId` when given, else the one of `contract` (another instrument, named by
 * symbol or contract) or, with neither, of the order's own instrument, which conditionContractIds
 * fills in before the order is sent.
 */
export interface CheckedPriceCondition {
  type: 'price';
  conId?: number;
  /** The instrument watched when it is not the order's own and no conId was given. */
  contract?: Contract;
  exchange: string;
  isMore: boolean;
  price: number;
  /** IB's trigger method: 0 default (last for most instruments), 2 last, 8 midpoint. */
  triggerMethod: 0 | 2 | 8;
  conjunction: 'and' | 'or';
}

/** A time condition: after (isMore) or before `time`, IB's "yyyyMMdd HH:mm:ss [zone]" or "yyyyMMdd-HH:mm:ss" UTC. */
export interface CheckedTimeCondition {
  type: 'time';
  isMore: boolean;
  time: string;
  conjunction: 'and' | 'or';
}

export type CheckedCondition = CheckedPriceCondition | CheckedTimeCondition;

const TRIGGER_METHODS: Record<string, 0 | 2 | 8> = { default: 0, last: 2, midpoint: 8, '0': 0, '2': 2, '8': 8 };

/**
 * msg.order.conditions: [{type: "price", conId? | symbol? | contract?, exchange?, isMore, price,
 * triggerMethod?, conjunction?}, {type: "time", isMore?, time, conjunction?}]. A price condition
 * watches the instrument of `conId`, of `symbol` (an instrument key such as "MSFT" or
 * "ES:FUT:CME:USD") or of `contract` (an IB contract), or the order's own with none of them.
 * `conjunction` ("and", the default, or "or") joins a condition to the next.
 */
export function checkConditions(value: unknown, where: string): CheckedCondition[] {
  const field = `${where}.conditions`;
  if (!Array.isArray(value) || value.length === 0) {
    throw new OrderInputError(field, `${field} must be a non-empty list such as [{"type": "price", "isMore": true, "price": 200}] or [{"type": "time", "time": "20261218 10:00:00 US/Eastern"}], got ${describeValue(value)}`);
  }
  return value.map((raw, i): CheckedCondition => {
    const at = `${field}[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new OrderInputError(field, `${at} must be an object with a type ("price" or "time"), got ${describeValue(raw)}`);
    const c = raw as Record<string, unknown>;
    const known = c.type === 'price' ? ['type', 'conId', 'symbol', 'contract', 'exchange', 'isMore', 'price', 'triggerMethod', 'conjunction'] : ['type', 'isMore', 'time', 'conjunction'];
    if (c.type !== 'price' && c.type !== 'time') throw new OrderInputError(field, `${at}.type must be "price" or "time" (the conditions this node sends), got ${describeValue(c.type)}`);
    for (const key of Object.keys(c)) {
      if (!known.includes(key) && c[key] !== undefined) throw new OrderInputError(field, `${at}.${key} is not a field of a ${c.type} condition: use ${known.join(', ')}`);
    }
    const conjunction = c.conjunction === undefined || c.conjunction === 'and' ? 'and' : c.conjunction === 'or' ? 'or' : null;
    if (conjunction === null) throw new OrderInputError(field, `${at}.conjunction must be "and" or "or" (how it joins the next condition), got ${describeValue(c.conjunction)}`);
    const isMore = c.isMore === undefined && c.type === 'time' ? true : c.isMore;
    if (typeof isMore !== 'boolean') throw new OrderInputError(field, `${at}.isMore must be true (at or above / after) or false (at or below / before), got ${describeValue(c.isMore)}`);
    if (c.type === 'time') {
      if (typeof c.time !== 'string' || Number.isNaN(parseIbDateTime(c.time, 'America/New_York'))) {
        throw new OrderInputError(field, `${at}.time must be "yyyyMMdd HH:mm:ss" (US/Eastern, or a zone after it) or "yyyyMMdd-HH:mm:ss" in UTC, got ${describeValue(c.time)}`);
      }
      return { type: 'time', isMore, time: c.time.trim(), conjunction };
    }
    const price = typeof c.price === 'string' && c.price.trim() !== '' ? Number(c.price) : c.price;
    if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) throw new OrderInputError(field, `${at}.price must be a positive price, got ${describeValue(c.price)}`);
    let conId: number | undefined;
    if (c.conId !== undefined && c.conId !== null && c.conId !== '') {
      conId = Number(c.conId);
      if (!Number.isInteger(conId) || conId <= 0) throw new OrderInputError(field, `${at}.conId must be the contract id of the instrument watched (a positive integer), or absent for this order's own, got ${describeValue(c.conId)}`);
    }
    const method = c.triggerMethod === undefined ? 0 : TRIGGER_METHODS[String(c.triggerMethod).toLowerCase()];
    if (method === undefined) throw new OrderInputError(field, `${at}.triggerMethod must be "default" (0), "last" (2) or "midpoint" (8), got ${describeValue(c.triggerMethod)}`);
    if (c.exchange !== undefined && (typeof c.exchange !== 'string' || c.exchange.trim() === '')) throw new OrderInputError(field, `${at}.exchange must be an exchange such as "SMART", got ${describeValue(c.exchange)}`);
    const named = (['conId', 'symbol', 'contract'] as const).filter((f) => c[f] !== undefined && c[f] !== null && c[f] !== '');
    if (named.length > 1) throw new OrderInputError(field, `${at} names its instrument by ${named.join(' and ')}: give one of conId, symbol or contract (none: the order's own)`);
    let contract: Contract | undefined;
    if (named[0] === 'symbol' || named[0] === 'contract') {
      const given = named[0] === 'symbol' ? { topic: c.symbol } : { contract: c.contract };
      if (named[0] === 'symbol' && typeof c.symbol !== 'string') throw new OrderInputError(field, `${at}.symbol must be an instrument key such as "MSFT" or "ES:FUT:CME:USD", got ${describeValue(c.symbol)}`);
      try {
        contract = findMessageInstrument(given, null, 'message')?.contract;
      } catch (err) {
        throw new OrderInputError(field, `${at}.${named[0]}: ${(err as Error).message.replace(/^msg\.(topic|contract)\b/, named[0])}`);
      }
    }
    const condition: CheckedPriceCondition = { type: 'price', exchange: typeof c.exchange === 'string' ? c.exchange.trim().toUpperCase() : 'SMART', isMore, price, triggerMethod: method, conjunction };
    if (conId !== undefined) condition.conId = conId;
    if (contract !== undefined) condition.contract = contract;
    return condition;
  });
}

/** The conditions as @stoqey/ib encodes them (its condition classes). */
export function ibConditions(conditions: readonly CheckedCondition[]): OrderCondition[] {
  return conditions.map((c) => {
    const join = (c.conjunction === 'or' ? 'o' : 'a') as ConjunctionConnection;
    if (c.type === 'time') return new TimeCondition(c.time, c.isMore, join);
    return new PriceCondition(c.price, c.triggerMethod as TriggerMethod, c.conId, c.exchange, c.isMore, join);
  });
}

/**
 * The conditions with the contract id of every instrument a price condition watches, as TWS needs
 * it: its own conId, else the contract id of its `contract` or, with neither, of the order's own
 * instrument (`order`'s conId when it has one). `contractId` finds one (the connection asks TWS's
 * contract details, once per instrument); it answers null where there is no TWS to ask (a backtest,
 * which watches the order's own instrument without one). Throws OrderInputError naming the condition
 * when an instrument cannot be found.
 */
export async function conditionContractIds(conditions: readonly CheckedCondition[], order: Contract, contractId: ((contract: Contract) => Promise<number | null>) | undefined, where: string): Promise<CheckedCondition[]> {
  const out: CheckedCondition[] = [];
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    if (c.type !== 'price' || c.conId !== undefined) {
      out.push(c);
      continue;
    }
    const { contract: watched, ...rest } = c;
    const own = watched === undefined;
    const target = watched ?? order;
    const known = Number(target.conId);
    if (Number.isInteger(known) && known > 0) {
      out.push({ ...rest, conId: known });
      continue;
    }
    const at = `${where}.conditions[${i}]`;
    let found: number | null = null;
    try {
      found = contractId ? await contractId(target) : null;
    } catch (err) {
      throw new OrderInputError(`${where}.conditions`, `${at} watches ${describeContract(target)}, whose contract id TWS could not give (${(err as Error).message}): give ${own ? "msg.contract's conId" : `${at}.conId`}, or check ${own ? "the order's instrument" : 'its symbol or contract'}`);
    }
    if (found !== null && found > 0) out.push({ ...rest, conId: found });
    else if (own) out.push(rest);
    else throw new OrderInputError(`${where}.conditions`, `${at} watches ${describeContract(target)}, and this connection has no TWS to find its contract id (a backtest watches price conditions on the order's own instrument only): give its conId, or watch the order's own instrument`);
  }
  return out;
}
