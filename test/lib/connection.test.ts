/**
 * The connection floor: nodes never ask which mode their connection is in (checked over their source),
 * lib's floors import one way, every connection answers every capability (with its own refusal where
 * its mode lacks one), and the replay loop feeds the clock before each bar leaves.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildConnection, CapabilityError, DEFAULT_BACKTEST_OPTIONS, readConnectionConfig, replayBars, type OpenableConnection, type ReplayMessage } from '../../lib/connection';
import { BacktestRun } from '../../lib/backtest/session';
import type { Bar } from '../../lib/messages';
import { repoRoot } from '../helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'connection-floor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sourceFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Code lines (comments dropped) that ask for the connection's mode or test an ib/backtest handle. */
function modeQuestions(nodesDir: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(nodesDir)) {
    const name = relative(nodesDir, file);
    // ib-connect builds the connection from its own fields (through lib/connection), so it may name its mode.
    const buildsConnection = name.startsWith('ib-connect');
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').trim();
        if (code.startsWith('*') || code.startsWith('/*')) return;
        // Text inside strings (messages, symbols) is not code that reads a property.
        const bare = code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
        const ask =
          // compared with a connection mode: mode === 'backtest', 'tws' !== x ...
          /[!=]==\s*['"](tws|simulator|backtest)['"]|['"](tws|simulator|backtest)['"]\s*[!=]==/.test(code) ||
          // a connection's or status's mode (a node's own setting def.mode is not the connection's)
          (!buildsConnection && /(?<!\bdef)\??\.mode\b/.test(bare)) ||
          // the old handles: connection.ib, connection.backtest (msg.backtest is a message field)
          /(?<!\bmsg)\??\.(ib|backtest)\b/.test(bare);
        if (ask) found.push(`${name}:${i + 1}: ${code}`);
      });
  }
  return found;
}

/** Relative imports of a lib file, as folder names under lib ('ib', 'backtest', ...). */
function importedFloors(file: string): string[] {
  const floors: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.\.?\/[^']+)'|import\('(\.\.?\/[^']+)'\)/g)) {
    const target = join(file, '..', m[1] ?? m[2]!);
    const rel = relative(join(repoRoot, 'lib'), target).split(/[\\/]/);
    if (rel[0] !== '..') floors.push(rel[0]!);
  }
  return floors;
}

describe('connection floor', () => {
  it('no node asks for the connection mode or tests an ib/backtest handle', () => {
    assert.deepEqual(modeQuestions(join(repoRoot, 'nodes')), []);
  });

  it('floors import one way: nothing below lib/connection imports it; lib/ib and lib/backtest import neither each other nor connection', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(join(repoRoot, 'lib'))) {
      const own = relative(join(repoRoot, 'lib'), file).split(/[\\/]/)[0]!;
      for (const floor of importedFloors(file)) {
        const bad = (own !== 'connection' && floor === 'connection') || (own === 'ib' && (floor === 'backtest' || floor === 'broker')) || (own === 'backtest' && floor === 'ib');
        if (bad) wrong.push(`${relative(repoRoot, file)} imports lib/${floor}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  describe('capabilities', () => {
    const open: OpenableConnection[] = [];
    after(async () => {
      for (const c of open) await c.dispose();
    });
    const build = (fields: Record<string, unknown>, dataConnection?: () => OpenableConnection | null) => {
      const config = readConnectionConfig({ journalPath: join(dir, `${Math.random().toString(36).slice(2)}.jsonl`), ...fields });
      const silent = { debug() {}, info() {}, warn() {}, error() {} };
      const connection = buildConnection(config, { id: 'c', journalDir: dir, log: silent, dataConnection });
      open.push(connection);
      return connection;
    };

    it('simulator and tws: history and live data from the session; a pacing replay clock that fills nothing', () => {
      for (const mode of ['simulator', 'tws']) {
        const connection = build({ mode, port: 7497 });
        assert.equal(connection.history(), connection.liveData('quotes'));
        assert.equal(connection.liveData('depth'), connection.liveData('bar updates'));
        assert.equal(typeof connection.history().allocateReqId, 'function');
        assert.equal(typeof connection.accountFeed().open, 'function');
        const clock = connection.replay();
        assert.equal(clock.fillsOrders, false);
        assert.deepEqual(clock.options, DEFAULT_BACKTEST_OPTIONS);
        const events: string[] = [];
        clock.on('start', () => events.push('start'));
        clock.on('bar', (_key, _bar, equity) => events.push(`bar ${equity}`));
        clock.on('end', () => events.push('end'));
        clock.begin('a', 'AAPL', 1);
        clock.onBar('AAPL', { time: 1, open: 1, high: 1, low: 1, close: 1, volume: 1 });
        assert.equal(clock.running(), true);
        clock.end('a');
        assert.deepEqual(events, ['start', 'bar NaN', 'end']);
        assert.equal(clock.barsDone(), 1);
        assert.throws(() => clock.summary(), new RegExp(`a ${mode} connection replays history without fills`));
      }
    });

    it('backtest: each missing capability refuses with its own message; the replay clock is the backtest run', async () => {
      const connection = build({ mode: 'backtest', btCash: 5000, btCommission: 'none' });
      const refusal = (ask: () => unknown): CapabilityError => {
        try {
          ask();
        } catch (err) {
          assert.ok(err instanceof CapabilityError, String(err));
          return err;
        }
        assert.fail('no refusal');
      };
      assert.match(refusal(() => connection.history()).message, /^this backtest connection has no data connection to fetch IB history from: set "data connection"/);
      const quotes = refusal(() => connection.liveData('quotes'));
      assert.match(quotes.message, /^market-data has no live source on a backtest connection: replay bars with historical-bars/);
      assert.equal(quotes.statusText, 'backtest: no live data');
      const depth = refusal(() => connection.liveData('depth'));
      assert.match(depth.message, /^market-depth has no live source on a backtest connection/);
      assert.equal(depth.statusText, 'backtest: no live depth');
      assert.equal(refusal(() => connection.liveData('bar updates')).message, 'keep-up-to-date needs live data: a backtest connection has none; choose "one message per bar" to replay');
      const clock = connection.replay();
      assert.ok(clock instanceof BacktestRun);
      assert.equal(clock.fillsOrders, true);
      assert.equal(clock.options.startingCash, 5000);
      const changes: string[] = [];
      const feed = await connection.accountFeed().open({ account: '', parts: new Set(['summary', 'positions']), onChange: (p) => changes.push(p), onError: assert.fail });
      assert.equal(feed.snapshot().summary.NetLiquidation, 5000);
      clock.begin('a', 'AAPL', 1);
      clock.end('a');
      assert.deepEqual(changes, ['positions', 'orders', 'executions', 'summary'], 'the run\'s end changes the account');
      feed.stop();
    });

    it('backtest with a data connection: IB history from its session; another backtest is no data connection', () => {
      const data = build({ mode: 'simulator' });
      const backtest = build({ mode: 'backtest', dataConnection: 'd' }, () => data);
      assert.equal(backtest.history(), data.history());
      assert.throws(() => backtest.liveData('quotes'), CapabilityError);
      const other = build({ mode: 'backtest', dataConnection: 'x' }, () => backtest);
      assert.throws(() => other.history(), /no data connection to fetch IB history from/);
      // A data connection named on a tws connection is not used: it has its own socket.
      assert.equal(readConnectionConfig({ mode: 'tws', dataConnection: 'd' }).dataConnectionId, '');
    });
  });

  describe('replay loop', () => {
    const bars: Bar[] = [1, 2, 3].map((i) => ({ time: i * 60_000, open: i, high: i, low: i, close: i, volume: 1 }));

    it('feeds the clock before each bar leaves, sends one at a time with its own contract copy, ends the source', async () => {
      const connection = buildConnection(readConnectionConfig({ mode: 'backtest' }), { id: 'r', journalDir: dir, log: { debug() {}, info() {}, warn() {}, error() {} } });
      const clock = connection.replay();
      const log: string[] = [];
      clock.on('start', (info) => log.push(`start ${info.key} ${info.totalBars}`));
      clock.on('bar', (_key, bar) => log.push(`fed ${bar.time}`));
      clock.on('end', () => log.push('end'));
      const contract = { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' };
      const sent: ReplayMessage[] = [];
      let inFlight = 0;
      const progress: string[] = [];
      await replayBars({
        key: 'AAPL',
        contract,
        bars,
        sourceId: 'src',
        clock,
        send: async (msg) => {
          assert.equal(inFlight++, 0, 'one bar at a time');
          log.push(`sent ${msg.payload.time}`);
          sent.push(msg);
          await new Promise((r) => setImmediate(r));
          inFlight--;
        },
        onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.finished}`),
      });
      assert.deepEqual(log, ['start AAPL 3', 'fed 60000', 'sent 60000', 'fed 120000', 'sent 120000', 'fed 180000', 'sent 180000', 'end']);
      assert.deepEqual(sent.map((m) => m.topic), ['AAPL', 'AAPL', 'AAPL']);
      assert.notEqual(sent[0]!.contract, sent[1]!.contract);
      assert.deepEqual(sent[0]!.contract, contract);
      assert.equal(progress.at(-1), '3/3 true');
      assert.equal(clock.running(), false);
      await connection.dispose();
    });

    it('stops when told, and still ends its source; without a clock it only sends', async () => {
      const clock = buildConnection(readConnectionConfig({ mode: 'backtest' }), { id: 's', journalDir: dir, log: { debug() {}, info() {}, warn() {}, error() {} } }).replay();
      let sent = 0;
      await replayBars({ key: 'X', contract: null, bars, sourceId: 'src', clock, send: async () => void sent++, stopped: () => sent >= 1 });
      assert.equal(sent, 1);
      assert.equal(clock.running(), false);
      const plain: ReplayMessage[] = [];
      await replayBars({ key: 'X', contract: null, bars, sourceId: 'src', send: async (m) => void plain.push(m) });
      assert.deepEqual(plain.map((m) => 'contract' in m), [false, false, false]);
    });
  });
});

describe('listeners', () => {
  it('a connection takes a listener per node without a leak warning (ten historical-bars nodes and an account)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'listeners-'));
      const connection = buildConnection(readConnectionConfig({ mode: 'backtest' }), { id: 'l', journalDir: dir, log: { debug() {}, info() {}, warn() {}, error() {} } });
      const session = connection.replay();
      for (let i = 0; i < 20; i++) {
        connection.on('status', () => {});
        session.on('bar', () => {});
        connection.broker.on('order', () => {});
      }
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
