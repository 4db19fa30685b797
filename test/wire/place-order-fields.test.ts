/**
 * The session's own PLACE_ORDER (lib/ib/place-order-fields.ts) against @stoqey/ib's encoder: the same
 * fields and the same bytes for every order shape the nodes send (each order type and time in force,
 * brackets with their parent and transmit, OCA groups, trailing stops, algos, conditions, what-if,
 * every kind of contract) at every server version the simulator speaks; null, and so @stoqey/ib's
 * encoder, for whatever it does not cover; and through the real client to the simulator, each order
 * written once, by the encoder that covers it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventName, OrderConditionType, type Contract, type Order } from '@stoqey/ib';
import { Encoder } from '@stoqey/ib/dist/core/io/encoder';
import { Socket } from '@stoqey/ib/dist/core/io/socket';
import { createIbBroker, disposeBroker } from '../../lib/broker';
import { frameMessage, wireFields } from '../../lib/ib/frame';
import { PLACE_ORDER_VERSIONS, placeOrderFields } from '../../lib/ib/place-order-fields';
import { IbSocketSession } from '../../lib/ib/session';
import { ORDER_TYPES, TIMES_IN_FORCE } from '../../lib/messages';
import { bracketOrders } from '../../lib/orders/bracket';
import { buildOrder } from '../../lib/orders/build';
import { validateOrderIntent } from '../../lib/orders/validate';
import { createSimulator } from '../../lib/sim/server';
import { ServerVersion } from '../../lib/sim/server/message-ids';
import { sent, terms } from '../helpers/order-shapes';
import { waitFor } from './harness';

const STK = 'STK' as Contract['secType'];
const AAPL: Contract = { symbol: 'AAPL', secType: STK, exchange: 'SMART', currency: 'USD' };
const CONTRACTS: Array<[string, Contract]> = [
  ['stock', AAPL],
  ['stock with conId and primary exchange', { ...AAPL, conId: 265598, primaryExch: 'NASDAQ' }],
  ['future', { symbol: 'ES', secType: 'FUT' as Contract['secType'], exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612', multiplier: 50, localSymbol: 'ESZ6', tradingClass: 'ES' }],
  ['option', { symbol: 'AAPL', secType: 'OPT' as Contract['secType'], exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: '20261218', strike: 200, right: 'C' as Contract['right'], multiplier: 100, tradingClass: 'AAPL' }],
  ['forex', { symbol: 'EUR', secType: 'CASH' as Contract['secType'], exchange: 'IDEALPRO', currency: 'USD' }],
  ['crypto', { symbol: 'BTC', secType: 'CRYPTO' as Contract['secType'], exchange: 'PAXOS', currency: 'USD' }],
  ['bond by ISIN', { secType: 'BOND' as Contract['secType'], exchange: 'SMART', currency: 'USD', secIdType: 'ISIN' as Contract['secIdType'], secId: 'US91282CJL54' }],
  ['IBKR ATS', { ...AAPL, exchange: 'IBKRATS' }],
  ['SAP on IBIS', { symbol: 'SAP', secType: STK, exchange: 'IBIS', currency: 'EUR', description: 'not encoded' } as Contract],
];

interface Shape {
  name: string;
  orderId: number;
  contract: Contract;
  order: Order;
}

/** Every order shape the nodes send, on every kind of contract. */
function shapes(): Shape[] {
  const list: Shape[] = [];
  let id = 1;
  const add = (name: string, order: Order, contract = AAPL) => {
    const orderId = order.orderId ?? id++;
    list.push({ name, orderId, contract, order: sent(order, orderId) });
  };
  // Every order type with every time in force (also those place-order refuses for the type), both sides.
  for (const orderType of ORDER_TYPES) {
    for (const tif of TIMES_IN_FORCE) {
      for (const action of ['BUY', 'SELL'] as const) {
        const extra = tif === 'GTD' ? { goodTillDate: '20991231 16:00:00 US/Eastern' } : {};
        add(`${action} ${orderType} ${tif}`, buildOrder(action, 100, { orderType, tif, outsideRth: tif === 'GTC', ...terms(orderType), ...extra } as never, 'place-order-n1'));
      }
    }
  }
  // A bracket as the planner sends it: the entry held, a take-profit and a trailing stop with a
  // starting stop in one OCA group, only the last transmitting.
  const entry = buildOrder('BUY', 10, { orderType: 'LMT', tif: 'GTC', outsideRth: false, lmtPrice: 100 }, 'strategy é ü 株');
  const legs = bracketOrders(900, entry, { positionSide: 'BUY', quantity: 10, takeProfit: 110, stopLoss: 95, trailing: { amount: 2 }, tif: 'GTC', outsideRth: false, orderRef: 'strategy é ü 株', ocaGroup: 'strategy:AAPL:901', account: 'DU2' }, { takeProfit: 901, stopLoss: 902 });
  for (const leg of legs) add(`bracket ${leg.role}`, { ...leg.order, orderId: leg.orderId });
  const fixed = bracketOrders(910, entry, { positionSide: 'SELL', quantity: 10, takeProfit: 90, stopLoss: 105, trailing: { percent: 1 }, tif: 'DAY', outsideRth: true, orderRef: 'short', ocaGroup: 'short:AAPL:911' }, { takeProfit: 911, stopLoss: 912 });
  for (const leg of fixed) add(`short bracket ${leg.role}`, { ...leg.order, orderId: leg.orderId });
  // The explicit order's other terms.
  const more: Array<[string, Record<string, unknown>]> = [
    ['good after, hidden', { orderType: 'LMT', lmtPrice: 100, tif: 'DAY', goodAfterTime: '20261202 10:00:00 US/Eastern', hidden: true }],
    ['account and orderRef of the message', { orderType: 'MKT', tif: 'DAY', account: 'DU999', orderRef: 'mine' }],
    ['Adaptive', { orderType: 'MKT', tif: 'DAY', algoStrategy: 'Adaptive', algoParams: [{ tag: 'adaptivePriority', value: 'Patient' }] }],
    ['Vwap', { orderType: 'LMT', lmtPrice: 101, tif: 'DAY', algoStrategy: 'Vwap', algoParams: { maxPctVol: 0.1, startTime: '09:45:00 US/Eastern', endTime: '15:30:00 US/Eastern', allowPastEndTime: true, noTakeLiq: false } }],
    ['Twap', { orderType: 'LMT', lmtPrice: 101, tif: 'DAY', algoStrategy: 'twap', algoParams: { strategyType: 'Matching Midpoint', allowPastEndTime: false } }],
    ['Adaptive without params', { orderType: 'MKT', tif: 'DAY', algoStrategy: 'Adaptive' }],
    ['price and time conditions', { orderType: 'LMT', lmtPrice: 100, tif: 'DAY', conditions: [{ type: 'price', conId: 265598, isMore: true, price: 201.5, triggerMethod: 'last', conjunction: 'or' }, { type: 'time', time: '20261218 10:00:00 US/Eastern' }] }],
    ['conditions that cancel, outside RTH', { orderType: 'MKT', tif: 'DAY', conditions: [{ type: 'price', conId: 265598, isMore: false, price: 150, exchange: 'SMART' }], conditionsCancelOrder: true, conditionsIgnoreRth: true }],
    ['what-if', { orderType: 'LMT', lmtPrice: 100, tif: 'DAY' }],
  ];
  for (const [name, fields] of more) {
    const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, ...fields });
    assert.equal(intent.kind, 'explicit', name);
    const order = buildOrder('BUY', 10, intent as never, 'extras');
    // As the broker sends a what-if (IbBroker.whatIf).
    if (name === 'what-if') Object.assign(order, { whatIf: true, transmit: true });
    add(name, order);
  }
  add('trailing stop with a starting stop', buildOrder('SELL', 10, { orderType: 'TRAIL', tif: 'GTC', outsideRth: false, auxPrice: 1.5, trailStopPrice: 98 }, 'trail'));
  add('fractional quantity', buildOrder('BUY', 0.0005, { orderType: 'MKT', tif: 'IOC', outsideRth: false }, 'btc'), CONTRACTS[5][1]);
  add('lone surrogate in orderRef', buildOrder('BUY', 1, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'bad \ud800 ref'));
  add("IB's unset price", { ...buildOrder('BUY', 1, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'unset'), lmtPrice: Number.MAX_VALUE, auxPrice: Number.MAX_VALUE });
  add('modification with its permId', { ...buildOrder('BUY', 5, { orderType: 'LMT', tif: 'DAY', outsideRth: false, lmtPrice: 100.5 }, 'mod'), orderId: 77, permId: 123456789 } as Order);
  add('the kill switch close', { action: 'SELL', totalQuantity: 100, orderType: 'MKT', tif: 'DAY', orderRef: 'strategy', transmit: true } as Order);
  // Every contract kind with a market and a limit order.
  for (const [name, contract] of CONTRACTS) {
    add(`${name}, MKT`, buildOrder('BUY', 2, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'kinds'), contract);
    add(`${name}, PEG MID`, buildOrder('SELL', 2, { orderType: 'PEG MID', tif: 'DAY', outsideRth: false, auxPrice: 0.01 }, 'kinds'), contract);
  }
  return list;
}

/** The server versions the simulator speaks. */
const VERSIONS: number[] = [];
for (let v = ServerVersion.MIN_NEGOTIATED; v <= ServerVersion.MAX_NEGOTIATED; v++) VERSIONS.push(v);

/** The fields @stoqey/ib's encoder hands to its socket for one order. */
function reference(serverVersion: number, shape: Pick<Shape, 'orderId' | 'contract' | 'order'>): unknown[] {
  let tokens: unknown[] | null = null;
  const encoder = new Encoder({
    serverVersion,
    sendMsg: (t: unknown[]) => (tokens = t),
    emitError: (message: string) => assert.fail(`encoder refused: ${message}`),
  } as never);
  encoder.placeOrder(shape.orderId, shape.contract, shape.order);
  assert.ok(tokens, 'the encoder sent nothing');
  return tokens;
}

/** The bytes @stoqey/ib's own socket writes for `tokens` on a v100+ connection. */
function referenceBytes(tokens: unknown[]): Buffer {
  const written: Buffer[] = [];
  const socket = Object.assign(Object.create(Socket.prototype), {
    useV100Plus: true,
    client: { write: (bytes: Buffer) => written.push(bytes) },
    controller: { emitEvent() {} },
  }) as Socket;
  socket.send(structuredClone(tokens));
  assert.equal(written.length, 1);
  return written[0];
}

describe('the own PLACE_ORDER fields', () => {
  it("are @stoqey/ib's, field for field and byte for byte, for every order shape at every server version the simulator speaks", () => {
    assert.deepEqual([PLACE_ORDER_VERSIONS.min, PLACE_ORDER_VERSIONS.max], [ServerVersion.MIN_NEGOTIATED, ServerVersion.MAX_NEGOTIATED], "the versions covered are the simulator's");
    let compared = 0;
    const all = shapes();
    for (const version of VERSIONS) {
      for (const shape of all) {
        const ours = placeOrderFields(version, shape.orderId, shape.contract, shape.order);
        assert.ok(ours, `${shape.name} at ${version}: covered`);
        const theirs = reference(version, shape);
        assert.deepEqual(wireFields(ours), wireFields(theirs), `${shape.name} at server version ${version}`);
        assert.deepEqual(frameMessage(wireFields(ours)).bytes, referenceBytes(theirs), `${shape.name} at server version ${version}: bytes`);
        compared++;
      }
    }
    assert.ok(all.length > 180, `${all.length} shapes`);
    assert.equal(compared, all.length * VERSIONS.length);
  });

  it('are null, for @stoqey/ib to encode, for whatever they do not cover', () => {
    const market = sent(buildOrder('BUY', 1, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'fallback'), 5);
    assert.ok(placeOrderFields(176, 5, AAPL, market), 'the plain order is covered');
    for (const version of [100, 150, 175, 194, 200]) assert.equal(placeOrderFields(version, 5, AAPL, market), null, `server version ${version}`);
    assert.equal(placeOrderFields(193, 5, { ...AAPL, secType: 'BAG' as Contract['secType'], comboLegs: [{ conId: 1, ratio: 1, action: 'BUY', exchange: 'SMART' }] } as Contract, market), null, 'a combo');
    assert.equal(placeOrderFields(193, 5, { ...AAPL, secType: 'bag' as Contract['secType'] }, market), null, 'a combo, lower case');
    assert.equal(placeOrderFields(193, 5, { ...AAPL, deltaNeutralContract: { conId: 1, delta: 0.5, price: 10 } }, market), null, 'delta neutral');
    // Each order field outside the covered set, set to anything but undefined, falls back.
    const uncovered: Record<string, unknown> = {
      displaySize: 100, allOrNone: false, minQty: 10, openClose: 'O', origin: 0, blockOrder: true, sweepToFill: true, triggerMethod: 2, discretionaryAmt: 0.1,
      faGroup: 'g', modelCode: 'm', shortSaleSlot: 1, exemptCode: -1, rule80A: 'I', percentOffset: 0.1, volatility: 0.2, deltaNeutralOrderType: 'MKT',
      continuousUpdate: true, referencePriceType: 1, scaleInitLevelSize: 10, scalePriceIncrement: 0.1, scaleTable: 't', activeStartTime: 's', hedgeType: 'D', optOutSmartRouting: true,
      clearingAccount: 'c', notHeld: true, algoId: 'a', orderMiscOptions: [], solicited: true, randomizeSize: true, adjustedOrderType: 'STP', triggerPrice: 1, adjustedStopPrice: 1,
      extOperator: 'x', softDollarTier: { name: 'n', value: 'v' }, cashQty: 1000, mifid2DecisionMaker: 'd', dontUseAutoPriceForHedge: true, isOmsContainer: true,
      discretionaryUpToLimitPrice: true, usePriceMgmtAlgo: true, duration: 10, postToAts: 1, autoCancelParent: true, advancedErrorOverride: 'o', manualOrderTime: 't',
      minTradeQty: 1, minCompeteSize: 1, competeAgainstBestOffset: 1, midOffsetAtWhole: 0.01, midOffsetAtHalf: 0.005, customerAccount: 'c', professionalCustomer: true,
      includeOvernight: true, manualOrderIndicator: 1, stockRangeLower: 1, overridePercentageConstraints: true, eTradeOnly: true, nbboPriceCap: 1, filledQuantity: 1,
      notAField: null,
    };
    for (const [field, value] of Object.entries(uncovered)) {
      assert.equal(placeOrderFields(193, 5, AAPL, { ...market, [field]: value } as Order), null, field);
    }
    assert.ok(placeOrderFields(193, 5, AAPL, { ...market, displaySize: undefined } as Order), 'an uncovered field left undefined is unset');
    for (const orderType of ['PEG BEST', 'PEGBEST', 'PEG BENCH', 'PEGBENCH']) assert.equal(placeOrderFields(193, 5, AAPL, { ...market, orderType } as Order), null, orderType);
    for (const type of [OrderConditionType.Margin, OrderConditionType.Execution, OrderConditionType.Volume, OrderConditionType.PercentChange]) {
      assert.equal(placeOrderFields(193, 5, AAPL, { ...market, conditions: [{ type, conjunctionConnection: 'a' }] } as unknown as Order), null, `condition type ${type}`);
    }
    assert.equal(placeOrderFields(193, 5, AAPL, { ...market, algoStrategy: 'Vwap', algoParams: { maxPctVol: 0.1 } } as unknown as Order), null, 'algo params not as tag/value pairs');
  });
});

describe('the session places orders', () => {
  it("with the own fields where they cover the order and @stoqey/ib's encoder elsewhere, each order read once by the simulator as @stoqey/ib encodes it", async () => {
    const read: string[][] = [];
    const sim = await createSimulator({ seed: 3, probe: { messageRead: (_connection, fields) => fields[0] === '3' && read.push([...fields]) } });
    const session = new IbSocketSession({ host: sim.host, port: sim.port, clientId: 11, allowLiveOrders: false, mode: 'simulator', backoff: { initialMs: 50, maxMs: 200 } });
    const dir = mkdtempSync(join(tmpdir(), 'place-order-fields-'));
    const broker = createIbBroker(session, { clientId: 11, allowLiveOrders: false, limits: {}, journalPath: join(dir, 'journal.jsonl'), statusProvider: () => session.status() });
    const encoder = (session.api as unknown as { controller: { encoder: { placeOrder: (...args: unknown[]) => void } } }).controller.encoder;
    const encoded: number[] = [];
    const original = encoder.placeOrder;
    encoder.placeOrder = function (this: unknown, ...args: unknown[]) {
      encoded.push(args[0] as number);
      return original.apply(this, args);
    };
    const errors: number[] = [];
    session.api.on(EventName.error, (_err: Error, code: number) => errors.push(code));
    try {
      session.start();
      await session.whenConnected(5000);
      await waitFor(() => broker.orderBlock() === null, 'the broker to be ready');
      const version = session.serverVersion();
      const market = (quantity: number) => buildOrder('BUY', quantity, { orderType: 'MKT', tif: 'DAY', outsideRth: false }, 'session');
      // Covered: the broker's market order and a bracket.
      const own = await broker.nextOrderId();
      broker.placeOrder(own, AAPL, market(3));
      // Not covered (allOrNone set): @stoqey/ib's encoder writes it.
      const theirs = await broker.nextOrderId();
      broker.placeOrder(theirs, AAPL, { ...market(4), allOrNone: false } as Order);
      await waitFor(() => read.length === 2, 'both orders at the simulator');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(read.length, 2, 'each order read once');
      assert.deepEqual(encoded, [theirs], "@stoqey/ib's encoder encoded only the order the own fields do not cover");
      const placed = new Map(read.map((fields) => [Number(fields[1]), fields]));
      const account = session.status().account ?? undefined;
      const expect = (orderId: number, order: Order) =>
        wireFields(reference(version, { orderId, contract: AAPL, order: { ...order, account, orderId, clientId: 11 } })).map((t) => (t === undefined || t === null ? '' : String(t)));
      assert.deepEqual(placed.get(own), expect(own, market(3)));
      assert.deepEqual(placed.get(theirs), expect(theirs, { ...market(4), allOrNone: false } as Order));
      assert.deepEqual(errors, []);
      // A bad field is refused before anything is written, by either path.
      assert.throws(() => session.placeOrder(990, AAPL, { ...market(1), orderRef: 'a\u0000b' }), /order\.orderRef contains a NUL byte/);
      assert.throws(() => session.placeOrder(991, AAPL, { ...market(1), allOrNone: false, orderRef: 'a\u0000b' } as Order), /order\.orderRef contains a NUL byte/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(read.length, 2, 'nothing more written');
    } finally {
      disposeBroker(broker);
      await session.stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
