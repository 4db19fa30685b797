/**
 * backtest-report: performance of a strategy.
 * - Backtest connection: listens to the connection's backtest session; progress every N bars, the report
 *   when the replay ends.
 * - msg.payload an array of bars with msg.order an index-aligned array of intents, or several
 *   instruments' parts ({topic, contract, payload, order}, in an array or keyed by instrument): runs the
 *   batch backtest (lib/broker/batch-backtest.ts: the replay's clock, place-order's planning and the
 *   account guard) and reports at once. Batches of several historical-bars nodes started together on the
 *   connection are held until all are in and run as one portfolio (lib/backtest/batch-sources.ts).
 * - tws / simulator connection: samples the account's equity every few seconds: equity curve, return and
 *   drawdown to date (and a Sharpe in the payload, not in the status: see liveStatusText).
 * Outputs: 1 report (metrics in msg.payload, msg.trades) and progress, 2 equity chart, 3 drawdown chart,
 * 4 price chart with entries and exits (each a ui-chart with series from msg.topic, x "x", y "y").
 */
import type { BacktestOptions } from '../../lib/backtest/types';
import { withBacktestOverride } from '../../lib/backtest/options';
import { batchInstruments, guardLimits, runPortfolioBacktest, partOfMessages, type BatchInstrumentInput } from '../../lib/broker/batch-backtest';
import { BatchGathering } from '../../lib/backtest/batch-sources';
import { batchLength } from '../../lib/messages/bar-columns';
import { reportMessages, resultStatus, type ReportMessages } from '../../lib/backtest/report';
import { resultsBus, type PublishedResult, type ReplayProgress } from '../results-bus';
import { RunningAccount } from '../../lib/backtest/running-account';
import { RunningBreakdown } from '../../lib/backtest/running-breakdown';
import type { Connection, ReplayClock } from '../../lib/connection/types';
import { DEFAULT_BACKTEST_OPTIONS } from '../../lib/connection/pacing-clock';
import type { Bar, InstrumentKey } from '../../lib/messages';
import { onInput, shortText, UserError } from '../common';
import { useConnection } from '../connection';
import type { Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from '../red';
import { isGiven } from '../../lib/messages/setting';
import { errorText, message, useMessageCatalogs } from '../i18n';

interface ReportDef extends NodeDef {
  connection?: string;
  progressEvery?: number | string;
  maxPoints?: number | string;
  riskFreeRate?: number | string;
  periodsPerYear?: number | string;
  sampleSeconds?: number | string;
}

interface ReportSettings {
  progressEvery: number;
  maxPoints: number;
  riskFreeRate: number;
  periodsPerYear: number | undefined;
  sampleSeconds: number;
}

const STATUS_INTERVAL_MS = 250;

function readSettings(def: ReportDef): ReportSettings {
  const num = (value: unknown, fallback: number, ok: (n: number) => boolean, what: string): number => {
    if (!isGiven(value)) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || !ok(n)) throw new UserError(message('ib-backtest-report.errors.setting', { setting: what, value: JSON.stringify(value) }));
    return n;
  };
  const periods = !isGiven(def.periodsPerYear) ? undefined : num(def.periodsPerYear, 252, (n) => n > 0, message('ib-backtest-report.settings.periodsPerYear'));
  return {
    progressEvery: num(def.progressEvery, 1000, (n) => Number.isInteger(n) && n >= 0, message('ib-backtest-report.settings.progressEvery')),
    maxPoints: num(def.maxPoints, 1000, (n) => Number.isInteger(n) && n >= 10, message('ib-backtest-report.settings.maxPoints')),
    riskFreeRate: num(def.riskFreeRate, 0, (n) => n >= -100 && n <= 100, message('ib-backtest-report.settings.riskFreeRate')) / 100,
    periodsPerYear: periods,
    sampleSeconds: num(def.sampleSeconds, 60, (n) => n >= 1, message('ib-backtest-report.settings.sampleSeconds')),
  };
}

/** Backtest options for a batch: the connection's (a backtest connection's own settings), else defaults; msg.backtest overrides. */
function batchOptions(connection: Connection | null, override: unknown): BacktestOptions {
  const base: BacktestOptions = connection ? connection.replay().options : DEFAULT_BACKTEST_OPTIONS;
  try {
    return withBacktestOverride(base, override);
  } catch (err) {
    throw new UserError(errorText(err));
  }
}

export = function register(RED: NodeAPI): void {
  useMessageCatalogs(RED);
  function IbBacktestReport(this: Node, def: ReportDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const label = node.name || 'backtest-report';
    let settings: ReportSettings | null = null;
    let configError: Error | null = null;
    try {
      settings = readSettings(def);
    } catch (err) {
      configError = err as Error;
      node.status({ fill: 'red', shape: 'ring', text: message('ib-algo.status.invalidConfiguration') });
    }
    const config = def.connection ? useConnection(RED, node, def.connection, { onStatus: () => false }) : null;
    const connection = config?.connection ?? null;
    const cleanups: Array<() => void> = [];
    /** Live and simulator connections: takes one account sample and sends it. */
    let liveSample: ((send: SendFunction) => boolean) | null = null;

    const publish = (messages: ReportMessages) => {
      const published: PublishedResult = { nodeId: node.id, name: label, result: { ...messages.result, strategies: messages.strategies, tradeList: messages.trades } };
      resultsBus().emit('result', published);
    };

    const sendReport = (send: SendFunction, messages: ReportMessages, extra: NodeMessage = {}) => {
      send([
        { ...extra, topic: messages.result.instrument, payload: messages.result, trades: messages.trades, strategies: messages.strategies, complete: true },
        messages.equityChart as NodeMessage[],
        messages.drawdownChart as NodeMessage[],
        messages.priceChart as NodeMessage[],
      ]);
      node.status({ fill: 'green', shape: 'dot', text: shortText(resultStatus(messages.result)) });
      publish(messages);
    };

    // A replay that fills orders is a backtest to report on; where replays only pace (tws, simulator),
    // the report follows the account's equity instead.
    if (settings && connection?.replay().fillsOrders) {
      listenToBacktest(connection.replay(), settings);
    } else if (settings && connection) {
      trackAccount(connection, settings);
    } else if (settings && !connection) {
      node.status({ fill: 'grey', shape: 'ring', text: message('ib-backtest-report.status.batchReady') });
    }

    function listenToBacktest(session: ReplayClock, s: ReportSettings): void {
      const keys = new Set<InstrumentKey>();
      let bars = 0;
      let started = 0;
      let lastStatus = 0;
      let peak = 0;
      const onStart = (info: { key: InstrumentKey }) => {
        // The first source of a run (counters were cleared at the last 'end').
        if (started === 0) {
          started = Date.now();
          peak = session.options.startingCash;
          resultsBus().emit('replay', { nodeId: node.id, running: true });
        }
        keys.add(info.key);
        node.status({ fill: 'blue', shape: 'ring', text: message('ib-backtest-report.status.replayStarted') });
      };
      const onBar = (_key: InstrumentKey, _bar: Bar, equity: number) => {
        bars++;
        if (equity > peak) peak = equity;
        if (s.progressEvery > 0 && bars % s.progressEvery === 0) {
          const total = session.expectedBars();
          const seconds = (Date.now() - started) / 1000;
          node.send({
            topic: 'progress',
            progress: true,
            payload: {
              bars,
              totalBars: total,
              percent: total ? (bars / total) * 100 : null,
              equity,
              drawdownPct: peak > 0 ? ((peak - equity) / peak) * 100 : 0,
              barsPerSecond: seconds > 0 ? Math.round(bars / seconds) : null,
            },
          });
        }
        const now = Date.now();
        if (now - lastStatus >= STATUS_INTERVAL_MS) {
          lastStatus = now;
          const total = session.expectedBars();
          node.status({ fill: 'blue', shape: 'dot', text: total ? message('ib-backtest-report.status.progress', { bars, total, percent: Math.floor((bars / total) * 100) }) : message('ib-backtest-report.status.bars', { bars }) });
          resultsBus().emit('progress', { nodeId: node.id, bars, totalBars: total, elapsedMs: now - started } satisfies ReplayProgress);
        }
      };
      const onEnd = () => {
        try {
          const summary = session.summary({ periodsPerYear: s.periodsPerYear, riskFreeRate: s.riskFreeRate });
          // Instruments in a fixed order (not the order their sources happened to start in), so reruns agree.
          const messages = reportMessages(summary, [...keys].sort().join(',') || 'backtest', s.maxPoints);
          sendReport((m) => node.send(m), messages);
        } catch (err) {
          node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
          node.error(message('ib-backtest-report.errors.summary', { error: errorText(err) }));
          resultsBus().emit('failure', { nodeId: node.id, name: label, error: (err as Error).message });
        }
        keys.clear();
        bars = 0;
        started = 0;
        resultsBus().emit('replay', { nodeId: node.id, running: false });
      };
      session.on('start', onStart);
      session.on('bar', onBar);
      session.on('end', onEnd);
      cleanups.push(() => {
        session.off('start', onStart);
        session.off('bar', onBar);
        session.off('end', onEnd);
      });
      node.status({ fill: 'grey', shape: 'ring', text: message('ib-backtest-report.status.waitingReplay') });
    }

    function trackAccount(conn: Connection, s: ReportSettings): void {
      const account = new RunningAccount(s.sampleSeconds * 1000);
      const parts = new RunningBreakdown();
      const sample = (send: SendFunction): boolean => {
        const equity = conn.broker.equity();
        if (equity === null) {
          node.status({ fill: 'grey', shape: 'ring', text: message('ib-backtest-report.status.waitingEquity') });
          return false;
        }
        const time = Date.now();
        const stats = account.sample(time, equity);
        const { instruments, strategies } = parts.sample(equity, conn.broker.positions(), conn.broker.strategyBook?.() ?? null, conn.broker.strategyTrips?.() ?? null);
        send([
          { topic: conn.broker.account() ?? 'account', payload: { ...stats, instruments, strategies }, live: true },
          { topic: 'equity', payload: { x: time, y: equity } },
          { topic: 'drawdown %', payload: { x: time, y: -stats.drawdownPct } },
          null,
        ]);
        // Equity, return since the first sample and drawdown: no Sharpe here. Annualised from a few minutes
        // of samples (each taken as that much trading-session time) it is noise, -324 on the simulator's
        // fast clock; payload.sharpe is there for those who sample long enough.
        node.status({ fill: 'green', shape: 'dot', text: shortText(liveStatusText(stats), 60) });
        return true;
      };
      const timer = setInterval(() => {
        try {
          sample((m) => node.send(m));
        } catch (err) {
          node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
        }
      }, s.sampleSeconds * 1000);
      cleanups.push(() => clearInterval(timer));
      liveSample = sample;
    }
    const gathering = new BatchGathering<BatchInstrumentInput>(connection?.replay().batchSources ?? null, partOfMessages);
    /** msg.backtest of the last batch message (the options of a portfolio its round completes). */
    let gatheredBacktest: unknown;

    /** Runs the batch of `instruments` and makes its report; throws a UserError that says what was wrong. */
    const runGathered = (instruments: BatchInstrumentInput[], backtest: unknown): ReportMessages => {
      const s = settings!;
      const bars = instruments.reduce((sum, i) => sum + batchLength(i.bars), 0);
      let summary: ReturnType<typeof runPortfolioBacktest>;
      try {
        node.status({ fill: 'blue', shape: 'dot', text: instruments.length > 1 ? message('ib-backtest-report.status.batchInstruments', { bars, instruments: instruments.length }) : message('ib-backtest-report.status.batch', { bars }) });
        summary = runPortfolioBacktest({
          instruments,
          options: batchOptions(connection, backtest),
          limits: guardLimits(connection?.broker),
          summary: { periodsPerYear: s.periodsPerYear, riskFreeRate: s.riskFreeRate },
          orderRef: node.id,
        });
      } catch (err) {
        throw err instanceof UserError ? err : new UserError(errorText(err));
      }
      return reportMessages(summary, instruments.map((i) => i.key).sort().join(','), s.maxPoints);
    };

    // A round may also end without a message here: the last source failed, or closed.
    if (connection && settings) {
      cleanups.push(
        connection.replay().batchSources.onChange(() => {
          const gathered = gathering.settle();
          try {
            if (gathered.kind === 'failed') throw new UserError(message('ib-backtest-report.errors.portfolioNotRun', { reason: gathered.message }));
            if (gathered.kind === 'complete' && gathered.parts.length > 0) sendReport((m) => node.send(m), runGathered(gathered.parts, gatheredBacktest));
          } catch (err) {
            node.status({ fill: 'red', shape: 'ring', text: shortText(errorText(err)) });
            node.error(errorText(err));
          }
        }),
      );
    }

    onInput(node, (msg, send, done) => {
      if (configError || !settings) throw configError ?? new Error(message('ib-backtest-report.errors.notConfigured'));
      let instruments: ReturnType<typeof batchInstruments>;
      try {
        instruments = batchInstruments(msg);
      } catch (err) {
        throw new UserError(errorText(err));
      }
      if (instruments) {
        // Several instruments' batches on this connection are one portfolio: held until the round of
        // its batch sources is whole.
        gatheredBacktest = msg.backtest;
        const gathered = gathering.add(instruments);
        if (gathered.kind === 'waiting') {
          node.status({ fill: 'blue', shape: 'ring', text: shortText(message('ib-backtest-report.status.batchWaiting', { waiting: gathered.text })) });
          done();
          return;
        }
        if (gathered.kind === 'failed') throw new UserError(message('ib-backtest-report.errors.portfolioNotRun', { reason: gathered.message }));
        // The bars and intents stay behind: a million-bar report must not carry them on.
        sendReport(send, runGathered(gathered.parts, gatheredBacktest), { _msgid: msg._msgid });
        done();
        return;
      }
      if (liveSample) {
        liveSample(send);
        done();
        return;
      }
      // A bar passing by in a replay: the report comes from the session when the replay ends.
      done();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      for (const cleanup of cleanups.splice(0)) cleanup();
      gathering.clear();
      done();
    });
  }
  RED.nodes.registerType('ib-backtest-report', IbBacktestReport);
};

/** The live status: "equity 999,936.00 · +0.01% · dd 0.02%" (money with separators, percent to 2 places). */
function liveStatusText(stats: { equity: number; cumulativeReturn: number; drawdownPct: number }): string {
  const money = stats.equity.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const ret = Math.round(stats.cumulativeReturn * 10_000) / 100 || 0;
  const dd = Math.round(stats.drawdownPct * 100) / 100 || 0;
  return message('ib-backtest-report.status.live', { equity: money, return: `${ret > 0 ? '+' : ''}${ret.toFixed(2)}`, drawdown: dd.toFixed(2) });
}
