/**
 * The session's writer frames each message itself (lib/ib/frame.ts) instead of @stoqey/ib's socket:
 * the bytes must be the very bytes @stoqey/ib writes, for every order shape the nodes send (each order
 * type and time in force, brackets, OCA, modifications, text beyond ASCII), cancels, the global cancel
 * and data requests, at every server version of the test set. Both sides run @stoqey/ib's own encoder;
 * the reference bytes come from its own Socket.send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, IBApi, type Contract } from '@stoqey/ib';
import { Encoder } from '@stoqey/ib/dist/core/io/encoder';
import { Socket } from '@stoqey/ib/dist/core/io/socket';
import { ORDER_TYPES, TIMES_IN_FORCE } from '../../lib/messages';
import { buildOrder } from '../../lib/orders/build';
import { validateOrderIntent } from '../../lib/orders/validate';
import { frameMessage, wireFields } from '../../lib/ib/frame';
import { installWireWriter } from '../../lib/ib/wire-writer';
import { sent, terms } from '../helpers/order-shapes';
import { startSimulator, VERSIONS, waitFor } from './harness';

const AAPL: Contract = { symbol: 'AAPL', secType: 'STK' as Contract['secType'], exchange: 'SMART', currency: 'USD' };
const ES: Contract = { symbol: 'ES', secType: 'FUT' as Contract['secType'], exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612', multiplier: 50 };

/** Every message shape, each a call on an encoder. */
function shapes(): Array<{ name: string; encode: (encoder: Encoder) => void }> {
  const list: Array<{ name: string; encode: (encoder: Encoder) => void }> = [];
  let id = 1;
  for (const orderType of ORDER_TYPES) {
    for (const tif of TIMES_IN_FORCE) {
      for (const action of ['BUY', 'SELL'] as const) {
        const order = sent(buildOrder(action, 100, { orderType, tif, outsideRth: tif === 'GTC', ...terms(orderType) } as never, 'place-order-n1'), id++);
        list.push({ name: `${action} ${orderType} ${tif}`, encode: (e) => e.placeOrder(order.orderId!, AAPL, order) });
      }
    }
  }
  // A bracket: the entry held (transmit false), then its children in one OCA group, the last transmitting.
  const entry = sent({ ...buildOrder('BUY', 10, { orderType: 'LMT', tif: 'GTC', outsideRth: false, lmtPrice: 100 } as never, 'strategy é ü 株'), transmit: false }, 900);
  const stop = sent({ ...buildOrder('SELL', 10, { orderType: 'STP', tif: 'GTC', outsideRth: false, auxPrice: 95 } as never, 'strategy é ü 株'), parentId: 900, ocaGroup: 'oca-900', ocaType: 1, transmit: false }, 901);
  const take = sent({ ...buildOrder('SELL', 10, { orderType: 'LMT', tif: 'GTC', outsideRth: false, lmtPrice: 110 } as never, 'strategy é ü 株'), parentId: 900, ocaGroup: 'oca-900', ocaType: 1 }, 902);
  for (const order of [entry, stop, take]) list.push({ name: `bracket #${order.orderId}`, encode: (e) => e.placeOrder(order.orderId!, AAPL, order) });
  // A modification: TWS's own fields of the working order come back (permId ...).
  const modified = { ...sent(buildOrder('BUY', 5, { orderType: 'LMT', tif: 'DAY', outsideRth: false, lmtPrice: 100.5 } as never, 'mod'), 77), permId: 123456789 };
  list.push({ name: 'modification', encode: (e) => e.placeOrder(77, AAPL, modified) });
  list.push({ name: 'future', encode: (e) => e.placeOrder(78, ES, sent(buildOrder('SELL', 2, { orderType: 'MKT', tif: 'DAY', outsideRth: false } as never, 'fut'), 78)) });
  // A lone surrogate: both write U+FFFD for it.
  list.push({ name: 'lone surrogate', encode: (e) => e.placeOrder(79, AAPL, sent(buildOrder('BUY', 1, { orderType: 'MKT', tif: 'DAY', outsideRth: false } as never, 'bad \ud800 ref'), 79)) });
  // Algos and conditions, as place-order builds them from msg.order.
  const extras: Array<[string, Record<string, unknown>]> = [
    ['Adaptive', { orderType: 'MKT', algoStrategy: 'Adaptive', algoParams: [{ tag: 'adaptivePriority', value: 'Patient' }] }],
    ['Vwap', { orderType: 'LMT', lmtPrice: 101, algoStrategy: 'Vwap', algoParams: { maxPctVol: 0.1, startTime: '09:45:00 US/Eastern', endTime: '15:30:00 US/Eastern', allowPastEndTime: true, noTakeLiq: false } }],
    ['Twap', { orderType: 'LMT', lmtPrice: 101, algoStrategy: 'twap', algoParams: { strategyType: 'Matching Midpoint', allowPastEndTime: false } }],
    ['Adaptive without params', { orderType: 'MKT', algoStrategy: 'Adaptive' }],
    ['price and time conditions', { orderType: 'LMT', lmtPrice: 100, conditions: [{ type: 'price', conId: 265598, isMore: true, price: 201.5, triggerMethod: 'last', conjunction: 'or' }, { type: 'time', time: '20261218 10:00:00 US/Eastern' }] }],
    ['conditions that cancel, outside RTH', { orderType: 'MKT', conditions: [{ type: 'price', isMore: false, price: 150, exchange: 'SMART' }], conditionsCancelOrder: true, conditionsIgnoreRth: true }],
  ];
  for (const [name, fields] of extras) {
    const intent = validateOrderIntent({ action: 'BUY', totalQuantity: 10, tif: 'DAY', ...fields });
    assert.equal(intent.kind, 'explicit', name);
    const order = sent(buildOrder('BUY', 10, intent as never, 'extras'), id++);
    list.push({ name, encode: (e) => e.placeOrder(order.orderId!, AAPL, order) });
  }
  list.push({ name: 'cancel', encode: (e) => e.cancelOrder(77, { manualOrderCancelTime: '' } as never) });
  list.push({ name: 'global cancel', encode: (e) => e.reqGlobalCancel({} as never) });
  list.push({ name: 'market data', encode: (e) => e.reqMktData(500_000_001, AAPL, '', false, false) });
  return list;
}

/** The tokens @stoqey/ib's encoder hands to sendMsg for one call. */
function encode(serverVersion: number, call: (encoder: Encoder) => void): unknown[] {
  let tokens: unknown[] | null = null;
  const encoder = new Encoder({
    serverVersion,
    sendMsg: (t: unknown[]) => (tokens = t),
    emitError: (message: string) => assert.fail(`encoder refused: ${message}`),
  } as never);
  call(encoder);
  assert.ok(tokens, 'the encoder sent nothing');
  return tokens;
}

/** The bytes @stoqey/ib's own socket writes for `tokens` on a v100+ connection. */
function reference(tokens: unknown[]): Buffer {
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

test('the frame of every message shape is the bytes @stoqey/ib writes, at every server version', () => {
  let compared = 0;
  for (const version of VERSIONS) {
    for (const shape of shapes()) {
      const tokens = encode(version, shape.encode);
      const ours = frameMessage(wireFields(tokens)).bytes;
      assert.deepEqual(ours, reference(tokens), `${shape.name} at server version ${version}`);
      compared++;
    }
  }
  assert.ok(compared > 6 * 70, `compared ${compared}`);
});

test('the writer writes those frames: the simulator reads every field of an order as encoded, and `sent` still follows each write', async () => {
  const read: string[][] = [];
  const sim = await startSimulator({ probe: { messageRead: (_connection, fields) => read.push([...fields]) } });
  const api = new IBApi({ host: sim.host, port: sim.port });
  assert.ok(installWireWriter(api), 'writer installed');
  const sentTokens: unknown[][] = [];
  api.on(EventName.sent, (tokens: unknown[]) => sentTokens.push(tokens));
  try {
    await new Promise<void>((resolve) => {
      api.once(EventName.nextValidId, () => resolve());
      api.connect(9);
    });
    const order = sent(buildOrder('BUY', 3, { orderType: 'LMT', tif: 'DAY', outsideRth: true, lmtPrice: 10.5 } as never, 'réf 株'), 5);
    api.placeOrder(5, AAPL, order);
    await waitFor(() => read.some((f) => f[0] === '3'), 'the simulator to read the order');
    const placed = sentTokens.find((t) => t[0] === 3);
    assert.ok(placed, 'a sent event for PLACE_ORDER');
    assert.ok(!placed.some((t) => typeof t === 'boolean'), 'booleans written as 1/0');
    const atSimulator = read.find((f) => f[0] === '3');
    assert.deepEqual(atSimulator, placed.map((t) => (t === undefined || t === null ? '' : String(t))));
    assert.ok(atSimulator?.includes('réf 株'), 'text beyond ASCII intact');
  } finally {
    api.disconnect();
    await sim.close();
  }
});
