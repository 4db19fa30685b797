/**
 * REQ_CONTRACT_DATA: CONTRACT_DATA for every instrument the request can mean, then CONTRACT_DATA_END;
 * error 200 when there is none. Layout as the client decodes it from server version 164 on (no version
 * field), with lastTradeDate from 182 and the ineligibility reasons from 186.
 */
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing, ServerVersion } from '../message-ids';
import { NO_SECURITY_DEFINITION, multiplierText, readContract } from '../contract-codec';
import type { Field } from '../session';
import type { Instrument } from '../../market/universe';
import { sessionHours } from '../../market/universe';
import { num } from '../fields';

export function contractDataFields(reqId: number, instrument: Instrument, serverVersion: number, now: number): Field[] {
  const fields: Field[] = [Outgoing.CONTRACT_DATA, reqId, instrument.symbol, instrument.secType, instrument.lastTradeDateOrContractMonth];
  if (serverVersion >= ServerVersion.LAST_TRADE_DATE) fields.push(instrument.lastTradeDateOrContractMonth);
  fields.push(
    0, // strike
    '', // right
    instrument.exchange,
    instrument.currency,
    instrument.localSymbol,
    instrument.marketName,
    instrument.tradingClass,
    instrument.conId,
    num(instrument.minTick),
    multiplierText(instrument),
    instrument.orderTypes,
    instrument.validExchanges,
    1, // priceMagnifier
    0, // underConId
    instrument.longName,
    instrument.primaryExch,
    instrument.contractMonth,
    instrument.industry,
    instrument.category,
    instrument.subcategory,
    instrument.timeZoneId,
    sessionHours(instrument, now, 7, false),
    sessionHours(instrument, now, 7, true),
    '', // evRule
    '', // evMultiplier
    0, // secIdList count
    1, // aggGroup
    '', // underSymbol
    '', // underSecType
    instrument.marketRuleIds,
    instrument.secType === 'FUT' ? instrument.lastTradeDateOrContractMonth : '', // realExpirationDate
    instrument.stockType,
    num(instrument.minSize),
    num(instrument.sizeIncrement),
    num(instrument.suggestedSizeIncrement),
  );
  if (serverVersion >= ServerVersion.INELIGIBILITY_REASONS) fields.push(0);
  return fields;
}

export function registerContractDetailsHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_CONTRACT_DATA, 'REQ_CONTRACT_DATA', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const query = readContract(reader);
    reader.bool('includeExpired');
    const secIdType = reader.str('secIdType');
    const secId = reader.str('secId');
    if (reader.remaining > 0) reader.str('issuerId');
    const matches = secIdType || secId ? [] : context.market.universe.resolveContract(query);
    if (matches.length === 0) {
      session.error(reqId, 200, NO_SECURITY_DEFINITION);
      return;
    }
    const now = context.now();
    for (const instrument of matches) session.send(contractDataFields(reqId, instrument, session.serverVersion, now));
    session.send([Outgoing.CONTRACT_DATA_END, 1, reqId]);
  });
}
