/**
 * Buying power: the engine refuses what the account cannot pay for, with IB's error 201 text, when the
 * order is placed (at the signal bar's close) and again at the fill (at the fill price). A series where
 * a 1000-share strategy cannot always afford its entry rejects exactly the entries a plain reference
 * computes, in batch and in a replay; a Reg T account affords twice as much; a cash account never goes
 * short; reducing orders always pass; futures need their initial margin only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runBatchBacktest } from '../../lib/broker/batch-backtest';
import type { BacktestOptions } from '../../lib/backtest/types';
import type { Bar, OrderEvent, OrderIntent } from '../../lib/messages';
import { FillEngine } from '../../lib/fills/fill-engine';
import { ibFixed } from '../../lib/fills/commission';
import { twsErrorCode } from '../../lib/fills/reasons';
import { replayTargets } from '../helpers/replay';

const DAY = 86_400_000;
const KEY = 'XYZ';
const SHARES = 1000;

/**
 * 240 daily bars swinging between about 65 and 135, each opening a little away from the last close
 * (up to 4 either way), so an entry that fitted at the close can miss at the next open.
 */
function swingBars(): Bar[] {
  const bars: Bar[] = [];
  let previous = 100;
  for (let i = 0; i < 240; i++) {
    const close = Math.round((100 + 35 * Math.sin(i / 7)) * 100) / 100;
    const open = Math.round((previous + (((i * 37) % 11) - 5) * 0.8) * 100) / 100;
    bars.push({ time: Date.UTC(2024, 0, 1) + i * DAY, open, high: Math.max(open, close) + 0.5, low: Math.min(open, close) - 0.5, close, volume: 1000 });
    previous = close;
  }
  return bars;
}

/** Enter SHARES every 8 bars, exit 4 bars later. */
function swingIntents(n: number): Array<OrderIntent | null> {
  return Array.from({ length: n }, (_, i) => (i % 8 === 1 ? { targetQuantity: SHARES } : i % 8 === 5 ? { targetQuantity: 0 } : null));
}

interface ReferenceResult {
  rejectedAtPlacing: number[];
  rejectedAtFill: number[];
  entries: number[];
  finalEquity: number;
}

/**
 * The check written out for one long-only instrument: flat, an entry of q shares at price p with
 * commission c fits when initialRate x q x p <= cash - c (cash: rate 1, Reg T: 0.5); the placing check
 * uses the signal bar's close and the full order's commission, the fill check the next bar's open.
 * IB fixed: USD 0.005 a share, at least USD 1.00, at most 1% of the value.
 */
function reference(bars: Bar[], intents: Array<OrderIntent | null>, cash0: number, rate: number): ReferenceResult {
  const commission = (q: number, p: number) => Math.min(Math.max(q * 0.005, 1), q * p * 0.01);
  let cash = cash0;
  let held = 0;
  let pending: 'buy' | 'sell' | null = null;
  const result: ReferenceResult = { rejectedAtPlacing: [], rejectedAtFill: [], entries: [], finalEquity: 0 };
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!;
    if (pending === 'buy') {
      const c = commission(SHARES, bar.open);
      if (rate * SHARES * bar.open <= cash - c) {
        cash -= SHARES * bar.open + c;
        held = SHARES;
        result.entries.push(i);
      } else result.rejectedAtFill.push(i);
    } else if (pending === 'sell') {
      cash += SHARES * bar.open - commission(SHARES, bar.open);
      held = 0;
    }
    pending = null;
    const target = intents[i]?.targetQuantity;
    if (target === SHARES && held === 0) {
      if (rate * SHARES * bar.close <= cash - commission(SHARES, bar.close)) pending = 'buy';
      else result.rejectedAtPlacing.push(i);
    } else if (target === 0 && held > 0) pending = 'sell';
  }
  result.finalEquity = cash + held * bars[bars.length - 1]!.close;
  return result;
}

const cents = (x: number) => Math.round(x * 100);

describe('buying power in backtests (a series that cannot afford every entry)', () => {
  const bars = swingBars();
  const orders = swingIntents(bars.length);
  const options: BacktestOptions = { startingCash: 100_000, commission: 'ib-fixed', fillAt: 'next-open' };
  const expected = reference(bars, orders, options.startingCash, 1);

  it('the series has entries refused at placing and at the fill, and entries that fit', () => {
    assert.ok(expected.rejectedAtPlacing.length >= 2, `refused at placing: ${expected.rejectedAtPlacing.length}`);
    assert.ok(expected.rejectedAtFill.length >= 1, `refused at the fill: ${expected.rejectedAtFill.length}`);
    assert.ok(expected.entries.length >= 5, `entries: ${expected.entries.length}`);
  });

  for (const [name, run] of [
    ['batch', () => runBatchBacktest({ key: KEY, bars, orders, options })],
    ['replay', () => replayTargets({ key: KEY, bars, intents: orders, options })],
  ] as const) {
    it(`${name}: a cash account (the default) rejects exactly the entries the reference refuses`, () => {
      const summary = run();
      assert.equal(summary.metrics.rejectedOrders, expected.rejectedAtPlacing.length + expected.rejectedAtFill.length);
      assert.deepEqual(
        summary.trades.map((t) => t.entryTime),
        expected.entries.map((i) => bars[i]!.time),
      );
      assert.equal(cents(summary.metrics.finalEquity), cents(expected.finalEquity));
      // Never spends money it does not have.
      for (const e of summary.curve.equity) assert.ok(e > 0);
    });
  }

  it('batch and replay agree on everything', () => {
    const batch = runBatchBacktest({ key: KEY, bars, orders, options });
    const replayed = replayTargets({ key: KEY, bars, intents: orders, options });
    assert.deepEqual(replayed.metrics, batch.metrics);
    assert.deepEqual(replayed.trades, batch.trades);
  });

  it('a Reg T margin account buys up to twice its funds: nothing here is refused, 3000 shares are refused as the reference says', () => {
    const margin: BacktestOptions = { ...options, accountType: 'reg-t' };
    const summary = runBatchBacktest({ key: KEY, bars, orders, options: margin });
    const regT = reference(bars, orders, options.startingCash, 0.5);
    assert.equal(regT.rejectedAtPlacing.length + regT.rejectedAtFill.length, 0);
    assert.equal(summary.metrics.rejectedOrders, 0);
    assert.equal(cents(summary.metrics.finalEquity), cents(regT.finalEquity));
  });

  it('the fixture-style case that never lacks cash reports 0 rejected orders', () => {
    const small = orders.map((o) => (o?.targetQuantity === SHARES ? { targetQuantity: 100 } : o));
    assert.equal(runBatchBacktest({ key: KEY, bars, orders: small, options }).metrics.rejectedOrders, 0);
  });
});

describe('buying power in the fill engine', () => {
  const bar = (day: number, open: number, close = open): Bar => ({ time: day * DAY, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 1 });

  function engine(accountType: 'cash' | 'reg-t', extra: Partial<ConstructorParameters<typeof FillEngine>[0]> = {}) {
    const e = new FillEngine({ account: 'DBACKTEST', startingCash: 100_000, accountType, ...extra });
    const events: OrderEvent[] = [];
    e.on('order', (x) => events.push(x));
    e.onBar(KEY, bar(1, 100));
    return { e, events };
  }

  it('a 100k cash account cannot buy USD 1M of stock (it used to, and went to cash -900k)', () => {
    const { e, events } = engine('cash');
    e.submit({ orderId: 1, symbol: KEY, action: 'BUY', totalQuantity: 10_000, orderType: 'MKT' });
    e.onBar(KEY, bar(2, 100));
    assert.equal(e.cash(), 100_000);
    assert.equal(e.position(KEY), undefined);
    const rejected = events.find((x) => x.orderId === 1)!;
    assert.equal(rejected.status, 'Inactive');
    assert.equal(
      rejected.reason,
      'YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [100000.00 USD] MUST EXCEED THE INITIAL MARGIN [1000000.00 USD]',
    );
    assert.equal(twsErrorCode(rejected.reason!), 201);
  });

  it('Reg T: 50% initial margin, so 100k buys 2000 shares at 100 and not 2001', () => {
    const { e, events } = engine('reg-t');
    e.submit({ orderId: 1, symbol: KEY, action: 'BUY', totalQuantity: 2001, orderType: 'MKT' });
    e.submit({ orderId: 2, symbol: KEY, action: 'BUY', totalQuantity: 2000, orderType: 'MKT' });
    e.onBar(KEY, bar(2, 100));
    assert.equal(events.find((x) => x.orderId === 1)!.status, 'Inactive');
    assert.match(events.find((x) => x.orderId === 1)!.reason!, /EQUITY WITH LOAN VALUE \[100000\.00 USD\] MUST EXCEED THE INITIAL MARGIN \[100050\.00 USD\]/);
    assert.equal(e.position(KEY)!.quantity, 2000);
    assert.equal(e.cash(), -100_000);
    assert.deepEqual(
      { ...e.margin()! },
      { equityWithLoan: 100_000, initialMargin: 100_000, maintenanceMargin: 50_000, availableFunds: 0, excessLiquidity: 50_000, buyingPower: 0 },
    );
  });

  it('an order that fitted when placed is cancelled at the fill when the open gaps beyond the cash (error 201)', () => {
    const { e, events } = engine('cash');
    e.submit({ orderId: 1, symbol: KEY, action: 'BUY', totalQuantity: 1000, orderType: 'MKT' });
    e.onBar(KEY, bar(2, 100.01));
    const last = events.filter((x) => x.orderId === 1).at(-1)!;
    assert.equal(last.status, 'Cancelled');
    assert.match(last.reason!, /^YOUR ORDER IS NOT ACCEPTED\. .*\[100000\.00 USD\] MUST EXCEED THE INITIAL MARGIN \[100010\.00 USD\]$/);
    assert.equal(twsErrorCode(last.reason!), 201);
    assert.equal(e.cash(), 100_000);
  });

  it('commission counts: with IB fixed, 100k buys 999 shares at 100 (USD 99,900 + 5), not 1000', () => {
    const { e, events } = engine('cash', { commission: ibFixed() });
    e.submit({ orderId: 1, symbol: KEY, action: 'BUY', totalQuantity: 1000, orderType: 'MKT' });
    e.submit({ orderId: 2, symbol: KEY, action: 'BUY', totalQuantity: 999, orderType: 'MKT' });
    e.onBar(KEY, bar(2, 100));
    assert.equal(events.find((x) => x.orderId === 1)!.status, 'Inactive');
    assert.equal(e.position(KEY)!.quantity, 999);
  });

  it('a limit order is checked at its limit price, not at the last close', () => {
    const { e, events } = engine('cash');
    e.submit({ orderId: 1, symbol: KEY, action: 'BUY', totalQuantity: 1100, orderType: 'LMT', lmtPrice: 90, tif: 'GTC' });
    e.submit({ orderId: 2, symbol: KEY, action: 'BUY', totalQuantity: 1200, orderType: 'LMT', lmtPrice: 90, tif: 'GTC' });
    assert.equal(events.find((x) => x.orderId === 1)!.status, 'Submitted');
    assert.equal(events.find((x) => x.orderId === 2)!.status, 'Inactive');
  });

  it('a cash account never sells short; selling what it holds always passes', () => {
    const { e, events } = engine('cash');
    e.submit({ orderId: 1, symbol: KEY, action: 'SELL', totalQuantity: 10, orderType: 'MKT' });
    assert.equal(events.find((x) => x.orderId === 1)!.status, 'Inactive');
    assert.match(events.find((x) => x.orderId === 1)!.reason!, /^YOUR ORDER IS NOT ACCEPTED\. A CASH ACCOUNT CANNOT SELL SHORT/);
    e.submit({ orderId: 2, symbol: KEY, action: 'BUY', totalQuantity: 900, orderType: 'MKT' });
    e.onBar(KEY, bar(2, 100, 50));
    // Halved in price, the position still sells (a reducing order needs no buying power) ...
    e.submit({ orderId: 3, symbol: KEY, action: 'SELL', totalQuantity: 900, orderType: 'MKT' });
    // ... but not one share more.
    e.submit({ orderId: 4, symbol: KEY, action: 'SELL', totalQuantity: 901, orderType: 'MKT' });
    assert.equal(events.find((x) => x.orderId === 4)!.status, 'Inactive');
    e.onBar(KEY, bar(3, 50));
    assert.equal(e.position(KEY)!.quantity, 0);
  });

  it('Reg T sells short against 50% margin', () => {
    const { e } = engine('reg-t');
    e.submit({ orderId: 1, symbol: KEY, action: 'SELL', totalQuantity: 2000, orderType: 'MKT' });
    e.onBar(KEY, bar(2, 100));
    assert.equal(e.position(KEY)!.quantity, -2000);
  });

  it('futures need their initial margin only (5% of the notional unless the contract says), in either account', () => {
    const ES = 'ES:FUT:CME:USD:20261218';
    const e = new FillEngine({ account: 'DBACKTEST', startingCash: 100_000, accountType: 'cash' });
    const events: OrderEvent[] = [];
    e.on('order', (x) => events.push(x));
    e.onBar(ES, bar(1, 5000));
    // 8 contracts: notional 2,000,000, margin 100,000; 9 do not fit.
    e.submit({ orderId: 1, symbol: ES, action: 'BUY', totalQuantity: 9, orderType: 'MKT', multiplier: 50 });
    e.submit({ orderId: 2, symbol: ES, action: 'SELL', totalQuantity: 8, orderType: 'MKT', multiplier: 50 });
    assert.equal(events.find((x) => x.orderId === 1)!.status, 'Inactive');
    e.onBar(ES, bar(2, 5000));
    assert.equal(e.position(ES)!.quantity, -8);
    assert.equal(e.margin()!.initialMargin, 100_000);
  });
});
