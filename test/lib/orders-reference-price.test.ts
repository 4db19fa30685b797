/**
 * The reference price order nodes read from a message (notional limits, protective levels): a quote's
 * last or mid, not its close, which is the previous session's (ib-market-data sends a quote with both,
 * as TWS does); a bar's close; a number payload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referencePrice } from '../../lib/orders/message-inputs';

test("a quote's last, else its mid; a bar's close; a number payload", () => {
  // ib-market-data's quote on a day up 1.2 %: stop-order checked a stop 1 % under the last against 189.36.
  const quote = { time: 1, bid: 191.65, ask: 191.67, last: 191.66, bidSize: 1100, askSize: 300, lastSize: 600, volume: 17_093_775, open: 189.36, high: 192.07, low: 188.65, close: 189.36 };
  assert.equal(referencePrice(quote), 191.66);
  assert.equal(referencePrice({ ...quote, last: null }), 191.66, 'no trade yet (forex): the midpoint');
  assert.equal(referencePrice({ ...quote, last: null, bid: null, ask: null }), 189.36, 'nothing of today: the previous close');
  assert.equal(referencePrice({ time: 1, open: 10, high: 12, low: 9, close: 11, volume: 100 }), 11);
  assert.equal(referencePrice(42.5), 42.5);
  assert.equal(referencePrice({ price: 7 }), 7);
  assert.equal(referencePrice('snapshot'), null);
});
