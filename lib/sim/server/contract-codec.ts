/**
 * The contract block of client messages (conId, symbol, secType, expiry, strike, right, multiplier,
 * exchange, primaryExch, currency, localSymbol, tradingClass) and how the simulator answers a contract
 * it cannot find: error 200 with the request id, as TWS does.
 */
import type { FieldReader } from './fields';
import type { ContractQuery, Instrument } from '../market/universe';
import type { Market } from '../market/market';
import type { ClientSession } from './session';

export interface ContractFieldsLayout {
  /** Whether the block carries primaryExch (REQ_MKT_DEPTH and the others do; some older layouts not). */
  primaryExch: boolean;
}

export function readContract(reader: FieldReader, layout: ContractFieldsLayout = { primaryExch: true }): ContractQuery {
  const conId = reader.int('conId', 0);
  const symbol = reader.str('symbol');
  const secType = reader.str('secType');
  const lastTradeDateOrContractMonth = reader.str('lastTradeDateOrContractMonth');
  const strike = reader.optionalNumber('strike');
  const right = reader.str('right');
  const multiplier = reader.str('multiplier');
  const exchange = reader.str('exchange');
  const primaryExch = layout.primaryExch ? reader.str('primaryExch') : '';
  const currency = reader.str('currency');
  const localSymbol = reader.str('localSymbol');
  const tradingClass = reader.str('tradingClass');
  return { conId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier, exchange, primaryExch, currency, localSymbol, tradingClass };
}

export const NO_SECURITY_DEFINITION = 'No security definition has been found for the request';

/**
 * The one instrument a data or order request names; otherwise answers error 200 (unknown or ambiguous)
 * to `errorId` and returns undefined.
 */
export function resolveOne(session: ClientSession, market: Market, query: ContractQuery, errorId: number): Instrument | undefined {
  const { instrument, matches } = market.universe.resolveOne(query);
  if (instrument) return instrument;
  if (matches === 0) {
    session.error(errorId, 200, NO_SECURITY_DEFINITION);
  } else {
    session.error(errorId, 200, `The contract description specified for ${query.symbol || query.localSymbol} is ambiguous.`);
  }
  return undefined;
}

export function multiplierText(instrument: Instrument): string {
  return instrument.multiplier ? String(instrument.multiplier) : '';
}
