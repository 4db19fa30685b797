/**
 * Performance of a live or paper account to date, from equity samples taken at a fixed interval (the
 * broker's net liquidation): equity curve, drawdown and Sharpe so far, with the backtest's conventions
 * (simple returns between samples, sample stdev, sqrt of periods per year for the sample interval).
 */
import { periodsPerYearForBarMs } from './periods';

export interface RunningStats {
  time: number;
  equity: number;
  startEquity: number;
  /** Fraction since the first sample. */
  cumulativeReturn: number;
  peak: number;
  /** Current drawdown from the peak, percent (>= 0). */
  drawdownPct: number;
  maxDrawdownPct: number;
  maxDrawdown: number;
  /** null until two returns with some variance exist. */
  sharpe: number | null;
  samples: number;
  periodsPerYear: number;
}

export class RunningAccount {
  private first: number | null = null;
  private previous = 0;
  private peak = 0;
  private maxPct = 0;
  private maxMoney = 0;
  private count = 0;
  private mean = 0;
  private m2 = 0;
  readonly periodsPerYear: number;

  constructor(sampleIntervalMs: number) {
    this.periodsPerYear = periodsPerYearForBarMs(sampleIntervalMs);
  }

  sample(time: number, equity: number): RunningStats {
    if (!Number.isFinite(equity)) throw new Error(`account equity is not a number (${String(equity)})`);
    if (this.first === null) {
      this.first = equity;
      this.peak = equity;
    } else if (this.previous > 0) {
      const r = equity / this.previous - 1;
      this.count++;
      const delta = r - this.mean;
      this.mean += delta / this.count;
      this.m2 += delta * (r - this.mean);
    }
    this.previous = equity;
    if (equity > this.peak) this.peak = equity;
    const money = this.peak - equity;
    const pct = this.peak > 0 ? (money / this.peak) * 100 : 0;
    if (pct > this.maxPct) this.maxPct = pct;
    if (money > this.maxMoney) this.maxMoney = money;
    const stdev = this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0;
    return {
      time,
      equity,
      startEquity: this.first,
      cumulativeReturn: this.first > 0 ? equity / this.first - 1 : 0,
      peak: this.peak,
      drawdownPct: pct,
      maxDrawdownPct: this.maxPct,
      maxDrawdown: this.maxMoney,
      sharpe: stdev > 0 ? (Math.sqrt(this.periodsPerYear) * this.mean) / stdev : null,
      samples: this.count + 1,
      periodsPerYear: this.periodsPerYear,
    };
  }
}
