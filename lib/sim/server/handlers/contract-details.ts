/**
 * REQ_CONTRACT_DATA: CONTRACT_DATA for every instrument the request can mean (BOND_CONTRACT_DATA for
 * a bond), then CONTRACT_DATA_END; error 200 when there is none. Layout as the client decodes it from
 * server version 164 on (no version field), with lastTradeDate from 182, the bond's trading hours
 * from 188 and the ineligibility reasons from 186. A continuous future (CONTFUT) is answered with the
 * front month's details under that type, as TWS does. A bond is found by its CUSIP as symbol or secId.
 */
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing, ServerVersion } from '../message-ids';
import { NO_SECURITY_DEFINITION, multiplierText, readContract } from '../contract-codec';
import type { Field } from '../session';
import type { Instrument } from '../../market/universe';
import { sessionHours } from '../../market/universe';
import { num } from '../fields';

function secIdFields(instrument: Instrument): Field[] {
  return [instrument.secIds.length, ...instrument.secIds.flat()];
}

/**
 * The exchange contract details name: a SMART-routed instrument asked for on one of its venues (AAPL on
 * NYSE or ISLAND, SAP on IBIS) is answered on that venue, as TWS answers a directly routed contract;
 * otherwise the instrument's own exchange.
 */
export function reportedExchange(instrument: Instrument, asked: string | undefined): string {
  const exchange = (asked ?? '').toUpperCase();
  if (instrument.exchange !== 'SMART' || !exchange || exchange === 'SMART') return instrument.exchange;
  return instrument.validExchanges.split(',').includes(exchange) ? exchange : instrument.exchange;
}

export function contractDataFields(reqId: number, instrument: Instrument, serverVersion: number, now: number, secType: string = instrument.secType, exchange: string = instrument.exchange): Field[] {
  const under = instrument.option?.chain.underlying;
  const fields: Field[] = [Outgoing.CONTRACT_DATA, reqId, instrument.symbol, secType, instrument.lastTradeDateOrContractMonth];
  if (serverVersion >= ServerVersion.LAST_TRADE_DATE) fields.push(instrument.lastTradeDateOrContractMonth);
  fields.push(
    num(instrument.strike),
    instrument.right,
    exchange,
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
    under?.conId ?? 0,
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
    ...secIdFields(instrument),
    1, // aggGroup
    under?.symbol ?? '',
    under?.secType ?? '',
    instrument.marketRuleIds,
    instrument.secType === 'FUT' || under ? instrument.lastTradeDateOrContractMonth : '', // realExpirationDate
    instrument.stockType,
    num(instrument.minSize),
    num(instrument.sizeIncrement),
    num(instrument.suggestedSizeIncrement),
  );
  if (serverVersion >= ServerVersion.INELIGIBILITY_REASONS) fields.push(0);
  return fields;
}

/** A bond's details, in the layout of BOND_CONTRACT_DATA. */
export function bondContractDataFields(reqId: number, instrument: Instrument, serverVersion: number, now: number): Field[] {
  const bond = instrument.bond!;
  const fields: Field[] = [
    Outgoing.BOND_CONTRACT_DATA,
    reqId,
    instrument.symbol,
    instrument.secType,
    bond.cusip,
    num(bond.coupon),
    bond.maturity,
    bond.issueDate,
    bond.ratings,
    bond.bondType,
    bond.couponType,
    0, // convertible
    0, // callable
    0, // putable
    bond.descAppend,
    instrument.exchange,
    instrument.currency,
    instrument.marketName,
    instrument.tradingClass,
    instrument.conId,
    num(instrument.minTick),
    instrument.orderTypes,
    instrument.validExchanges,
    '', // nextOptionDate
    '', // nextOptionType
    0, // nextOptionPartial
    '', // notes
    instrument.longName,
  ];
  if (serverVersion >= ServerVersion.BOND_TRADING_HOURS) fields.push(instrument.timeZoneId, sessionHours(instrument, now, 7, false), sessionHours(instrument, now, 7, true));
  fields.push('', '', ...secIdFields(instrument), 1, instrument.marketRuleIds, num(instrument.minSize), num(instrument.sizeIncrement), num(instrument.suggestedSizeIncrement));
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
    const matches = context.market.universe.resolveContract({ ...query, secIdType, secId });
    if (matches.length === 0) {
      session.error(reqId, 200, NO_SECURITY_DEFINITION);
      return;
    }
    const now = context.now();
    const continuous = (query.secType ?? '').toUpperCase() === 'CONTFUT';
    for (const instrument of matches) {
      if (instrument.bond) session.send(bondContractDataFields(reqId, instrument, session.serverVersion, now));
      else session.send(contractDataFields(reqId, instrument, session.serverVersion, now, continuous ? 'CONTFUT' : instrument.secType, reportedExchange(instrument, query.exchange)));
    }
    session.send([Outgoing.CONTRACT_DATA_END, 1, reqId]);
  });
}

/**
 * REQ_SEC_DEF_OPT_PARAMS: the option chains on an underlying (named by symbol, type and conId; for
 * options on futures also the exchange), one SECURITY_DEFINITION_OPTION_PARAMETER per exchange with
 * every expiry and strike, then the END; error 200 when the underlying is unknown.
 */
export function registerOptionChainHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.REQ_SEC_DEF_OPT_PARAMS, 'REQ_SEC_DEF_OPT_PARAMS', (session, reader, context) => {
    const reqId = reader.int('reqId');
    const symbol = reader.str('underlyingSymbol');
    const futFopExchange = reader.str('futFopExchange').toUpperCase();
    const secType = reader.str('underlyingSecType');
    const conId = reader.int('underlyingConId', 0);
    const universe = context.market.universe;
    const byConId = conId ? universe.get(conId) : undefined;
    const underlyings: Instrument[] = conId
      ? byConId && (!symbol || byConId.symbol === symbol.toUpperCase())
        ? [byConId]
        : []
      : universe.resolveContract({ symbol, secType });
    if (underlyings.length === 0) {
      session.error(reqId, 200, NO_SECURITY_DEFINITION);
      return;
    }
    for (const underlying of underlyings) {
      for (const chain of universe.options.chainsOf(underlying)) {
        const exchanges = chain.secType === 'FOP' ? [chain.exchange] : ['SMART', ...chain.validExchanges.split(',').filter((e) => e !== 'SMART').slice(0, 3)];
        for (const exchange of exchanges) {
          if (futFopExchange && chain.secType === 'FOP' && futFopExchange !== exchange) continue;
          session.send([
            Outgoing.SECURITY_DEFINITION_OPTION_PARAMETER,
            reqId,
            exchange,
            underlying.conId,
            chain.tradingClass,
            String(chain.multiplier),
            chain.expiries.length,
            ...chain.expiries,
            chain.strikes.length,
            ...chain.strikes.map(num),
          ]);
        }
      }
    }
    session.send([Outgoing.SECURITY_DEFINITION_OPTION_PARAMETER_END, reqId]);
  });
}
