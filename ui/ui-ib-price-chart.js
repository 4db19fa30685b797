// The price chart widget, built into resources/ui-ib-price-chart.umd.js (scripts/build-widgets.mjs),
// which the dashboard loads as window['ui-ib-price-chart'] and takes the component from by name.
export { default as UIIbPriceChart } from './UIIbPriceChart.vue'
