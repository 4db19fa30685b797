import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacingAbortedError, PacingQueue, IB_HISTORICAL_PACING, type PacingClock, type PacedRequest } from '../../lib/ib/pacing';

/** A clock the test moves by hand: timers run in time order. */
function manualClock() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let id = 0;
  const clock: PacingClock & { advance(ms: number): Promise<void>; now(): number } = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: ++id });
      return id;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((t) => t.id !== handle);
    },
    async advance(ms: number) {
      const target = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > target) break;
        timers.shift();
        now = t.at;
        t.fn();
        await settle();
      }
      now = target;
      await settle();
    },
  };
  return clock;
}

const settle = () => new Promise<void>((r) => setImmediate(r));

interface Started {
  request: PacedRequest;
  at: number;
  finish: () => void;
}

function harness() {
  const clock = manualClock();
  const queue = new PacingQueue(IB_HISTORICAL_PACING, clock);
  const started: Started[] = [];
  const submit = (request: PacedRequest, signal?: AbortSignal) =>
    queue.run(
      request,
      () =>
        new Promise<void>((resolve) => {
          started.push({ request, at: clock.now(), finish: resolve });
        }),
      signal,
    );
  return { clock, queue, started, submit };
}

const req = (identity: string, contractKey = identity, smallBars = false): PacedRequest => ({ identity, contractKey, smallBars });

test('at most 50 open: the 51st starts when one finishes', async () => {
  const { queue, started, submit } = harness();
  const done = Array.from({ length: 51 }, (_, i) => submit(req(`r${i}`)));
  await settle();
  assert.equal(started.length, 50);
  assert.equal(queue.pending(), 1);
  started[0].finish();
  await settle();
  assert.equal(started.length, 51);
  started.forEach((s) => s.finish());
  await Promise.all(done);
  assert.equal(queue.open(), 0);
});

test('identical requests are 15 s apart; same contract at most 5 per 2 s; others are not held up', async () => {
  const { clock, started, submit } = harness();
  const all = [submit(req('same', 'AAPL')), submit(req('same', 'AAPL'))];
  for (let i = 0; i < 6; i++) all.push(submit(req(`msft${i}`, 'MSFT')));
  all.push(submit(req('ibm', 'IBM')));
  await settle();
  const names = () => started.map((s) => s.request.identity);
  assert.deepEqual(names(), ['same', 'msft0', 'msft1', 'msft2', 'msft3', 'msft4', 'ibm']);
  await clock.advance(IB_HISTORICAL_PACING.sameContractWindowMs);
  assert.ok(names().includes('msft5'));
  assert.equal(started.find((s) => s.request.identity === 'msft5')!.at, IB_HISTORICAL_PACING.sameContractWindowMs);
  assert.equal(names().filter((n) => n === 'same').length, 1);
  await clock.advance(IB_HISTORICAL_PACING.identicalGapMs);
  const sameStarts = started.filter((s) => s.request.identity === 'same').map((s) => s.at);
  assert.deepEqual(sameStarts, [0, IB_HISTORICAL_PACING.identicalGapMs]);
  started.forEach((s) => s.finish());
  await Promise.all(all);
});

test('small bars: at most 60 requests in 10 minutes; large bars are not counted', async () => {
  const { clock, started, submit } = harness();
  const all: Array<Promise<void>> = [];
  for (let i = 0; i < 61; i++) all.push(submit(req(`s${i}`, `C${i}`, true)));
  all.push(submit(req('big', 'BIG', false)));
  await settle();
  // 50 open at most: finish as they start so the 60-per-10-minutes rule is what binds.
  for (let round = 0; round < 3; round++) {
    started.forEach((s) => s.finish());
    await settle();
  }
  assert.equal(started.filter((s) => s.request.smallBars).length, 60);
  assert.ok(started.some((s) => s.request.identity === 'big'));
  await clock.advance(IB_HISTORICAL_PACING.smallBarWindowMs);
  assert.equal(started.filter((s) => s.request.smallBars).length, 61);
  started.forEach((s) => s.finish());
  await Promise.all(all);
});

test('a waiting request can be cancelled; a failing task rejects and frees its slot', async () => {
  const { clock, queue, started, submit } = harness();
  const first = submit(req('x', 'X'));
  const controller = new AbortController();
  const second = submit(req('x', 'X'), controller.signal);
  controller.abort();
  await assert.rejects(second, PacingAbortedError);
  assert.equal(queue.pending(), 0);
  started[0].finish();
  await first;
  const failing = queue.run(req('y'), () => Promise.reject(new Error('TWS said no')));
  await assert.rejects(failing, /TWS said no/);
  assert.equal(queue.open(), 0);
  queue.close();
  void clock;
});
