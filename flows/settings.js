/**
 * Node-RED settings for the demo workspace that `npm start` runs (scripts/start.mjs passes this file,
 * the user directory and the port to Node-RED's own launcher). The browser tests start Node-RED the
 * same way, so what they prove is what a user sees.
 */
module.exports = {
  // Loopback only: the editor has no login and can place (paper) orders.
  uiHost: '127.0.0.1',
  uiPort: 1880,
  flowFile: 'flows.json',
  flowFilePretty: true,
  // The demo keeps no secrets (a TWS connection has no password): store credentials unencrypted rather
  // than under a machine-generated key that is lost with the user directory.
  credentialSecret: false,

  // The package itself is linked into <userDir>/node_modules by scripts/start.mjs (an installed
  // module, so Import > Examples lists its examples/); Dashboard 2.0 is found in the repository's
  // node_modules, which Node-RED scans above its own folder.

  // No consent dialog, no phoning home, no welcome tour covering the page.
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false, ui: false },

  logging: {
    console: { level: 'info', metrics: false, audit: false },
  },

  functionExternalModules: false,
  exportGlobalContextKeys: false,

  editorTheme: {
    tours: false,
    page: { title: 'Node-RED: IB algo demo' },
    header: { title: 'Node-RED: IB algo demo' },
    palette: {
      categories: {
        order: ['subflows', 'IB data', 'IB strategy', 'IB trading', 'IB dashboard', 'common', 'function', 'dashboard 2', 'network', 'sequence', 'parser', 'storage'],
      },
    },
    projects: { enabled: false },
  },
};
