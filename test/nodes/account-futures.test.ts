/**
 * account in a real Node-RED runtime against the simulator: a future's position after its per-position
 * P&L stream has updated it. marketPrice is per point, as TWS quotes it (market value / (contracts x
 * multiplier)); it used to be divided by the contracts only, 50 times too high for ES.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, waitFor } from '../helpers/node-red';
import { simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';
import type { ConnectionConfigNode } from '../../nodes/connection';
import { Universe } from '../../lib/sim/market/universe';

describe('account: futures', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 10, startingCash: 1_000_000 });

  it('an ES position keeps its price per point once its P&L stream updates it', async () => {
    await loadFlow(['ib-connect', 'ib-account'], simulatorFlow(suite.sim, [{ id: 'a', type: 'ib-account', connection: 'c', mode: 'stream', throttle: 100, wires: [['out']] }], 63));
    const msgs: Array<Record<string, any>> = [];
    helper.getNode('out').on('input', (m: Record<string, any>) => msgs.push(m));
    const connection = (helper.getNode('c') as unknown as ConnectionConfigNode).connection;
    await waitFor(() => msgs.length >= 1, 15_000, 'first streamed snapshot');
    const es = new Universe(Date.now()).instruments.find((i) => i.symbol === 'ES')!;
    const contract = { conId: es.conId, symbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: es.lastTradeDateOrContractMonth, multiplier: 50 };
    const orderId = await connection.broker.nextOrderId();
    connection.broker.placeOrder(orderId, contract as never, { action: 'BUY' as never, totalQuantity: 2, orderType: 'MKT' as never, tif: 'DAY' as never, transmit: true });
    const esWithPnl = (m: Record<string, any>) => m.payload.positions?.find((p: any) => p.symbol === 'ES' && p.quantity === 2 && typeof p.marketValue === 'number');
    await waitFor(() => msgs.some(esWithPnl), 15_000, 'the ES position with its P&L');
    const position = esWithPnl(msgs.filter(esWithPnl).at(-1)!);
    assert.ok(position.marketPrice > 1000 && position.marketPrice < 20_000, `marketPrice ${position.marketPrice} is per point`);
    assert.ok(Math.abs(position.marketValue - 2 * 50 * position.marketPrice) < 1e-6, 'marketValue = contracts x multiplier x price');
  });
});
