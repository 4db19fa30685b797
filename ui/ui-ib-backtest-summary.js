// The backtest summary widget, built into resources/ui-ib-backtest-summary.umd.js (scripts/build-widgets.mjs),
// which the dashboard loads as window['ui-ib-backtest-summary'] and takes the component from by name.
export { default as UIIbBacktestSummary } from './UIIbBacktestSummary.vue'
