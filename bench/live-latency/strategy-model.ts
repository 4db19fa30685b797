/**
 * The benchmark's reference run of the strategy: the tick frames the simulator wrote, in the order it
 * wrote them, through the same code the flow runs (@stoqey/ib's decoder, the quote assembler of
 * market-data, the sma runner, the crossover, and the target rule of risk-sizer and place-order). It
 * names the frame behind every order, so each
 * PLACE_ORDER the simulator reads can be paired with the tick that caused it. Any tick the flow lost,
 * reordered or saw twice would shift the moving averages and break the pairing, which is checked.
 */
import { Decoder } from '@stoqey/ib/dist/core/io/decoder';
import { EventName } from '@stoqey/ib';
import { QuoteAssembler } from '../../lib/data/quote';
import { IndicatorRunner } from '../../lib/indicators/runner';
import { parsePath } from '../../lib/messages/path';
import { readValueSource } from '../../lib/messages/source';
import { Sma } from '../../lib/indicators/sma';
import { Crossover } from '../../lib/signals/crossover';

export interface StrategyShape {
  /** SMA period, in quote messages. */
  period: number;
  /** The band the average must cross: up through `lower` is a BUY, down through `upper` a SELL. */
  lower: number;
  upper: number;
}

export interface PredictedOrder {
  /** Index of the causing frame among the connection's tick frames. */
  frame: number;
  side: 'BUY' | 'SELL';
}

export interface ModelRun {
  /** Signals that change the target position (+100 / -100): each makes exactly one PLACE_ORDER. */
  orders: PredictedOrder[];
  /** Crossover signals in all (a repeated side is "target already met": no order). */
  signals: number;
  /** Quote messages market-data sends for these frames (one per quote change). */
  quotes: number;
  /** Quote messages up to and including each frame. */
  quotesThrough: Uint32Array;
}

/** What the flow's nodes read and write, shared with the flow so both use the same places. */
export const PATHS = { source: 'payload.bidSize', average: 'indicators.bidSizeAvg' } as const;

/** Tokens of one encoded frame as the client splits them (4-byte length, NUL-terminated fields). */
function tokensOf(frame: Buffer): string[] {
  const tokens = frame.toString('utf8', 4).split('\0');
  tokens.pop();
  return tokens;
}

/**
 * One strategy per market-data stream (ticker id), as the flow has one chain per symbol: frames of
 * other streams interleave with a stream's own and must leave its averages alone.
 */
export function runModel(frames: readonly Buffer[], shape: StrategyShape, serverVersion: number, topic: string): ModelRun {
  interface Stream {
    quotes: QuoteAssembler;
    average: IndicatorRunner;
    crossover: Crossover;
    lastSide: 'BUY' | 'SELL' | null;
  }
  const streams = new Map<number, Stream>();
  const streamOf = (tickerId: number): Stream => {
    let stream = streams.get(tickerId);
    if (!stream) {
      stream = {
        quotes: new QuoteAssembler(),
        average: new IndicatorRunner({
          create: () => new Sma(shape.period),
          input: 'value',
          source: readValueSource('property', PATHS.source),
          output: parsePath(PATHS.average, 'output'),
          name: 'bidSizeAvg',
        }),
        crossover: new Crossover({ mode: 'band', fast: parsePath(PATHS.average, 'property'), lower: shape.lower, upper: shape.upper, emit: 'cross' }),
        lastSide: null,
      };
      streams.set(tickerId, stream);
    }
    return stream;
  };
  const orders: PredictedOrder[] = [];
  let signals = 0;
  let quoteCount = 0;
  let frame = 0;
  const onTick = (tickerId: number, tickType: number, value: number | undefined) => {
    const stream = streamOf(tickerId);
    if (!stream.quotes.apply(tickType, value, 0)) return;
    quoteCount++;
    const msg: Record<string, unknown> = { topic: `${topic}#${tickerId}`, payload: stream.quotes.current() };
    // A node that throws (e.g. no last price yet) ends that message: the model drops it the same way.
    try {
      stream.average.run(msg);
      const result = stream.crossover.run(msg);
      if (result.kind === 'bar' && result.signal) {
        signals++;
        // risk-sizer turns BUY into +100 and SELL into -100; place-order sends only a change of target.
        if (stream.lastSide !== result.signal.side) orders.push({ frame, side: result.signal.side });
        stream.lastSide = result.signal.side;
      }
    } catch {
      // dropped, as in the flow
    }
  };
  const decoder = new Decoder({
    serverVersion,
    emitEvent: (event: string, ...args: unknown[]) => {
      if (event === EventName.tickPrice || event === EventName.tickSize) onTick(args[0] as number, args[1] as number, args[2] as number | undefined);
    },
    emitError: (message: string) => {
      throw new Error(`reference decoder: ${message}`);
    },
    emitInfo: () => {},
  } as never);
  const quotesThrough = new Uint32Array(frames.length);
  for (; frame < frames.length; frame++) {
    decoder.enqueueMessage(tokensOf(frames[frame]));
    decoder.process();
    quotesThrough[frame] = quoteCount;
  }
  return { orders, signals, quotes: quoteCount, quotesThrough };
}
