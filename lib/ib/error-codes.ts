/**
 * TWS message codes a trader meets, as numbers: @stoqey/ib's ErrorCode enum lacks many real ones
 * (162, 200, 326, 2104 ...). Sources: IB's "Message Codes" page of the TWS API documentation.
 */
const DESCRIPTIONS: Record<number, string> = {
  103: 'duplicate order id',
  110: 'price does not conform to the minimum price variation',
  162: 'historical data request failed (includes pacing violations)',
  200: 'no security definition: check symbol, secType, exchange and currency',
  201: 'order rejected',
  202: 'order cancelled',
  321: 'request validation failed',
  322: 'server error processing the request (e.g. too many requests)',
  326: 'client id already in use',
  354: 'no market data subscription for this instrument',
  502: 'cannot connect to TWS: is it running with API connections enabled on this port?',
  504: 'not connected',
  1100: 'TWS lost connectivity to IB',
  1101: 'connectivity restored, market data lost',
  1102: 'connectivity restored, data kept',
  2103: 'market data farm broken',
  2105: 'historical data farm broken',
  10089: 'market data subscription needed',
  10090: 'part of the market data needs a subscription',
  10167: 'delayed market data shown: no live subscription',
  10197: 'no market data during a competing live session',
};

export function describeCode(code: number): string | undefined {
  return DESCRIPTIONS[code];
}

/**
 * Notices, not errors: farm status (2104 OK, 2106 HMDS OK, 2158 sec-def OK and the rest of 2100-2169),
 * which TWS sends on every connect. They belong in a debug log, never in a node's error.
 */
export function isInformational(code: number): boolean {
  return code >= 2100 && code < 2200 && code !== 2103 && code !== 2105;
}
