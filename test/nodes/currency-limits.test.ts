/**
 * Risk limits are in the account's base currency: an account whose base is JPY (as TWS reports it in
 * the account summary, with $LEDGER:ALL's ExchangeRate of USD) trading a US stock, through the real
 * @stoqey/ib client against the simulator in a real Node-RED runtime. Counted in dollars, 100 AAPL
 * (about USD 20,000) passed a limit of JPY 1,000,000 that it is 3 times over.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { useSimulatorSuite } from '../helpers/simulator-flows';
import type { Connection } from '../../lib/connection/types';

const TYPES = ['ib-connect', 'ib-place-order'];
const dir = mkdtempSync(join(tmpdir(), 'currency-limits-'));
const YEN_PER_DOLLAR = 150;
const suite = useSimulatorSuite({ seed: 5, baseCurrency: 'JPY', exchangeRates: { USD: YEN_PER_DOLLAR, EUR: 162 } });

const connection = (): Connection => (helper.getNode('c') as unknown as { connection: Connection }).connection;
const position = () => suite.sim.engine.position('AAPL')?.quantity ?? 0;

function flow(maxOrderNotional: number): unknown[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'c', z: 'tab', type: 'ib-connect', mode: 'tws', host: '127.0.0.1', port: suite.sim.port, clientId: 81, journalPath: join(dir, 'journal.jsonl'), maxOrderNotional },
    { id: 'po', z: 'tab', type: 'ib-place-order', connection: 'c', orderRef: 'yen', wires: [['events'], []] },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

describe('limits in the base currency of a JPY account', () => {
  it('counts a USD order in yen at the rate TWS reports: 100 AAPL is refused under JPY 1,000,000, 20 pass', async () => {
    await loadFlow(TYPES, flow(1_000_000));
    await waitFor(() => connection().status().state === 'connected' && connection().broker.orderBlock() === null, 8000, 'ready for orders');
    await waitFor(() => connection().broker.currencyValue?.('USD')?.rate === YEN_PER_DOLLAR, 5000, 'the USD rate from the account summary');
    assert.deepEqual(connection().broker.currencyValue?.('EUR'), { base: 'JPY', rate: 162 });
    const ticks = await connection().liveData('quotes').next.getMarketDataSnapshot({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, '', false);
    const price = (ticks.get(4)?.value ?? ticks.get(1)?.value) as number;
    assert.ok(100 * price * YEN_PER_DOLLAR > 1_000_000 && 20 * price * YEN_PER_DOLLAR < 1_000_000, `AAPL at ${price}`);

    const error = nextMessage(helper.getNode('caught'), 5000);
    helper.getNode('po').receive({ topic: 'AAPL', payload: { close: price }, order: { action: 'BUY', totalQuantity: 100 } });
    const text = String(((await error).error as { message: string }).message);
    assert.match(text, /max order notional/);
    assert.match(text, /USD \(\d[\d.]* JPY at 150\)/, text);
    assert.match(text, /over the limit of 1000000 JPY/, text);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(position(), 0, 'nothing reached the simulator');

    helper.getNode('po').receive({ topic: 'AAPL', payload: { close: price }, order: { action: 'BUY', totalQuantity: 20 } });
    await waitFor(() => position() === 20, 5000, '20 AAPL bought');
  });
});
