// The package's Dashboard 2.0 widgets, built into resources/ui-ib-price-chart.umd.js (ui/vite.config.mjs),
// which the dashboard loads as window['ui-ib-price-chart'] and takes the component from by name.
export { default as UIIbPriceChart } from './UIIbPriceChart.vue'
