/**
 * Every indicator the indicator node offers: its parameters (with the defaults the editor shows), what
 * it reads (one value per bar, or whole bars), the shape of its output, and a factory for one
 * streaming instance (one per instrument). Where technicalindicators' streaming `nextValue` is
 * correct we use it (checked against independent reference code in test/lib/indicators-*.test.ts);
 * SMA, RSI, Stochastic RSI, MFI and ADL are our own (see their files for why).
 *
 * Left out on purpose: technicalindicators' candlestick patterns, VolumeProfile, Renko and HeikinAshi
 * (whole-array functions without a streaming API, or chart transforms rather than per-bar values).
 */
import * as ti from 'technicalindicators';
import { Adl, Mfi, Vwap } from './money-flow';
import { Rsi } from './rsi';
import { Sma } from './sma';
import { StochasticRsi } from './stochastic-rsi';
import type { OhlcvBar, OhlcvField } from '../messages/source';

/** One indicator value: a number, named numbers for multi-line indicators, or null (warm-up). */
export type IndicatorValue = number | { [line: string]: number | null } | null;

export interface StreamingIndicator {
  /** Feeds the next value (value indicators) or bar (bar indicators); returns the value for it. */
  next(input: number | OhlcvBar): IndicatorValue;
  /**
   * Batch fast path of a single-number value indicator: out[i] = next(values[i]) for every i where
   * that is a number; where values[i] is NaN (no value at that bar) or next() gives null (warm-up),
   * out[i] is left as it is (NaN). Optional: without it the runner calls next() per value. Results
   * must equal next()'s.
   */
  nextColumn?(values: ArrayLike<number>, out: number[]): void;
  /**
   * An independent copy of the state: a forming bar (lib/messages/forming) is fed to a copy, so the
   * indicator itself counts only closed bars. Our own indicators copy their few numbers; a
   * technicalindicators instance keeps its state in a generator, which cannot be copied, so its copy
   * is a new instance fed every input again (see Recorded).
   */
  fork(): StreamingIndicator;
}

export interface ParamSpec {
  name: string;
  label: string;
  default: number;
  min: number;
  integer: boolean;
}

export interface IndicatorSpec {
  id: string;
  label: string;
  /** 'value': one number per bar (close by default); 'bar': whole bars with `fields`. */
  input: 'value' | 'bar';
  fields: readonly OhlcvField[];
  params: readonly ParamSpec[];
  /** Line names of a multi-value indicator; empty for a single number. */
  lines: readonly string[];
  implementation: 'own' | 'technicalindicators';
  /** The parameter that goes into the default output name (e.g. period 20 -> "ema20"). */
  nameParam?: string;
  /** Starts afresh on each trading day: a bar whose `session` differs from the last one's resets it. */
  perSession?: boolean;
  create(params: Readonly<Record<string, number>>): StreamingIndicator;
}

const period = (def: number, label = 'Period'): ParamSpec => ({ name: 'period', label, default: def, min: 1, integer: true });
const int = (name: string, label: string, def: number, min = 1): ParamSpec => ({ name, label, default: def, min, integer: true });
const real = (name: string, label: string, def: number, min = 0): ParamSpec => ({ name, label, default: def, min, integer: false });

const HLC: readonly OhlcvField[] = ['high', 'low', 'close'];
const HLCV: readonly OhlcvField[] = ['high', 'low', 'close', 'volume'];

interface NextValue {
  nextValue(input: unknown): unknown;
}

/** technicalindicators reports warm-up as undefined (and a few degenerate cases as NaN): both become null. */
function toNumber(raw: unknown): number | null {
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
}

function toLines(raw: unknown, lines: Readonly<Record<string, string>>): IndicatorValue {
  if (raw === undefined || raw === null || typeof raw !== 'object') return null;
  const source = raw as Record<string, unknown>;
  const out: Record<string, number | null> = {};
  for (const [line, key] of Object.entries(lines)) out[line] = toNumber(source[key]);
  return out;
}

/**
 * A technicalindicators instance and every input it was fed (numbers, or bars as columns): its state
 * lives in a generator, so the only copy of it is a new instance fed the same inputs. A copy is made
 * only for a forming bar, so this costs the stream one replay per forming update, and the inputs'
 * memory (8 bytes a value, 40 a bar).
 */
class Recorded implements StreamingIndicator {
  private instance: NextValue;
  private readonly values: number[] = [];
  private readonly bars: { open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] } | null;

  constructor(
    private readonly make: () => NextValue,
    private readonly read: (raw: unknown) => IndicatorValue,
    barInput: boolean,
  ) {
    this.instance = make();
    this.bars = barInput ? { open: [], high: [], low: [], close: [], volume: [] } : null;
  }

  next(input: number | OhlcvBar): IndicatorValue {
    const bars = this.bars;
    if (bars === null) {
      this.values.push(input as number);
      return this.read(this.instance.nextValue(input as number));
    }
    const bar = input as OhlcvBar;
    bars.open.push(bar.open);
    bars.high.push(bar.high);
    bars.low.push(bar.low);
    bars.close.push(bar.close);
    bars.volume.push(bar.volume);
    // A fresh object each time: some technicalindicators generators keep references to their input.
    return this.read(this.instance.nextValue({ open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume }));
  }

  fork(): StreamingIndicator {
    const copy = new Recorded(this.make, this.read, this.bars !== null);
    const bars = this.bars;
    if (bars === null) for (const value of this.values) copy.next(value);
    else for (let i = 0; i < bars.close.length; i++) copy.next({ open: bars.open[i], high: bars.high[i], low: bars.low[i], close: bars.close[i], volume: bars.volume[i] });
    return copy;
  }
}

/** A technicalindicators instance fed one number per bar. */
function tiValue(make: () => NextValue): StreamingIndicator {
  return new Recorded(make, toNumber, false);
}

/** A technicalindicators instance fed bars; `lines` maps our line names to its output keys. */
function tiBar(make: () => NextValue, lines?: Readonly<Record<string, string>>): StreamingIndicator {
  return new Recorded(make, lines ? (raw) => toLines(raw, lines) : toNumber, true);
}

function tiValueLines(make: () => NextValue, lines: Readonly<Record<string, string>>): StreamingIndicator {
  return new Recorded(make, (raw) => toLines(raw, lines), false);
}

function own<T extends { next(input: never): IndicatorValue; fork(): unknown }>(instance: T): StreamingIndicator {
  return instance as unknown as StreamingIndicator;
}

const emptyHlcv = { open: [], high: [], low: [], close: [], volume: [] };

export const INDICATORS: readonly IndicatorSpec[] = [
  {
    id: 'sma', label: 'SMA (simple moving average)', input: 'value', fields: [], params: [period(20)], lines: [], implementation: 'own', nameParam: 'period',
    create: (p) => own(new Sma(p.period)),
  },
  {
    id: 'ema', label: 'EMA (exponential moving average)', input: 'value', fields: [], params: [period(20)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiValue(() => new ti.EMA({ period: p.period, values: [] })),
  },
  {
    id: 'wma', label: 'WMA (weighted moving average)', input: 'value', fields: [], params: [period(20)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiValue(() => new ti.WMA({ period: p.period, values: [] })),
  },
  {
    id: 'wema', label: "WEMA (Wilder's smoothing)", input: 'value', fields: [], params: [period(14)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiValue(() => new ti.WEMA({ period: p.period, values: [] })),
  },
  {
    id: 'macd', label: 'MACD', input: 'value', fields: [],
    params: [int('fastPeriod', 'Fast period', 12), int('slowPeriod', 'Slow period', 26), int('signalPeriod', 'Signal period', 9)],
    lines: ['macd', 'signal', 'histogram'], implementation: 'technicalindicators',
    // EMA for both the oscillator and the signal line: the usual (Appel's) MACD.
    create: (p) => tiValueLines(() => new ti.MACD({ values: [], fastPeriod: p.fastPeriod, slowPeriod: p.slowPeriod, signalPeriod: p.signalPeriod, SimpleMAOscillator: false, SimpleMASignal: false }), { macd: 'MACD', signal: 'signal', histogram: 'histogram' }),
  },
  {
    id: 'rsi', label: 'RSI (relative strength index)', input: 'value', fields: [], params: [period(14)], lines: [], implementation: 'own', nameParam: 'period',
    create: (p) => own(new Rsi(p.period)),
  },
  {
    id: 'bb', label: 'Bollinger Bands', input: 'value', fields: [], params: [period(20), real('stdDev', 'Standard deviations', 2)],
    lines: ['middle', 'upper', 'lower', 'pb'], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiValueLines(() => new ti.BollingerBands({ period: p.period, stdDev: p.stdDev, values: [] }), { middle: 'middle', upper: 'upper', lower: 'lower', pb: 'pb' }),
  },
  {
    id: 'sd', label: 'Standard deviation (population)', input: 'value', fields: [], params: [period(20)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiValue(() => new ti.SD({ period: p.period, values: [] })),
  },
  {
    id: 'roc', label: 'ROC (rate of change, %)', input: 'value', fields: [], params: [period(12)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiValue(() => new ti.ROC({ period: p.period, values: [] })),
  },
  {
    id: 'trix', label: 'TRIX', input: 'value', fields: [], params: [period(18)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiValue(() => new ti.TRIX({ period: p.period, values: [] })),
  },
  {
    id: 'kst', label: 'KST (Know Sure Thing)', input: 'value', fields: [],
    params: [
      int('ROCPer1', 'ROC 1', 10), int('ROCPer2', 'ROC 2', 15), int('ROCPer3', 'ROC 3', 20), int('ROCPer4', 'ROC 4', 30),
      int('SMAROCPer1', 'SMA of ROC 1', 10), int('SMAROCPer2', 'SMA of ROC 2', 10), int('SMAROCPer3', 'SMA of ROC 3', 10), int('SMAROCPer4', 'SMA of ROC 4', 15),
      int('signalPeriod', 'Signal period', 9),
    ],
    lines: ['kst', 'signal'], implementation: 'technicalindicators',
    create: (p) => tiValueLines(() => new ti.KST({ values: [], ROCPer1: p.ROCPer1, ROCPer2: p.ROCPer2, ROCPer3: p.ROCPer3, ROCPer4: p.ROCPer4, SMAROCPer1: p.SMAROCPer1, SMAROCPer2: p.SMAROCPer2, SMAROCPer3: p.SMAROCPer3, SMAROCPer4: p.SMAROCPer4, signalPeriod: p.signalPeriod }), { kst: 'kst', signal: 'signal' }),
  },
  {
    id: 'stochrsi', label: 'Stochastic RSI', input: 'value', fields: [],
    params: [int('rsiPeriod', 'RSI period', 14), int('stochasticPeriod', 'Stochastic period', 14), int('kPeriod', '%K smoothing', 3), int('dPeriod', '%D smoothing', 3)],
    lines: ['stochRSI', 'k', 'd'], implementation: 'own', nameParam: 'rsiPeriod',
    create: (p) => own(new StochasticRsi(p.rsiPeriod, p.stochasticPeriod, p.kPeriod, p.dPeriod)),
  },
  {
    id: 'atr', label: 'ATR (average true range)', input: 'bar', fields: HLC, params: [period(14)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiBar(() => new ti.ATR({ period: p.period, ...emptyHlcv })),
  },
  {
    id: 'truerange', label: 'True range', input: 'bar', fields: HLC, params: [], lines: [], implementation: 'technicalindicators',
    create: () => tiBar(() => new ti.TrueRange({ ...emptyHlcv })),
  },
  {
    id: 'adx', label: 'ADX (+DI, -DI)', input: 'bar', fields: HLC, params: [period(14)], lines: ['adx', 'pdi', 'mdi'], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiBar(() => new ti.ADX({ period: p.period, ...emptyHlcv }) as unknown as NextValue, { adx: 'adx', pdi: 'pdi', mdi: 'mdi' }),
  },
  {
    id: 'stochastic', label: 'Stochastic oscillator (%K, %D)', input: 'bar', fields: HLC, params: [period(14), int('signalPeriod', '%D period', 3)],
    lines: ['k', 'd'], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiBar(() => new ti.Stochastic({ period: p.period, signalPeriod: p.signalPeriod, ...emptyHlcv }) as unknown as NextValue, { k: 'k', d: 'd' }),
  },
  {
    id: 'williamsr', label: 'Williams %R', input: 'bar', fields: HLC, params: [period(14)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiBar(() => new ti.WilliamsR({ period: p.period, ...emptyHlcv }) as unknown as NextValue),
  },
  {
    id: 'cci', label: 'CCI (commodity channel index)', input: 'bar', fields: HLC, params: [period(20)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiBar(() => new ti.CCI({ period: p.period, ...emptyHlcv })),
  },
  {
    id: 'psar', label: 'Parabolic SAR', input: 'bar', fields: ['high', 'low'], params: [real('step', 'Step', 0.02), real('max', 'Maximum', 0.2)], lines: [], implementation: 'technicalindicators',
    create: (p) => tiBar(() => new ti.PSAR({ step: p.step, max: p.max, high: [], low: [] }) as unknown as NextValue),
  },
  {
    id: 'ao', label: 'Awesome Oscillator', input: 'bar', fields: ['high', 'low'], params: [int('fastPeriod', 'Fast period', 5), int('slowPeriod', 'Slow period', 34)], lines: [], implementation: 'technicalindicators',
    create: (p) => tiBar(() => new ti.AwesomeOscillator({ fastPeriod: p.fastPeriod, slowPeriod: p.slowPeriod, high: [], low: [] })),
  },
  {
    id: 'obv', label: 'OBV (on-balance volume)', input: 'bar', fields: ['close', 'volume'], params: [], lines: [], implementation: 'technicalindicators',
    create: () => tiBar(() => new ti.OBV({ close: [], volume: [] })),
  },
  {
    id: 'adl', label: 'ADL (accumulation/distribution)', input: 'bar', fields: HLCV, params: [], lines: [], implementation: 'own',
    create: () => own(new Adl()),
  },
  {
    id: 'mfi', label: 'MFI (money flow index)', input: 'bar', fields: HLCV, params: [period(14)], lines: [], implementation: 'own', nameParam: 'period',
    create: (p) => own(new Mfi(p.period)),
  },
  {
    id: 'forceindex', label: 'Force index', input: 'bar', fields: ['close', 'volume'], params: [period(13)], lines: [], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiBar(() => new ti.ForceIndex({ period: p.period, close: [], volume: [] })),
  },
  {
    id: 'vwap', label: 'VWAP (cumulative since reset)', input: 'bar', fields: HLCV, params: [], lines: [], implementation: 'technicalindicators',
    create: () => tiBar(() => new ti.VWAP({ ...emptyHlcv })),
  },
  {
    id: 'vwap-session', label: 'VWAP (each session from its open)', input: 'bar', fields: HLCV, params: [], lines: [], implementation: 'own', perSession: true,
    create: () => own(new Vwap()),
  },
  {
    id: 'keltner', label: 'Keltner channels', input: 'bar', fields: HLC,
    params: [int('maPeriod', 'EMA period', 20), int('atrPeriod', 'ATR period', 10), real('multiplier', 'ATR multiplier', 2)],
    lines: ['middle', 'upper', 'lower'], implementation: 'technicalindicators', nameParam: 'maPeriod',
    create: (p) => tiBar(() => new ti.KeltnerChannels({ maPeriod: p.maPeriod, atrPeriod: p.atrPeriod, multiplier: p.multiplier, useSMA: false, ...emptyHlcv }) as unknown as NextValue, { middle: 'middle', upper: 'upper', lower: 'lower' }),
  },
  {
    id: 'chandelier', label: 'Chandelier exit', input: 'bar', fields: HLC, params: [period(22), real('multiplier', 'ATR multiplier', 3)],
    lines: ['exitLong', 'exitShort'], implementation: 'technicalindicators', nameParam: 'period',
    create: (p) => tiBar(() => new ti.ChandelierExit({ period: p.period, multiplier: p.multiplier, ...emptyHlcv }) as unknown as NextValue, { exitLong: 'exitLong', exitShort: 'exitShort' }),
  },
  {
    id: 'ichimoku', label: 'Ichimoku cloud (spans not shifted)', input: 'bar', fields: ['high', 'low'],
    params: [int('conversionPeriod', 'Conversion period', 9), int('basePeriod', 'Base period', 26), int('spanPeriod', 'Span B period', 52), int('displacement', 'Displacement', 26)],
    lines: ['conversion', 'base', 'spanA', 'spanB'], implementation: 'technicalindicators',
    create: (p) => tiBar(() => new ti.IchimokuCloud({ conversionPeriod: p.conversionPeriod, basePeriod: p.basePeriod, spanPeriod: p.spanPeriod, displacement: p.displacement, high: [], low: [] }) as unknown as NextValue, { conversion: 'conversion', base: 'base', spanA: 'spanA', spanB: 'spanB' }),
  },
];

export function findIndicator(id: string): IndicatorSpec {
  const spec = INDICATORS.find((s) => s.id === id);
  if (!spec) throw new Error(`unknown indicator "${id}": choose one of ${INDICATORS.map((s) => s.id).join(', ')}`);
  return spec;
}

/**
 * The parameters to use: each configured value checked against its spec, defaults for the rest.
 * Throws a message naming the parameter when one is out of range.
 */
export function resolveParams(spec: IndicatorSpec, given: Readonly<Record<string, unknown>> = {}): Record<string, number> {
  const params: Record<string, number> = {};
  for (const p of spec.params) {
    const raw = given[p.name];
    const value = raw === undefined || raw === null || raw === '' ? p.default : Number(raw);
    if (!Number.isFinite(value) || value < p.min || (p.integer && !Number.isInteger(value))) {
      throw new Error(`${spec.id} parameter "${p.label}" is ${JSON.stringify(raw)}: use ${p.integer ? 'a whole number' : 'a number'} >= ${p.min} (default ${p.default})`);
    }
    params[p.name] = value;
  }
  if (spec.id === 'macd' && params.fastPeriod >= params.slowPeriod) {
    throw new Error(`macd fast period (${params.fastPeriod}) must be shorter than the slow period (${params.slowPeriod})`);
  }
  return params;
}

/** The default output name: the id plus its main period, e.g. "ema20", "rsi14", "macd". */
export function defaultIndicatorName(spec: IndicatorSpec, params: Readonly<Record<string, number>>): string {
  return spec.nameParam ? `${spec.id}${params[spec.nameParam]}` : spec.id;
}
