import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, readJournal, rememberFromJournal, defaultJournalPath } from '../../lib/journal/journal';

test('the journal appends one JSON line per entry and reads back what a restart needs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    const path = join(dir, 'sub', 'j.jsonl');
    let now = 1000;
    const journal = new Journal(path, () => now++);
    journal.append('decision', { orderId: 7, dedupKey: 'n1:m1:entry', result: 'sent', checks: [] });
    journal.append('decision', { orderId: 8, dedupKey: 'n1:m2:entry', result: 'refused' });
    journal.append('execution', { orderId: 9, execution: { price: Number.NaN } });
    journal.close();
    const again = new Journal(path, () => now++);
    again.append('order', { orderId: 7, event: { status: 'Filled' } });
    again.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    assert.deepEqual(JSON.parse(lines[0]), { time: 1000, type: 'decision', orderId: 7, dedupKey: 'n1:m1:entry', result: 'sent', checks: [] });
    assert.equal(JSON.parse(lines[2]).execution.price, 'NaN');
    // A torn last line (crash mid-write) is skipped.
    appendFileSync(path, '{"time":5,"type":"ord');
    const entries = readJournal(path);
    assert.equal(entries.length, 4);
    const memory = rememberFromJournal(entries);
    assert.deepEqual([...memory.sentByDedupKey], [['n1:m1:entry', 7]]);
    assert.equal(memory.maxOrderId, 9);
    assert.deepEqual(readJournal(join(dir, 'missing.jsonl')), []);
    // Reading only the tail starts at a whole line.
    const tail = readJournal(path, 120);
    assert.ok(tail.length >= 1 && tail.every((e) => typeof e.type === 'string'));
    assert.equal(defaultJournalPath('/u'), '/u/ib-algo-journal.jsonl');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lines queued for soon are batched, stay in time order, and are flushed on close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    const path = join(dir, 'soon.jsonl');
    const journal = new Journal(path);
    journal.appendSoon('order', { n: 1 });
    journal.appendSoon('order', { n: 2 });
    journal.append('decision', { n: 3 });
    journal.appendSoon('execution', { n: 4 });
    assert.deepEqual(readJournal(path).map((e) => e.n), [1, 2, 3], 'a decision writes what was queued before it');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(readJournal(path).map((e) => e.n), [1, 2, 3, 4]);
    journal.appendSoon('order', { n: 5 });
    journal.close();
    journal.appendSoon('order', { n: 6 });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(readJournal(path).map((e) => e.n), [1, 2, 3, 4, 5], 'flushed on close, nothing after');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable journal throws instead of losing the line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    // The journal's directory is a file: nothing can be created under it.
    const blocker = join(dir, 'file');
    appendFileSync(blocker, 'x');
    const journal = new Journal(join(blocker, 'j.jsonl'));
    assert.throws(() => journal.append('decision', {}), /ENOTDIR|EEXIST/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prepare() opens the file (and its directory) before the first line; one that cannot be opened throws, and so does the first append', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    const path = join(dir, 'nested', 'deeper', 'j.jsonl');
    const journal = new Journal(path, () => 1);
    journal.prepare();
    assert.equal(readFileSync(path, 'utf8'), '', 'the file exists, empty, before any order');
    journal.append('decision', { orderId: 1, result: 'sent' });
    journal.close();
    assert.equal(readJournal(path).length, 1);

    // A directory that cannot be made (a file is in the way).
    writeFileSync(join(dir, 'blocker'), 'not a directory');
    const blocked = new Journal(join(dir, 'blocker', 'j.jsonl'));
    assert.throws(() => blocked.prepare(), /ENOTDIR|EEXIST/);
    assert.throws(() => blocked.append('decision', { orderId: 2, result: 'sent' }), /ENOTDIR|EEXIST/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
