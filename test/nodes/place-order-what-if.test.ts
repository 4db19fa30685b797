/**
 * place-order's what-if (msg.order.whatIf, or the node's setting) in a real Node-RED runtime against the
 * simulator through the real @stoqey/ib client: the margins and commission come out of output 1, nothing
 * is placed and nothing journaled as sent; the real order then takes the previewed margin and commission.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { helper, loadFlow, startServer, stopServer, waitFor } from '../helpers/node-red';
import { JournalFiles, listen, PLACE_ORDER_TYPES, placeOrderFlow, ready, simOf } from '../helpers/place-order-flow';

const journals = new JournalFiles('place-order-what-if');

function flow(clientId: number, node: Record<string, unknown> = {}) {
  return placeOrderFlow(journals, { mode: 'simulator', clientId }, { orderRef: 'preview', symbol: 'AAPL', ...node });
}

function decisions(): Array<Record<string, any>> {
  if (!existsSync(journals.last)) return [];
  return readFileSync(journals.last, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.type === 'decision');
}

describe('place-order what-if', () => {
  before(startServer);
  after(async () => {
    await stopServer();
    journals.remove();
  });
  afterEach(() => helper.unload());

  it('previews the margin and commission on output 1 and places nothing; the real order then takes what it previewed', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow(71));
    await ready();
    const events = listen(helper.getNode('events'));
    const fills = listen(helper.getNode('fills'));
    const po = helper.getNode('po');
    const order = { action: 'BUY', totalQuantity: 100, orderType: 'MKT' };
    po.receive({ order: { ...order, whatIf: true } });
    await waitFor(() => events.length === 1, 8000, 'the what-if answer');
    const preview = events[0].payload;
    assert.equal(preview.whatIf, true);
    assert.equal(events[0].topic, 'AAPL');
    assert.deepEqual(events[0].order, { ...order, whatIf: true });
    assert.equal(preview.initMarginBefore, 0, 'nothing held yet');
    assert.ok(preview.initMarginChange > 100 * 50 && preview.initMarginChange < 100 * 1000, `Reg T initial margin of 100 AAPL: ${preview.initMarginChange}`);
    assert.ok(Math.abs(preview.maintMarginAfter - preview.initMarginAfter / 2) < 0.02, 'maintenance 25% against initial 50%');
    assert.ok(preview.commission > 0, `commission ${preview.commission}`);
    assert.equal(preview.commissionCurrency, 'USD');
    // Nothing placed: no order at the simulator, no execution, no order event, no decision journaled.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(simOf().engine.openOrders().length, 0);
    assert.equal(simOf().engine.executions().length, 0);
    assert.equal(events.length, 1, 'no order event follows a preview');
    assert.equal(fills.length, 0);
    assert.deepEqual(decisions(), [], 'a what-if is not an order sent');

    po.receive({ order });
    await waitFor(() => fills.length === 1, 8000, 'the real order filled');
    const margin = simOf().engine.margin();
    assert.ok(margin, 'the simulator checks margin');
    assert.ok(Math.abs(margin.initialMargin - preview.initMarginAfter) / preview.initMarginAfter < 0.01, `charged ${margin.initialMargin} against previewed ${preview.initMarginAfter}: the same model, within the quote's move`);
    await waitFor(() => fills[0].payload.commission > 0, 3000, 'the commission');
    assert.equal(fills[0].payload.commission, preview.commission, 'the commission it previewed');
    assert.equal(decisions().length, 1, 'one order sent, journaled');
  });

  it('the What-if setting previews every order; msg.order.whatIf false places one for real; a what-if refuses a target', async () => {
    await loadFlow(PLACE_ORDER_TYPES, flow(72, { whatIf: true, action: 'SELL', quantity: 10 }));
    await ready();
    const events = listen(helper.getNode('events'));
    const fills = listen(helper.getNode('fills'));
    const caught = listen(helper.getNode('caught'));
    const po = helper.getNode('po');
    po.receive({ payload: 'go' });
    await waitFor(() => events.length === 1, 8000, 'the preview');
    assert.equal(events[0].payload.whatIf, true);
    assert.equal(simOf().engine.openOrders().length, 0);
    po.receive({ order: { whatIf: false } });
    await waitFor(() => fills.length === 1, 8000, 'the real order filled');
    assert.equal(fills[0].payload.side, 'SELL');
    po.receive({ order: { targetQuantity: 5, whatIf: true } });
    await waitFor(() => caught.length === 1, 5000, 'the refusal');
    assert.match(String(caught[0].error.message), /msg\.order\.whatIf previews one explicit order/);
  });
});
