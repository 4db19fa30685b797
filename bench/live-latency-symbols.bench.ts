/**
 * Live latency with many symbols streaming at once: the live-latency flow (market-data ->
 * sma -> crossover -> risk-sizer -> place-order, see live-latency.bench.ts) once per symbol, 50 chains on one connection, at 1,000 and 10,000
 * ticks/s in total (the simulator's clock instants, spread evenly over the symbols; each moves bid,
 * ask and last). Rows: tick-to-order p50/p99 over all symbols' orders, the in-process spans of the
 * order path, CPU of the Node-RED process and of the simulator, the event-loop delay of Node-RED
 * (perf_hooks.monitorEventLoopDelay), dropped tick frames (written minus received) and orders the
 * reference run does not predict (a lost, doubled or reordered tick of any symbol would show there).
 * The loopback floor of the same run is the last row: quote the flow's figures against it.
 *
 * LIVE_LATENCY_MS sets each window (default 20 s); LIVE_LATENCY_SYMBOL_CASES=symbols:ticks:period:lower:upper,...
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floorRow, runCase, startRed, type Case } from './live-latency/flow-run';
import { report, type Row } from './report';

const RUN_MS = Number(process.env.LIVE_LATENCY_MS ?? 20_000);

/**
 * Orders stay a few a second in all (TWS takes 50 messages/s, the broker paces at 40): 50 chains at
 * 20 instants/s each order about as often per quote as the one-symbol flow at 1,000; at 200 instants/s
 * each, a longer average and a narrower band.
 */
const CASES: Case[] = process.env.LIVE_LATENCY_SYMBOL_CASES
  ? process.env.LIVE_LATENCY_SYMBOL_CASES.split(',').map((c) => {
      const [symbols, ticksPerSecond, period, lower, upper] = c.split(':').map(Number);
      return { symbols, ticksPerSecond, period, lower, upper };
    })
  : [
      { symbols: 50, ticksPerSecond: 1000, period: 100, lower: 1300, upper: 1800 },
      { symbols: 50, ticksPerSecond: 10_000, period: 500, lower: 1440, upper: 1660 },
    ];

async function main(): Promise<void> {
  const userDir = mkdtempSync(join(tmpdir(), 'live-latency-symbols-bench-'));
  const red = await startRed(userDir);
  const rows: Row[] = [];
  let clientId = 120;
  const stages: Record<string, Row[]> = {};
  for (const c of CASES) {
    const result = await runCase(c, { runMs: RUN_MS, clientId: clientId++, userDir });
    rows.push(result.row);
    stages[`${c.symbols} symbols, ${c.ticksPerSecond} ticks/s`] = result.stages;
  }
  await red.stop();
  rmSync(userDir, { recursive: true, force: true });
  if (process.env.LIVE_LATENCY_FLOOR !== '0') rows.push(await floorRow(RUN_MS));
  report('live-latency-symbols', rows, {
    runMs: RUN_MS,
    stages,
    goal: 'p50 < 500 us, p99 < 2000 us with 50 symbols streaming at once; 0 dropped, 0 not predicted',
    latency: 'tick frame handed to the client socket by the simulator -> PLACE_ORDER bytes arriving at the simulator, for the ticks that caused orders, all symbols',
    flow: 'per symbol: market-data (quote, throttle off) -> sma of bidSize -> crossover (band, on cross) -> risk-sizer (long-short, 100 shares) -> place-order (MKT); one connection',
    spans: 'in process: plan = place-order input -> the account guard placeOrder; guard+send = the guard placeOrder -> the PLACE_ORDER socket write',
    loopDelay: 'event-loop delay of the Node-RED process in the window: perf_hooks.monitorEventLoopDelay at its finest resolution (1 ms), less that 1 ms (it records the time between its timer callbacks, so an idle loop reads 1 ms)',
    cpu: 'process CPU / wall in the window; Node-RED process and simulator process apart; 100% = one core',
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
