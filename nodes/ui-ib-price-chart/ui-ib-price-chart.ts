/**
 * price chart (ui-ib-price-chart): a Dashboard 2.0 widget of this package. Takes the package's own
 * messages straight from the nodes, with no function node between: bars with the indicators computing
 * nodes added (candles and lines), fills out of place-order and stop-order (BUY / SELL markers) and
 * backtest-report's final message (entries and exits). lib/charts/price-chart.ts decides what each
 * message shows; this node registers the widget with its ui-group, hands each update to the dashboard
 * and keeps the whole picture for pages opened later. The drawing is ui/UIIbPriceChart.vue, built to
 * resources/ui-ib-price-chart.umd.js (lightweight-charts inside).
 */
import { PriceChartError, PriceChartModel } from '../../lib/charts/price-chart';
import { shortText } from '../common';
import { dashboardDataStore, widgetGroup } from '../dashboard-widget';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';

const TYPE = 'ui-ib-price-chart';
/** How often the whole picture is saved for pages opened later. */
const SAVE_EVERY_MS = 1000;

export = function register(RED: NodeAPI): void {
  function UiIbPriceChart(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const widget = widgetGroup(RED, node, def, TYPE, 'price chart');
    if (!widget) return;
    const { group, base } = widget;
    const maxBars = Number(def.maxBars ?? 500);
    const overlays = String(def.overlays ?? '')
      .split(',')
      .map((s) => s.trim().replace(/^indicators\./, ''))
      .filter(Boolean);
    let model: PriceChartModel;
    try {
      model = new PriceChartModel({ maxBars: Number.isFinite(maxBars) ? maxBars : 500, overlays, instrument: String(def.instrument ?? '').trim() });
    } catch (err) {
      node.status({ fill: 'red', shape: 'ring', text: 'invalid configuration' });
      node.error(`price chart: ${(err as Error).message}`);
      return;
    }
    const datastore = dashboardDataStore();
    let lastSave = 0;
    let saveTimer: NodeJS.Timeout | null = null;
    const saveSnapshot = () => {
      saveTimer = null;
      lastSave = Date.now();
      datastore?.save(base, node, { payload: model.snapshot() });
    };
    node.on('close', (_removed: boolean, done: () => void) => {
      if (saveTimer) clearTimeout(saveTimer);
      if (statusTimer) clearTimeout(statusTimer);
      saveTimer = null;
      statusTimer = null;
      done();
    });
    let bars = 0;
    let markers = 0;
    let statusAt = 0;
    let statusTimer: NodeJS.Timeout | null = null;

    const events = {
      // Runs first for every message: the package's message becomes the chart's update (or nothing).
      // A PriceChartError (a bar that is not one) ends in done(err): Catch nodes see it, the status says it.
      beforeSend(msg: NodeMessage): NodeMessage {
        let update: ReturnType<PriceChartModel['accept']>;
        try {
          update = model.accept(msg);
        } catch (err) {
          if (err instanceof PriceChartError) {
            node.status({ fill: 'red', shape: 'ring', text: shortText(err.message) });
            throw new Error(`price chart: ${err.message}`);
          }
          throw err;
        }
        // A message the chart shows nothing of (an order's status) goes on as a no-op: the dashboard reads
        // properties of whatever this returns.
        if (!update) return { _msgid: msg._msgid, payload: { kind: 'none' } };
        if (update.kind === 'update') {
          bars += update.bars.length;
          markers += update.markers.length;
          // At most a few statuses a second: a replay sends hundreds of bars a second through the chart.
          const text = shortText(`${update.topic}: ${bars.toLocaleString('en-US')} bars, ${markers} markers`);
          const show = () => {
            statusTimer = null;
            statusAt = Date.now();
            node.status({ fill: 'green', shape: 'dot', text });
          };
          if (statusTimer) clearTimeout(statusTimer);
          statusTimer = null;
          if (Date.now() - statusAt >= 250) show();
          else statusTimer = setTimeout(show, 250);
        } else {
          bars = 0;
          markers = 0;
          if (statusTimer) clearTimeout(statusTimer);
          statusTimer = null;
          node.status({ fill: 'grey', shape: 'ring', text: 'cleared' });
        }
        return { _msgid: msg._msgid, topic: msg.topic, payload: update };
      },
      // The whole picture is what a page opening later loads (widget-load reads the dashboard's store),
      // saved at most once a second: copying it for every bar of a replay costs O(bars) each time. A page
      // that loads a picture older than the updates it then gets sees the gap and loads it again.
      onInput(msg: NodeMessage | null): void {
        if (!msg || (msg.payload as { kind?: string }).kind === 'none') return;
        const since = Date.now() - lastSave;
        if (since >= SAVE_EVERY_MS) saveSnapshot();
        else saveTimer ??= setTimeout(saveSnapshot, SAVE_EVERY_MS - since);
      },
    };
    // The dashboard keeps what it is given and removes id, type and wires from it: a copy of the settings.
    const config: Record<string, unknown> = { ...def, type: TYPE, maxBars, instrument: String(def.instrument ?? '').trim() };
    group.register(node, config, events);
    saveSnapshot();
    node.status({ fill: 'grey', shape: 'ring', text: 'waiting for bars' });
  }
  RED.nodes.registerType(TYPE, UiIbPriceChart);
};
