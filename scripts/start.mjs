#!/usr/bin/env node
// `npm start`: the demo workspace. Runs Node-RED's own launcher (node_modules/node-red/red.js) with
// flows/settings.js, a private user directory and the demo flows, so the demo behaves exactly like a
// Node-RED a user starts by hand, with this package and Dashboard 2.0 loaded.
//
// The package is installed in the user directory the way `npm install <path>` installs a local
// package: node_modules/node-red-contrib-ib-algo is a link to this repository, listed in the user
// directory's package.json. Node-RED then loads it as a user-installed module (Import > Examples
// lists its examples, the palette manager shows it) and paths inside the examples such as
// node_modules/node-red-contrib-ib-algo/data/... resolve as they do for a user. Dashboard 2.0 is
// found in this repository's node_modules, which Node-RED scans above its own folder.
//
// Usage: node scripts/start.mjs [--port 1880] [--user-dir .node-red-data] [--reset]
//   --port      editor port on 127.0.0.1 (0 picks a free one; the URL is printed either way)
//   --user-dir  Node-RED user directory (flows, credentials, context, order journal)
//   --reset     replace the workspace's flows with the demo from flows/demo.json
//
// flows/demo.json is never written: it is copied into the user directory, where deploys go. It is
// copied again only when it changed since the last copy (or on --reset), so edits made in the editor
// survive restarts; a replaced flow file is kept as flows.json.before-demo. The demo's data files
// (flows/data/) are copied to <user dir>/data/ on every start; the flows read them from there.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '1880' },
    'user-dir': { type: 'string', default: join(root, '.node-red-data') },
    reset: { type: 'boolean', default: false },
  },
});

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number (0 to 65535), got "${args.port}"`);
if (!existsSync(join(root, 'dist', 'nodes'))) fail('dist/nodes is missing: run `npm run build` first (npm start does)');

const userDir = resolve(args['user-dir']);
mkdirSync(userDir, { recursive: true });
installPackage(userDir);
installDemoFlows(userDir, args.reset);
cpSync(join(root, 'flows', 'data'), join(userDir, 'data'), { recursive: true });

const redJs = join(require.resolve('node-red/package.json'), '..', 'red.js');
const child = spawn(
  process.execPath,
  [redJs, '--settings', join(root, 'flows', 'settings.js'), '--userDir', userDir, '--port', String(port)],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);

// Pass Node-RED's log through and, once it listens, say where the editor and dashboard are.
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const running = /Server now running at (http:\/\/\S+?)\/?$/.exec(line.trim());
    if (running) {
      process.stdout.write(`\nIB algo demo: editor ${running[1]}/  dashboard ${running[1]}/dashboard\n\n`);
    }
  }
});

// Ctrl-C reaches both processes (same process group); a SIGTERM sent to this one alone is passed on.
// Either way Node-RED stops its flows (closing connections, flushing the journal) before it exits.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal && !stopping ? 1 : 0));
});

/** Links this repository into <userDir>/node_modules and lists it in <userDir>/package.json. */
function installPackage(dir) {
  const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const link = join(dir, 'node_modules', name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  let linked = false;
  try {
    linked = lstatSync(link).isSymbolicLink() && resolve(join(dir, 'node_modules'), readlinkSync(link)) === root;
  } catch {
    linked = false;
  }
  if (!linked) {
    rmSync(link, { recursive: true, force: true });
    symlinkSync(root, link, process.platform === 'win32' ? 'junction' : 'dir');
  }
  const manifestFile = join(dir, 'package.json');
  const manifest = existsSync(manifestFile)
    ? JSON.parse(readFileSync(manifestFile, 'utf8'))
    : { name: 'node-red-project', description: 'Node-RED user directory of the IB algo demo', version: '0.0.1', private: true };
  const wanted = `file:${root}`;
  if (manifest.dependencies?.[name] !== wanted) {
    manifest.dependencies = { ...manifest.dependencies, [name]: wanted };
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

function installDemoFlows(dir, reset) {
  const demoFile = join(root, 'flows', 'demo.json');
  const flowFile = join(dir, 'flows.json');
  const stampFile = join(dir, '.demo-flows.sha256');
  const demo = readFileSync(demoFile);
  try {
    if (!Array.isArray(JSON.parse(demo.toString()))) throw new Error('not a JSON array of nodes');
  } catch (err) {
    fail(`flows/demo.json is not a valid flow: ${err.message}`);
  }
  const digest = createHash('sha256').update(demo).digest('hex');
  const copiedDigest = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : null;
  if (existsSync(flowFile) && !reset && copiedDigest === digest) return;
  if (existsSync(flowFile)) {
    copyFileSync(flowFile, `${flowFile}.before-demo`);
    console.log(`start: demo flows ${reset ? 'reset' : 'updated'}; the previous flows are in ${flowFile}.before-demo`);
  }
  copyFileSync(demoFile, flowFile);
  writeFileSync(stampFile, `${digest}\n`);
}

function fail(message) {
  console.error(`start: ${message}`);
  process.exit(1);
}
