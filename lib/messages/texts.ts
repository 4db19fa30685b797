/**
 * The texts lib says to a user (an order a limit refuses, a setting or a bar it cannot take ...), each under
 * a stable code with the values it names. lib raises them as errors that carry the code and the values
 * (TextError's `said`), their message the English text, so lib's own users and logs read English; a front end in
 * another language says the same from the code (the nodes: their message catalogs' `ib-algo.lib.<code>`,
 * nodes/i18n.ts). Placeholders are written `__name__`, as Node-RED's catalogs (i18next) write them.
 *
 * Only texts a user meets are here; an internal invariant stays a plain Error in English.
 */
export const ENGLISH = {
  // ib-connect's risk limits: an order refused before it leaves, and a limit setting refused.
  'limits.setting': 'risk limit __field__ must be a positive number (blank or 0 for no limit), got __value__',
  'limits.maxOrderQuantity': 'max order quantity: __action__ __quantity__ __key__ is over the limit of __max__ per order (ib-connect risk limits)',
  'limits.notionalNoPrice': 'max order notional: no price is known for __key__ to check __action__ __quantity__ against __max__; give the order a limit price or send the bar/quote in msg.payload',
  'limits.notionalNoMultiplier': 'max order notional: __key__ is a __secType__ without a multiplier, so the money of __action__ __quantity__ is not known; pass msg.contract with its multiplier (e.g. "50" for ES)',
  'limits.notionalNoBase': "max order notional: __key__ is priced in __code__ and the account's base currency is not known yet to check __action__ __quantity__ against __max__; TWS reports it with the account summary (NetLiquidation, ExchangeRate) moments after connecting: send again then",
  'limits.notionalNoRate': 'max order notional: __key__ is priced in __code__ and no __code__ to __base__ rate is known yet to check __action__ __quantity__ against __max__; TWS reports it with the account summary (NetLiquidation, ExchangeRate) moments after connecting: send again then',
  'limits.maxOrderNotional': 'max order notional: __action__ __quantity__ __key__ at __price__ is __money__, over the limit of __max__ (ib-connect risk limits)',
  'limits.maxOrderNotionalMultiplied': 'max order notional: __action__ __quantity__ __key__ at __price__ x __multiplier__ is __money__, over the limit of __max__ (ib-connect risk limits)',
  'limits.maxOrderNotionalConverted': 'max order notional: __action__ __quantity__ __key__ at __price__ is __local__ __code__ (__notional__ __base__ at __rate__), over the limit of __max__ __base__ (ib-connect risk limits)',
  'limits.maxOrderNotionalConvertedMultiplied': 'max order notional: __action__ __quantity__ __key__ at __price__ x __multiplier__ is __local__ __code__ (__notional__ __base__ at __rate__), over the limit of __max__ __base__ (ib-connect risk limits)',
  'limits.maxPosition': 'max position: __action__ __quantity__ __key__ would make the position (with working orders) __position__, over the limit of __max__ per instrument (ib-connect risk limits)',
  'limits.maxOrdersPerMinute': 'max orders per minute: __count__ orders were sent in the last minute, the limit is __max__ (ib-connect risk limits)',
  'orders.duplicate': 'duplicate: this message already placed order __orderId__ (same msg delivered again); nothing sent',
  // ib-connect's settings it cannot take, each with what it uses instead.
  'settings.notValid': '__field__ "__value__" is not __rule__; using __fallback__',
  'settings.notOneOf': '__field__ "__value__" is not one of __allowed__; using __fallback__',
  'settings.rule.nonNegative': 'a number >= 0',
  'settings.rule.port': 'a TCP port (1-65535)',
  'settings.rule.wholeNumber': 'an integer >= 0',
  'settings.rule.integer': 'an integer',
  'settings.rule.ticksPerSecond': 'between 0 and 10000',
  'settings.rule.clockSpeed': 'between 1 (real time) and 3600',
  'settings.rule.positiveAmount': 'a positive amount',
  'settings.contractsNotJson': 'btContracts is not JSON (__error__); using no contracts table. Write it as {"ES": {"minTick": 0.25, "multiplier": 50}}',
  'settings.contracts': 'btContracts: __problem__; using no contracts table',
  'settings.baseCurrency': 'btBaseCurrency "__value__" is not a 3-letter currency code such as USD; using USD',
  'settings.fxRatesNotJson': 'btFxRates is not JSON (__error__); using no fixed rates. Write it as {"EUR": 1.08}',
  'settings.fxRates': 'btFxRates: __problem__; using no fixed rates',
  // An order's quantity or target that is never an intent.
  'quantity.notPositive': '__field__ must be a positive number of shares, got __value__',
  'quantity.ceiling': '__field__ __value__ is over the built-in ceiling of __max__ per order: no order that size is sent, with or without limits on ib-connect',
  'quantity.notWhole': '__field__ __value__ is not a whole number of shares (or contracts): orders are for whole units',
  'quantity.notIncrement': "__field__ __value__ is not a whole number of the instrument's size increment __increment__",
  'quantity.belowMin': "__field__ __value__ is below the instrument's minimum size __minSize__",
  'quantity.targetNotNumber': '__field__ must be a number of shares (negative for short), got __value__',
  'quantity.targetCeiling': '__field__ __value__ is further from flat than the built-in ceiling of __max__ per order: no such target is traded',
  'quantity.targetNotWhole': '__field__ __value__ is not a whole number of shares (or contracts)',
  'quantity.orderField': 'order __orderId__: __field__',
  // An order (msg.order over the node's settings) that cannot be sent as it is.
  'orders.notAnObject': '__where__ must be an object such as {"action":"BUY","totalQuantity":100} or {"targetQuantity":100}, got __value__',
  'orders.targetAndExplicit': '__where__ has both targetQuantity and action/totalQuantity: send a target position or an explicit order, not both',
  'orders.whatIfHere': '__where__.whatIf previews an order in place-order; this node places the orders it is given: remove whatIf',
  'orders.whatIfTarget': '__where__.whatIf previews one explicit order: send __where__.action and __where__.totalQuantity instead of targetQuantity',
  'orders.targetType': '__where__.orderType __type__ cannot move to a target position: use __types__ with targetQuantity, or an explicit order',
  'orders.action': '__where__.action must be "BUY" or "SELL" (or send __where__.targetQuantity), got __value__',
  'orders.modifyOrderId': '__where__.orderId must be the id of a working order (a positive integer), got __value__',
  'orders.modifySide': '__where__ modifies order __orderId__: change prices, quantity, tif, the algo or the conditions (action and targetQuantity cannot change on a working order)',
  'orders.modifyField': '__where__ modifies order __orderId__, and __field__ is not changed on a working order here: cancel it and place a new one, or change __fields__',
  'orders.modifyAlgoParams': '__where__ modifies order __orderId__: give __where__.algoStrategy with its algoParams (the whole algo is sent again)',
  'orders.modifyNothing': '__where__ names order __orderId__ but changes nothing: add lmtPrice, auxPrice, totalQuantity, trailingPercent, tif, algoStrategy or conditions',
  'orders.unknownField': '__where__.__field__ is not an order field this node passes to IB, so the order is not sent without it: remove it, or use __fields__',
  'orders.priceRequired': '__where__.__field__ is required for __type__ orders (__need__)',
  'orders.offsetRequired': '__where__.auxPrice is required for __type__ orders (__need__; 0 for none)',
  'orders.trailOneOf': '__type__ orders need exactly one of __where__.auxPrice (trailing amount) or __where__.trailingPercent',
  'orders.trailLimit': "TRAIL LIMIT orders need __where__.lmtPriceOffset (the limit's distance from the trailing stop), or __where__.lmtPrice with __where__.trailStopPrice",
  'orders.closeTif': '__type__ orders execute at the close and take tif DAY, got __tif__',
  'orders.algoNoneParams': '__where__.algoStrategy is "none": remove __where__.algoParams',
  'orders.algoParamsAlone': '__where__.algoParams needs __where__.algoStrategy (Adaptive, Vwap or Twap)',
  'orders.conditionsFlag': "__where__.__field__ says what the order's conditions do: give __where__.conditions, or remove __field__",
  'orders.opgType': 'tif OPG (at the open) works with MKT or LMT orders only, got __type__',
  'orders.fokType': 'tif FOK (fill all at once or cancel) works with MKT or LMT orders only, got __type__',
  'orders.account': '__where__.account must be an account id such as "DU1234567", got __value__',
  'orders.orderRef': '__where__.orderRef must be a string naming the strategy, got __value__',
  'orders.gtdWithoutTif': '__where__.goodTillDate is for tif GTD: set __where__.tif to "GTD" or remove goodTillDate',
  'orders.gtdFormat': 'tif GTD needs __where__.goodTillDate as "yyyyMMdd HH:mm:ss" (US/Eastern, or a zone after it such as "20261218 16:00:00 US/Eastern") or "yyyyMMdd-HH:mm:ss" in UTC, got __value__',
  'orders.dateTime': '__field__ must be "yyyyMMdd HH:mm:ss" (US/Eastern, or a zone after it) or "yyyyMMdd-HH:mm:ss" in UTC, got __value__',
  'orders.orderType': '__where__.orderType __value__ is not supported: use one of __types__',
  'orders.tif': '__where__.tif __value__ is not supported: use one of __tifs__',
  'orders.price': '__field__ must be a positive price, got __value__',
  'orders.offset': '__field__ must be a price distance of 0 or more, got __value__',
  'orders.percent': '__field__ must be a percentage between 0 and 100 (e.g. 2 for 2%), got __value__',
  'orders.bool': '__field__ must be true or false, got __value__',
  // What a price an order type needs is for (orders.priceRequired's __need__).
  'orders.need.stopPrice': 'the stop price',
  'orders.need.marketIfTouched': 'the price that, touched, sends it as a market order',
  'orders.need.limitIfTouched': 'the price that, touched, sends it as a limit order',
  'orders.need.relativeOffset': 'the offset from the bid (buy) or the ask (sell) it is pegged to',
  'orders.need.stopLimit': 'the limit price once the stop triggers',
  'orders.need.limitOnceTouched': 'the limit price once the trigger is touched',
  'orders.need.limitPrice': 'the limit price',
  'orders.need.offset': 'the offset',
  'orders.need.trailingAmount': 'the trailing amount',
  'orders.need.rolePrice': 'the __role__ price',
  // risk-sizer: settings that cannot size anything, and a signal it cannot size.
  'sizing.increment': 'size increment is __value__: use a number > 0 (1 for stocks)',
  'sizing.multiplier': 'contract multiplier is __value__: use a number > 0 (1 for stocks, 50 for ES, 100 for US equity options)',
  'sizing.tick': "price tick is __value__: use the instrument's minimum tick, a number > 0 (0.01 for US stocks, 0.25 for ES), or 0 not to round levels",
  'sizing.positive': '__what__ is __value__: use a number > 0',
  'sizing.what.fixedShares': 'fixed shares',
  'sizing.what.fixedNotional': 'fixed notional',
  'sizing.what.equityPercent': 'percent of equity',
  'sizing.what.riskPercent': 'risk per trade (percent of equity)',
  'sizing.what.riskPerTrade': 'risk per trade',
  'sizing.what.stopDistance': 'stop distance',
  'sizing.what.stopPercent': 'stop percent',
  'sizing.what.atrMultiple': 'ATR multiple',
  'sizing.what.takeProfitDistance': 'take-profit distance',
  'sizing.what.takeProfitPercent': 'take-profit percent',
  'sizing.what.takeProfitR': 'take-profit R multiple',
  'sizing.what.maxPosition': 'maximum position',
  'sizing.what.maxNotional': 'maximum notional',
  'sizing.riskOver100': 'risk per trade is __value__%: use at most 100',
  'sizing.riskNeedsStop': 'risk-per-trade sizing needs a stop: choose a fixed, percent, ATR or level stop',
  'sizing.stopPercentOver100': 'stop percent is __value__: use less than 100',
  'sizing.takeProfitRNeedsStop': 'a take-profit in multiples of the stop distance (R) needs a stop',
  'sizing.atrMissing': '__label__ is missing: an ATR stop needs the ATR; put an indicator node (ATR) before the risk-sizer and start trading once it has a value',
  'sizing.atrWarmingUp': '__label__ is null (still warming up): an ATR stop needs the ATR; put an indicator node (ATR) before the risk-sizer and start trading once it has a value',
  'sizing.atrNotPositive': '__label__ is __value__: the ATR must be a number > 0',
  'sizing.theAtr': 'the ATR',
  'sizing.theStopLevel': 'the stop level',
  'sizing.stopLevelMissing': '__label__ is missing: set it to the stop price, a number',
  'sizing.stopLevelNotNumber': '__label__ is __value__: set it to the stop price, a number',
  'sizing.stopAboveEntry': "stop __level__ (__label__) is at or above the entry __price__ (__priceLabel__) for a long: a long's stop must be below the entry",
  'sizing.stopBelowEntry': "stop __level__ (__label__) is at or below the entry __price__ (__priceLabel__) for a short: a short's stop must be above the entry",
  'sizing.price': 'price __price__ (__priceLabel__) must be a number > 0',
  'sizing.stopPastZero': 'stop distance __distance__ is not below the price __price__ (__priceLabel__): the stop would be at __stop__; use a smaller stop distance',
  'sizing.noEquity': 'no equity to size __what__: configure a connection on the risk-sizer or set __equityLabel__',
  'sizing.equity': 'equity __value__ (__equityLabel__) must be a number > 0',
  'sizing.none': 'none',
  'sizing.capsLeaveNothing': 'the caps (maximum position __maxPosition__, maximum notional __maxNotional__) leave less than one increment (__increment__) of __instrument__ at __price__: raise the caps',
  'sizing.tooSmall': '__basis__ is too small for one increment (__increment__) of __instrument__ at __price__: raise __raise__, or lower the size increment',
  'sizing.basis.fixed': 'fixed shares __value__',
  'sizing.basis.notional': 'notional __value__',
  'sizing.basis.equity': 'equity __value__',
  'sizing.raise.shares': 'the shares',
  'sizing.raise.notional': 'the notional',
  'sizing.raise.equity': 'the equity or the percent',
  'sizing.belowMinSize': "__quantity__ of __instrument__ is below its minimum size __minSize__ (TWS's contract details) at __price__: raise __raise__",
  'sizing.takeProfitPastZero': 'the take-profit would be at __takeProfit__ for a short from __price__: use a smaller take-profit distance or percent',
  'sizing.takeProfitUnderTick': 'the take-profit __rule__ is less than one tick (__tick__) from the entry __price__ (__priceLabel__): on the tick it would be at __takeProfit__; use a larger take-profit distance or percent',
  'sizing.atPrice': '__price__',
  'sizing.atPriceMultiplied': '__price__ (x__multiplier__ = __value__ a contract)',
  // A backtest's options (ib-connect's backtest settings, a batch's msg.backtest).
  'backtest.options': '__where__ must be an object such as {"startingCash": 100000, "commission": "ib-fixed"}',
  'backtest.startingCash': '__where__.startingCash must be a positive amount, got __value__',
  'backtest.commission': '__where__.commission must be one of __allowed__, got __value__',
  'backtest.commissionPercent': '__where__.commissionPercent must be a percentage of 0 or more, got __value__',
  'backtest.fillAt': '__where__.fillAt must be "next-open" or "close", got __value__',
  'backtest.slippage': '__where__.slippage must be {"kind": __kinds__, "amount": a number of 0 or more}, got __value__',
  'backtest.accountType': '__where__.accountType must be one of __allowed__, got __value__',
  'backtest.baseCurrency': '__where__.baseCurrency must be a 3-letter currency code such as "USD", got __value__',
  'backtest.fxRates': '__where__.fxRates: __problem__',
  // Bars a node is given (msg.payload, a file) that cannot be read.
  'bars.rowAt': '__place__: __problem__',
  'bars.place': '__source__ bar __number__ (index __index__)',
  'bars.csvPlace': '__source__ row __row__ (line __line__)',
  'bars.notAnObject': '__place__ is __value__, not an object with time, open, high, low, close, volume',
  'bars.badTime': 'date __value__ is not a time (use ISO 2024-01-02T14:30:00Z, 20240102, "20240102 09:30:00 US/Eastern" or epoch seconds/ms)',
  'bars.highBelowLow': 'high __high__ is below low __low__',
  'bars.columnMissing': '__column__ is missing',
  'bars.notANumber': '__column__ is __value__, not a number',
  'bars.columnNotArray': 'msg.payload.__field__ is __type__, not an array: __hint__',
  'bars.columnLength': 'msg.payload.__field__ has __length__ entries but msg.payload.time has __count__: __hint__',
  'bars.columnAbsent': 'msg.payload.__field__ is missing: __reader__ reads the __field__ of every bar; __hint__',
  'bars.columnsHint': 'send columns as {time: [...], open: [...], high: [...], low: [...], close: [...], volume: [...]}, one entry per bar',
} as const satisfies Record<string, string>;

export type TextCode = keyof typeof ENGLISH;

/** A value a text names: shown as it is, or a text of its own (said in the same language). */
export type TextValue = string | number | boolean | null | Said;

/** What lib says: the text's code and the values its placeholders name. */
export interface Said {
  readonly code: TextCode;
  readonly values: Readonly<Record<string, TextValue>>;
}

export function said(code: TextCode, values: Record<string, TextValue> = {}): Said {
  return { code, values };
}

/**
 * `text` with each `__name__` replaced by `say(values.name)`: the one filling of placeholders, for
 * English here and for a catalog's text in the nodes. A name without a value stays as written.
 */
export function fillText(text: string, values: Readonly<Record<string, TextValue>>, say: (value: TextValue) => string): string {
  return text.replace(/__(\w+?)__/g, (whole, name: string) => (name in values ? say(values[name]!) : whole));
}

/** The English text of `what`. */
export function english(what: Said): string {
  return fillText(ENGLISH[what.code], what.values, (value) => (isSaid(value) ? english(value) : String(value)));
}

export function isSaid(value: unknown): value is Said {
  return typeof value === 'object' && value !== null && typeof (value as Said).code === 'string' && (value as Said).code in ENGLISH && typeof (value as Said).values === 'object';
}

/**
 * An error lib raises for a user. Given one of lib's texts (`said`), its message is that text's English
 * and a front end may say it in its own language; given a string (a text not yet in the table, or one
 * from outside such as TWS's), the message is that string and there is nothing to translate.
 */
export class TextError extends Error {
  // Its name stays Error's (a message reads "Error: ..." as before); subclasses name themselves.
  readonly said: Said | null;
  constructor(text: Said | string) {
    super(typeof text === 'string' ? text : english(text));
    this.said = typeof text === 'string' ? null : text;
  }
}

/** What an error says, when it is one of lib's texts (a TextError given one). */
export function saidBy(err: unknown): Said | null {
  const what = err instanceof Error ? (err as { said?: unknown }).said : undefined;
  return isSaid(what) ? what : null;
}
