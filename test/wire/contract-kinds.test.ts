/**
 * Contracts of every kind through the real @stoqey/ib clients: option chains (reqSecDefOptParams),
 * options and their greeks on market data (tick option computation, consistent with the underlying),
 * a future's front month and CONTFUT, options on futures, the currency majors, an index that takes no
 * orders, crypto on PAXOS, a bond by CUSIP, and symbol search listing the derivative types.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type Contract, type ContractDetails, type Order } from '@stoqey/ib';
import { connectApi, connectNext, startSimulator, waitFor } from './harness';

test('option chain of AAPL: expiries and strikes per exchange, then one option qualified by its terms and by conId', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectNext(sim, 1);
    const chains = await client.ib.getSecDefOptParams('AAPL', '', SecType.STK, 265598);
    const smart = chains.find((c) => c.exchange === 'SMART');
    assert.ok(smart, `a SMART chain among ${chains.map((c) => c.exchange).join(',')}`);
    assert.equal(smart.tradingClass, 'AAPL');
    assert.equal(Number(smart.multiplier), 100);
    assert.ok(smart.expirations.length >= 9, `several expiries: ${smart.expirations.join(',')}`);
    assert.ok(smart.strikes.length >= 40, `many strikes: ${smart.strikes.length}`);
    assert.deepEqual([...smart.expirations].sort(), smart.expirations);
    const expiry = smart.expirations[4]!;
    const strike = smart.strikes[20]!;
    const [details] = await client.ib.getContractDetails({ symbol: 'AAPL', secType: SecType.OPT, exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: expiry, strike, right: 'C' as Contract['right'] });
    assert.ok(details);
    assert.equal(details.contract.secType, 'OPT');
    assert.equal(details.contract.strike, strike);
    assert.equal(details.contract.right, 'C');
    assert.equal(details.contract.multiplier, 100);
    assert.equal(details.contract.lastTradeDateOrContractMonth, expiry);
    assert.equal(details.underConId, 265598);
    assert.equal(details.underSymbol, 'AAPL');
    assert.equal(details.underSecType, 'STK');
    assert.match(details.contract.localSymbol ?? '', new RegExp(`^AAPL  ${expiry.slice(2)}C\\d{8}$`));
    const again = await client.ib.getContractDetails({ conId: details.contract.conId, exchange: 'SMART' });
    assert.equal(again[0]?.contract.strike, strike);
    const byOcc = await client.ib.getContractDetails({ localSymbol: details.contract.localSymbol, secType: SecType.OPT, exchange: 'SMART' });
    assert.equal(byOcc[0]?.contract.conId, details.contract.conId);
    const month = await client.ib.getContractDetails({ symbol: 'AAPL', secType: SecType.OPT, exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: expiry, right: 'P' as Contract['right'] });
    assert.equal(month.length, smart.strikes.length, 'every put strike of the expiry');
    assert.deepEqual(client.errors, []);
    assert.deepEqual(client.logger.problems, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

interface OptionTick {
  tickType: number;
  iv: number | undefined;
  delta: number | undefined;
  price: number | undefined;
  gamma: number | undefined;
  vega: number | undefined;
  theta: number | undefined;
  underlying: number | undefined;
}

test('option market data: bid below ask, greeks and implied volatility from tick option computation, put-call parity on the underlying', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectApi(sim, 2);
    const details: ContractDetails[] = [];
    let ended = false;
    client.api.on(EventName.contractDetails, (_id: number, d: ContractDetails) => details.push(d));
    client.api.on(EventName.contractDetailsEnd, () => (ended = true));
    client.api.reqSecDefOptParams(1, 'SPY', '', SecType.STK, 756733);
    let strikes: number[] = [];
    let expiries: string[] = [];
    client.api.on(EventName.securityDefinitionOptionParameter, (_id: number, exchange: string, _u: number, _tc: string, _m: string, e: string[], s: number[]) => {
      if (exchange === 'SMART') {
        expiries = e;
        strikes = s;
      }
    });
    await waitFor(() => strikes.length > 0, 'chain');
    const expiry = expiries[3]!;
    const strike = strikes[20]!;
    client.api.reqContractDetails(2, { symbol: 'SPY', secType: SecType.OPT, exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: expiry, strike });
    await waitFor(() => ended, 'contract details');
    assert.equal(details.length, 2, 'a call and a put');
    const call = details.find((d) => d.contract.right === 'C')!.contract;
    const put = details.find((d) => d.contract.right === 'P')!.contract;
    const prices = new Map<number, Map<number, number>>();
    const computations = new Map<number, OptionTick[]>();
    client.api.on(EventName.tickPrice, (id: number, tickType: number, price: number) => {
      if (!prices.has(id)) prices.set(id, new Map());
      prices.get(id)!.set(tickType, price);
    });
    client.api.on(EventName.tickOptionComputation, ((id: number, tickType: number, _attrib: number, iv?: number, delta?: number, price?: number, _pv?: number, gamma?: number, vega?: number, theta?: number, underlying?: number) => {
      computations.set(id, [...(computations.get(id) ?? []), { tickType, iv, delta, price, gamma, vega, theta, underlying }]);
    }) as never);
    client.api.reqMktData(10, { ...call, exchange: 'SMART' }, '', false, false);
    client.api.reqMktData(11, { ...put, exchange: 'SMART' }, '', false, false);
    client.api.reqMktData(12, { symbol: 'SPY', secType: SecType.STK, exchange: 'SMART', currency: 'USD' }, '', false, false);
    const model = (id: number) => computations.get(id)?.filter((c) => c.tickType === 13).at(-1);
    await waitFor(() => model(10) !== undefined && model(11) !== undefined && prices.get(12)?.has(1) === true && prices.get(10)?.has(1) === true, 'option ticks');
    const callModel = model(10)!;
    const putModel = model(11)!;
    const callBid = prices.get(10)!.get(1)!;
    const callAsk = prices.get(10)!.get(2)!;
    assert.ok(callBid < callAsk, `bid ${callBid} < ask ${callAsk}`);
    assert.ok(callModel.price! >= callBid && callModel.price! <= callAsk, `model ${callModel.price} within ${callBid}..${callAsk}`);
    assert.ok(callModel.delta! > 0.3 && callModel.delta! < 0.75, `an at-the-money call's delta: ${callModel.delta}`);
    assert.ok(putModel.delta! < -0.25 && putModel.delta! > -0.7, `an at-the-money put's delta: ${putModel.delta}`);
    assert.ok(Math.abs(callModel.delta! - putModel.delta! - 1) < 0.01, 'call delta - put delta = 1');
    assert.ok(callModel.iv! > 0.05 && callModel.iv! < 0.5, `a plausible implied volatility: ${callModel.iv}`);
    assert.ok(callModel.gamma! > 0 && callModel.vega! > 0 && callModel.theta! < 0, 'gamma and vega positive, theta negative');
    const spy = prices.get(12)!;
    const spyMid = (spy.get(1)! + spy.get(2)!) / 2;
    assert.ok(Math.abs(callModel.underlying! - spyMid) < 1, `the model's underlying ${callModel.underlying} is SPY's price ${spyMid}`);
    // Parity: C - P = S - K e^{-rT}, within a little time decay of the rate over the expiry.
    const parity = callModel.price! - putModel.price! - (callModel.underlying! - strike);
    assert.ok(parity > -0.1 && parity < strike * 0.04 * 0.25, `put-call parity carry ${parity}`);
    const bidIv = computations.get(10)!.find((c) => c.tickType === 10);
    const askIv = computations.get(10)!.find((c) => c.tickType === 11);
    assert.ok(bidIv && askIv && bidIv.iv! < askIv.iv!, `the bid implies less volatility than the ask (${bidIv?.iv}, ${askIv?.iv})`);
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('futures: front month for a FUT without expiry, CONTFUT details, options on futures', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectNext(sim, 3);
    const months = await client.ib.getContractDetails({ symbol: 'ES', secType: SecType.FUT, exchange: 'CME', currency: 'USD' });
    const front = [...months].sort((a, b) => (a.contract.lastTradeDateOrContractMonth ?? '').localeCompare(b.contract.lastTradeDateOrContractMonth ?? ''))[0]!;
    const continuous = await client.ib.getContractDetails({ symbol: 'ES', secType: SecType.CONTFUT, exchange: 'CME' });
    assert.equal(continuous.length, 1);
    assert.equal(continuous[0]!.contract.secType, 'CONTFUT');
    assert.equal(continuous[0]!.contract.conId, front.contract.conId);
    const snapshot = await client.ib.getMarketDataSnapshot({ symbol: 'ES', secType: SecType.FUT, exchange: 'CME', currency: 'USD' }, '', false);
    assert.ok(snapshot.size > 0, 'a FUT without expiry is the front month, not an ambiguous contract');
    const chains = await client.ib.getSecDefOptParams('ES', 'CME', SecType.FUT, front.contract.conId!);
    assert.equal(chains.length, 1);
    assert.equal(Number(chains[0]!.multiplier), 50);
    const fop = await client.ib.getContractDetails({ symbol: 'ES', secType: SecType.FOP, exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: chains[0]!.expirations[0], strike: chains[0]!.strikes[20], right: 'P' as Contract['right'] });
    assert.equal(fop.length, 1);
    assert.equal(fop[0]!.underConId, front.contract.conId);
    assert.equal(fop[0]!.contract.multiplier, 50);
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('currency majors, the SPX index (no orders), crypto on PAXOS, a Treasury note by CUSIP, symbol search', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectNext(sim, 4);
    for (const [symbol, currency, local] of [['GBP', 'USD', 'GBP.USD'], ['USD', 'JPY', 'USD.JPY'], ['EUR', 'GBP', 'EUR.GBP'], ['AUD', 'USD', 'AUD.USD']] as const) {
      const [d] = await client.ib.getContractDetails({ symbol, secType: SecType.CASH, exchange: 'IDEALPRO', currency });
      assert.equal(d?.contract.localSymbol, local);
      // IDEALPRO's lot rules: any whole unit trades, 25,000 of the base currency is its regular lot.
      assert.deepEqual([d?.sizeIncrement, d?.minSize, d?.suggestedSizeIncrement], [1, 1, 25_000], `${local}'s size rules`);
    }
    const [usdJpy] = await client.ib.getContractDetails({ localSymbol: 'USD.JPY', secType: SecType.CASH, exchange: 'IDEALPRO' });
    assert.equal(usdJpy?.minTick, 0.005);
    const [spx] = await client.ib.getContractDetails({ symbol: 'SPX', secType: SecType.IND, exchange: 'CBOE', currency: 'USD' });
    assert.equal(spx?.contract.conId, 416904);
    const spxData = await client.ib.getMarketDataSnapshot({ symbol: 'SPX', secType: SecType.IND, exchange: 'CBOE', currency: 'USD' }, '', false);
    assert.ok(spxData.has(4), 'an index has a last price');
    assert.ok(!spxData.has(1) && !spxData.has(2), 'and no bid or ask');
    const [btc] = await client.ib.getContractDetails({ symbol: 'BTC', secType: SecType.CRYPTO, exchange: 'PAXOS', currency: 'USD' });
    assert.equal(btc?.contract.exchange, 'PAXOS');
    assert.equal(btc?.minSize, 0.0001);
    const [bond] = await client.ib.getContractDetails({ secIdType: 'CUSIP', secId: '91282CJJ7', secType: SecType.BOND, exchange: 'SMART' } as Contract);
    assert.equal(bond?.contract.secType, 'BOND');
    assert.equal(bond?.cusip, '91282CJJ7');
    assert.equal(bond?.coupon, 4.5);
    assert.equal(bond?.maturity, '20331115');
    assert.deepEqual(bond?.secIdList?.find((t) => t.tag === 'CUSIP')?.value, '91282CJJ7');
    const [bySymbol] = await client.ib.getContractDetails({ symbol: '91282CJJ7', secType: SecType.BOND, exchange: 'SMART', currency: 'USD' });
    assert.equal(bySymbol?.contract.conId, bond?.contract.conId);
    const found = await client.ib.getMatchingSymbols('AAP');
    const aapl = found.find((f) => f.contract?.symbol === 'AAPL');
    assert.deepEqual(aapl?.derivativeSecTypes, ['OPT']);
    const es = await client.ib.getMatchingSymbols('ES');
    assert.deepEqual(es.find((f) => f.contract?.secType === 'FUT')?.derivativeSecTypes, ['FOP']);
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});

test('an order on an index is refused with 201 naming why; one on an option is accepted', async () => {
  const sim = await startSimulator();
  try {
    const client = await connectApi(sim, 5);
    const order: Order = { action: OrderAction.BUY, totalQuantity: 1, orderType: OrderType.MKT, transmit: true };
    client.api.placeOrder(client.nextValidId, { symbol: 'SPX', secType: SecType.IND, exchange: 'CBOE', currency: 'USD' }, order);
    await waitFor(() => client.errors.length > 0, 'refusal');
    assert.equal(client.errors[0]!.code, 201);
    assert.match(client.errors[0]!.message, /index .*takes no orders/);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
