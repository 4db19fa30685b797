/**
 * lib's texts (lib/messages/texts.ts): an error lib raises for a user carries its text's code and values,
 * and its message is the English with the values filled in, texts named as values said in turn.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { english, fillText, said, saidBy, TextError } from '../../lib/messages/texts';
import { withBacktestOverride } from '../../lib/backtest/options';
import { parseBarsText } from '../../lib/data/bar-file';
import { OrderRefusedError } from '../../lib/orders/errors';

it('fills each __name__ with its value and says a text given as a value', () => {
  assert.equal(english(said('bars.rowAt', { place: said('bars.place', { source: 'msg.payload', number: 3, index: 2 }), problem: said('bars.columnMissing', { column: 'close' }) })), 'msg.payload bar 3 (index 2): close is missing');
  assert.equal(fillText('__a__ and __b__', { a: 1 }, String), '1 and __b__', 'a name without a value stays');
});

it('raises a refusal with its code and values, its message the English', () => {
  const err = (() => {
    try {
      withBacktestOverride({ startingCash: 100_000, commission: 'none' }, { fillAt: 'noon' });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof TextError);
  assert.equal(err.message, 'msg.backtest.fillAt must be "next-open" or "close", got "noon"');
  assert.deepEqual(saidBy(err), { code: 'backtest.fillAt', values: { where: 'msg.backtest', value: '"noon"' } });
});

it('keeps where a bad bar is as a text of its own', () => {
  assert.throws(() => parseBarsText('[{"time": 1735732800000, "open": 1, "high": 2, "low": 1, "close": "x", "volume": 1}]', 'bars.json'), (err: Error) => {
    assert.equal(err.message, 'bars.json bar 1 (index 0): close is "x", not a number');
    assert.equal(saidBy(err)?.code, 'bars.rowAt');
    return true;
  });
});

it('an error given a plain string says nothing to translate', () => {
  assert.equal(saidBy(new OrderRefusedError('halt', 'trading halted: by hand')), null);
  assert.equal(saidBy(new Error('plain')), null);
});
