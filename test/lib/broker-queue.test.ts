/**
 * The outgoing queue's pacing: never more than the limit in any second, in order, nothing dropped,
 * held while paused (disconnected) and resumed from where it stopped. Checked on the send times the
 * queue itself records, not on how long the test takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutgoingQueue, type OrderRequest } from '../../lib/broker/outgoing-queue';
import { OrderIdAllocator } from '../../lib/broker/order-ids';

test('at most N messages in any second, in order, none dropped, held while paused', async () => {
  const sent: Array<{ item: OrderRequest; at: number }> = [];
  const queue = new OutgoingQueue((item) => sent.push({ item, at: Date.now() }), 50);
  queue.resume();
  for (let i = 1; i <= 120; i++) queue.push({ kind: 'place', orderId: i });
  assert.equal(sent.length, 50, 'the first 50 go at once');
  queue.pause();
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(sent.length, 50, 'nothing leaves while paused');
  queue.pushFront({ kind: 'cancel', orderId: 999 });
  queue.resume();
  const deadline = Date.now() + 5000;
  while (sent.length < 121 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(sent.length, 121, 'every message went out');
  assert.deepEqual(sent[50].item, { kind: 'cancel', orderId: 999 }, 'a resend goes first');
  assert.deepEqual(sent.filter((s) => s.item.kind === 'place').map((s) => s.item.orderId), Array.from({ length: 120 }, (_, i) => i + 1));
  for (let i = 50; i < sent.length; i++) assert.ok(sent[i].at - sent[i - 50].at >= 1000, `message ${i} keeps 50 per second`);
  queue.dispose();
});

test('queued items can be taken back before they leave', () => {
  const sent: OrderRequest[] = [];
  const queue = new OutgoingQueue((item) => sent.push(item), 10);
  queue.push({ kind: 'place', orderId: 1 });
  queue.push({ kind: 'place', orderId: 2 });
  assert.equal(queue.remove((item) => item.orderId === 1), 1);
  assert.equal(queue.has((item) => item.orderId === 2), true);
  queue.resume();
  assert.deepEqual(sent, [{ kind: 'place', orderId: 2 }]);
  assert.throws(() => new OutgoingQueue(() => {}, 0), /positive/);
  queue.dispose();
});

test('order ids only grow: a lower nextValidId after reconnect and a journal floor never bring one back', () => {
  const ids = new OrderIdAllocator(40);
  assert.throws(() => ids.take(), /nextValidId/);
  ids.observe(10);
  assert.deepEqual([ids.take(), ids.take()], [40, 41]);
  ids.observe(5);
  assert.equal(ids.take(), 42);
  ids.observe(100);
  assert.equal(ids.take(), 100);
  ids.used(150);
  assert.equal(ids.take(), 151);
});

test('order ids are reserved before placing: a reservation waits for the first nextValidId, and each id is claimed once', async () => {
  const ids = new OrderIdAllocator(7);
  const waiting = ids.reserve(1000, () => 'no id');
  ids.observe(3);
  const id = await waiting;
  assert.equal(id, 7);
  assert.equal(ids.claim(id), true);
  assert.equal(ids.claim(id), false, 'an id is placed under once');
  assert.equal(ids.claim(99), false, 'an id that was never reserved is refused');
  assert.equal(await ids.reserve(1000, () => 'no id'), 8);
  await assert.rejects(new OrderIdAllocator().reserve(5, () => 'TWS has not sent nextValidId'), /TWS has not sent nextValidId/);
});
