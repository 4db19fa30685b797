/**
 * place-order's order types beyond the basic ones, in a real Node-RED runtime against the simulator
 * through the real @stoqey/ib client: REL, MIDPRICE, PEG MID and FOK each from msg.order to a fill,
 * a rest or a kill, and REL from the node's own settings.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { helper, loadFlow, startServer, stopServer, waitFor } from '../helpers/node-red';
import { JournalFiles, listen, PLACE_ORDER_TYPES, placeOrderFlow, priceNow, ready, simOf } from '../helpers/place-order-flow';

const journals = new JournalFiles('place-order-types');

function flow(clientId: number, node: Record<string, unknown> = {}) {
  return placeOrderFlow(journals, { mode: 'simulator', clientId }, { orderRef: 'types', ...node });
}

describe('place-order: REL, MIDPRICE, PEG MID, FOK', () => {
  before(startServer);
  after(async () => {
    await stopServer();
    journals.remove();
  });
  afterEach(() => helper.unload());

  it('sends each from msg.order to the simulator: the marketable ones fill, the ones away rest, a FOK that cannot fill is killed', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow(61));
    await ready();
    const events = listen(helper.getNode('events'));
    const fills = listen(helper.getNode('fills'));
    const po = helper.getNode('po');
    const away = Math.round((await priceNow()) * 80) / 100;
    const send = (order: Record<string, unknown>) => po.receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 10, ...order } });
    send({ orderType: 'REL', auxPrice: 0.05 });
    await waitFor(() => fills.length === 1, 5000, 'the REL across the spread filled');
    send({ orderType: 'MIDPRICE' });
    await waitFor(() => fills.length === 2, 5000, 'the MIDPRICE filled');
    send({ orderType: 'PEG MID' });
    await waitFor(() => fills.length === 3, 5000, 'the PEG MID without an offset filled at the midpoint');
    send({ orderType: 'LMT', lmtPrice: away, tif: 'FOK' });
    await waitFor(() => events.some((m) => m.payload.orderType === 'LMT' && m.payload.status === 'Cancelled'), 5000, 'the FOK killed');
    send({ orderType: 'MIDPRICE', lmtPrice: away });
    send({ orderType: 'REL', auxPrice: 0, lmtPrice: away });
    await waitFor(() => simOf().engine.openOrders().length === 2, 5000, 'the capped MIDPRICE and REL resting');
    assert.deepEqual(simOf().engine.openOrders().map((o) => o.order.orderType).sort(), ['MIDPRICE', 'REL']);
    assert.deepEqual(fills.map((m) => m.payload.shares), [10, 10, 10]);
    assert.ok(events.some((m) => m.payload.orderType === 'REL' && m.payload.status === 'Filled'));
    po.receive({ cancel: 'all' });
    await waitFor(() => simOf().engine.openOrders().length === 0, 5000, 'cancelled');
    const caught = listen(helper.getNode('caught'));
    send({ orderType: 'REL' });
    await waitFor(() => caught.length === 1, 5000, 'the refusal');
    assert.match(String(caught[0].error.message), /msg\.order\.auxPrice is required for REL orders/);
    assert.equal(simOf().engine.openOrders().length, 0, 'nothing sent');
  });

  it("takes the type and the offset from the node's settings; msg.order's tif FOK over them", async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow(62, { symbol: 'AAPL', action: 'BUY', quantity: 5, orderType: 'REL', auxPrice: '0.05' }));
    await ready();
    const fills = listen(helper.getNode('fills'));
    const po = helper.getNode('po');
    po.receive({ payload: 'go' });
    await waitFor(() => fills.length === 1, 5000, 'the configured REL filled');
    assert.equal(fills[0].payload.shares, 5);
    // msg.order wins over the settings: a market order, whole at once.
    po.receive({ order: { orderType: 'MKT', tif: 'FOK' } });
    await waitFor(() => fills.length === 2, 5000, 'the FOK market order filled');
  });

  it("sends the settings' Adaptive algo and msg.order's conditions: the simulator holds a time-conditioned order PreSubmitted, then fills it", async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow(63, { symbol: 'AAPL', algoStrategy: 'Adaptive', adaptivePriority: 'Urgent' }));
    await ready();
    const events = listen(helper.getNode('events'));
    const fills = listen(helper.getNode('fills'));
    const po = helper.getNode('po');
    po.receive({ order: { action: 'BUY', totalQuantity: 3 } });
    await waitFor(() => fills.length === 1, 5000, 'the Adaptive market order filled');
    const at = new Date(Date.now() + 1500);
    const time = `${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, '0')}${String(at.getUTCDate()).padStart(2, '0')}-${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}:${String(at.getUTCSeconds()).padStart(2, '0')}`;
    po.receive({ order: { action: 'BUY', totalQuantity: 4, algoStrategy: 'none', conditions: [{ type: 'time', time }] } });
    await waitFor(() => events.some((m) => m.payload.totalQuantity === 4 && m.payload.status === 'PreSubmitted'), 5000, 'held by its condition');
    assert.equal(fills.length, 1);
    await waitFor(() => fills.length === 2, 8000, 'released at its time and filled');
    assert.equal(fills[1].payload.shares, 4);
    // What went to TWS, as the journal wrote each decision.
    await waitFor(() => existsSync(journals.last) && readFileSync(journals.last, 'utf8').split('\n').filter((l) => l.includes('"decision"')).length === 2, 5000, 'two decisions journaled');
    const sentOrders = readFileSync(journals.last, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'decision').map((l) => l.order);
    assert.deepEqual([sentOrders[0].algoStrategy, sentOrders[0].algoParams], ['Adaptive', [{ tag: 'adaptivePriority', value: 'Urgent' }]]);
    assert.equal(sentOrders[1].algoStrategy, undefined, 'msg.order.algoStrategy "none": no algo, whatever the settings say');
    assert.deepEqual(sentOrders[1].conditions.map((c: { time: string; isMore: boolean }) => [c.time, c.isMore]), [[time, true]]);
  });

  it('fills in the contract id a price condition needs: the order\'s own from its qualification, another symbol\'s by its key; an instrument TWS cannot find is refused naming the condition', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow(64));
    await ready();
    const events = listen(helper.getNode('events'));
    const fills = listen(helper.getNode('fills'));
    const caught = listen(helper.getNode('caught'));
    const po = helper.getNode('po');
    // AAPL at or below 1: never met, so the order waits.
    po.receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 2, conditions: [{ type: 'price', isMore: false, price: 1 }] } });
    await waitFor(() => events.some((m) => m.payload.totalQuantity === 2 && m.payload.status === 'PreSubmitted'), 5000, `held by its condition on AAPL (errors: ${caught.map((m) => m.error.message).join('; ')})`);
    // MSFT at or above 1, named by its symbol: met at once.
    po.receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 3, conditions: [{ type: 'price', symbol: 'MSFT', isMore: true, price: 1 }] } });
    await waitFor(() => fills.some((m) => m.payload.shares === 3), 5000, `released by MSFT's price (errors: ${caught.map((m) => m.error.message).join('; ')})`);
    po.receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 4, conditions: [{ type: 'price', symbol: 'NOSUCH', isMore: true, price: 1 }] } });
    await waitFor(() => caught.length === 1, 5000, 'the refusal');
    assert.match(String(caught[0].error.message), /msg\.order\.conditions\[0\] watches NOSUCH.*whose contract id TWS could not give \(unknown contract.*give msg\.order\.conditions\[0\]\.conId/);
    await waitFor(() => existsSync(journals.last) && readFileSync(journals.last, 'utf8').split('\n').filter((l) => l.includes('"decision"')).length === 2, 5000, 'two decisions journaled');
    const sent = readFileSync(journals.last, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'decision').map((l) => l.order);
    assert.deepEqual(sent.map((o) => o.conditions.map((c: { conId: number }) => c.conId)), [[265598], [272093]], "AAPL's and MSFT's contract ids");
    assert.equal(simOf().engine.openOrders().length, 1, 'the AAPL-conditioned order waits; nothing of the refused one was sent');
  });

  it('modifies the algo and the conditions of a working order (TWS takes them): new conditions release a held order, "none" takes the algo off; algoParams alone are refused by name', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow(65));
    await ready();
    const events = listen(helper.getNode('events'));
    const caught = listen(helper.getNode('caught'));
    const po = helper.getNode('po');
    const away = Math.round((await priceNow()) * 70) / 100;
    // Held by a time condition a day away, Adaptive.
    const later = new Date(Date.now() + 86_400_000);
    const time = `${later.getUTCFullYear()}${String(later.getUTCMonth() + 1).padStart(2, '0')}${String(later.getUTCDate()).padStart(2, '0')}-12:00:00`;
    po.receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 6, orderType: 'LMT', lmtPrice: away, algoStrategy: 'Adaptive', algoParams: { adaptivePriority: 'Patient' }, conditions: [{ type: 'time', time }] } });
    await waitFor(() => events.some((m) => m.payload.totalQuantity === 6 && m.payload.status === 'PreSubmitted'), 5000, 'held by its condition');
    const orderId = events.find((m) => m.payload.totalQuantity === 6)!.payload.orderId as number;
    // MSFT at or above 1: met at once, so the order works (and rests, far below the market).
    po.receive({ order: { orderId, conditions: [{ type: 'price', symbol: 'MSFT', isMore: true, price: 1 }], algoStrategy: 'Adaptive', algoParams: { adaptivePriority: 'Urgent' } } });
    await waitFor(() => events.some((m) => m.payload.orderId === orderId && m.payload.status === 'Submitted'), 5000, `released by its new condition (errors: ${caught.map((m) => m.error.message).join('; ')})`);
    const live = simOf().engine.openOrders().find((o) => o.order.orderId === orderId);
    assert.deepEqual(live?.order.conditions?.map((c) => (c.kind === 'price' ? c.symbol : c.kind)), ['MSFT'], "the simulator watches MSFT's price now");
    po.receive({ order: { orderId, algoStrategy: 'none' } });
    po.receive({ order: { orderId, algoParams: { adaptivePriority: 'Normal' } } });
    await waitFor(() => caught.length === 1, 5000, 'the refusal');
    assert.match(String(caught[0].error.message), /msg\.order modifies order \d+: give msg\.order\.algoStrategy with its algoParams/);
    await waitFor(() => existsSync(journals.last) && readFileSync(journals.last, 'utf8').split('\n').filter((l) => l.includes('"decision"')).length === 3, 5000, 'three decisions journaled');
    const sent = readFileSync(journals.last, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'decision').map((l) => l.order);
    assert.deepEqual(sent.map((o) => [o.algoStrategy, o.algoParams?.[0]?.value, o.conditions?.map((c: { conId?: number; time?: string }) => c.conId ?? c.time)]), [
      ['Adaptive', 'Patient', [time]],
      ['Adaptive', 'Urgent', [272093]],
      [undefined, undefined, [272093]],
    ]);
    po.receive({ cancel: 'all' });
  });

  it("places a currency order below IDEALPRO's minimum as TWS takes it: an odd lot, TWS's warning logged, no error, filled", async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow(67));
    await ready();
    const fills = listen(helper.getNode('fills'));
    const caught = listen(helper.getNode('caught'));
    helper.getNode('po').receive({ topic: 'EUR:CASH:IDEALPRO:USD', order: { action: 'BUY', totalQuantity: 1000, orderType: 'MKT' } });
    await waitFor(() => fills.length === 1, 5000, 'the odd lot filled');
    assert.equal(fills[0].payload.shares, 1000);
    const logged = (helper as unknown as { log(): { args: unknown[][] } }).log().args.map((a) => String((a[0] as { msg?: unknown }).msg ?? ''));
    assert.ok(logged.some((m) => /below the EUR 20000 IdealPro minimum and will be routed as an odd lot order/.test(m)), 'the warning is in the log');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(caught, [], 'a warning, not an error');
  });
});
