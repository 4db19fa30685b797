/**
 * backtest summary (ui-ib-backtest-summary): a Dashboard 2.0 widget of this package. backtest-report's
 * first output straight in: while a replay runs, its progress; when it ends, the headline figures, the
 * metrics table, the newest trades and the run per instrument and strategy (its Show settings pick
 * which of these it draws). lib/charts/backtest-summary.ts decides what it shows; ui/UIIbBacktestSummary.vue draws it.
 */
import { BacktestSummaryModel, DEFAULT_TRADE_ROWS, type SummarySections } from '../../lib/charts/backtest-summary';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { dashboardDataStore, widgetGroup } from '../dashboard-widget';

const TYPE = 'ui-ib-backtest-summary';

export = function register(RED: NodeAPI): void {
  function UiIbBacktestSummary(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const widget = widgetGroup(RED, node, def, TYPE, 'backtest summary');
    if (!widget) return;
    const { group, base } = widget;
    const datastore = dashboardDataStore();
    const model = new BacktestSummaryModel(sectionsOf(def), tradeRowsOf(def));
    group.register(
      node,
      { ...def, type: TYPE },
      {
        beforeSend(msg: NodeMessage): NodeMessage {
          model.accept(msg);
          return { _msgid: msg._msgid, payload: model.view() };
        },
        onInput(msg: NodeMessage | null): void {
          if (msg) datastore?.save(base, node, msg);
        },
      },
    );
    // The picture before any run, for pages opened now.
    datastore?.save(base, node, { payload: model.view() } as NodeMessage);
    node.status({});
  }
  RED.nodes.registerType(TYPE, UiIbBacktestSummary);
};

function sectionsOf(def: NodeDef): SummarySections {
  return { summary: def.showSummary !== false, metrics: def.showMetrics !== false, trades: def.showTrades !== false, parts: def.showParts !== false };
}

/** The trades table's row limit: a whole number from 1, else the default. */
function tradeRowsOf(def: NodeDef): number {
  const rows = Number(def.tradeRows);
  return Number.isInteger(rows) && rows >= 1 ? rows : DEFAULT_TRADE_ROWS;
}
