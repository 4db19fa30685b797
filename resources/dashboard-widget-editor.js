/*
 * What the edit dialogs of this package's Dashboard 2.0 widgets (price chart, account panel) share,
 * written once: the palette entry's look (category IB dashboard, the dashboard's widget colour, one
 * input, no output), the ui-group, order, size and name settings with their checks, the Group and Size
 * rows at the top of the dialog and the Name row at its end, and the size button (Dashboard 2.0's
 * elementSizer). Node-RED serves this package's resources/ folder to the editor; each widget's .html
 * loads this file with <script src="resources/node-red-contrib-ib-algo/dashboard-widget-editor.js">.
 * Each widget still registers its type with RED.nodes.registerType and a literal definition (type,
 * category, colour, defaults, inputs, outputs, icon written out): the Flow Library and node-red-dev read
 * a node's settings from the .html without running it, and a definition built by a function call is
 * one they cannot parse.
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
   * What a widget's definition calls: rows(type) once as its script runs, so the shared rows are in its
   * template before the dialog first opens; gridUnits(type, 'width' | 'height') as the size settings'
   * check; prepare() from its oneditprepare, for the size button.
   */
  function rows(type) {
    // The html of a node set is put into the page as a whole: the template may come after this script.
    if (!addRows(type)) setTimeout(function () { addRows(type); }, 0);
  }

  function prepare() {
    if (typeof $.fn.elementSizer === 'function') {
      $('#node-input-size').elementSizer({ width: '#node-input-width', height: '#node-input-height', group: '#node-input-group' });
    }
  }

  // Every widget's .html loads this file; the last load simply defines the same again.
  window.IbAlgo = window.IbAlgo || {};
  window.IbAlgo.dashboardWidget = { rows: rows, gridUnits: gridUnits, prepare: prepare };
})();
