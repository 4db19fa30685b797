/**
 * contract in a real Node-RED runtime against the simulator through the real client: details, symbol
 * search, an option chain, the 30-delta call 30 days out, and that option bought through place-order
 * with its multiplier of 100 and shown right by the account node; bad input ends in clear errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper, loadFlow, nextMessage, waitFor } from '../helpers/node-red';
import { listen, simulatorFlow, useSimulatorSuite } from '../helpers/simulator-flows';

const TYPES = ['ib-connect', 'ib-contract', 'ib-place-order', 'ib-account', 'ib-market-data'];

describe('contract', () => {
  const suite = useSimulatorSuite({ ticksPerSecond: 10 });

  it('details, symbol search and the option chain', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'k', type: 'ib-contract', connection: 'c', action: 'details', wires: [['out']] }], 91));
    const msgs = listen(helper.getNode('out'));
    const k = helper.getNode('k');
    k.receive({ topic: 'AAPL' });
    await waitFor(() => msgs.length >= 1, 10_000, 'details');
    assert.equal(msgs[0]!.payload.length, 1);
    assert.equal(msgs[0]!.contract.conId, 265598);
    assert.equal(msgs[0]!.topic, 'AAPL');
    k.receive({ contract: { symbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD' } });
    await waitFor(() => msgs.length >= 2, 10_000, 'futures details');
    assert.equal(msgs[1]!.payload.length, 2, 'both ES months');
    assert.deepEqual(msgs[1]!.contract, { symbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD' }, 'no single contract: msg.contract stays as asked');
    k.receive({ action: 'search', payload: 'AAP' });
    await waitFor(() => msgs.length >= 3, 10_000, 'search');
    const aapl = msgs[2]!.payload.find((m: { symbol: string }) => m.symbol === 'AAPL');
    assert.deepEqual(aapl.derivativeSecTypes, ['OPT']);
    k.receive({ action: 'chain', topic: 'SPY' });
    await waitFor(() => msgs.length >= 4, 10_000, 'chain');
    const chain = msgs[3]!.payload.chains.find((c: { exchange: string }) => c.exchange === 'SMART');
    assert.equal(chain.multiplier, 100);
    assert.ok(chain.expirations.length >= 9 && chain.strikes.length >= 40);
  });

  it('the 30-delta call 30 days out, bought through place-order, shown by the account with its multiplier', async () => {
    await loadFlow(
      TYPES,
      simulatorFlow(
        suite.sim,
        [
          { id: 'k', type: 'ib-contract', connection: 'c', action: 'option', symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD', optionRight: 'C', optionDays: 30, optionDelta: 0.3, wires: [['out', 'po']] },
          { id: 'po', type: 'ib-place-order', connection: 'c', action: 'BUY', quantity: 2, orderType: 'MKT', orderRef: 'options', wires: [['events'], ['fills']] },
          { id: 'events', type: 'helper' },
          { id: 'fills', type: 'helper' },
          { id: 'a', type: 'ib-account', connection: 'c', mode: 'stream', throttle: 100, wires: [['acct']] },
          { id: 'acct', type: 'helper' },
        ],
        92,
      ),
    );
    const picked = listen(helper.getNode('out'));
    const fills = listen(helper.getNode('fills'));
    const account = listen(helper.getNode('acct'));
    const events = listen(helper.getNode('events'));
    const connection = (helper.getNode('c') as unknown as { connection: { status(): { state: string }; broker: { orderBlock(): unknown } } }).connection;
    await waitFor(() => connection.status().state === 'connected' && connection.broker.orderBlock() === null, 10_000, 'ready for orders');
    helper.getNode('k').receive({ payload: 'go' });
    await waitFor(() => picked.length >= 1, 15_000, 'the picked option');
    const option = picked[0]!.payload;
    assert.equal(picked[0]!.contract.secType, 'OPT');
    assert.equal(option.right, 'C');
    assert.equal(option.multiplier, 100);
    assert.ok(Math.abs(option.days - 30) <= 7, `about 30 days out: ${option.days}`);
    assert.ok(Math.abs(option.delta - 0.3) < 0.1, `about 30 delta: ${option.delta}`);
    assert.ok(option.impliedVolatility > 0 && option.gamma > 0 && option.theta < 0, 'greeks');
    assert.ok(option.bid > 0 && option.ask > option.bid, `a quote: ${option.bid} / ${option.ask}`);
    assert.match(picked[0]!.topic, /^AAPL:OPT:SMART:USD:\d{8}:[\d.]+C$/);
    await waitFor(() => fills.length >= 1 && events.some((m) => m.payload.status === 'Filled'), 15_000, 'the fill');
    assert.deepEqual([fills[0]!.payload.side, fills[0]!.payload.shares], ['BUY', 2]);
    const filled = events.find((m) => m.payload.status === 'Filled')!.payload;
    assert.equal(filled.filled, 2);
    const price = filled.avgFillPrice;
    assert.ok(price > 0 && price < option.ask * 1.5, `filled at an option price, per share: ${price}`);
    const line = (m: Record<string, any>) => m.payload.positions?.find((p: any) => p.secType === 'OPT' && p.quantity === 2 && typeof p.marketValue === 'number');
    await waitFor(() => account.some(line), 15_000, 'the option position with its value');
    const position = line(account.filter(line).at(-1)!);
    assert.ok(Math.abs(position.avgCost - price * 100) < price * 100 * 0.02 + 5, `avgCost ${position.avgCost} is per contract: price ${price} x 100 (+ commission)`);
    assert.ok(Math.abs(position.marketValue - 2 * 100 * position.marketPrice) < 1e-6, 'marketValue = contracts x 100 x price');
    assert.ok(position.marketPrice < option.ask * 2, `marketPrice ${position.marketPrice} is per share, not per contract`);
  });

  it('market-data streams an option picked by contract with its greeks and implied volatility', async () => {
    await loadFlow(
      TYPES,
      simulatorFlow(
        suite.sim,
        [
          { id: 'k', type: 'ib-contract', connection: 'c', action: 'option', optionRight: 'P', optionDays: 10, optionDelta: 0.25, wires: [['md']] },
          { id: 'md', type: 'ib-market-data', connection: 'c', kind: 'quote', marketDataType: 'live', throttle: 0, wires: [['out']] },
        ],
        94,
      ),
    );
    const quotes = listen(helper.getNode('out'));
    helper.getNode('k').receive({ topic: 'MSFT' });
    await waitFor(() => quotes.some((m) => m.payload.greeks?.delta != null && m.payload.bid != null), 15_000, 'a quote with greeks');
    const quote = quotes.filter((m) => m.payload.greeks?.delta != null).at(-1)!;
    assert.match(quote.topic, /^MSFT:OPT:SMART:USD:\d{8}:[\d.]+P$/);
    const { greeks } = quote.payload;
    assert.ok(greeks.delta < 0 && Math.abs(greeks.delta + 0.25) < 0.1, `a 25-delta put: ${greeks.delta}`);
    assert.ok(greeks.impliedVolatility > 0.05 && greeks.impliedVolatility < 1, `implied volatility ${greeks.impliedVolatility}`);
    assert.ok(greeks.gamma > 0 && greeks.vega > 0 && greeks.theta < 0);
    assert.ok(greeks.underlyingPrice > 0 && greeks.modelPrice > 0);
  });

  it('bad input: unknown contract, no options, a bad action or delta end in clear errors', async () => {
    await loadFlow(TYPES, simulatorFlow(suite.sim, [{ id: 'k', type: 'ib-contract', connection: 'c', action: 'details', wires: [['out']] }], 93));
    const error = () => nextMessage(helper.getNode('caught'), 10_000).then((m) => String(m.error.message));
    const k = helper.getNode('k');
    let e = error();
    k.receive({ topic: 'NOSUCHSYM' });
    assert.match(await e, /no contract matches .*check symbol/);
    e = error();
    k.receive({ action: 'chain', topic: 'EUR:CASH:IDEALPRO:USD' });
    assert.match(await e, /has no options listed/);
    e = error();
    k.receive({ action: 'lookup', topic: 'AAPL' });
    assert.match(await e, /action "lookup" is not one of details, search, chain, option/);
    e = error();
    k.receive({ action: 'option', topic: 'AAPL', option: { right: 'C', days: 30, delta: 3 } });
    assert.match(await e, /msg.option.delta .* 3 must be between 0 and 1/);
    e = error();
    k.receive({ action: 'option', topic: 'AAPL', option: 'call' });
    assert.match(await e, /msg.option must be an object/);
    e = error();
    k.receive({ action: 'search', payload: '' });
    assert.match(await e, /needs a pattern/);
  });
});
