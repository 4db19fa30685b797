/**
 * A bond's accrued interest in the account, through the real client: the buyer pays the interest
 * accrued since the last coupon on top of the price, the holder is paid each coupon in cash, and the
 * interest accrued on the bonds held is part of the net liquidation value. The reference: the 10-year
 * note's 4.5% coupon, half of it every 15 May and 15 November, accrued actual/actual.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventName, OrderAction, OrderType, SecType, type CommissionReport, type Contract, type Execution } from '@stoqey/ib';
import { connectApi, startSimulator, waitFor, type ApiClient } from './harness';

const NOTE: Contract = { symbol: '91282CJJ7', secType: SecType.BOND, exchange: 'SMART', currency: 'USD' };
const BONDS = 10;
const HALF_COUPON = (1000 * 4.5) / 100 / 2;
const DAY = 86_400_000;

/** The calendar day in New York, as days since the epoch. */
function nyDay(time: number): number {
  const [m, d, y] = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(time).split('/').map(Number);
  return Date.UTC(y, m - 1, d) / DAY;
}

/** A plain reference: one bond's interest accrued since the last 15 May or 15 November. */
function accrued(time: number): number {
  const day = nyDay(time);
  const year = new Date(day * DAY).getUTCFullYear();
  const dates = [year - 1, year, year + 1].flatMap((y) => [Date.UTC(y, 4, 15) / DAY, Date.UTC(y, 10, 15) / DAY]).sort((a, b) => a - b);
  const last = Math.max(...dates.filter((d) => d <= day));
  const next = Math.min(...dates.filter((d) => d > day));
  return (HALF_COUPON * (day - last)) / (next - last);
}

async function values(client: ApiClient): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let downloaded = false;
  const onValue = (key: string, value: string, currency: string) => seen.set(`${key} ${currency}`, Number(value));
  const onEnd = () => (downloaded = true);
  client.api.on(EventName.updateAccountValue, onValue);
  client.api.on(EventName.accountDownloadEnd, onEnd);
  client.api.reqAccountUpdates(true, 'DU1234567');
  await waitFor(() => downloaded, 'ACCT_DOWNLOAD_END');
  client.api.reqAccountUpdates(false, 'DU1234567');
  client.api.off(EventName.updateAccountValue, onValue);
  client.api.off(EventName.accountDownloadEnd, onEnd);
  return seen;
}

test('a bond bought pays its accrued interest, earns its coupon, and its accrued interest counts in net liquidation', async () => {
  // A Tuesday 10:00 in New York, in the Treasury market's hours; the next coupon is 15 May 2027.
  const start = Date.UTC(2026, 11, 1, 15, 0);
  const sim = await startSimulator({ startingCash: 100_000, startTime: start });
  try {
    const client = await connectApi(sim, 1);
    const id = client.nextValidId++;
    let fill: { price: number; time: number; execId: string } | null = null;
    let commission = Number.NaN;
    client.api.on(EventName.execDetails, (_reqId: number, _contract: Contract, execution: Execution) => {
      if (execution.orderId === id) fill = { price: execution.price ?? 0, time: Date.now(), execId: execution.execId ?? '' };
    });
    client.api.on(EventName.commissionReport, (report: CommissionReport) => {
      if (fill && report.execId === fill.execId) commission = report.commission ?? 0;
    });
    client.api.placeOrder(id, NOTE, { action: OrderAction.BUY, totalQuantity: BONDS, orderType: OrderType.MKT, transmit: true });
    await waitFor(() => Number.isFinite(commission), 'the fill and its commission');
    const price = fill!.price;
    const paidInterest = BONDS * accrued(start);
    assert.ok(paidInterest > 0 && paidInterest < BONDS * HALF_COUPON, `some interest accrued since 15 November: ${paidInterest}`);

    const bought = await values(client);
    const cash = 100_000 - BONDS * price * 10 - commission - paidInterest;
    assert.ok(Math.abs(bought.get('TotalCashValue USD')! - cash) < 0.011, `cash paid the price and the accrued interest: ${bought.get('TotalCashValue USD')} vs ${cash}`);
    const marketValue = bought.get('GrossPositionValue USD')!;
    assert.ok(Math.abs(marketValue - BONDS * 10 * price) < BONDS * 10 * 0.5, `the position at its price, without the interest: ${marketValue}`);
    assert.ok(
      Math.abs(bought.get('NetLiquidation USD')! - (bought.get('TotalCashValue USD')! + marketValue + paidInterest)) < 0.011,
      `net liquidation counts the accrued interest held: ${bought.get('NetLiquidation USD')}`,
    );

    // 170 days on: past the coupon of 15 May 2027, paid in cash; the interest accrues again from then.
    sim.advanceClock(170 * DAY);
    const later = await values(client);
    const now = start + 170 * DAY;
    assert.ok(Math.abs(later.get('TotalCashValue USD')! - (cash + BONDS * HALF_COUPON)) < 0.011, `the coupon paid: ${later.get('TotalCashValue USD')} vs ${cash + BONDS * HALF_COUPON}`);
    const held = later.get('NetLiquidation USD')! - later.get('TotalCashValue USD')! - later.get('GrossPositionValue USD')!;
    assert.ok(Math.abs(held - BONDS * accrued(now)) < 0.011, `the accrued interest since 15 May counts: ${held} vs ${BONDS * accrued(now)}`);
    assert.deepEqual(client.errors, []);
    client.disconnect();
  } finally {
    await sim.close();
  }
});
