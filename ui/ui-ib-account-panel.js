// The account panel widget, built into resources/ui-ib-account-panel.umd.js (scripts/build-widgets.mjs),
// which the dashboard loads as window['ui-ib-account-panel'] and takes the component from by name.
export { default as UIIbAccountPanel } from './UIIbAccountPanel.vue'
