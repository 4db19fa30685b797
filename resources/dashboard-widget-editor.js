/*
 * What the edit dialogs of this package's Dashboard 2.0 widgets (price chart, account panel) share,
 * written once: the palette entry's look (category IB dashboard, the dashboard's widget colour, one
 * input, no output), the ui-group, order, size and name settings with their checks, the Group and Size
 * rows at the top of the dialog and the Name row at its end, and the size button (Dashboard 2.0's
 * elementSizer). Node-RED serves this package's resources/ folder to the editor; each widget's .html
 * loads this file with <script src="resources/node-red-contrib-ib-algo/dashboard-widget-editor.js"> and
 * registers its type with IbAlgo.dashboardWidget.register(type, size, definition), where definition
 * holds only what is the widget's own.
 *
 * The rows go into the widget's template (its <script type="text/html" data-template-name>) before the
 * dialog is first opened, as if written there: Node-RED builds the Group picker (a config node) and
 * fills every field from the template when it opens the dialog, before oneditprepare. Their texts are
 * the widget's own message catalog's (label.group, label.size, validation.width, validation.height) and
 * Node-RED's (common.label.name).
 */
(function () {
  'use strict';

  function text(type, key) {
    return RED._('node-red-contrib-ib-algo/' + type + ':' + type + '.' + key);
  }

  /** A width or height in grid units: a whole number, 0 (or empty) fitting the group. */
  function gridUnits(type, which) {
    return function (v) {
      return /^\d+$/.test(String(v === '' ? 0 : v)) || text(type, 'validation.' + which);
    };
  }

  function topRows(type) {
    return [
      '<div class="form-row">',
      '  <label for="node-input-group"><i class="fa fa-table"></i> <span data-i18n="' + type + '.label.group"></span></label>',
      '  <input type="text" id="node-input-group">',
      '</div>',
      '<div class="form-row">',
      '  <label><i class="fa fa-object-group"></i> <span data-i18n="' + type + '.label.size"></span></label>',
      '  <input type="hidden" id="node-input-width">',
      '  <input type="hidden" id="node-input-height">',
      '  <button class="editor-button" id="node-input-size"></button>',
      '</div>',
      ''
    ].join('\n');
  }

  var NAME_ROW = [
    '',
    '<div class="form-row">',
    '  <label for="node-input-name"><i class="fa fa-tag"></i> <span data-i18n="node-red:common.label.name"></span></label>',
    '  <input type="text" id="node-input-name" data-i18n="[placeholder]node-red:common.label.name">',
    '</div>'
  ].join('\n');

  /** Puts the shared rows into the widget's template once; false while the template is not in the page yet. */
  function addRows(type) {
    var template = document.querySelector('script[data-template-name="' + type + '"]');
    if (!template) return false;
    if (template.getAttribute('data-ib-widget-rows') !== 'true') {
      template.innerHTML = topRows(type) + template.innerHTML + NAME_ROW;
      template.setAttribute('data-ib-widget-rows', 'true');
    }
    return true;
  }

  /**
   * Registers a widget's node type. size: the width and height a new node starts with (grid units, 0
   * fits the group); definition: the widget's own settings (defaults), label, icon, paletteLabel and
   * oneditprepare, as RED.nodes.registerType takes them.
   */
  function register(type, size, definition) {
    var own = definition.oneditprepare;
    var defaults = {
      group: { type: 'ui-group', required: true },
      order: { value: 0 },
      width: { value: size.width, validate: gridUnits(type, 'width') },
      height: { value: size.height, validate: gridUnits(type, 'height') },
      name: { value: '' }
    };
    Object.keys(definition.defaults || {}).forEach(function (key) {
      defaults[key] = definition.defaults[key];
    });
    // The html of a node set is put into the page as a whole: the template may come after this script.
    if (!addRows(type)) setTimeout(function () { addRows(type); }, 0);
    RED.nodes.registerType(type, $.extend({
      category: 'IB dashboard',
      color: '#E2D96E',
      inputs: 1,
      outputs: 0,
      align: 'right',
      labelStyle: function () { return this.name ? 'node_label_italic' : ''; }
    }, definition, {
      defaults: defaults,
      oneditprepare: function () {
        if (typeof $.fn.elementSizer === 'function') {
          $('#node-input-size').elementSizer({ width: '#node-input-width', height: '#node-input-height', group: '#node-input-group' });
        }
        if (own) own.call(this);
      }
    }));
  }

  // Every widget's .html loads this file; the last load simply defines the same again.
  window.IbAlgo = window.IbAlgo || {};
  window.IbAlgo.dashboardWidget = { register: register };
})();
