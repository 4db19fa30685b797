/** Messages between the live-latency benchmark and its simulator process (stamps as decimal strings). */
export interface ReportRequest {
  type: 'report';
  period: number;
  lower: number;
  upper: number;
  serverVersion: number;
  topic: string;
  /** process.hrtime.bigint() bounds of the measured window (same clock in both processes). */
  windowStart: string;
  windowEnd: string;
  /** Tick frames (indices among the client's tick frames) whose write stamps the benchmark needs. */
  frames: number[];
}

export interface SimulatorReport {
  type: 'report';
  /** Tick frames written to the client since it connected, and within the window. */
  tickFrames: number;
  framesInWindow: number;
  /** Quote changes (market-data messages) in all frames, and in the window's frames. */
  quotes: number;
  quotesInWindow: number;
  /** Crossover signals of the reference run, and the orders they make, in order, each stamped with the write of its causing frame. */
  signals: number;
  expected: Array<{ side: 'BUY' | 'SELL'; at: string; frame: number }>;
  /** Write stamps of the requested frames, in the order asked (null: no such frame). */
  frameStamps: Array<string | null>;
  /** PLACE_ORDER frames read, in order. */
  orders: Array<{ orderId: number; action: string; at: string }>;
}

export type SimulatorReply =
  | { type: 'ready'; port: number }
  | { type: 'cpu'; usage: NodeJS.CpuUsage }
  | SimulatorReport
  | { type: 'error'; message: string };
