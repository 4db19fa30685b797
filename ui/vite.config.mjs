// Builds the Dashboard 2.0 widget: ui/index.js (the Vue component and lightweight-charts, bundled) into
// resources/ui-ib-price-chart.umd.js, which Node-RED serves at /resources/node-red-contrib-ib-algo/.
// Vue is the dashboard's own (window.Vue), never bundled: a second Vue would not share its app.
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const version = (name) => JSON.parse(readFileSync(here(`../node_modules/${name}/package.json`), 'utf8')).version;

// The bundled libraries' notices, which their licenses ask to keep (the minifier drops their comments).
const banner = [
  '/*!',
  ' * ui-ib-price-chart: the price chart widget of node-red-contrib-ib-algo (Apache License 2.0).',
  ` * Bundles TradingView Lightweight Charts v${version('lightweight-charts')}, Copyright (c) TradingView, Inc.,`,
  ' * licensed under the Apache License 2.0, and fancy-canvas, licensed under the MIT License.',
  ' */',
].join('\n');

export default defineConfig({
  plugins: [vue()],
  logLevel: 'warn',
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: here('../resources'),
    emptyOutDir: false,
    sourcemap: false,
    lib: {
      entry: here('./index.js'),
      name: 'ui-ib-price-chart',
      formats: ['umd'],
      fileName: () => 'ui-ib-price-chart.umd.js',
    },
    rollupOptions: {
      external: ['vue'],
      output: { globals: { vue: 'Vue' }, banner },
    },
  },
});
