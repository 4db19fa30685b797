/**
 * Contract qualification through the real client against the simulator: one reqContractDetails per
 * contract (cached), unknown and ambiguous contracts named in the error, validation before TWS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IbSocketSession } from '../../lib/ib/session';
import { ContractCache } from '../../lib/ib/contracts';
import { findContracts } from '../../lib/ib/contract-lookup';
import { contractFromSettings, findMessageInstrument, messageInstrument } from '../../lib/messages/message-instrument';
import { createSimulator } from '../../lib/sim/server';
import type { Simulator } from '../../lib/sim/server/types';

describe('contract qualification', () => {
  let sim: Simulator;
  let session: IbSocketSession;
  before(async () => {
    sim = await createSimulator({ port: 0 });
    session = new IbSocketSession({ host: '127.0.0.1', port: sim.port, clientId: 21, allowLiveOrders: false, mode: 'tws' });
    session.start();
    await session.whenConnected(5000);
  });
  after(async () => {
    await session.stop();
    await sim.close();
  });

  it('qualifies once and serves the cache after; the key follows what was asked', async () => {
    const cache = new ContractCache(session);
    let requests = 0;
    session.api.on('contractDetailsEnd' as never, () => requests++);
    const [a, b] = await Promise.all([cache.qualify({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }), cache.qualify({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' })]);
    assert.equal(a, b);
    assert.equal(a.key, 'AAPL');
    assert.equal(a.contract.conId, 265598);
    assert.equal(a.contract.exchange, 'SMART');
    await cache.qualify({ symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' });
    assert.equal(requests, 1, 'one request for three qualifications');
    const fx = await cache.qualify({ symbol: 'EUR', secType: 'CASH' as never, exchange: 'IDEALPRO', currency: 'USD' });
    assert.equal(fx.key, 'EUR:CASH:IDEALPRO:USD');
  });

  it('unknown and ambiguous contracts are errors that name them', async () => {
    const cache = new ContractCache(session);
    await assert.rejects(cache.qualify({ symbol: 'NOSUCH', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }), /unknown contract NOSUCH STK SMART USD: TWS has no security definition/);
    await assert.rejects(cache.qualify({ symbol: 'EUR', secType: 'CASH' as never, exchange: 'IDEALPRO' }), /ambiguous contract EUR CASH IDEALPRO: \d+ contracts match .*add the exchange, currency, expiry or conId/);
  });

  it('a future without an expiry is its front month', async () => {
    const cache = new ContractCache(session);
    const front = await cache.qualify({ symbol: 'ES', secType: 'FUT' as never, exchange: 'CME', currency: 'USD' });
    const months = await findContracts(session, { symbol: 'ES', secType: 'FUT' as never, exchange: 'CME', currency: 'USD' });
    assert.equal(months.length, 2);
    const earliest = months.map((d) => d.contract.lastTradeDateOrContractMonth!).sort()[0];
    assert.equal(front.contract.lastTradeDateOrContractMonth, earliest);
    assert.equal(front.key, 'ES:FUT:CME:USD', 'the key follows what was asked');
  });

  it('contract input: msg.contract, then the node settings, then msg.topic; validated before TWS', () => {
    const settings = contractFromSettings({ symbol: 'msft', secType: 'STK', exchange: '', currency: '' });
    assert.deepEqual(settings, { symbol: 'MSFT', secType: 'STK', exchange: 'SMART', currency: 'USD' });
    assert.equal(contractFromSettings({ symbol: '' }), null);
    assert.equal(contractFromSettings({ symbol: 'EUR', secType: 'CASH' })!.exchange, 'IDEALPRO');
    assert.equal(contractFromSettings({ symbol: 'ES', secType: 'FUT', exchange: 'CME' })!.lastTradeDateOrContractMonth, undefined, 'a future without expiry: its front month');
    assert.throws(() => contractFromSettings({ symbol: 'ES', secType: 'FOP' }), /a FOP needs an expiry/);
    assert.throws(() => contractFromSettings({ symbol: 'AAPL', secType: 'OPT', expiry: '20261218' }), /an option needs a strike and a right/);
    assert.equal(messageInstrument({ contract: { symbol: 'ibm' }, topic: 'AAPL' }, settings, 'node').contract.symbol, 'IBM');
    assert.equal(messageInstrument({ topic: 'AAPL' }, settings, 'node').contract.symbol, 'MSFT');
    assert.equal(messageInstrument({ topic: 'EUR:CASH:IDEALPRO:USD' }, null, 'node').contract.secType, 'CASH');
    assert.throws(() => messageInstrument({}, null, 'node').contract, /no contract: set a symbol in the node, or send msg.topic/);
    assert.throws(() => messageInstrument({ contract: 'AAPL' }, null, 'node').contract, /msg.contract must be an object/);
    assert.throws(() => messageInstrument({ contract: { secType: 'STK' } }, null, 'node').contract, /contract in msg.contract has no symbol/);
    assert.throws(() => messageInstrument({ topic: 'AAPL:STK' }, null, 'node').contract, /malformed/);
    assert.throws(() => messageInstrument({ contract: { symbol: 'X', secType: 'WAR' } }, null, 'node').contract, /security type "WAR" is not supported/);
  });

  it('one instrument rule: a node acting on messages takes msg.topic before its own instrument, and keys it as every node does', () => {
    assert.deepEqual(messageInstrument({ topic: 'aapl' }, 'MSFT', 'message'), { key: 'AAPL', contract: { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' }, from: 'topic' });
    assert.equal(messageInstrument({}, 'MSFT', 'message').key, 'MSFT');
    assert.equal(messageInstrument({ topic: 'AAPL' }, 'MSFT', 'node').key, 'MSFT');
    assert.equal(messageInstrument({ contract: { symbol: 'eur', secType: 'CASH' }, topic: 'AAPL' }, null, 'message').key, 'EUR:CASH:IDEALPRO:USD');
    assert.equal(findMessageInstrument({ topic: '  ' }, '', 'message'), null);
    assert.equal(messageInstrument({ topic: 'ES:FUT:CME:USD' }, null, 'message').key, 'ES:FUT:CME:USD', 'a future without expiry: its front month');
    assert.throws(() => messageInstrument({ topic: 'ES:FOP:CME:USD' }, null, 'message'), /a FOP needs an expiry/);
    assert.equal(messageInstrument({ contract: { symbol: 'AAPL', secType: 'STK', multiplier: 0 } }, null, 'message').key, 'AAPL', "TWS's contracts say no multiplier with 0");
  });
});
