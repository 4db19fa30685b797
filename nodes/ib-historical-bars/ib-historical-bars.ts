/**
 * historical-bars: bars from TWS (chunked and paced), from a CSV/JSON file, or from msg.payload; sent as
 * one message with all bars (an array of bar objects, or columns: six arrays of numbers, the compact
 * shape for a million bars), one message per bar (a replay paced by the flow: the next bar leaves only
 * when everything the last one caused is handled), or kept up to date (history, then bars as they form).
 * On a backtest connection a per-bar replay feeds each bar to the backtest session before the flow sees it.
 */
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join } from 'node:path';
import type { Contract } from '@stoqey/ib';
import type { Bar, BarColumns, InstrumentKey } from '../../lib/messages';
import { barsToColumns } from '../../lib/messages/bar-columns';
import { isGiven, messageOrSetting } from '../../lib/messages/setting';
import type { Connection } from '../../lib/connection/types';
import type { IbSession } from '../../lib/ib/connection';
import { compactCount as compact, replayBars } from '../../lib/connection/replay';
import { contractMultiplier } from '../../lib/messages/instrument';
import { findMessageInstrument } from '../../lib/messages/message-instrument';
import type { InstrumentSpec } from '../../lib/backtest/types';
import { parseBarSize, parseDuration, type BarSize, type Duration } from '../../lib/data/bar-size';
import { barsFromObjects, parseBarsText } from '../../lib/data/bar-file';
import { barColumnsFromData, parseBarColumnsText } from '../../lib/data/bar-columns-file';
import { parseEndTime } from '../../lib/data/dates';
import { HistoryCache } from '../../lib/data/history-cache';
import { fetchHistory, streamHistory, type HistoryRequest } from '../../lib/data/history';
import { onInput, shortText, UserError } from '../common';
import { useConnection } from '../connection';
import { configuredContract, qualifyMessageContract } from '../contract-editor';
import { createFlowPacer, ReplayStoppedError } from '../flow-pacer';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { errorText, message, useMessageCatalogs } from '../i18n';

type Source = 'ib' | 'file' | 'msg';
type Output = 'all' | 'columns' | 'each' | 'live';

/** How one message with all bars is built: from text, from msg data, or from bars fetched from IB. */
interface BatchShape<T> {
  /** CSV or JSON, as a string or a file's bytes (UTF-8). */
  fromText(text: string | Uint8Array, source: string): T;
  fromData(data: unknown, source: string): T;
  fromBars(bars: Bar[]): T;
  length(batch: T): number;
}

const BAR_LIST: BatchShape<Bar[]> = {
  fromText: parseBarsText,
  fromData: barsFromObjects,
  fromBars: (bars) => bars,
  length: (bars) => bars.length,
};

// File and msg data are read straight into columns, never through a bar object per row.
const COLUMNS: BatchShape<BarColumns> = {
  fromText: parseBarColumnsText,
  fromData: barColumnsFromData,
  fromBars: barsToColumns,
  length: (columns) => columns.time.length,
};

const WHAT_TO_SHOW = ['TRADES', 'MIDPOINT', 'BID', 'ASK', 'BID_ASK', 'ADJUSTED_LAST', 'HISTORICAL_VOLATILITY', 'OPTION_IMPLIED_VOLATILITY', 'AGGTRADES'];

interface Params {
  barSize: BarSize;
  duration: Duration;
  endMs: number | null;
  whatToShow: string;
  useRTH: boolean;
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbHistoricalBars(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const source: Source = def.source === 'file' || def.source === 'msg' ? def.source : 'ib';
    const output: Output = def.output === 'columns' || def.output === 'each' || def.output === 'live' ? def.output : 'all';
    const sendForming = def.formingBars !== false;
    const configured = configuredContract(def);
    const userDir = String(RED.settings.userDir ?? process.cwd());
    const cache = def.cache === true ? new HistoryCache(String(def.cacheDir || '') || join(userDir, 'ib-history-cache')) : null;
    let closed = false;
    let busy: Promise<void> = Promise.resolve();
    const abort = new AbortController();
    // Every queued request listens for the node's close: many at once is normal here.
    setMaxListeners(0, abort.signal);
    let stopLive: (() => void) | null = null;
    let lastLive: { msg: NodeMessage; params: Params } | null = null;

    const config = def.connection ? useConnection(RED, node, def.connection) : null;
    const connection: Connection | null = config?.connection ?? null;
    if (!config) node.status({});
    if (configured.problem) node.status({ fill: 'red', shape: 'ring', text: shortText(configured.problem) });
    // A backtest connection draws IB history from its data connection (another ib-connect), if it names one.
    const dataConfig = source === 'ib' ? (config?.dataConnection ?? null) : null;
    if (dataConfig) dataConfig.register(node);
    const pacer = createFlowPacer(RED, node);

    const readParams = (msg: NodeMessage): Params => {
      try {
        const whatToShow = String(messageOrSetting(msg.whatToShow, def.whatToShow, 'TRADES')).toUpperCase();
        if (!WHAT_TO_SHOW.includes(whatToShow)) throw new Error(message('ib-historical-bars.errors.whatToShow', { whatToShow, allowed: WHAT_TO_SHOW.join(', ') }));
        const end = messageOrSetting(isGiven(msg.endTime) ? msg.endTime : msg.end, def.endTime, 'now');
        const useRTH = messageOrSetting(msg.useRTH, def.useRTH, true);
        return {
          barSize: parseBarSize(messageOrSetting(msg.barSize, def.barSize, '1 day')),
          duration: parseDuration(messageOrSetting(msg.duration, def.duration, '1 M')),
          endMs: end === 'now' ? null : parseEndTime(end, Date.now()),
          whatToShow,
          useRTH: useRTH !== false && useRTH !== 0,
        };
      } catch (err) {
        throw new UserError(errorText(err));
      }
    };

    const noConnection = () => new UserError(message('ib-historical-bars.errors.noConnection'));

    const loadBars = async <T>(
      msg: NodeMessage,
      params: Params,
      shape: BatchShape<T>,
    ): Promise<{ key: InstrumentKey; contract: Contract | null; bars: T; spec?: InstrumentSpec }> => {
      if (source === 'msg') {
        const payload = msg.payload;
        return { ...barsInstrument(msg, configured.contract, 'bars'), bars: asUserError(() => (typeof payload === 'string' ? shape.fromText(payload, 'msg.payload') : shape.fromData(payload, 'msg.payload'))) };
      }
      if (source === 'file') {
        const given = String(messageOrSetting(msg.filename, def.file, '')).trim();
        if (!given) throw new UserError(message('ib-historical-bars.errors.noFile'));
        const path = isAbsolute(given) ? given : join(userDir, given);
        // The bytes, not a string: CSV is read from them in pieces, never as one string the size of the file.
        let text: Uint8Array;
        try {
          text = await readFile(path);
        } catch (err) {
          throw new UserError(message('ib-historical-bars.errors.readFile', { path, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message }));
        }
        const name = basename(path);
        return { ...barsInstrument(msg, configured.contract, basename(path, extname(path)).toUpperCase()), bars: asUserError(() => shape.fromText(text, name)) };
      }
      if (!connection) throw noConnection();
      const session = connection.history();
      const qualified = await qualifyMessageContract(session, msg, configured);
      const started = Date.now();
      const request: HistoryRequest = { key: qualified.key, contract: qualified.contract, ...params };
      const bars = await fetchHistory(session, request, {
        cache,
        signal: abort.signal,
        onProgress: (p) => {
          if (closed) return;
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          node.status({ fill: 'blue', shape: 'ring', text: message('ib-historical-bars.status.fetching', { key: qualified.key, done: p.chunksDone, total: p.chunksTotal, bars: compact(p.bars), seconds: secs }) });
        },
      }).catch((err: Error) => {
        throw new UserError(errorText(err));
      });
      // What IB says of the instrument (its tick above all) reaches a backtest that replays these bars.
      const spec: InstrumentSpec = { currency: qualified.contract.currency };
      if (qualified.details.minTick !== undefined && qualified.details.minTick > 0) spec.minTick = qualified.details.minTick;
      const multiplier = contractMultiplier(qualified.contract);
      if (multiplier !== undefined) spec.multiplier = multiplier;
      return { key: qualified.key, contract: qualified.contract, bars: shape.fromBars(bars), spec };
    };

    /** One message per bar, each sent only when the flow finished with the previous one. */
    const replay = (key: InstrumentKey, contract: Contract | null, bars: Bar[], spec?: InstrumentSpec) =>
      replayBars({
        key,
        contract,
        bars,
        spec,
        sourceId: node.id,
        clock: connection?.replay(),
        send: (msg) => pacer.send(msg),
        onProgress: (p) => node.status({ fill: p.finished ? 'green' : 'blue', shape: 'dot', text: p.text }),
        stopped: () => closed,
      });

    const live = async (msg: NodeMessage, params: Params) => {
      const session: IbSession | undefined = connection?.liveData('bar updates');
      if (source !== 'ib') throw new UserError(message('ib-historical-bars.errors.liveSource'));
      if (!session) throw noConnection();
      const qualified = await qualifyMessageContract(session, msg, configured);
      const key = qualified.key;
      stopLive?.();
      lastLive = { msg, params };
      let updates = 0;
      await new Promise<void>((resolve, reject) => {
        let historySent = false;
        stopLive = streamHistory(session, { key, contract: qualified.contract, ...params, endMs: null }, {
          onHistory: (bars) => {
            historySent = true;
            node.send({ topic: key, payload: bars, contract: { ...qualified.contract }, history: true });
            node.status({ fill: 'green', shape: 'dot', text: message('ib-historical-bars.status.live', { key, bars: bars.length }) });
            resolve();
          },
          onUpdate: (bar, closedBar) => {
            updates++;
            if (closedBar) node.send({ topic: key, payload: closedBar, contract: { ...qualified.contract }, forming: false });
            if (sendForming) node.send({ topic: key, payload: bar, contract: { ...qualified.contract }, forming: true });
            node.status({ fill: 'green', shape: 'dot', text: message('ib-historical-bars.status.update', { key, close: bar.close, updates }) });
          },
          onError: (err) => {
            if (!historySent) reject(new UserError(errorText(err)));
            else {
              node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
              node.error(errorText(err), msg);
            }
          },
        }, { cache, signal: abort.signal });
      });
    };

    const handle = async (msg: NodeMessage) => {
      if (msg.payload === 'stop') {
        stopLive?.();
        stopLive = null;
        lastLive = null;
        node.status({ fill: 'grey', shape: 'ring', text: message('ib-algo.status.stopped') });
        return;
      }
      const params = readParams(msg);
      if (output === 'live') return live(msg, params);
      if (output === 'all' || output === 'columns') {
        // On a backtest connection too, all bars go in one message and nothing is fed to the backtest
        // session: the batch nodes downstream compute whole arrays and backtest-report runs the batch.
        // Announced on the connection while the bars load: a report there gathers the batches of every
        // source started together into one portfolio backtest (lib/backtest/batch-sources.ts).
        const shape: BatchShape<Bar[] | BarColumns> = output === 'columns' ? COLUMNS : BAR_LIST;
        const sources = connection?.replay().batchSources ?? null;
        sources?.announce(node.id);
        let loaded: Awaited<ReturnType<typeof loadBars<Bar[] | BarColumns>>>;
        try {
          loaded = await loadBars(msg, params, shape);
        } catch (err) {
          sources?.failed(node.id, `historical-bars ${node.name || node.id} could not load its bars: ${(err as Error).message}`);
          throw err;
        }
        const { key, contract, bars } = loaded;
        sources?.sent(node.id, key);
        node.send(contract ? { topic: key, payload: bars, contract, history: true } : { topic: key, payload: bars, history: true });
        node.status({ fill: 'green', shape: 'dot', text: message('ib-historical-bars.status.bars', { key, bars: compact(shape.length(bars)) }) });
        return;
      }
      // Held on the run's clock while the bars load, so another source's replay waits for these bars
      // instead of running ahead (several historical-bars nodes started by one inject).
      const clock = connection?.replay() ?? null;
      clock?.hold(node.id);
      try {
        const { key, contract, bars, spec } = await loadBars(msg, params, BAR_LIST);
        await replay(key, contract, bars, spec);
      } finally {
        clock?.end(node.id);
      }
    };

    onInput(node, (msg, _send, done) => {
      // Replays go one at a time per node (a second waits for the first to finish); fetches of all bars
      // run side by side, the pacing queue keeps them within IB's rules.
      const serial = output === 'each' && msg.payload !== 'stop';
      const run = serial ? busy.then(() => (closed ? undefined : handle(msg))) : handle(msg);
      if (serial) busy = run.catch(() => undefined);
      run.then(
        () => done(),
        (err: Error) => (err instanceof ReplayStoppedError ? done() : done(err)),
      );
    });

    const connectionReloaded = () => {
      // A keep-up-to-date stream ends with the socket: ask again (history, then updates) on the new one.
      if (!lastLive || closed) return;
      const { msg, params } = lastLive;
      live(msg, params).catch((err: Error) => {
        node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
        node.error(message('ib-historical-bars.errors.resume', { error: errorText(err) }), msg);
      });
    };
    connection?.on('resubscribe', connectionReloaded);

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      abort.abort();
      stopLive?.();
      connection?.off('resubscribe', connectionReloaded);
      connection?.replay().batchSources.withdraw(node.id);
      if (dataConfig) dataConfig.deregister(node, done);
      else done();
    });
  }
  RED.nodes.registerType('ib-historical-bars', IbHistoricalBars);
};

/** Bad bar data is the user's to fix: its error text (row, column, value) goes to done(err) as it is. */
function asUserError<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new UserError(errorText(err));
  }
}

/**
 * What bars from a file or a message are of: the one rule (lib/messages/message-instrument.ts) as
 * place-order reads a message, so a backtest books their orders under the same key; else `fallback`
 * (the file name) as the key. A topic adds no contract to the bars it names.
 */
function barsInstrument(msg: NodeMessage, configured: Contract | null, fallback: string): { key: InstrumentKey; contract: Contract | null } {
  const found = asUserError(() => findMessageInstrument(msg, configured, 'message'));
  if (!found) return { key: fallback, contract: null };
  return { key: found.key, contract: found.from === 'topic' ? null : found.contract };
}
