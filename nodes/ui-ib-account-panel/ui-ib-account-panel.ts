/**
 * account panel (ui-ib-account-panel): a Dashboard 2.0 widget of this package. A PAPER / LIVE badge,
 * the connection's light, whether orders are allowed or trading is halted, today's P&L as the headline,
 * unrealized and realized P&L, net liquidation, cash, return and drawdown since the flow started; the
 * account's positions and working orders as tables, and the order log (order events, fills, errors).
 * Its Show settings pick which of these a node draws. It takes the account node's snapshots,
 * backtest-report's live samples and the order nodes' events straight from those nodes, and reads its
 * connection's status and halt itself (no status node, no function node between).
 * lib/charts/account-panel.ts decides what it shows; ui/UIIbAccountPanel.vue draws it.
 */
import { AccountPanelModel, type PanelSections } from '../../lib/charts/account-panel';
import type { Connection } from '../../lib/connection/types';
import { useConnection } from '../connection';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { dashboardDataStore, widgetGroup } from '../dashboard-widget';

const TYPE = 'ui-ib-account-panel';
/** How often the panel asks the connection's broker whether trading is halted (it has no event for it). */
const HALT_POLL_MS = 500;

export = function register(RED: NodeAPI): void {
  function UiIbAccountPanel(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const widget = widgetGroup(RED, node, def, TYPE, 'account panel');
    if (!widget) return;
    const { group, base } = widget;
    const datastore = dashboardDataStore();
    const model = new AccountPanelModel(sectionsOf(def));
    let registered = false;
    /** The panel as it is now, to every open page and to pages opened later. */
    const push = () => {
      if (!registered) return;
      const msg: NodeMessage = { payload: model.view() };
      datastore?.save(base, node, msg);
      (base as unknown as { emit(event: string, msg: NodeMessage, node: Node): void }).emit(`msg-input:${node.id}`, msg, node);
    };

    const events = {
      beforeSend(msg: NodeMessage): NodeMessage {
        model.accept(msg);
        return { _msgid: msg._msgid, payload: model.view() };
      },
      onInput(msg: NodeMessage | null): void {
        if (msg) datastore?.save(base, node, msg);
      },
    };
    const config: Record<string, unknown> = { ...def, type: TYPE };
    group.register(node, config, events);
    registered = true;

    let connection: Connection | null = null;
    if (typeof def.connection === 'string' && def.connection) {
      const owner = useConnection(RED, node, def.connection, {
        onStatus: (status) => {
          if (model.setStatus(status)) push();
          return false;
        },
      });
      connection = owner?.connection ?? null;
      if (connection) {
        model.setStatus(connection.status());
        const timer = setInterval(() => {
          try {
            if (model.setHalt(connection?.broker.haltReason?.() ?? null)) push();
          } catch (err) {
            node.status({ fill: 'red', shape: 'ring', text: (err as Error).message.slice(0, 40) });
          }
        }, HALT_POLL_MS);
        node.on('close', (_removed: boolean, done: () => void) => {
          clearInterval(timer);
          done();
        });
      }
    }
    node.status(connection ? {} : { fill: 'grey', shape: 'ring', text: 'no connection: light and halt not shown' });
    push();
  }
  RED.nodes.registerType(TYPE, UiIbAccountPanel);
};

/** What the node shows; a panel saved before the Show settings existed shows the summary alone, as it did. */
function sectionsOf(def: NodeDef): PanelSections {
  return { summary: def.showSummary !== false, positions: def.showPositions === true, orders: def.showOrders === true, log: def.showLog === true };
}
