import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacingAbortedError, PacingQueue, IB_HISTORICAL_PACING, type MarkSent, type PacingClock, type PacedRequest } from '../../lib/ib/pacing';
import { HistoricalPacing } from '../../lib/sim/server/historical-pacing';

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
  /** Reports the socket write (already called when the harness writes at once). */
  sent: MarkSent;
}

/** Tasks that write their request at once (writeAtOnce) or when the test calls `sent`. */
function harness(writeAtOnce = true) {
  const clock = manualClock();
  const queue = new PacingQueue(IB_HISTORICAL_PACING, clock);
  const started: Started[] = [];
  const submit = (request: PacedRequest, signal?: AbortSignal) =>
    queue.run(
      request,
      (sent) =>
        new Promise<void>((resolve) => {
          started.push({ request, at: clock.now(), finish: resolve, sent });
          if (writeAtOnce) sent();
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
  started.forEach((s) => {
    s.finish();
  });
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
  started.forEach((s) => {
    s.finish();
  });
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
    started.forEach((s) => {
      s.finish();
    });
    await settle();
  }
  assert.equal(started.filter((s) => s.request.smallBars).length, 60);
  assert.ok(started.some((s) => s.request.identity === 'big'));
  await clock.advance(IB_HISTORICAL_PACING.smallBarWindowMs);
  assert.equal(started.filter((s) => s.request.smallBars).length, 61);
  started.forEach((s) => {
    s.finish();
  });
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

test('windows count from the socket write: five released at once but written late hold the sixth until the first write is 2 s old', async () => {
  const { clock, started, submit } = harness(false);
  const all: Array<Promise<void>> = [];
  for (let i = 0; i < 7; i++) all.push(submit(req(`a${i}`, 'AAPL')));
  await settle();
  assert.equal(started.length, 5, 'five released at 0');
  // @stoqey/ib's send throttle lets them out later, the first after 300 ms.
  const writes = [300, 320, 340, 500, 550];
  for (let i = 0; i < 5; i++) {
    await clock.advance(writes[i] - clock.now());
    started[i].sent();
  }
  const window = IB_HISTORICAL_PACING.sameContractWindowMs;
  await clock.advance(300 + window - 1 - clock.now());
  assert.equal(started.length, 5, 'measured from release the sixth could go at 2.5 s; from the writes not yet');
  await clock.advance(1);
  assert.equal(started.length, 6);
  assert.equal(started[5].at, 300 + window);
  started[5].sent();
  await clock.advance(320 + window - clock.now());
  assert.equal(started.length, 7);
  assert.equal(started[6].at, 320 + window);
  started.forEach((s) => {
    s.sent();
    s.finish();
  });
  await Promise.all(all);
});

test('a request not yet written holds back what it would have to be older than; settling counts as its write', async () => {
  const { clock, started, submit } = harness(false);
  const first = submit(req('same', 'X'));
  const second = submit(req('same', 'X'));
  await settle();
  assert.equal(started.length, 1);
  await clock.advance(60_000);
  assert.equal(started.length, 1, 'an identical request waits for the write of the first, however long');
  started[0].finish();
  await first;
  await clock.advance(IB_HISTORICAL_PACING.identicalGapMs - 1);
  assert.equal(started.length, 1, 'the first counts as written when it was answered');
  await clock.advance(1);
  assert.equal(started.length, 2);
  assert.equal(started[1].at, 60_000 + IB_HISTORICAL_PACING.identicalGapMs);
  started[1].finish();
  await second;
  // Five unwritten requests for a contract fill its window: the sixth waits for writes, not for a timer.
  const more = Array.from({ length: 6 }, (_, i) => submit(req(`y${i}`, 'Y')));
  await settle();
  assert.equal(started.length, 7);
  await clock.advance(10_000);
  assert.equal(started.length, 7);
  assert.equal(started.length, 7, 'none written: all five may still arrive, and a sixth would be one too many');
  started[2].sent();
  const written = clock.now();
  await clock.advance(IB_HISTORICAL_PACING.sameContractWindowMs - 1);
  assert.equal(started.length, 7, 'the written one is still in the window');
  await clock.advance(1);
  assert.equal(started.length, 8, 'the written one left the window; four unwritten + the sixth make five');
  assert.equal(started[7].at, written + IB_HISTORICAL_PACING.sameContractWindowMs);
  started.slice(2).forEach((s) => {
    s.sent();
    s.finish();
  });
  await Promise.all(more);
});

test('a task that reports its write synchronously, inside the release, is counted once and releases the rest in order', async () => {
  const { clock, started, submit } = harness(true);
  const all = Array.from({ length: 12 }, (_, i) => submit(req(`z${i}`, 'Z')));
  await settle();
  assert.deepEqual(started.map((s) => s.request.identity), ['z0', 'z1', 'z2', 'z3', 'z4']);
  await clock.advance(IB_HISTORICAL_PACING.sameContractWindowMs);
  assert.equal(started.length, 10);
  await clock.advance(IB_HISTORICAL_PACING.sameContractWindowMs);
  assert.equal(started.length, 12);
  started.forEach((s) => {
    s.finish();
  });
  await Promise.all(all);
});

/** A deterministic pseudo-random source (the failure must be reproducible). */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('a storm through a slow, throttled client: the simulator\'s own rules admit every write', async () => {
  // The client of the failing CI run: a FIFO send throttle drained in ticks of 100 ms that fire late on a
  // loaded machine (up to 700 ms here), so writes trail releases by up to seconds. TWS (here the
  // simulator's HistoricalPacing) times each request on arrival, 0 to 150 ms after its write.
  for (const seed of [1, 2, 3, 4, 5]) {
    const random = lcg(seed);
    const { clock, started, submit } = harness(false);
    const fifo: Started[] = [];
    let drained = 0;
    const all: Array<Promise<void>> = [];
    const symbols = ['AAPL', 'MSFT', 'SPY', 'TSLA', 'NVDA'];
    for (let i = 0; i < 100; i++) all.push(submit(req(`${symbols[i % 5]}|${i}`, symbols[i % 5])));
    const arrivals: Array<{ request: PacedRequest; at: number }> = [];
    while (drained < 100) {
      await clock.advance(100 + Math.floor(random() * 600));
      // Newly released requests join the FIFO in release order.
      while (fifo.length + drained < started.length) fifo.push(started[fifo.length + drained]);
      for (let k = 0; k < 4 && fifo.length > 0; k++) {
        const s = fifo.shift()!;
        drained++;
        s.sent();
        arrivals.push({ request: s.request, at: clock.now() + Math.floor(random() * 150) });
        s.finish();
      }
    }
    await Promise.all(all);
    const server = new HistoricalPacing();
    arrivals.sort((a, b) => a.at - b.at);
    const refused = arrivals
      .map((a) => ({ a, why: server.admit({ identity: a.request.identity, series: a.request.contractKey, smallBars: a.request.smallBars }, a.at) }))
      .filter((r) => r.why !== null)
      .map((r) => `${r.a.request.identity} at ${r.a.at}: ${r.why}`);
    assert.deepEqual(refused, [], `seed ${seed}`);
  }
});
