#!/usr/bin/env node
// The build's last step: each Dashboard 2.0 widget of package.json's "node-red-dashboard-2" section, its
// Vue component (ui/<type>.js and the .vue it exports; lightweight-charts where it draws a chart) bundled by Vite
// into resources/<output>, which Node-RED serves at /resources/node-red-contrib-ib-algo/ and the
// dashboard loads as window['<widget type>'] (a UMD library named after the type). Vue is the
// dashboard's own (window.Vue), never bundled: a second Vue would not share its app.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { build } from 'vite';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

for (const [type, widget] of Object.entries(manifest['node-red-dashboard-2'].widgets)) {
  // The bundled libraries' notices, which their licenses ask to keep. Written in front of the bundle
  // after the build: the minifier drops comments, banners included.
  const charts = readFileSync(join(root, 'ui', `${widget.component}.vue`), 'utf8').includes("from 'lightweight-charts'");
  const banner = [
    '/*!',
    ` * ${type}: a dashboard widget of ${manifest.name} (${manifest.license}).`,
    ...(charts
      ? [
          ` * Bundles TradingView Lightweight Charts v${version('lightweight-charts')}, Copyright (c) TradingView, Inc.,`,
          ' * licensed under the Apache License 2.0, and fancy-canvas, licensed under the MIT License.',
        ]
      : []),
    ' */',
    '',
  ].join('\n');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    plugins: [vue()],
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: join(root, 'resources'),
      emptyOutDir: false,
      sourcemap: false,
      lib: {
        // ui/<type>.js exports the component under its name, as the dashboard looks it up.
        entry: join(root, 'ui', `${type}.js`),
        name: type,
        formats: ['umd'],
        fileName: () => widget.output,
      },
      rollupOptions: {
        external: ['vue'],
        output: { globals: { vue: 'Vue' } },
      },
    },
  });
  const out = join(root, 'resources', widget.output);
  writeFileSync(out, banner + readFileSync(out, 'utf8'));
}
