/*
 * The contract rows of the IB data nodes' edit dialogs (symbol, type, exchange, currency, the
 * expiry / multiplier / strike / right of futures and options, a future's empty expiry being its front
 * month, and conId, primary exchange and trading class for any type), written once for every node that
 * edits a contract. Node-RED serves this package's resources/ folder to the editor; each such node's
 * .html loads this file with <script src="resources/node-red-contrib-ib-algo/contract-editor.js">
 * and calls IbAlgo.contractEditor.prepare(this) in its oneditprepare.
 *
 * The rows are built in oneditprepare, after Node-RED has filled the fields it found in the
 * template, so prepare fills them from the node itself. Node-RED reads them back on Done by their
 * ids (node-input-<property>), as it reads fields written in the template.
 *
 * The runtime side (the fields read into a contract) is nodes/contract-editor.ts.
 */
(function () {
  'use strict';

  var SEC_TYPES = ['STK', 'CASH', 'FUT', 'CONTFUT', 'OPT', 'FOP', 'IND', 'BOND', 'CRYPTO'];
  var RIGHTS = ['C', 'P'];

  /**
   * The rows' texts: the package's shared editor texts live in ib-connect's message catalog
   * (locales/<lang>/ib-connect.json, key ib-algo), the one node every other node depends on.
   */
  function text(key) {
    return RED._('node-red-contrib-ib-algo/ib-connect:' + key);
  }

  /** The node properties the rows edit, each in an element with id <prefix>-<property>. */
  var PROPERTIES = ['symbol', 'secType', 'exchange', 'currency', 'expiry', 'strike', 'right', 'multiplier', 'conId', 'primaryExch', 'tradingClass'];

  /** Texts go in with .text() semantics: a translation cannot add markup. */
  function escapeHtml(value) {
    return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }

  function options(values, group, blank) {
    var list = blank === undefined ? '' : '<option value="">' + escapeHtml(blank) + '</option>';
    return list + values.map(function (value) { return '<option value="' + value + '">' + escapeHtml(text('ib-algo.contract.' + group + '.' + value)) + '</option>'; }).join('');
  }

  /** The rows as HTML; ids are <prefix>-<property> (prefix: 'node-input' unless given). */
  function fields(prefix) {
    var p = prefix || 'node-input';
    return [
      '<div class="form-row">',
      '  <label for="' + p + '-symbol"><i class="fa fa-tag"></i> ' + escapeHtml(text('ib-algo.contract.symbol')) + '</label>',
      '  <input type="text" id="' + p + '-symbol" placeholder="' + escapeHtml(text('ib-algo.contract.symbolPlaceholder')) + '">',
      '</div>',
      '<div class="form-row">',
      '  <label for="' + p + '-secType"><i class="fa fa-cube"></i> ' + escapeHtml(text('ib-algo.contract.secType')) + '</label>',
      '  <select id="' + p + '-secType" style="width:120px">' + options(SEC_TYPES, 'secTypes') + '</select>',
      '  <input type="text" id="' + p + '-exchange" placeholder="SMART" style="width:110px" title="' + escapeHtml(text('ib-algo.contract.exchange')) + '">',
      '  <input type="text" id="' + p + '-currency" placeholder="USD" style="width:60px" title="' + escapeHtml(text('ib-algo.contract.currency')) + '">',
      '</div>',
      '<div class="form-row ib-contract-derivative">',
      '  <label for="' + p + '-expiry"><i class="fa fa-calendar"></i> ' + escapeHtml(text('ib-algo.contract.expiry')) + '</label>',
      '  <input type="text" id="' + p + '-expiry" placeholder="' + escapeHtml(text('ib-algo.contract.expiryPlaceholder')) + '" style="width:140px">',
      '  <input type="text" id="' + p + '-multiplier" placeholder="' + escapeHtml(text('ib-algo.contract.multiplierPlaceholder')) + '" style="width:90px" title="' + escapeHtml(text('ib-algo.contract.multiplier')) + '">',
      '</div>',
      '<div class="form-row ib-contract-option">',
      '  <label for="' + p + '-strike"><i class="fa fa-crosshairs"></i> ' + escapeHtml(text('ib-algo.contract.strike')) + '</label>',
      '  <input type="text" id="' + p + '-strike" placeholder="200" style="width:90px">',
      '  <select id="' + p + '-right" style="width:90px" title="' + escapeHtml(text('ib-algo.contract.right')) + '">' + options(RIGHTS, 'rights', '-') + '</select>',
      '</div>',
      '<div class="form-row">',
      '  <label for="' + p + '-conId"><i class="fa fa-hashtag"></i> ' + escapeHtml(text('ib-algo.contract.conId')) + '</label>',
      '  <input type="text" id="' + p + '-conId" placeholder="' + escapeHtml(text('ib-algo.contract.conIdPlaceholder')) + '" style="width:140px">',
      '  <input type="text" id="' + p + '-primaryExch" placeholder="' + escapeHtml(text('ib-algo.contract.primaryExchPlaceholder')) + '" style="width:100px" title="' + escapeHtml(text('ib-algo.contract.primaryExch')) + '">',
      '  <input type="text" id="' + p + '-tradingClass" placeholder="' + escapeHtml(text('ib-algo.contract.tradingClassPlaceholder')) + '" style="width:100px" title="' + escapeHtml(text('ib-algo.contract.tradingClass')) + '">',
      '</div>'
    ].join('\n');
  }

  /** The value a row starts with: the node's, else the default of its type, else empty. */
  function startValue(node, property) {
    var value = node[property];
    if (value === undefined || value === null) {
      var def = node._def && node._def.defaults && node._def.defaults[property];
      value = def ? def.value : '';
    }
    return value === undefined || value === null ? '' : value;
  }

  /**
   * Builds the rows into the template's <div class="ib-contract-editor"></div>, fills them from the
   * node and shows the expiry/multiplier rows for futures and options, strike/right for options.
   */
  function prepare(node, prefix) {
    var p = prefix || 'node-input';
    $('.ib-contract-editor').html(fields(p));
    PROPERTIES.forEach(function (property) {
      $('#' + p + '-' + property).val(startValue(node, property));
    });
    var secType = $('#' + p + '-secType');
    var showContractFields = function () {
      var t = secType.val();
      $('.ib-contract-derivative').toggle(t === 'FUT' || t === 'OPT' || t === 'FOP');
      $('.ib-contract-option').toggle(t === 'OPT' || t === 'FOP');
    };
    secType.on('change', showContractFields);
    showContractFields();
  }

  // Every node that edits a contract loads this file; the last load simply defines the same again.
  window.IbAlgo = window.IbAlgo || {};
  window.IbAlgo.contractEditor = { fields: fields, prepare: prepare, properties: PROPERTIES.slice() };
})();
