/**
 * The backtest session of a backtest connection (see types.ts): one fill engine per run, fed the bars
 * replaying sources hand it before they send them into the flow, and the run's record (equity curve,
 * exposure, prices, executions) that backtest-report summarizes at the end.
 *
 * Equity of a point is settled when the next bar arrives (or the run ends), i.e. after the strategy
 * acted on its bar: with fills at this bar's close, the fill's commission and slippage belong to it.
 */
import type { Bar, Execution, InstrumentKey, OrderEvent, Position } from '../messages';
import { TypedEventEmitter } from '../messages/events';
import type { FillEngineApi, FillEngineEvents, FillEngineOptions } from '../fills/types';
import { createCommissionModel } from '../fills/commission';
import { createSlippageModel } from '../fills/slippage';
import { isBuyingPowerRejection } from '../fills/margin';
import { contractsTableProblem, specFor, type InstrumentSpec } from '../fills/contract-terms';
import { EquityRecorder, PriceRange } from './equity-curve';
import { TimeMerge } from './time-merge';
import { BatchSources } from './batch-sources';
import { computeMetrics } from './metrics';
import { isStartingCash } from './options';
import { periodsPerYear } from './periods';
import { roundTrips } from './trades';
import { InstrumentTally } from './breakdown';
import { PartDrawdowns } from './part-drawdown';
import type { BacktestEvents, BacktestOptions, BacktestSession, BacktestSummary, SummaryOptions } from './types';

/** The account a backtest reports (a paper-style id: a backtest never touches a real account). */
export const BACKTEST_ACCOUNT = 'DBACKTEST';

export type EngineFactory = (options: FillEngineOptions) => FillEngineApi;

/** Engine options from backtest options; throws a message that names the bad option. */
export function engineOptions(options: BacktestOptions): FillEngineOptions {
  if (!isStartingCash(options.startingCash)) {
    throw new Error(`backtest starting cash must be a positive amount, got ${String(options.startingCash)}`);
  }
  const tableProblem = options.contracts === undefined ? null : contractsTableProblem(options.contracts);
  if (tableProblem !== null) throw new Error(`backtest ${tableProblem}`);
  const table = options.contracts;
  const slippage = options.slippage ?? { kind: 'none', amount: 0 };
  return {
    account: options.account || BACKTEST_ACCOUNT,
    startingCash: options.startingCash,
    commission: createCommissionModel(options.commission ?? 'none', { percent: options.commissionPercent }),
    slippage: createSlippageModel(slippage.kind, slippage.amount),
    fillAt: options.fillAt ?? 'next-open',
    accountType: options.accountType ?? 'cash',
    baseCurrency: options.baseCurrency ?? 'USD',
    fxRates: options.fxRates,
    instrument: table === undefined ? undefined : (symbol) => specFor(table, symbol),
  };
}

/** Throws a message that says what is wrong with a bar (runs per bar: the common case is one test). */
export function checkBar(key: InstrumentKey, bar: Bar): void {
  if (
    bar !== null &&
    typeof bar === 'object' &&
    Number.isFinite(bar.time) &&
    Number.isFinite(bar.open) &&
    Number.isFinite(bar.close) &&
    bar.high >= bar.low &&
    Number.isFinite(bar.high - bar.low)
  ) {
    return;
  }
  if (!bar || typeof bar !== 'object') throw new Error(`bar for ${key} is not an object: expected {time, open, high, low, close, volume}`);
  for (const field of ['time', 'open', 'high', 'low', 'close'] as const) {
    if (typeof bar[field] !== 'number' || !Number.isFinite(bar[field])) {
      throw new Error(`bar for ${key} has no valid ${field} (got ${String(bar[field])}): bars need numeric time (epoch ms), open, high, low and close`);
    }
  }
  throw new Error(`bar for ${key} at ${new Date(bar.time).toISOString()} has high ${bar.high} below low ${bar.low}`);
}

export class BacktestRun implements BacktestSession {
  /** Replayed bars fill orders here (a tws or simulator connection's replay clock fills nothing). */
  readonly fillsOrders = true;
  readonly options: BacktestOptions;
  /** Batches of several instruments sent on this run's connection, gathered into one portfolio by a report. */
  readonly batchSources = new BatchSources();
  /** Broker events of whichever engine is current (the broker's listeners survive engine resets). */
  readonly brokerEvents = new TypedEventEmitter<FillEngineEvents>();
  private readonly events = new TypedEventEmitter<BacktestEvents>();
  private current: FillEngineApi;
  private readonly sources = new Set<string>();
  /** What the sources of this run said of their instruments (contract details), by key. */
  private readonly announced = new Map<InstrumentKey, InstrumentSpec>();
  /** The one clock the replaying sources' bars go through. */
  private readonly clock = new TimeMerge((key, bar) => this.onBar(key, bar));
  private readonly curve: EquityRecorder;
  private readonly prices = new PriceRange();
  /** Non-zero positions of the current engine, kept from its position events. */
  private readonly held = new Map<InstrumentKey, number>();
  /** The keys of `held`, kept beside it: read once per point, where iterating the map would allocate. */
  private heldKeys: InstrumentKey[] = [];
  private readonly unsubscribe: Array<() => void> = [];
  private heldBefore = false;
  private readonly tally = new InstrumentTally();
  /** Each instrument's and strategy's P&L drawdown, marked once per point at the instruments' last closes. */
  private readonly parts = new PartDrawdowns(
    (key) => this.prices.entry(key),
    (key) => this.current.rateOf(key),
  );
  private barsFed = 0;
  /** Orders refused this run: at placing (Inactive) or at the fill for buying power (Cancelled). */
  private rejected = 0;
  private barListeners = 0;
  private pendingSettle = false;
  private totalBars: number | null = 0;

  constructor(
    options: BacktestOptions,
    private readonly createEngine: EngineFactory,
    /** Expected points, to size the equity curve once (the batch backtest knows). */
    capacity = 1024,
  ) {
    this.curve = new EquityRecorder(capacity);
    this.options = { ...options };
    engineOptions(this.options);
    this.current = this.newEngine();
  }

  engine(): FillEngineApi {
    return this.current;
  }

  begin(sourceId: string, key: InstrumentKey, totalBars: number | null, spec?: InstrumentSpec): void {
    if (this.sources.size === 0) this.reset();
    this.sources.add(sourceId);
    if (spec !== undefined) this.announced.set(key, spec);
    this.clock.join(sourceId);
    this.totalBars = this.totalBars === null || totalBars === null ? null : this.totalBars + totalBars;
    this.events.emit('start', { sourceId, key, totalBars });
  }

  /**
   * A replaying source's next bar, on the run's one clock: resolves once the bar is in the engine and
   * `deliver` (sending it into the flow) has finished, every bar of an earlier time of the other
   * running sources first (time-merge.ts).
   */
  offer(sourceId: string, key: InstrumentKey, bar: Bar, deliver: () => Promise<void>): Promise<void> {
    if (!this.sources.has(sourceId)) return Promise.reject(new Error(`replay source ${sourceId} offered a bar before begin()`));
    return this.clock.offer(sourceId, key, bar, deliver);
  }

  onBar(key: InstrumentKey, bar: Bar): void {
    checkBar(key, bar);
    if (this.sources.size === 0) {
      throw new Error(`a bar of ${key} arrived while no replay is running: call begin() before feeding bars`);
    }
    const engine = this.current;
    const n = this.curve.length;
    // Another instrument's bar of the same time adds to the same point: equity is marked once per timestamp.
    if (n === 0 || this.curve.time[n - 1] !== bar.time) {
      this.settle();
      // Held when the bar opens: a position exited at this bar's open still counts for exposure.
      this.heldBefore = this.holding();
    }
    // An instrument held into its own bar (an exit at its open) counts as exposed at this point.
    if (this.held.has(key)) this.tally.carry(key);
    engine.onBar(key, bar);
    this.prices.observe(key, bar.close);
    // The point's equity and exposure are settled after the strategy acted on the bar (settle): marked
    // here only for the 'bar' listeners (a replay's progress). A batch has none, and skips marking every
    // position on every bar.
    this.curve.record(bar.time, bar.close);
    this.pendingSettle = true;
    this.barsFed++;
    // emit() with arguments allocates even with no listener: a batch of a million bars has none.
    if (this.barListeners > 0) this.events.emit('bar', key, bar, engine.equity());
  }

  hold(sourceId: string): void {
    this.clock.join(sourceId);
  }

  end(sourceId: string): void {
    this.clock.leave(sourceId);
    if (!this.sources.delete(sourceId)) return;
    if (this.sources.size > 0) return;
    this.settle();
    this.events.emit('end');
  }

  running(): boolean {
    return this.sources.size > 0;
  }

  barsDone(): number {
    return this.barsFed;
  }

  expectedBars(): number | null {
    return this.totalBars;
  }

  lastPrice(key: InstrumentKey): number | null {
    return this.prices.last(key);
  }

  /** `copyCurve` false hands out views on the run's buffers (valid until the next run begins). */
  summary(options: SummaryOptions = {}, copyCurve = true): BacktestSummary {
    this.settle();
    const curve = this.curve.snapshot(copyCurve);
    const executions = this.current.executions();
    const trades = roundTrips(executions);
    const positions = this.current.positions();
    let openPosition = 0;
    for (const p of positions) openPosition += Math.abs(p.quantity);
    const metrics = computeMetrics({
      startingCash: this.options.startingCash,
      curve,
      trades,
      periodsPerYear: options.periodsPerYear ?? periodsPerYear({ barSize: options.barSize, times: curve.time }),
      riskFreeRate: options.riskFreeRate,
      commissions: this.current.commissionsPaid(),
      buyAndHoldReturn: this.prices.buyAndHoldReturn(),
      openPosition,
      rejectedOrders: this.rejected,
    });
    const rateOf = (key: InstrumentKey) => this.current.rateOf(key);
    const instruments = this.tally.results({ startingCash: this.options.startingCash, points: curve.length, positions, trades, executions, falls: this.parts, rateOf });
    const strategies = this.tally.strategies({ startingCash: this.options.startingCash, times: curve.time, points: curve.length, positions, executions, trades, falls: this.parts, rateOf });
    return { metrics, trades, curve, executions, instruments, strategies };
  }

  on<E extends keyof BacktestEvents>(event: E, listener: BacktestEvents[E]): this {
    this.events.on(event, listener);
    this.barListeners = this.events.listenerCount('bar');
    return this;
  }

  off<E extends keyof BacktestEvents>(event: E, listener: BacktestEvents[E]): this {
    this.events.off(event, listener);
    this.barListeners = this.events.listenerCount('bar');
    return this;
  }

  /** Whether any position is open. */
  private holding(): boolean {
    return this.held.size > 0;
  }

  /** The last point's equity and exposure after the strategy acted on its bar. */
  private settle(): void {
    if (!this.pendingSettle) return;
    this.pendingSettle = false;
    this.curve.settleLast(this.current.equity(), this.heldBefore || this.holding());
    this.tally.point(this.heldKeys);
    this.parts.point();
  }

  private reset(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.current = this.newEngine();
    this.curve.reset();
    this.prices.reset();
    this.held.clear();
    this.heldKeys = [];
    this.announced.clear();
    this.heldBefore = false;
    this.tally.reset();
    this.parts.reset();
    this.pendingSettle = false;
    this.barsFed = 0;
    this.rejected = 0;
    this.totalBars = 0;
  }

  private newEngine(): FillEngineApi {
    const options = engineOptions(this.options);
    const table = options.instrument;
    // The connection's table wins field by field over what a source read from IB; defaults are the engine's.
    options.instrument = (symbol) => {
      const announced = this.announced.get(symbol);
      const configured = table?.(symbol);
      return announced === undefined ? configured : configured === undefined ? announced : { ...announced, ...configured };
    };
    const engine = this.createEngine(options);
    const order = (event: OrderEvent) => this.brokerEvents.emit('order', event);
    const execution = (fill: Execution) => this.brokerEvents.emit('execution', fill);
    const position = (held: Position) => this.brokerEvents.emit('position', held);
    engine.on('order', order).on('execution', execution).on('position', position);
    this.unsubscribe.push(() => engine.off('order', order).off('execution', execution).off('position', position));
    const track = (position: Position) => {
      const had = this.held.has(position.symbol);
      if (position.quantity !== 0) this.held.set(position.symbol, position.quantity);
      else this.held.delete(position.symbol);
      if (had !== this.held.has(position.symbol)) this.heldKeys = [...this.held.keys()];
    };
    engine.on('position', track);
    this.unsubscribe.push(() => engine.off('position', track));
    const book = (fill: Execution) => this.parts.execution(fill);
    engine.on('execution', book);
    this.unsubscribe.push(() => engine.off('execution', book));
    const count = (event: OrderEvent) => {
      if (event.status === 'Inactive' || (event.status === 'Cancelled' && isBuyingPowerRejection(event.reason))) {
        this.rejected++;
        this.tally.rejection(event);
      }
    };
    engine.on('order', count);
    this.unsubscribe.push(() => engine.off('order', count));
    return engine;
  }
}
