/**
 * What a price chart shows, made from the package's own messages as the nodes send them: bars
 * (historical-bars, bars, market data's bars; one bar or an array of them) become candles, the numbers
 * computing nodes added under msg.indicators (SMA, EMA, Bollinger Bands ...) become lines over them,
 * fills out of place-order and stop-order become BUY / SELL markers at their price, and a backtest's
 * trades (backtest-report's final message) become entry and exit markers. Kept per instrument
 * (msg.topic), the newest `maxBars` bars of each.
 *
 * accept() turns one message into the update a chart applies (or null when the message shows nothing,
 * such as an order's status); snapshot() is the whole picture for a chart that opens later. Both are
 * plain JSON: the snapshot is columns of numbers, cheap to copy for every message.
 */
import type { Bar } from '../messages';

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** A point of an indicator line; value null while the indicator warms up (a gap in the line). */
export interface LinePoint {
  time: number;
  value: number | null;
}

export type MarkerKind = 'fill' | 'entry' | 'exit';

export interface TradeMarker {
  /** Unique per instrument (an execution id, or trade n's entry / exit), so a marker sent twice shows once. */
  id: string;
  /**
   * When it happened, in epoch ms: the chart draws it on the bar whose time is the largest not after it.
   * A fill stamped before the newest bar when it arrives (a simulator whose market clock runs faster than
   * real time) is given the newest bar's time: it happened while that bar was the market's.
   */
  time: number;
  price: number;
  side: 'BUY' | 'SELL';
  kind: MarkerKind;
  /** Short label: "BUY 100 @ 187.25", "entry long 100", "exit +254.10". */
  text: string;
}

/** One instrument's chart as columns (the snapshot). */
export interface InstrumentColumns {
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  /** Indicator name -> its value at each bar (null: none yet). */
  lines: Record<string, Array<number | null>>;
  markers: TradeMarker[];
}

/**
 * Where an update or a snapshot stands in the chart's history: which model made it (a new one on every
 * deploy) and how many updates it had made. A page that sees an update out of sequence has missed one
 * and loads the whole picture again (the snapshot is saved for new pages at most once a second).
 */
export interface ChartSequence {
  run: string;
  seq: number;
}

export interface ChartSnapshot extends ChartSequence {
  kind: 'snapshot';
  /** In the order they first came. */
  instruments: Record<string, InstrumentColumns>;
}

export interface ChartUpdate extends ChartSequence {
  kind: 'update';
  topic: string;
  /** The instrument's bars so far are replaced by these (a history array, a new run): not appended. */
  replace: boolean;
  /** New or revised bars, oldest first; one with the time of the newest bar revises it (a forming bar). */
  bars: Candle[];
  /** Indicator points at those bars' times. */
  lines: Record<string, LinePoint[]>;
  markers: TradeMarker[];
}

/** Everything cleared (msg.payload = [] or msg.reset), as ui-chart clears on an empty array. */
export interface ChartClear extends ChartSequence {
  kind: 'clear';
}

export interface PriceChartOptions {
  /** Bars kept per instrument (older ones and their markers drop off). */
  maxBars: number;
  /** The msg.indicators names drawn as lines; empty: every number (and every number inside an object, as "bb.upper"). */
  overlays: string[];
  /** Only this instrument (msg.topic, a fill's symbol, a trade's symbol); empty: every one. */
  instrument?: string;
}

export class PriceChartError extends Error {
  override name = 'PriceChartError';
}

interface InstrumentState extends InstrumentColumns {
  markerIds: Set<string>;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isBarLike(v: unknown): v is Bar {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  return 'open' in b && 'high' in b && 'low' in b && 'close' in b && 'time' in b;
}

function candleOf(v: Bar, where: string): Candle {
  const { time, open, high, low, close } = v;
  for (const [name, value] of Object.entries({ time, open, high, low, close })) {
    if (!isNumber(value)) {
      throw new PriceChartError(`${where}: ${name} is ${JSON.stringify(value) ?? String(value)}, not a number: a bar needs numbers time (epoch ms), open, high, low and close`);
    }
  }
  return { time, open, high, low, close };
}

const money = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export class PriceChartModel {
  private readonly instruments = new Map<string, InstrumentState>();
  private readonly run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  private seq = 0;

  constructor(private readonly options: PriceChartOptions) {
    if (!Number.isInteger(options.maxBars) || options.maxBars < 1) throw new PriceChartError(`bars to keep must be a whole number of at least 1, got ${options.maxBars}`);
  }

  /**
   * The update one message makes, or null when it shows nothing on a price chart (an order's status, a
   * progress message). Throws PriceChartError, saying what is wrong, for a bar that is not one.
   */
  accept(msg: Record<string, unknown>): ChartUpdate | ChartClear | null {
    const made = this.make(msg);
    if (made) {
      made.seq = ++this.seq;
      made.run = this.run;
    }
    return made;
  }

  private make(msg: Record<string, unknown>): ChartUpdate | ChartClear | null {
    const payload = msg.payload;
    if (msg.reset === true || (Array.isArray(payload) && payload.length === 0)) {
      this.instruments.clear();
      return { kind: 'clear', run: this.run, seq: 0 };
    }
    const topic = typeof msg.topic === 'string' && msg.topic !== '' ? msg.topic : null;
    if (Array.isArray(payload) && isBarLike(payload[0])) return this.acceptBars(topic, payload as Bar[], msg.indicators, true);
    if (isBarLike(payload)) return this.acceptBars(topic, [payload], msg.indicators === undefined ? undefined : [msg.indicators], false);
    if (Array.isArray(msg.trades) && msg.complete === true) return this.acceptTrades(msg.trades as Array<Record<string, unknown>>);
    if (typeof payload === 'object' && payload !== null && 'execId' in payload) return this.acceptFill(topic, payload as Record<string, unknown>);
    return null;
  }

  snapshot(): ChartSnapshot {
    const instruments: Record<string, InstrumentColumns> = {};
    for (const [key, s] of this.instruments) {
      instruments[key] = { time: s.time, open: s.open, high: s.high, low: s.low, close: s.close, lines: s.lines, markers: s.markers };
    }
    return { kind: 'snapshot', run: this.run, seq: this.seq, instruments };
  }

  private shows(key: string): boolean {
    return !this.options.instrument || this.options.instrument === key;
  }

  private state(topic: string): InstrumentState {
    let s = this.instruments.get(topic);
    if (!s) {
      s = { time: [], open: [], high: [], low: [], close: [], lines: {}, markers: [], markerIds: new Set() };
      this.instruments.set(topic, s);
    }
    return s;
  }

  /**
   * Bars with their indicators: `indicators` is msg.indicators, for an array of bars an object of arrays
   * aligned with them (as computing nodes write a batch) or one object per bar.
   */
  private acceptBars(topic: string | null, bars: Bar[], indicators: unknown, batch: boolean): ChartUpdate | null {
    if (topic === null) throw new PriceChartError('a bar without msg.topic: the chart keeps each instrument by msg.topic (the instrument key, e.g. "AAPL"); set it before the chart');
    if (!this.shows(topic)) return null;
    const s = this.state(topic);
    const candles = bars.map((b, i) => candleOf(b, batch ? `bar ${i} of ${bars.length}` : 'the bar'));
    for (let i = 1; i < candles.length; i++) {
      if (candles[i]!.time <= candles[i - 1]!.time) throw new PriceChartError(`bar ${i} of ${candles.length} (time ${candles[i]!.time}) is not after the bar before it (${candles[i - 1]!.time}): send bars oldest first`);
    }
    const valuesAt = this.indicatorReader(indicators, batch, bars.length);
    const update: ChartUpdate = { kind: 'update', run: this.run, seq: 0, topic, replace: batch, bars: [], lines: {}, markers: [] };
    if (batch) {
      s.time = [];
      s.open = [];
      s.high = [];
      s.low = [];
      s.close = [];
      s.lines = {};
    }
    const newest = () => (s.time.length ? s.time[s.time.length - 1]! : -Infinity);
    candles.forEach((c, i) => {
      const last = newest();
      // An older bar than the newest one shown (a late or repeated message) has nowhere to go.
      if (c.time < last) return;
      const revise = c.time === last;
      if (!revise) {
        s.time.push(c.time);
        s.open.push(c.open);
        s.high.push(c.high);
        s.low.push(c.low);
        s.close.push(c.close);
        for (const line of Object.values(s.lines)) line.push(null);
      } else {
        const at = s.time.length - 1;
        s.open[at] = c.open;
        s.high[at] = c.high;
        s.low[at] = c.low;
        s.close[at] = c.close;
      }
      update.bars.push(c);
      const at = s.time.length - 1;
      for (const [name, value] of valuesAt(i)) {
        let line = s.lines[name];
        if (!line) {
          line = new Array<number | null>(s.time.length).fill(null);
          s.lines[name] = line;
        }
        line[at] = value;
        (update.lines[name] ??= []).push({ time: c.time, value });
      }
    });
    this.trim(s);
    return update;
  }

  /** (bar index) -> [name, value] pairs of the lines to draw. */
  private indicatorReader(indicators: unknown, batch: boolean, count: number): (i: number) => Array<[string, number | null]> {
    if (typeof indicators !== 'object' || indicators === null) return () => [];
    const wanted = this.options.overlays;
    const pick = (name: string) => wanted.length === 0 || wanted.includes(name);
    const numberOrNull = (v: unknown): number | null => (isNumber(v) ? v : null);
    // Per bar: an object of numbers (or of objects of numbers, as Bollinger Bands' {upper, middle, lower}).
    const pairsOf = (values: unknown): Array<[string, number | null]> => {
      if (typeof values !== 'object' || values === null) return [];
      const out: Array<[string, number | null]> = [];
      for (const [name, v] of Object.entries(values as Record<string, unknown>)) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          for (const [part, pv] of Object.entries(v as Record<string, unknown>)) {
            if ((isNumber(pv) || pv === null) && pick(`${name}.${part}`)) out.push([`${name}.${part}`, numberOrNull(pv)]);
          }
        } else if ((isNumber(v) || v === null || (typeof v === 'number' && Number.isNaN(v))) && pick(name)) {
          out.push([name, numberOrNull(v)]);
        }
      }
      return out;
    };
    if (!batch) {
      const pairs = pairsOf(Array.isArray(indicators) ? indicators[0] : indicators);
      return () => pairs;
    }
    if (Array.isArray(indicators)) return (i) => pairsOf(indicators[i]);
    // A batch's msg.indicators: name -> array aligned with the bars (or of objects, as Bollinger Bands).
    const columns = Object.entries(indicators as Record<string, unknown>).filter(([, v]) => Array.isArray(v) && v.length === count) as Array<[string, unknown[]]>;
    return (i) => pairsOf(Object.fromEntries(columns.map(([name, values]) => [name, values[i]])));
  }

  private acceptFill(topic: string | null, fill: Record<string, unknown>): ChartUpdate | null {
    const key = topic ?? (typeof fill.symbol === 'string' ? fill.symbol : null);
    const price = fill.price;
    if (key === null || !this.shows(key) || !isNumber(price) || price <= 0) return null;
    const side = fill.side === 'SELL' || fill.side === 'SLD' ? 'SELL' : 'BUY';
    const s = this.state(key);
    const newest = s.time.length ? s.time[s.time.length - 1]! : null;
    const stamped = isNumber(fill.time) ? fill.time : null;
    const time = newest === null ? (stamped ?? Date.now()) : stamped !== null && stamped >= newest ? stamped : newest;
    const shares = isNumber(fill.shares) ? fill.shares : null;
    const marker: TradeMarker = {
      id: `fill ${String(fill.execId)}`,
      time,
      price,
      side,
      kind: 'fill',
      text: `${side}${shares === null ? '' : ` ${shares.toLocaleString('en-US')}`} @ ${money(price)}`,
    };
    return this.addMarkers(key, [marker]);
  }

  /** A backtest's trades (backtest-report's final message, msg.trades): an entry and, once closed, an exit each. */
  private acceptTrades(trades: Array<Record<string, unknown>>): ChartUpdate | null {
    const byInstrument = new Map<string, TradeMarker[]>();
    trades.forEach((t, n) => {
      const key = typeof t.symbol === 'string' ? t.symbol : null;
      if (key === null || !this.shows(key) || !isNumber(t.entryTime) || !isNumber(t.entryPrice)) return;
      const long = t.direction !== 'short';
      const quantity = isNumber(t.quantity) ? ` ${t.quantity.toLocaleString('en-US')}` : '';
      const list = byInstrument.get(key) ?? [];
      byInstrument.set(key, list);
      list.push({ id: `trade ${n} entry`, time: t.entryTime, price: t.entryPrice, side: long ? 'BUY' : 'SELL', kind: 'entry', text: `entry ${long ? 'long' : 'short'}${quantity} @ ${money(t.entryPrice)}` });
      if (isNumber(t.exitTime) && isNumber(t.exitPrice)) {
        const pnl = isNumber(t.pnl) ? ` ${t.pnl >= 0 ? '+' : ''}${money(t.pnl)}` : '';
        list.push({ id: `trade ${n} exit`, time: t.exitTime, price: t.exitPrice, side: long ? 'SELL' : 'BUY', kind: 'exit', text: `exit @ ${money(t.exitPrice)}${pnl}` });
      }
    });
    // One update per message: the chart shows one instrument's trades at a time; several instruments'
    // trades (a portfolio) go to each instrument's state, the update names the first.
    let update: ChartUpdate | null = null;
    for (const [key, markers] of byInstrument) {
      const s = this.state(key);
      // A new run's trades replace the last run's.
      s.markers = s.markers.filter((m) => m.kind === 'fill');
      s.markerIds = new Set(s.markers.map((m) => m.id));
      const made = this.addMarkers(key, markers);
      update ??= made;
    }
    return update;
  }

  private addMarkers(key: string, markers: TradeMarker[]): ChartUpdate {
    const s = this.state(key);
    const fresh = markers.filter((m) => !s.markerIds.has(m.id));
    for (const m of fresh) {
      s.markerIds.add(m.id);
      s.markers.push(m);
    }
    s.markers.sort((a, b) => a.time - b.time);
    this.trim(s);
    return { kind: 'update', run: this.run, seq: 0, topic: key, replace: false, bars: [], lines: {}, markers: fresh };
  }

  private trim(s: InstrumentState): void {
    const excess = s.time.length - this.options.maxBars;
    if (excess > 0) {
      s.time.splice(0, excess);
      s.open.splice(0, excess);
      s.high.splice(0, excess);
      s.low.splice(0, excess);
      s.close.splice(0, excess);
      for (const line of Object.values(s.lines)) line.splice(0, excess);
    }
    if (s.time.length && s.markers.length && s.markers[0]!.time < s.time[0]!) {
      s.markers = s.markers.filter((m) => m.time >= s.time[0]!);
      s.markerIds = new Set(s.markers.map((m) => m.id));
    }
  }
}
