import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGiven, messageOrSetting } from '../../lib/messages/setting';

test('message value, else node setting, else default; undefined, null and an empty field are not given', () => {
  assert.equal(messageOrSetting('5 mins', '1 day', '1 hour'), '5 mins');
  assert.equal(messageOrSetting(undefined, '1 day', '1 hour'), '1 day');
  assert.equal(messageOrSetting(null, '1 day', '1 hour'), '1 day');
  assert.equal(messageOrSetting('', '', '1 hour'), '1 hour', 'an empty editor field falls through to the default');
  assert.equal(messageOrSetting(false, true, true), false, 'false and 0 are values');
  assert.equal(messageOrSetting(0, 5, 1), 0);
  assert.deepEqual([isGiven(undefined), isGiven(null), isGiven(''), isGiven(0), isGiven('x')], [false, false, false, true, true]);
});
