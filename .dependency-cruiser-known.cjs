/**
 * Import-rule violations that main still has, each with who removes it. `npm run check:imports` passes
 * over exactly these and fails on any other violation, and also on an entry here that no longer occurs
 * (delete it then): the list only shrinks. Each entry: rule name, from, to (files, or folders for
 * no-circular-folders, listed once per direction as dependency-cruiser reports them).
 */
module.exports = [
  // lib/broker/backtest-broker.ts stands on lib/backtest/session.ts while lib/backtest/batch.ts and
  // connection.ts use the backtest broker ("conn" moves the connection out, "backtest" reworks batch).
  { rule: 'no-circular-folders', from: 'lib/broker', to: 'lib/backtest', who: 'conn, backtest' },
  { rule: 'no-circular-folders', from: 'lib/backtest', to: 'lib/broker', who: 'conn, backtest' },
  { rule: 'no-circular-folders', from: 'lib/backtest', to: 'lib/orders', who: 'conn, backtest' },
  // lib/orders/protection.ts and strategy-orders.ts use lib/broker/types.ts while the broker builds
  // orders with lib/orders ("planner").
  { rule: 'no-circular-folders', from: 'lib/broker', to: 'lib/orders', who: 'planner' },
  { rule: 'no-circular-folders', from: 'lib/orders', to: 'lib/broker', who: 'planner' },
  // lib/ib/contracts.ts uses lib/data's contract input and router while lib/data stands on lib/ib
  // ("rules": the instrument rule moves to lib/messages).
  { rule: 'no-circular-folders', from: 'lib/ib', to: 'lib/data', who: 'rules' },
  { rule: 'no-circular-folders', from: 'lib/data', to: 'lib/ib', who: 'rules' },
];
