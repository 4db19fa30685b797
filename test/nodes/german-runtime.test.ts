/**
 * A runtime in German says lib's refusals in German (lib/messages/texts.ts through the catalogs'
 * ib-algo.lib texts, nodes/i18n.ts): an order over ib-connect's max order quantity, placed through the
 * real Node-RED test helper on the simulator, reaches a Catch node and place-order's status in the text
 * of locales/de, as do malformed orders, a signal risk-sizer cannot size, and a batch's bad msg.backtest
 * option in backtest-report; the same refusals in
 * an en-US runtime read lib's English (place-order.test.ts, and the last case here).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, nextMessage, runtimeLanguage, startServer, stopServer } from '../helpers/node-red';
import { errorOf, JournalFiles, PLACE_ORDER_TYPES, placeOrderFlow, ready, simOf } from '../helpers/place-order-flow';

const journals = new JournalFiles('german-runtime');

/** A Catch node's error text is the error's name and its message ("UserError: ..."). */
function says(error: string, text: string): void {
  assert.equal(error.replace(/^\w+: /, ''), text);
}

/** The status texts node `id` shows from now on. */
function statuses(id: string): string[] {
  const shown: string[] = [];
  helper.getNode(id).on('call:status', (call: { args: [{ text?: string }] }) => shown.push(String(call.args[0]?.text ?? '')));
  return shown;
}

/** A batch backtest-report with a Catch node, no connection. */
const REPORT_FLOW = [
  { id: 'tab', type: 'tab' },
  { id: 'report', z: 'tab', type: 'ib-backtest-report', wires: [[], [], [], []] },
  { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'caught', z: 'tab', type: 'helper' },
];
const BARS = [
  { time: 1735732800000, open: 100, high: 101, low: 99, close: 100.5, volume: 1000 },
  { time: 1735819200000, open: 100.5, high: 102, low: 100, close: 101.5, volume: 1000 },
];

describe('a German runtime', () => {
  before(async () => {
    await startServer();
    await runtimeLanguage('de');
  });
  after(async () => {
    await runtimeLanguage('en-US');
    await stopServer();
    journals.remove();
  });
  afterEach(() => helper.unload());

  it("refuses an order over ib-connect's max order quantity in German, in the Catch node's error and the status", async () => {
    await loadFlow(PLACE_ORDER_TYPES, placeOrderFlow(journals, { mode: 'simulator', clientId: 61, maxOrderQuantity: 10 }, {}));
    await ready();
    const shown = statuses('po');
    const error = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 20 } });
    says(await error, 'Maximale Order-Stückzahl: BUY 20 AAPL liegt über der Grenze von 10 je Order (Risikogrenzen von ib-connect)');
    assert.equal(shown.at(-1), 'Maximale Order-Stückzahl: BUY 20 AAPL l…');
    assert.equal(simOf().engine.openOrders().length + simOf().engine.executions().length, 0, 'nothing sent');
    // A malformed order names its field in German too, and the price an order type needs.
    const malformed = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: -5 } });
    says(await malformed, 'msg.order.totalQuantity muss eine positive Stückzahl sein, erhalten: -5');
    const noStop = errorOf();
    helper.getNode('po').receive({ topic: 'AAPL', order: { action: 'BUY', totalQuantity: 5, orderType: 'STP' } });
    says(await noStop, 'msg.order.auxPrice ist für STP-Orders nötig (der Stopp-Preis)');
  });

  it('says why risk-sizer cannot size a signal in German', async () => {
    await loadFlow(['ib-risk-sizer'], [
      { id: 'tab', type: 'tab' },
      { id: 'sizer', z: 'tab', type: 'ib-risk-sizer', method: 'risk', riskPercent: 1, stop: 'percent', stopPercent: 2, direction: 'long-only', wires: [[]] },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('sizer').receive({ topic: 'AAPL', signal: { side: 'BUY', reason: 'test', time: 1 }, payload: BARS[0] });
    const error = String(((await caught).error as { message: string }).message);
    assert.match(error, /: keine Equity, um nach Risiko je Trade zu bemessen: stellen Sie am risk-sizer eine Verbindung ein oder setzen Sie msg\.account\.equity$/);
  });

  it("names a batch's bad msg.backtest option in German, and in English once the runtime is en-US", async () => {
    await loadFlow(['ib-backtest-report'], REPORT_FLOW);
    const refuse = async () => {
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('report').receive({ payload: BARS, order: [null, null], backtest: { fillAt: 'noon' } });
      return String(((await caught).error as { message: string }).message);
    };
    says(await refuse(), 'msg.backtest.fillAt muss "next-open" oder "close" sein, erhalten: "noon"');
    await runtimeLanguage('en-US');
    try {
      says(await refuse(), 'msg.backtest.fillAt must be "next-open" or "close", got "noon"');
    } finally {
      await runtimeLanguage('de');
    }
  });
});
