/**
 * Import-rule violations that main still has, each with who removes it. `npm run check:imports` passes
 * over exactly these and fails on any other violation, and also on an entry here that no longer occurs
 * (delete it then): the list only shrinks. Each entry: rule name, from, to (files, or folders for
 * no-circular-folders, listed once per direction as dependency-cruiser reports them).
 */
module.exports = [
  // lib/broker/backtest-broker.ts stands on lib/backtest/session.ts while lib/backtest/batch.ts uses the
  // backtest broker and lib/orders, and session.ts the broker's types ("backtest" reworks the batch onto
  // the shared order path).
  { rule: 'no-circular-folders', from: 'lib/broker', to: 'lib/backtest', who: 'backtest' },
  { rule: 'no-circular-folders', from: 'lib/backtest', to: 'lib/broker', who: 'backtest' },
  // lib/orders/protection.ts and strategy-orders.ts use lib/broker/types.ts while the broker builds
  // orders with lib/orders ("planner").
  { rule: 'no-circular-folders', from: 'lib/broker', to: 'lib/orders', who: 'planner' },
  { rule: 'no-circular-folders', from: 'lib/orders', to: 'lib/broker', who: 'planner' },
  // The same circle through the guard's limits: lib/broker -> lib/risk-controls -> lib/orders -> lib/broker.
  { rule: 'no-circular-folders', from: 'lib/broker', to: 'lib/risk-controls', who: 'planner' },
  { rule: 'no-circular-folders', from: 'lib/risk-controls', to: 'lib/orders', who: 'planner' },
  // lib/orders/quantity.ts takes validate.ts's value describer while validate.ts checks quantities with it.
  { rule: 'no-circular', from: 'lib/orders/quantity.ts', to: 'lib/orders/validate.ts', who: 'planner' },
  // lib/orders/target.ts is used by tests only since the order planner (lib/orders/plan.ts) took its job.
  { rule: 'lib-used-by-the-package', from: 'lib/orders/target.ts', to: 'lib/orders/target.ts', who: 'planner' },
];
