/**
 * Where a tick's time goes on its way to an order, stage by stage, counted in the Node-RED process of
 * the live-latency benchmark: each order's tick is stamped (process.hrtime, the simulator's clock too)
 * when its chunk reached the client socket, when @stoqey/ib took its frame from the chunk, when
 * market-data sent its quote, when each node of the chain received the message, and on the order
 * path as place-order's strategy decides (lib/orders/strategy-orders.ts, target-orders.ts), at the account guard, around the journal line, at the IB broker, at the session's placeOrder, at
 * the writer and at the socket write. Stamps ride on the message (`msg._liveLatency`, set by the
 * benchmark's onSend hook), so nothing grows per tick: only the few messages that reach place-order
 * are kept.
 */

/** The stamps of one message, in nanoseconds of process.hrtime (CLOCK_MONOTONIC, the simulator's too). */
export interface MessageTrace {
  /** Index of the tick frame the quote came from, among the client's tick frames. */
  frame: number;
  /** Tick frames of its chunk decoded before it (a simulator write carries several instants). */
  ahead: number;
  /** Stamps by stage (index into STAGES); 0: not reached. */
  at: Float64Array;
}

/**
 * The stages, in the order a tick passes them; each row of the breakdown is the time from the stage
 * before it. The first (the simulator's write) and the last (its read of the PLACE_ORDER) are stamped
 * in the simulator's process.
 */
export const STAGES = [
  'tick written (simulator)',
  'chunk read (socket data event)',
  'frame taken from its chunk (@stoqey/ib)',
  'quote sent (decoded, market-data)',
  'sma received',
  'crossover received',
  'risk-sizer received',
  'place-order received',
  'strategy submit (history, instrument)',
  'decision begins (order intent checked, queued)',
  'move to target (dedup keys, blocks)',
  'legs placed (position, plan, order ids, legs)',
  'account guard (leg context)',
  'journal line begun (limits, checks)',
  'journal line written',
  'IB broker placeOrder',
  'session placeOrder (order book, queue)',
  'writer (check, encoding)',
  'socket write (framing)',
  'PLACE_ORDER read (simulator)',
] as const;

export type Stage = (typeof STAGES)[number];
export const STAGE = Object.fromEntries(STAGES.map((s, i) => [s, i])) as Record<Stage, number>;

/** The chain's nodes by id prefix (see flow-run.ts), to the stage their input is. */
export const NODE_STAGES: ReadonlyArray<[prefix: string, stage: number]> = [
  ['n-sma-', STAGE['sma received']],
  ['n-cross-', STAGE['crossover received']],
  ['n-sizer-', STAGE['risk-sizer received']],
  ['n-order-', STAGE['place-order received']],
];

export const now = (): number => Number(process.hrtime.bigint());

export function newTrace(frame: number, ahead: number, chunkAt: number, frameAt: number): MessageTrace {
  const at = new Float64Array(STAGES.length);
  at[STAGE['chunk read (socket data event)']] = chunkAt;
  at[STAGE['frame taken from its chunk (@stoqey/ib)']] = frameAt;
  at[STAGE['quote sent (decoded, market-data)']] = now();
  return { frame, ahead, at };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * The breakdown of `traces` (complete ones: every stage stamped) as rows: each stage's time from the
 * one before, p50 / p90 / p99 in microseconds, and its share of the sum of the medians.
 */
export function stageRows(traces: readonly MessageTrace[]): Array<Record<string, string | number>> {
  const complete = traces.filter((t) => t.at.every((v) => v > 0));
  if (complete.length === 0) return [];
  const gaps = STAGES.slice(1).map((_, i) => complete.map((t) => (t.at[i + 1] - t.at[i]) / 1e3).sort((a, b) => a - b));
  const medians = gaps.map((g) => percentile(g, 50));
  const sum = medians.reduce((a, b) => a + b, 0);
  const rows: Array<Record<string, string | number>> = STAGES.slice(1).map((stage, i) => ({
    stage,
    'p50 us': Math.round(medians[i]),
    'p90 us': Math.round(percentile(gaps[i], 90)),
    'p99 us': Math.round(percentile(gaps[i], 99)),
    '% of sum of p50s': Math.round((medians[i] / sum) * 100),
  }));
  const totals = complete.map((t) => (t.at[STAGES.length - 1] - t.at[0]) / 1e3).sort((a, b) => a - b);
  rows.push({ stage: `tick to order (${complete.length} orders)`, 'p50 us': Math.round(percentile(totals, 50)), 'p90 us': Math.round(percentile(totals, 90)), 'p99 us': Math.round(percentile(totals, 99)), '% of sum of p50s': 100 });
  return rows;
}
