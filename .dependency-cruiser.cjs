/**
 * Import rules, checked in CI (`npm run check:imports`). lib is a house of floors and a floor imports only
 * the floors below it (docs/architecture.md draws them):
 *
 *   connection
 *   broker
 *   orders risk-controls journal
 *   backtest   ib data   sim
 *   fills
 *   indicators signals risk charts
 *   messages
 *
 * Folders on one floor may use each other, but never in a circle (no-circular-folders).
 */
const MIDDLE = '(broker|orders|risk-controls|journal|backtest|ib|data|sim)';
const COMPUTATION = '(indicators|signals|risk|charts)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files import each other in a circle: one of them should stand on the other, or both on a third.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment: 'Folders import each other in a circle: the floors no longer go one way.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-knows-no-node-red',
      comment: 'lib is plain TypeScript: it never imports the nodes, the flow runner, the commands, tests or benches, nor Node-RED.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: ['^(nodes|flow-runner|bin|test|bench)/', '(^|/)node_modules/(node-red|@node-red|node-red-node-test-helper)/'] },
    },
    {
      name: 'package-code-not-on-tests-or-benches',
      comment: 'What the package ships (nodes, flow-runner, bin) never imports test or bench code.',
      severity: 'error',
      from: { path: '^(nodes|flow-runner|bin)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'nodes-not-on-flow-runner',
      comment: 'Nodes stand on lib only; the flow runner embeds Node-RED around them.',
      severity: 'error',
      from: { path: '^nodes/' },
      to: { path: '^(flow-runner|bin)/' },
    },
    {
      name: 'messages-is-the-ground-floor',
      comment: 'lib/messages imports no other lib folder.',
      severity: 'error',
      from: { path: '^lib/messages/' },
      to: { path: '^lib/', pathNot: '^lib/messages/' },
    },
    {
      name: 'computation-on-messages',
      comment: 'indicators, signals and risk are pure computation over messages.',
      severity: 'error',
      from: { path: `^lib/${COMPUTATION}/` },
      to: { path: '^lib/', pathNot: `^lib/(${COMPUTATION.slice(1, -1)}|messages)/` },
    },
    {
      name: 'fills-on-messages',
      comment: 'The fill engine knows neither the backtest nor the simulator: it imports only lib/messages.',
      severity: 'error',
      from: { path: '^lib/fills/' },
      to: { path: '^lib/', pathNot: '^lib/(fills|messages)/' },
    },
    {
      name: 'middle-floor-below-connection',
      comment: 'broker, backtest, ib, data and sim are below the connection floor.',
      severity: 'error',
      from: { path: `^lib/${MIDDLE}/` },
      to: { path: '^lib/connection/' },
    },
    {
      name: 'brokers-on-the-order-path',
      comment: 'lib/broker (the IB and backtest brokers, the guard, the batch) stands on the planner, limits, journal, backtest, ib, data and sim, which never import it back: the Broker interface they drive is lib/orders/broker.ts.',
      severity: 'error',
      from: { path: '^lib/(orders|risk-controls|journal|backtest|ib|data|sim)/' },
      to: { path: '^lib/broker/' },
    },
    {
      name: 'backtest-below-the-order-path',
      comment: 'lib/backtest (replay clock, batch clock, metrics, reports) knows no broker, planner, limits or journal: the backtest broker stands on it.',
      severity: 'error',
      from: { path: '^lib/backtest/' },
      to: { path: '^lib/(broker|orders|risk-controls|journal)/' },
    },
    {
      name: 'lib-used-by-the-package',
      comment: 'Every lib file is used by what the package ships (nodes, bin, flow-runner); bench- or test-only code belongs in bench/ or test/.',
      severity: 'error',
      from: { path: '^(nodes|bin|flow-runner)/' },
      to: { path: '^lib/', reachable: false },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    parser: 'swc',
  },
};
