/**
 * Live latency: a tick leaving the simulator to the PLACE_ORDER it causes reaching the simulator,
 * through the flow market-data (quotes, throttle off) -> sma (of the bid size) -> crossover (band) ->
 * risk-sizer -> place-order, in an embedded Node-RED runtime (no test helper, no debug node).
 * Goal: p50 under 0.5 ms, p99 under 2 ms at 1,000 ticks/s.
 *
 * - The simulator runs in its own process, as TWS does (bench/live-latency/simulator.ts). Its
 *   WireProbe stamps each tick frame when it is handed to the client socket and each PLACE_ORDER when
 *   its bytes arrive, with process.hrtime.bigint() (CLOCK_MONOTONIC: one clock for both processes).
 * - Pairing, by what the flow did: the benchmark wraps market-data's send to note on each message
 *   which tick frame (counted as the client receives them) it came from (no Node-RED hooks: with one
 *   registered every send and delivery runs through the hook chain); the order journal's decision line ties
 *   each order id to the message (its dedup key holds msg._msgid); the simulator reads the order id
 *   in each PLACE_ORDER. Pairing by position (i-th signal, i-th order) broke whenever the flow rightly
 *   sent no order for a signal (a reversal that only cancels a working order meets the target): every
 *   later pair shifted by one, which showed as a "backlog" of hundreds of ms with an idle CPU.
 * - Cross-check: the simulator replays the frames it wrote through the same code the flow runs
 *   (bench/live-latency/strategy-model.ts); "not predicted" counts orders whose frame and side the
 *   reference run does not name (a lost, doubled or reordered tick would show there).
 * - ticks/s: the simulator's clock instants per second (each moves bid, ask and last, so a few tick
 *   frames). Its clock turns every 5 ms at most (lib/sim/server/market-clock.ts), so at 1,000 ticks/s
 *   a write carries 5 instants, about 15 frames, and the tick behind an order waits for those ahead of
 *   it in its chunk ("frames ahead in chunk"). frames/s and quote msgs/s are what reached the flow. dropped: tick frames written minus
 *   tick frames the client received, after the subscription is stopped and the pipe drained.
 * - Split of each latency at the moment place-order receives the message: "to place-order" is the simulator's write,
 *   the wire, the client's decoding and the flow up to place-order; "order out" is place-order, the
 *   account guard, the journal line, the encoding (lib/ib/place-order-fields.ts), the socket write and the wire back;
 * - CPU: process CPU / wall time in the window, Node-RED process and simulator apart (100% = a core).
 * - plan / guard+send: in-process spans of the order path (flow-run.ts), less exposed to the machine's
 *   scheduling than the crossings: place-order's input to the account guard, and from there to the
 *   PLACE_ORDER's socket write. LIVE_LATENCY_REHEARSE=<ms> sets the period of the order path's dry
 *   runs (lib/ib/order-rehearsal.ts; 0: none after those at connect), to compare with the default.
 * - Event-loop delay of the Node-RED process over the window (perf_hooks.monitorEventLoopDelay at
 *   1 ms, less that 1 ms: it records the time between its timer's callbacks).
 * - Where the time goes: a table per case, each order's tick stamped stage by stage in the Node-RED
 *   process (bench/live-latency/stages.ts), medians of each stage's time from the one before.
 * - Many symbols at once: live-latency-symbols.bench.ts, the same flow once per symbol.
 * - Loopback floor (last row, LIVE_LATENCY_FLOOR=0 leaves it out): the same two crossings between two
 *   Node processes with nothing in between (bench/live-latency/floor.ts), measured in the same run: on
 *   a small virtual machine the process wake-ups alone take a good part of the goal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floorRow, runCase, startRed, type Case } from './live-latency/flow-run';
import { report, type Row } from './report';

const RUN_MS = Number(process.env.LIVE_LATENCY_MS ?? 25_000);

/** LIVE_LATENCY_CASES=ticks:period:lower:upper,... (one symbol). */
const CASES: Case[] = process.env.LIVE_LATENCY_CASES
  ? process.env.LIVE_LATENCY_CASES.split(',').map((c) => {
      const [ticksPerSecond, period, lower, upper] = c.split(':').map(Number);
      return { ticksPerSecond, period, lower, upper, symbols: 1 };
    })
  : [
      { ticksPerSecond: 1000, period: 100, lower: 1300, upper: 1800, symbols: 1 },
      { ticksPerSecond: 5000, period: 500, lower: 1440, upper: 1660, symbols: 1 },
    ];

async function main(): Promise<void> {
  const userDir = mkdtempSync(join(tmpdir(), 'live-latency-bench-'));
  const red = await startRed(userDir);
  const rows: Row[] = [];
  let clientId = 90;
  const stages: Record<string, Row[]> = {};
  for (const c of CASES) {
    const result = await runCase(c, { runMs: RUN_MS, clientId: clientId++, userDir });
    rows.push(result.row);
    stages[`${c.ticksPerSecond} ticks/s`] = result.stages;
  }
  await red.stop();
  rmSync(userDir, { recursive: true, force: true });
  if (process.env.LIVE_LATENCY_FLOOR !== '0') rows.push(await floorRow(RUN_MS));
  report('live-latency', rows, {
    runMs: RUN_MS,
    stages,
    goal: 'p50 < 500 us, p99 < 2000 us at 1,000 ticks/s',
    latency: 'tick frame handed to the client socket by the simulator -> PLACE_ORDER bytes arriving at the simulator, for the ticks that caused orders',
    split: 'to place-order: tick written -> the message reaching place-order (wire, @stoqey/ib decoding, market-data, sma, crossover, risk-sizer); order out: place-order input -> PLACE_ORDER arriving (order logic, guard, journal, encoding, wire)',
    spans: 'in process: plan = place-order input -> the account guard placeOrder; guard+send = the guard placeOrder -> the PLACE_ORDER socket write (limits, interlock, journal line, encoding, write)',
    flow: 'market-data (quote, throttle off) -> sma of bidSize -> crossover (band, on cross) -> risk-sizer (long-short, 100 shares) -> place-order (MKT)',
    cpu: 'process CPU / wall in the window; Node-RED process and simulator process apart; 100% = one core',
    floor: 'loopback floor: a 100-byte write every ms from a second process, every 250th answered at once with 175 bytes; write (stamped before) -> answer arriving',
  });
  for (const [label, table] of Object.entries(stages)) {
    console.log(`where the time goes, ${label} (each stage: from the one above it)`);
    console.table(table);
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
