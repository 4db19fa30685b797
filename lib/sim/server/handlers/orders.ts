/**
 * PLACE_ORDER (new or modify), CANCEL_ORDER (both layouts), REQ_GLOBAL_CANCEL, the open-order requests
 * and REQ_EXECUTIONS, each order booked on its account's fill engine (order.account; without one the
 * first managed account, as TWS books it) and reported by the order desk.
 */
import type { SimContext } from '../context';
import { engineOf, service } from '../context';
import type { HandlerRegistry } from '../handler';
import { register } from '../handler';
import { Incoming, Outgoing, ServerVersion } from '../message-ids';
import { resolveOne } from '../contract-codec';
import { readPlaceOrder, type PlacedOrder } from '../orders/place-order-reader';
import type { Instrument } from '../../market/universe';
import { OrderDesk } from '../orders/order-desk';
import { commissionReportFields, executionFields, openOrderFields, type OrderRecord } from '../orders/order-messages';
import { engineOrderFromIb } from '../../../fills/ib-order';
import { marketClock } from '../market-clock';
import { twsErrorCode } from '../../../fills/reasons';
import { parseEndDateTime } from '../../market/bars';
import { TWS_TIME_ZONE } from '../tws-time';
import { formatInZone, zonedToEpoch } from '../../../messages/time-zones';

/** How far back TWS lists executions when asked for a time (its Trade Log's longest setting, 7 days). */
export const EXECUTIONS_KEPT_MS = 7 * 24 * 3600_000;

/**
 * The earliest execution a filter's time lets through, as TWS answers: without a time, today's (since
 * midnight in TWS's zone); with one, from then on, but no further back than TWS keeps them.
 */
export function executionsSince(time: string, now: number): number {
  const kept = now - EXECUTIONS_KEPT_MS;
  if (time.trim() === '') {
    const today = formatInZone(now, TWS_TIME_ZONE);
    return zonedToEpoch(TWS_TIME_ZONE, today.year, today.month, today.day);
  }
  const since = parseEndDateTime(time, now, TWS_TIME_ZONE);
  // A time TWS cannot read filters nothing out beyond what it keeps.
  return since === null ? kept : Math.max(kept, since);
}

/**
 * TWS's warning for a currency order below IDEALPRO's minimum: the order is taken and routed as an
 * odd lot (it fills at the quotes as any other here: IB does not publish the odd-lot venue's spread).
 */
function oddLotWarning(instrument: Instrument, order: PlacedOrder): string | null {
  const minimum = instrument.idealProMinimum;
  if (minimum === undefined || order.totalQuantity >= minimum) return null;
  return `Order Message:\n${order.action} ${order.totalQuantity} ${instrument.localSymbol} Forex\nWarning: your order size is below the ${instrument.symbol} ${minimum} IdealPro minimum and will be routed as an odd lot order.`;
}

export function orderDesk(context: SimContext): OrderDesk {
  return service(context, 'order-desk', () => new OrderDesk(context));
}

export function registerOrderHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.PLACE_ORDER, 'PLACE_ORDER', (session, reader, context) => {
    const order = readPlaceOrder(reader, session.serverVersion);
    const desk = orderDesk(context);
    const orderId = order.orderId;
    context.noteOrderId(orderId);
    const existing = desk.records.get(orderId);
    if (desk.rejectedIds.has(orderId) || (existing && existing.clientId !== session.clientId)) {
      session.error(orderId, 103, 'Duplicate order id');
      return;
    }
    const instrument = resolveOne(session, context.market, order.contract, orderId);
    if (!instrument) return;
    if (!instrument.tradable) {
      desk.rejectedIds.add(orderId);
      session.error(orderId, 201, `Order rejected - reason:${instrument.symbol} is an index (${instrument.secType}): it has a level but takes no orders; trade its futures or options instead`);
      return;
    }
    // A market that trades in units (Tokyo: 100 shares) takes only whole units.
    if (instrument.secType === 'STK' && instrument.sizeIncrement > 1 && order.totalQuantity % instrument.sizeIncrement !== 0) {
      if (!existing) desk.rejectedIds.add(orderId);
      session.error(orderId, 201, `Order rejected - reason:${instrument.symbol} on ${instrument.primaryExch} trades in units of ${instrument.sizeIncrement} shares: ${order.totalQuantity} is not a whole number of units`);
      return;
    }
    if (order.account && !context.options.accounts.includes(order.account)) {
      session.error(orderId, 321, `Error validating request.-'bO' : cause - The account code "${order.account}" is not one of this login's accounts (${context.options.accounts.join(', ')})`);
      return;
    }
    // TWS watches a price condition's instrument by its contract id: none (0) or one it does not know fails the order.
    const unwatchable = order.conditions.find((c) => c.type === 1 && context.market.universe.get(c.conId ?? 0) === undefined);
    if (unwatchable) {
      session.error(orderId, existing ? 134 : 133, `${existing ? 'Modify order failed' : 'Submit new order failed'}: its price condition names conId ${unwatchable.conId ?? 0}, which is no contract: a price condition needs the contract id of the instrument it watches`);
      return;
    }
    // A modification stays on the account the order is booked on; OPEN_ORDER names it, as at TWS.
    const bookedOn = existing?.order.account;
    const account = order.account || bookedOn || context.options.accounts[0];
    if (bookedOn && account !== bookedOn) {
      session.error(orderId, 321, `Error validating request.-'bO' : cause - order ${orderId} is booked on ${bookedOn}: a modification cannot move it to ${account}`);
      return;
    }
    order.account = account;
    const engine = engineOf(context, account)!;
    const record: OrderRecord = existing ?? {
      order,
      instrument,
      clientId: session.clientId ?? 0,
      permId: 0,
      status: 'PendingSubmit',
      filled: 0,
      remaining: order.totalQuantity,
      avgFillPrice: 0,
      lastFillPrice: 0,
      commission: 0,
    };
    // What one contract is worth per point (50 for ES) comes from the contract details; 0 for stocks and forex.
    const engineOrder = engineOrderFromIb(orderId, { symbol: instrument.symbol }, order, {
      account,
      symbol: instrument.key,
      multiplier: instrument.multiplier || undefined,
      clientId: session.clientId,
      conditionSymbol: (conId) => context.market.universe.get(conId)?.key,
    });
    if (order.whatIf) {
      // What-if: TWS answers with the order, its state and the margins it would need, and places nothing.
      marketClock(context).feedEngine();
      const preview = engine.whatIf(engineOrder);
      if (typeof preview === 'string') {
        session.error(orderId, twsErrorCode(preview), preview);
        return;
      }
      session.send(openOrderFields({ ...record, order, status: 'PreSubmitted' }, session.serverVersion, { preview }));
      return;
    }
    if (existing && existing.instrument.conId !== instrument.conId) {
      session.error(orderId, 103, 'Duplicate order id');
      return;
    }
    record.order = order;
    desk.records.set(orderId, record);
    const oddLot = oddLotWarning(instrument, order);
    if (oddLot) session.error(orderId, 399, oddLot);
    // The engine fills against the latest quote; make it the current one.
    marketClock(context).feedEngine();
    engine.submit(engineOrder);
  });

  register(registry, Incoming.CANCEL_ORDER, 'CANCEL_ORDER', (session, reader, context) => {
    if (session.serverVersion < ServerVersion.CME_TAGGING_FIELDS) reader.int('version');
    const orderId = reader.int('orderId');
    reader.str('manualOrderCancelTime');
    if (session.serverVersion >= ServerVersion.RFQ_FIELDS && session.serverVersion < ServerVersion.UNDO_RFQ_FIELDS) reader.skip(3, 'RFQ field');
    if (session.serverVersion >= ServerVersion.CME_TAGGING_FIELDS) {
      reader.str('extOperator');
      reader.str('manualOrderIndicator');
    }
    const record = orderDesk(context).records.get(orderId);
    if (!record) {
      session.error(orderId, 135, `Can't find order with id =${orderId}`);
      return;
    }
    if (record.clientId !== session.clientId && session.clientId !== 0) {
      session.error(orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`);
      return;
    }
    engineOf(context, record.order.account)?.cancel(orderId);
  });

  register(registry, Incoming.REQ_GLOBAL_CANCEL, 'REQ_GLOBAL_CANCEL', (session, reader, context) => {
    if (session.serverVersion < ServerVersion.CME_TAGGING_FIELDS) reader.int('version');
    else {
      reader.str('extOperator');
      reader.str('manualOrderIndicator');
    }
    orderDesk(context);
    // Every order of the login, whichever account it is booked on.
    for (const engine of context.engines.values()) engine.cancelAll();
  });

  const sendOpenOrders = (records: OrderRecord[], session: Parameters<OrderDesk['sendOrder']>[0], desk: OrderDesk) => {
    for (const record of records) desk.sendOrder(session, record);
  };

  register(registry, Incoming.REQ_OPEN_ORDERS, 'REQ_OPEN_ORDERS', (session, reader, context) => {
    reader.int('version');
    const desk = orderDesk(context);
    // Client 0 also sees the orders of the other clients (TWS's "master" behaviour).
    const records = desk.openRecords().filter((r) => session.clientId === 0 || r.clientId === session.clientId);
    sendOpenOrders(records, session, desk);
    session.send([Outgoing.OPEN_ORDER_END, 1]);
  });

  register(registry, Incoming.REQ_ALL_OPEN_ORDERS, 'REQ_ALL_OPEN_ORDERS', (session, reader, context) => {
    reader.int('version');
    const desk = orderDesk(context);
    sendOpenOrders(desk.openRecords(), session, desk);
    session.send([Outgoing.OPEN_ORDER_END, 1]);
  });

  register(registry, Incoming.REQ_AUTO_OPEN_ORDERS, 'REQ_AUTO_OPEN_ORDERS', (session, reader, context) => {
    reader.int('version');
    reader.bool('autoBind');
    // Every client already receives every order of the account; send what is open now.
    const desk = orderDesk(context);
    sendOpenOrders(desk.openRecords(), session, desk);
  });

  register(registry, Incoming.REQ_EXECUTIONS, 'REQ_EXECUTIONS', (session, reader, context) => {
    reader.int('version');
    const reqId = reader.int('reqId');
    const clientId = reader.int('clientId', 0);
    const account = reader.str('acctCode');
    const time = reader.str('time');
    const symbol = reader.str('symbol').toUpperCase();
    const secType = reader.str('secType').toUpperCase();
    const exchange = reader.str('exchange').toUpperCase();
    const side = reader.str('side').toUpperCase();
    const since = executionsSince(time, context.now());
    const desk = orderDesk(context);
    for (const e of desk.executions) {
      if (clientId && e.clientId !== clientId) continue;
      if (account && e.account !== account) continue;
      if (e.time < since) continue;
      if (symbol && e.instrument.symbol !== symbol) continue;
      if (secType && e.instrument.secType !== secType) continue;
      if (exchange && exchange !== 'SMART' && exchange !== e.instrument.exchange && exchange !== e.instrument.primaryExch && exchange !== e.venue) continue;
      if (side && !((side === 'BUY' || side === 'BOT') ? e.side === 'BOT' : e.side === 'SLD')) continue;
      session.send(executionFields(reqId, e, session.serverVersion));
      session.send(commissionReportFields(e));
    }
    session.send([Outgoing.EXECUTION_DATA_END, 1, reqId]);
  });
}
